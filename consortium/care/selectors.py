"""Reads for care price benchmarking, scoped to the actor.

Commissioners see their own council's clients (every read of a client's record
is audited), every home's current price menu (menus are offered to all member
councils), and benchmark statistics across councils only where enough providers
contribute that no provider's rate can be read off them. Providers see their
own homes and menus. Consortium officers see the statistics and reports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from consortium.audit.services import audit_record
from consortium.care import costing
from consortium.care.access import (
    is_commissioner,
    is_consortium_officer,
    is_provider,
    require_care_access,
    require_commissioner,
)
from consortium.care.benchmarks import min_providers
from consortium.care.constants import Element, Population
from consortium.care.models import (
    BenchmarkStatistic,
    CareHome,
    CareLevel,
    CommissionedRate,
    NeedsAssessment,
    Negotiation,
    Placement,
    PriceMenu,
    PriceMenuItem,
)
from consortium.care.statistics import Spread
from consortium.core.errors import NotFound, PermissionDenied, ValidationFailed
from consortium.core.money import to_penny
from consortium.organisations.acting import Actor

BenchmarkKey = tuple[str, int | None, str]


def care_level_list() -> QuerySet[CareLevel]:
    return CareLevel.objects.all()


# --- homes and menus ----------------------------------------------------------------------


def home_list_for(actor: Actor) -> QuerySet[CareHome]:
    require_care_access(actor)
    qs = CareHome.objects.select_related("provider")
    if is_provider(actor) and not (is_commissioner(actor) or is_consortium_officer(actor)):
        qs = qs.filter(provider=actor.organisation)
    return qs.order_by("name")


def home_get_for(actor: Actor, home_id: int) -> CareHome:
    try:
        return home_list_for(actor).get(pk=home_id)
    except CareHome.DoesNotExist:
        raise NotFound("No home with that id") from None


def _in_force(on: dt.date) -> Q:
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))


def menu_list_for(
    actor: Actor, *, current_only: bool = False, home_id: int | None = None
) -> QuerySet[PriceMenu]:
    qs = PriceMenu.objects.filter(home__in=home_list_for(actor)).select_related(
        "home__provider", "highest_level"
    )
    if current_only:
        qs = qs.filter(_in_force(timezone.localdate()))
    if home_id is not None:
        qs = qs.filter(home_id=home_id)
    return qs.order_by("home__name", "-effective_from")


def menu_get_for(actor: Actor, menu_id: int) -> PriceMenu:
    try:
        return menu_list_for(actor).prefetch_related("items").get(pk=menu_id)
    except PriceMenu.DoesNotExist:
        raise NotFound("No price menu with that id") from None


def menu_for_costing(menu: PriceMenu) -> costing.Menu:
    return costing.Menu(
        menu_id=menu.pk,
        home_name=menu.home.name,
        provider_name=menu.home.provider.name,
        highest_level_rank=menu.highest_level.rank,
        highest_level_name=menu.highest_level.name,
        prices=tuple(
            costing.MenuPrice(i.element, i.unit_price, i.ratio, i.grade or None) for i in menu.items.all()
        ),
    )


# Menus are versions: their prices never change once submitted, and a newer
# version only sets the older one's end date (which moves modified_at). So the
# costing form of the menus in force can be kept per process, keyed by what a
# cheap aggregate says about the table.
_menus_cache: dict[tuple[object, ...], list[costing.Menu]] = {}


def menus_in_force_for_costing(on: dt.date) -> list[costing.Menu]:
    """Every menu in force on a date (the quoting hot path): cached while the menus are unchanged."""
    from django.db.models import Max

    state = PriceMenu.objects.aggregate(n=Count("id"), changed=Max("modified_at"), top=Max("id"))
    key = (on, state["n"], state["changed"], state["top"])
    cached = _menus_cache.get(key)
    if cached is None:
        cached = _load_menus_in_force(on)
        _menus_cache.clear()
        _menus_cache[key] = cached
    return cached


def _load_menus_in_force(on: dt.date) -> list[costing.Menu]:
    menus = list(
        PriceMenu.objects.filter(_in_force(on))
        .order_by("home__name")
        .values_list("pk", "home__name", "home__provider__name", "highest_level__rank", "highest_level__name")
    )
    prices: dict[int, list[costing.MenuPrice]] = defaultdict(list)
    for menu_id, element, unit_price, ratio, grade in PriceMenuItem.objects.filter(
        menu_id__in=[m[0] for m in menus]
    ).values_list("menu_id", "element", "unit_price", "ratio", "grade"):
        prices[menu_id].append(costing.MenuPrice(element, unit_price, ratio, grade or None))
    return [costing.Menu(m[0], m[1], m[2], m[3], m[4], tuple(prices[m[0]])) for m in menus]


# --- clients (audited reads) ----------------------------------------------------------------


def assessment_list_for(actor: Actor) -> QuerySet[NeedsAssessment]:
    require_commissioner(actor)
    return NeedsAssessment.objects.filter(council=actor.organisation).select_related("level", "commissioner")


def assessment_get_for(actor: Actor, assessment_id: int) -> NeedsAssessment:
    """One client's record; the read is written to the audit trail."""
    try:
        assessment = assessment_list_for(actor).get(pk=assessment_id)
    except NeedsAssessment.DoesNotExist:
        raise NotFound("No client record with that id") from None
    audit_record(actor=actor, action="care_assessment.view", obj=assessment, organisation=actor.organisation)
    return assessment


