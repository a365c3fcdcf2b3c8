"""Reads for savings and cost sharing, always for an actor: a member sees its own savings,
charge and net benefit; the consortium's admins and category managers see everyone's."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from consortium.core.dates import current_financial_year
from consortium.core.errors import NotFound, PermissionDenied, ValidationFailed
from consortium.core.money import to_penny
from consortium.organisations.acting import Actor
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission
from consortium.savings import apportion as ap
from consortium.savings import years
from consortium.savings.constants import Category, Key, Method, RebateStatus, Source
from consortium.savings.models import (
    Budget,
    Evidence,
    MemberFigure,
    Rebate,
    RebateShare,
    Saving,
    SavingYear,
    Scenario,
    Statement,
    StatementLine,
)
from consortium.savings.schemas import SavingQuery

ZERO = Decimal("0.00")
GROUPS = {
    "year": "Financial year",
    "member": "Member",
    "category": "Category",
    "method": "Method",
    "source": "Source",
    "cashable": "Cashable",
}


def sees_all(actor: Actor) -> bool:
    return actor.has(Permission.SAVINGS_VIEW_ALL)


def _scope(actor: Actor) -> Q:
    if sees_all(actor):
        return Q()
    if actor.has(Permission.SAVINGS_RECORD):
        return Q(member=actor.organisation)
    raise PermissionDenied("Savings are for members and the consortium.")


def savings(actor: Actor, query: SavingQuery | None = None) -> QuerySet[Saving]:
    qs = Saving.objects.filter(_scope(actor)).select_related("member", "corrects", "superseded_by")
    if query is not None:
        if query.member_id is not None:
            qs = qs.filter(member_id=query.member_id)
        if query.status:
            qs = qs.filter(status=query.status)
        if query.source:
            qs = qs.filter(source=query.source)
        if query.year is not None:
            qs = qs.filter(years__year=query.year).distinct()
    return qs.order_by("-starts_on", "-id")


def saving(actor: Actor, saving_id: int) -> Saving:
    found = savings(actor).filter(pk=saving_id).first()
    if found is None:
        raise NotFound("There is no such saving")
    return found


def evidence_file(actor: Actor, saving_id: int, evidence_id: int) -> Evidence:
    found = Evidence.objects.filter(pk=evidence_id, saving=saving(actor, saving_id)).first()
    if found is None:
        raise NotFound("There is no such file")
    return found


def years_of(s: Saving) -> dict[str, Decimal]:
    return {years.label(y.year): y.amount for y in s.years.order_by("year")}


def report(
    actor: Actor, group_by: str = "year", *, year: int | None = None, member_id: int | None = None
) -> dict[str, Any]:
    """Savings added up by financial year, member, category, method, source or cashable: what
    is validated (and not replaced by a correction), split cashable / non-cashable, beside what
    is still proposed. One aggregate over the per-year parts."""
    if group_by not in GROUPS:
        raise ValidationFailed("Choose what to group by", field_errors={"group_by": "Choose from the list"})
    qs = SavingYear.objects.filter(_scope(actor), state__in=["counted", "proposed"])
    if year is not None:
        qs = qs.filter(year=year)
    if member_id is not None:
        qs = qs.filter(member_id=member_id)
    column = {"member": "member_id"}.get(group_by, group_by)
    rows = (
        qs.values(column)
        .annotate(
            validated=Sum("amount", filter=Q(state="counted")),
            cashable_total=Sum("amount", filter=Q(state="counted", cashable=True)),
            proposed=Sum("amount", filter=Q(state="proposed")),
            entries=Count("id", filter=Q(state="counted")),
        )
        .order_by()
    )
    labels = _labels(group_by, [r[column] for r in rows])
    out = []
    for r in rows:
        validated = r["validated"] or ZERO
        cashable = r["cashable_total"] or ZERO
        out.append(
            {
                "key": r[column],
                "label": labels.get(r[column], str(r[column])),
                "validated": to_penny(validated),
                "cashable": to_penny(cashable),
                "non_cashable": to_penny(validated - cashable),
                "proposed": to_penny(r["proposed"] or ZERO),
                "entries": r["entries"],
            }
        )
    out.sort(key=lambda r: (r["key"],) if group_by == "year" else (-r["validated"], r["label"]))
    return {
        "group_by": group_by,
        "year": year,
        "rows": out,
        "total": sum((r["validated"] for r in out), ZERO),
    }


def _labels(group_by: str, keys: list[Any]) -> dict[Any, str]:
    if group_by == "member":
        return dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "year":
        return {k: years.label(k) for k in keys}
    if group_by == "cashable":
        return {True: "Cashable", False: "Non-cashable"}
    choices = {"category": Category, "method": Method, "source": Source}[group_by]
    return {k: dict(choices.choices).get(k, k) for k in keys}


# --- cost sharing -------------------------------------------------------------------------------


def may_share_costs(actor: Actor) -> bool:
    return actor.has(Permission.COSTS_SHARE) or sees_all(actor)


def _require_costs(actor: Actor) -> None:
    if not may_share_costs(actor):
        raise PermissionDenied("Cost sharing is for the consortium's admins and category managers.")


def budgets(actor: Actor) -> QuerySet[Budget]:
    if not (may_share_costs(actor) or actor.has(Permission.SAVINGS_RECORD)):
        raise PermissionDenied()
    return Budget.objects.prefetch_related("lines").order_by("-year")


def budget(actor: Actor, year: int) -> Budget:
    found = budgets(actor).filter(year=year).first()
    if found is None:
        raise NotFound(f"There is no budget for {years.label(year)}")
    return found


def budget_total(b: Budget) -> Decimal:
    return to_penny(sum((line.amount for line in b.lines.all()), ZERO))


def figures(actor: Actor) -> QuerySet[MemberFigure]:
    _require_costs(actor)
    return MemberFigure.objects.select_related("member")


def scenarios(actor: Actor, b: Budget) -> QuerySet[Scenario]:
    _require_costs(actor)
    return Scenario.objects.filter(budget=b).order_by("id")


def scenario(actor: Actor, scenario_id: int) -> Scenario:
    _require_costs(actor)
    found = Scenario.objects.select_related("budget").filter(pk=scenario_id).first()
    if found is None:
        raise NotFound("There is no such scenario")
    return found


def key_figures(year: int, member_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    """Each member's figure for every key in a financial year: population and pupils from the
    members' data (the latest year up to this one), the rest from the systems' own records."""
    from consortium.care.models import Placement
    from consortium.orders.constants import OrderStatus
    from consortium.orders.models import Order
    from consortium.spend.models import DailySpend
    from consortium.tendering.models import DemandReturn

    start, end = years.bounds(year)
    out: dict[int, dict[str, Decimal]] = {m: defaultdict(lambda: ZERO) for m in member_ids}  # type: ignore[misc]
    for m in member_ids:
        out[m][Key.EQUAL] = Decimal(1)
    seen: set[tuple[int, str]] = set()
    for member_id, key, value in (
        MemberFigure.objects.filter(member_id__in=member_ids, year__lte=year)
        .order_by("member_id", "key", "-year")
        .values_list("member_id", "key", "value")
    ):
        if (member_id, key) not in seen:
            seen.add((member_id, key))
            out[member_id][key] = value
    for member_id, total in (
        DailySpend.objects.filter(buyer_id__in=member_ids, day__gte=start, day__lte=end)
        .values("buyer_id")
        .annotate(total=Sum("spend"))
        .order_by()
        .values_list("buyer_id", "total")
    ):
        out[member_id][Key.SPEND] = total or ZERO

    def add_usage(rows: Any) -> None:
        for member_id, n in rows:
            out[member_id][Key.USAGE] += Decimal(n)

    add_usage(
        Order.objects.filter(
            buyer_id__in=member_ids, submitted_at__date__gte=start, submitted_at__date__lte=end
        )
        .exclude(status__in=[OrderStatus.DRAFT, OrderStatus.CANCELLED, OrderStatus.REJECTED])
        .values("buyer_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("buyer_id", "n")
    )
    add_usage(
        DemandReturn.objects.filter(
            member_id__in=member_ids, will_use=True, created_at__date__gte=start, created_at__date__lte=end
        )
        .values("member_id")
        .annotate(n=Count("lot__project_id", distinct=True))
        .order_by()
        .values_list("member_id", "n")
    )
    add_usage(
        Placement.objects.filter(council_id__in=member_ids, start_date__gte=start, start_date__lte=end)
        .values("council_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("council_id", "n")
    )
    for member_id, total in (
        SavingYear.objects.filter(member_id__in=member_ids, year=year, state="counted")
        .values("member_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("member_id", "total")
    ):
        out[member_id][Key.SAVINGS] = total or ZERO
    return {m: dict(v) for m, v in out.items()}


@dataclass
class ShareRow:
    member_id: int
    member: str
    kind: str
    charge: Decimal
    mixed_percent: Decimal
    limited: str
    figures: dict[str, str] = field(default_factory=dict)


def shares_for(b: Budget, s: Scenario) -> tuple[Decimal, list[ShareRow]]:
    """The scenario's split of the budget among the current members, exact to the penny."""
    from consortium.savings.services import members

    total = budget_total(b)
    people = list(members().values_list("pk", "name", "kind"))
    weights = {k: Decimal(v) for k, v in s.weights.items()}
    figs = key_figures(b.year, [pk for pk, _n, _k in people])
    limits = s.limits or {}

    def limit(kind: str, which: str) -> Decimal | None:
        value = (limits.get(kind) or {}).get(which)
        return Decimal(value) if value not in (None, "") else None

    kinds = {pk: kind for pk, _n, kind in people}
    names = {pk: name for pk, name, _k in people}
    shares = ap.apportion(
        total,
        weights,
        [
            ap.Member(
                str(pk),
                {k: figs[pk].get(k, ZERO) for k in weights},
                floor=limit(kind, "floor"),
                cap=limit(kind, "cap"),
            )
            for pk, _name, kind in people
        ],
    )
    rows = [
        ShareRow(
            member_id=int(sh.key),
            member=names[int(sh.key)],
            kind=kinds[int(sh.key)],
            charge=sh.charge,
            mixed_percent=sh.mixed_percent,
            limited=sh.limited,
            figures=sh.figures,
        )
        for sh in shares
    ]
    return total, rows