def negotiation_list_for(actor: Actor, *, assessment_id: int | None = None) -> QuerySet[Negotiation]:
    require_commissioner(actor)
    qs = Negotiation.objects.filter(assessment__council=actor.organisation).select_related(
        "assessment", "menu__home__provider"
    )
    if assessment_id is not None:
        qs = qs.filter(assessment_id=assessment_id)
    return qs


def negotiation_get_for(actor: Actor, negotiation_id: int) -> Negotiation:
    try:
        negotiation = negotiation_list_for(actor).prefetch_related("lines").get(pk=negotiation_id)
    except Negotiation.DoesNotExist:
        raise NotFound("No negotiation with that id") from None
    audit_record(
        actor=actor, action="care_negotiation.view", obj=negotiation, organisation=actor.organisation
    )
    return negotiation


def placement_list_for(actor: Actor) -> QuerySet[Placement]:
    require_commissioner(actor)
    return Placement.objects.filter(council=actor.organisation).select_related(
        "home__provider", "negotiation__assessment"
    )


def client_needs(assessment: NeedsAssessment) -> costing.ClientNeeds:
    fields = {f.name: getattr(assessment, f.name) for f in NeedsAssessment._meta.concrete_fields}
    return costing.ClientNeeds(
        level_rank=assessment.level.rank,
        level_name=assessment.level.name,
        weekly_budget=assessment.weekly_budget,
        needs=costing.needs_from_assessment(fields),
    )


def placement_for_assessment(actor: Actor, assessment: NeedsAssessment) -> Placement | None:
    """The client's one live placement, if placed (the assessment was already checked for the actor)."""
    require_commissioner(actor)
    return (
        Placement.objects.filter(negotiation__assessment=assessment, council=actor.organisation)
        .select_related("home", "negotiation")
        .first()
    )


# --- benchmarks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    key: BenchmarkKey
    population: str
    providers: int
    spread: Spread | None  # None: not enough providers contribute to show it

    @property
    def label(self) -> str:
        element, ratio, grade = self.key
        extra = [f"1:{ratio}" if ratio else "", grade]
        return Element(element).label + "".join(f" ({e})" for e in extra if e)


def _benchmarks(population: str, actor: Actor) -> dict[BenchmarkKey, Benchmark]:
    """The view of the benchmarks this actor may see: a commissioner's leaves out their own
    council's rates, a provider's leaves out its own prices (consortium.care.benchmarks); a
    figure from fewer than the threshold of providers is withheld."""
    minimum = min_providers(settings.CARE_BENCHMARK_MIN_PROVIDERS)
    rows = BenchmarkStatistic.objects.filter(population=population)
    if is_commissioner(actor):
        rows = rows.filter(Q(excluded_council=actor.organisation) | Q(excluded_council__isnull=True)).filter(
            excluded_provider__isnull=True
        )
    elif is_provider(actor):
        rows = rows.filter(
            Q(excluded_provider=actor.organisation) | Q(excluded_provider__isnull=True)
        ).filter(excluded_council__isnull=True)
    else:
        rows = rows.filter(excluded_council__isnull=True, excluded_provider__isnull=True)
    out: dict[BenchmarkKey, Benchmark] = {}
    # The viewer's own view of a cell replaces the consortium's view of it.
    for s in sorted(
        rows, key=lambda r: r.excluded_council_id is not None or r.excluded_provider_id is not None
    ):
        key = (s.element, s.ratio, s.grade)
        shown = s.providers >= minimum and s.median is not None
        out[key] = Benchmark(
            key,
            population,
            s.providers,
            Spread(s.count, s.minimum, s.lower_quartile, s.median, s.upper_quartile, s.maximum)  # type: ignore[arg-type]
            if shown
            else None,
        )
    return out


def benchmark_list_for(actor: Actor, *, population: str = Population.COMMISSIONED) -> list[Benchmark]:
    require_care_access(actor)
    order = {e: i for i, e in enumerate(Element.values)}
    return sorted(
        _benchmarks(population, actor).values(), key=lambda b: (order[b.key[0]], b.key[1] or 0, b.key[2])
    )


def own_rates_for(actor: Actor) -> list[dict[str, Any]]:
    """The council's own commissioned rates, by provider name: it may always see its own."""
    require_commissioner(actor)
    rows = (
        CommissionedRate.objects.filter(council=actor.organisation)
        .values("provider__name", "element", "ratio", "grade")
        .annotate(placements=Count("id"))
        .order_by("provider__name", "element")
    )
    result = []
    for r in rows:
        prices = list(
            CommissionedRate.objects.filter(
                council=actor.organisation,
                provider__name=r["provider__name"],
                element=r["element"],
                ratio=r["ratio"],
                grade=r["grade"],
            ).values_list("unit_price", flat=True)
        )
        result.append({**r, "median": to_penny(sorted(prices)[len(prices) // 2])})
    return result


@dataclass(frozen=True)
class LineView:
    line: costing.QuoteLine
    benchmark: Benchmark | None
    position: str
    above_upper_quartile: bool
    saving_at_median: Decimal


@dataclass(frozen=True)
class QuoteView:
    quote: costing.Quote
    lines: list[LineView]
    flagged_saving: Decimal


def compare(quote: costing.Quote, benchmarks: dict[BenchmarkKey, Benchmark]) -> QuoteView:
    views = []
    flagged = Decimal(0)
    for line in quote.lines:
        bench = benchmarks.get((line.element, line.needed_ratio, line.grade or ""))
        position, above, saving = "not enough data", False, Decimal(0)
        if bench is not None and bench.spread is not None:
            position = bench.spread.position_of(line.unit_price)
            above = line.unit_price > bench.spread.upper_quartile
            if above:
                saving = costing.saving_at_median(line.unit_price, bench.spread.median, line.quantity)
                flagged += saving
        elif bench is None:
            position = "no benchmark yet"
        views.append(LineView(line, bench, position, above, saving))
    return QuoteView(quote, views, flagged)


def quotes_for(actor: Actor, assessment: NeedsAssessment, *, on: dt.date | None = None) -> list[QuoteView]:
    """Every home's itemised weekly cost for this client, cheapest complete quote first."""
    require_commissioner(actor)
    needs = client_needs(assessment)
    benchmarks = _benchmarks(Population.COMMISSIONED, actor)
    views = [
        compare(costing.quote(needs, m), benchmarks)
        for m in menus_in_force_for_costing(on or timezone.localdate())
    ]
    views.sort(
        key=lambda v: (not v.quote.offered, not v.quote.complete, v.quote.total, v.quote.menu.home_name)
    )
    return views


# --- reports ------------------------------------------------------------------------------------


def council_report_for(actor: Actor) -> list[dict[str, Any]]:
    """Per council: placements, weekly commissioned spend, weekly and annual savings agreed."""
    require_care_access(actor)
    if is_provider(actor) and not (is_commissioner(actor) or is_consortium_officer(actor)):
        raise PermissionDenied("Reports on councils' placements are for commissioners and the consortium.")
    qs = Placement.objects.all()
    if not is_consortium_officer(actor):
        qs = qs.filter(council=actor.organisation)
    return list(
        qs.values("council__id", "council__name")
        .annotate(
            placements=Count("id"),
            weekly_spend=Sum("weekly_cost"),
            weekly_saving=Sum("weekly_saving"),
            annual_saving=Sum("annual_saving"),
        )
        .order_by("council__name")
    )


def care_level_named(name: str) -> CareLevel:
    """A level of care by its name (the common template names levels, e.g. Moderate)."""
    level = CareLevel.objects.filter(name__iexact=name.strip()).first()
    if level is None:
        names = ", ".join(CareLevel.objects.values_list("name", flat=True))
        raise ValidationFailed("Unknown level of care", field_errors={"level": f"Choose one of: {names}"})
    return level


def care_level_name(level_id: object) -> str | None:
    """The name of the level chosen from a page's list by id, or None when none was."""
    text = str(level_id or "").strip()
    if not text.isdigit() or len(text) > 18:
        return None
    return CareLevel.objects.filter(pk=int(text)).values_list("name", flat=True).first()