def statements(actor: Actor, b: Budget) -> QuerySet[Statement]:
    if not (may_share_costs(actor) or actor.has(Permission.SAVINGS_RECORD)):
        raise PermissionDenied()
    return Statement.objects.filter(budget=b).select_related("scenario", "approved_by").order_by("-version")


def statement_lines(actor: Actor, st: Statement) -> QuerySet[StatementLine]:
    qs = StatementLine.objects.filter(statement=st).select_related("member")
    if may_share_costs(actor):
        return qs
    if actor.has(Permission.SAVINGS_RECORD):
        return qs.filter(member=actor.organisation)
    raise PermissionDenied()


def net_benefit(actor: Actor, year: int, *, member_id: int | None = None) -> list[dict[str, Any]]:
    """Each member's charge under the year's approved statement, its validated savings and its
    rebate shares that year, its net benefit (savings + rebates − charge) and the return on its
    contribution ((savings + rebates) ÷ charge)."""
    from consortium.savings.services import members

    if sees_all(actor) or actor.has(Permission.COSTS_SHARE):
        qs = members()
        if member_id is not None:
            qs = qs.filter(pk=member_id)
        people = list(qs.values_list("pk", "name"))
    elif actor.has(Permission.SAVINGS_RECORD):
        people = [(actor.organisation.pk, actor.organisation.name)]
    else:
        raise PermissionDenied()
    ids = [pk for pk, _ in people]
    st = Statement.objects.filter(budget__year=year, current=True).first()
    charges = (
        dict(StatementLine.objects.filter(statement=st, member_id__in=ids).values_list("member_id", "charge"))
        if st
        else {}
    )
    saved = {
        r["member_id"]: r
        for r in SavingYear.objects.filter(member_id__in=ids, year=year, state="counted")
        .values("member_id")
        .annotate(total=Sum("amount"), cashable=Sum("amount", filter=Q(cashable=True)))
        .order_by()
    }
    rebates = dict(
        RebateShare.objects.filter(member_id__in=ids, year=year)
        .values("member_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("member_id", "total")
    )
    out = []
    for pk, name in people:
        savings_total = to_penny((saved.get(pk) or {}).get("total") or ZERO)
        cashable = to_penny((saved.get(pk) or {}).get("cashable") or ZERO)
        rebate = to_penny(rebates.get(pk) or ZERO)
        charge = charges.get(pk) if st else None
        benefit = savings_total + rebate
        out.append(
            {
                "member_id": pk,
                "member": name,
                "year": year,
                "charge": charge,
                "statement_version": st.version if st else None,
                "savings": savings_total,
                "cashable_savings": cashable,
                "rebates": rebate,
                "net_benefit": benefit - charge if charge is not None else None,
                "return_on_contribution": (benefit / charge).quantize(Decimal("0.01")) if charge else None,
            }
        )
    return out


# --- rebates ------------------------------------------------------------------------------------


def rebates(actor: Actor) -> QuerySet[Rebate]:
    qs = Rebate.objects.select_related("supplier")
    if sees_all(actor):
        return qs
    if actor.organisation.is_supplier and actor.has(Permission.CATALOGUE_KEEP):
        return qs.filter(supplier=actor.organisation)
    raise PermissionDenied("Rebate statements are for the consortium and each supplier.")


def rebate_totals(actor: Actor) -> dict[str, Decimal]:
    qs = rebates(actor)
    sums = qs.aggregate(
        total_due=Sum("due"),
        total_received=Sum("received"),
        total_outstanding=Sum("due", filter=~Q(status=RebateStatus.RECEIVED)),
    )
    return {k.removeprefix("total_"): to_penny(v or ZERO) for k, v in sums.items()}


def current_year() -> int:
    return current_financial_year()
