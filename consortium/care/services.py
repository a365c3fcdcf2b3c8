"""Every change in care price benchmarking: homes, menus, assessments, negotiations, placements.

One function per action, in a transaction, checking the actor, writing the audit trail.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from consortium.audit.services import audit_record
from consortium.care import costing
from consortium.care.access import is_provider, require_commissioner
from consortium.care.benchmarks import rebuild as rebuild_benchmarks
from consortium.care.constants import (
    ELEMENT_RULES,
    NEGOTIATION_TRANSITIONS,
    AccommodationType,
    Element,
    Grade,
    NegotiationStatus,
)
from consortium.care.inputs import AgreedInput, MenuItemInput
from consortium.care.models import (
    CareHome,
    CareLevel,
    CommissionedRate,
    NeedsAssessment,
    Negotiation,
    NegotiationLine,
    Placement,
    PriceMenu,
    PriceMenuItem,
)
from consortium.care.selectors import client_needs, menu_for_costing
from consortium.care.tasks import refresh_benchmarks
from consortium.care.workbooks import parse_menu_workbook
from consortium.core.errors import Conflict, PermissionDenied, ValidationFailed
from consortium.core.money import parse_pounds, to_penny
from consortium.organisations.acting import Actor
from consortium.organisations.constants import ADULT_SOCIAL_CARE_KINDS, OrganisationKind, Role
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission

MAX_UNIT_PRICE = Decimal("100000")


# --- homes ---------------------------------------------------------------------------


def care_home_create(
    *, actor: Actor, name: str, town: str = "", postcode: str = "", provider: Organisation | None = None
) -> CareHome:
    provider = provider or actor.organisation
    if not (
        (is_provider(actor) and provider.pk == actor.organisation.pk)
        or (actor.has(Permission.CARE_OVERSEE) and actor.has(Permission.ORGANISATION_MANAGE))
    ):
        raise PermissionDenied("Only the provider or a consortium admin can add its homes.")
    if provider.kind != OrganisationKind.SUPPLIER:
        raise ValidationFailed(
            "A home belongs to a provider", field_errors={"provider_id": "Choose a provider"}
        )
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed(
            "Name the home", field_errors={"name": "Enter the home's name (up to 200 characters)"}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                home = CareHome.objects.create(
                    provider=provider,
                    name=name,
                    town=town.strip()[:100],
                    postcode=postcode.strip().upper()[:10],
                )
        except IntegrityError:
            raise Conflict(
                f"{provider.name} already has a home called {name}",
                field_errors={"name": "This provider already has a home with this name"},
            ) from None
        audit_record(
            actor=actor, action="care_home.create", obj=home, organisation=provider, changes={"name": name}
        )
    return home


# --- price menus -----------------------------------------------------------------------


def _clean_items(
    items: list[MenuItemInput], where: list[dict[str, str]] | None = None
) -> list[PriceMenuItem]:
    """Check every price; errors name the item's field, or where it came from when `where`
    maps each item's fields to a place (a sheet cell, a form field)."""
    errors: dict[str, str] = {}
    cleaned: list[PriceMenuItem] = []
    seen: set[tuple[str, int | None, str]] = set()
    for i, item in enumerate(items):
        places = where[i] if where else {}

        def at(field: str, i: int = i, places: dict[str, str] = places) -> str:
            return places.get(field) or f"items[{i}].{field}"

        if item.element not in ELEMENT_RULES:
            errors[at("element")] = f"Unknown price element {item.element!r}"
            continue
        rule = ELEMENT_RULES[item.element]
        try:
            price = parse_pounds(item.unit_price, maximum=MAX_UNIT_PRICE)
        except ValueError as e:
            unreadable = "for example" in str(e)
            errors[at("unit_price")] = (
                f"Enter the price in pounds, like 246.00 (got {item.unit_price!r})" if unreadable else str(e)
            )
            continue
        ratio: int | None = None
        if rule.has_ratio:
            try:
                ratio = int(str(item.ratio).replace("1:", "").replace("1 to ", "").strip())
                if not 1 <= ratio <= 20:
                    raise ValueError
            except (TypeError, ValueError):
                errors[at("ratio")] = "Enter the carer:client ratio as the number of clients, 1 to 20"
                continue
        grade = str(item.grade or "").strip().lower()
        if rule.has_grade:
            if grade not in Grade.values:
                errors[at("grade")] = "Choose the carer grade: domiciliary or qualified"
                continue
        else:
            grade = ""
        key = (item.element, ratio, grade)
        if key in seen:
            errors[at("element")] = "This element is priced twice at the same ratio and grade"
            continue
        seen.add(key)
        cleaned.append(PriceMenuItem(element=item.element, unit_price=price, ratio=ratio, grade=grade))
    if not cleaned and not errors:
        errors["items"] = "Price at least one element"
    if errors:
        raise ValidationFailed("Check the prices", field_errors=errors)
    return cleaned


def price_menu_submit(
    *,
    actor: Actor,
    home: CareHome,
    highest_level: CareLevel,
    effective_from: dt.date,
    items: list[MenuItemInput],
    where: list[dict[str, str]] | None = None,
) -> PriceMenu:
    """A new version of a home's menu, in force from `effective_from`; the one before ends the day before."""
    if not (is_provider(actor) and home.provider_id == actor.organisation.pk) and (
        Role.CONSORTIUM_ADMIN not in actor.roles
    ):
        raise PermissionDenied("Only the home's provider can submit its price menu.")
    cleaned = _clean_items(items, where)
    with transaction.atomic():
        CareHome.objects.select_for_update().get(pk=home.pk)
        if PriceMenu.objects.filter(home=home, effective_from=effective_from).exists():
            raise Conflict(
                "A menu already starts on that date",
                field_errors={"effective_from": "This home already has a menu starting on this date"},
            )
        later = (
            PriceMenu.objects.filter(home=home, effective_from__gt=effective_from)
            .order_by("effective_from")
            .first()
        )
        earlier = (
            PriceMenu.objects.filter(home=home, effective_from__lt=effective_from)
            .order_by("-effective_from")
            .first()
        )
        menu = PriceMenu.objects.create(
            home=home,
            highest_level=highest_level,
            effective_from=effective_from,
            effective_to=(later.effective_from - dt.timedelta(days=1)) if later else None,
            submitted_by=actor.person,
        )
        for item in cleaned:
            item.menu = menu
        PriceMenuItem.objects.bulk_create(cleaned)
        if earlier and (earlier.effective_to is None or earlier.effective_to >= effective_from):
            earlier.effective_to = effective_from - dt.timedelta(days=1)
            earlier.save(update_fields=["effective_to", "modified_at"])
        audit_record(
            actor=actor,
            action="price_menu.submit",
            obj=menu,
            organisation=home.provider,
            changes={"home": home.name, "effective_from": effective_from, "prices": len(cleaned)},
        )
        refresh_benchmarks_on_commit()
    return menu


# --- needs assessments --------------------------------------------------------------------

ASSESSMENT_DECIMALS = {
    "weekly_budget": Decimal("100000"),
    "supplements": Decimal("20"),
    "daytime_hours": Decimal("105"),  # 7 days of 15 hours
    "night_sleeping_nights": Decimal("7"),
    "night_waking_nights": Decimal("7"),
    "one_to_one_hours": Decimal("168"),
    "one_to_one_day_shifts": Decimal("7"),
    "one_to_one_night_shifts": Decimal("7"),
    "specialist_hours": Decimal("168"),
    "life_skills_hours": Decimal("168"),
    "transition_hours": Decimal("168"),
}
ASSESSMENT_RATIOS = ("daytime_ratio", "night_sleeping_ratio", "night_waking_ratio")


def _clean_assessment(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    ref = str(values.get("client_reference") or "").strip()
    if not ref or len(ref) > 40:
        errors["client_reference"] = "Enter the client's reference (up to 40 characters, not a name)"
    cleaned["client_reference"] = ref
    level = values.get("level")
    if not isinstance(level, CareLevel):
        errors["level"] = "Choose the level of care"
    cleaned["level"] = level
    acc = values.get("accommodation_type") or ""
    if acc and acc not in AccommodationType.values:
        errors["accommodation_type"] = "Choose an accommodation type from the list"
    cleaned["accommodation_type"] = acc
    for name, limit in ASSESSMENT_DECIMALS.items():
        raw = values.get(name)
        if raw in (None, ""):
            cleaned[name] = None if name == "weekly_budget" else Decimal(0)
            continue
        try:
            number = Decimal(str(raw).replace("£", "").replace(",", "").strip())
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors[name] = "Enter a number"
            continue
        if number < 0 or number > limit:
            errors[name] = f"Enter a number from 0 to {limit}"
        elif number != number.quantize(Decimal("0.01")):
            errors[name] = "Use at most 2 decimal places"
        cleaned[name] = number
    for name in ASSESSMENT_RATIOS:
        raw = values.get(name)
        if raw in (None, ""):
            cleaned[name] = None
            continue
        try:
            ratio = int(str(raw).replace("1:", "").strip())
            if not 1 <= ratio <= 20:
                raise ValueError
            cleaned[name] = ratio
        except ValueError:
            errors[name] = "Enter the number of clients per carer, 1 to 20"
    for qty, ratio_name in (
        ("daytime_hours", "daytime_ratio"),
        ("night_sleeping_nights", "night_sleeping_ratio"),
        ("night_waking_nights", "night_waking_ratio"),
    ):
        if cleaned.get(qty) and not cleaned.get(ratio_name) and ratio_name not in errors:
            errors[ratio_name] = "Enter the carer:client ratio needed"
    grade = values.get("one_to_one_grade") or Grade.DOMICILIARY
    if grade not in Grade.values:
        errors["one_to_one_grade"] = "Choose domiciliary or qualified"
    cleaned["one_to_one_grade"] = grade
    try:
        weeks = int(values.get("transition_weeks") or 0)
        if not 0 <= weeks <= 52:
            raise ValueError
        cleaned["transition_weeks"] = weeks
    except (TypeError, ValueError):
        errors["transition_weeks"] = "Enter a number of weeks from 0 to 52"
    if errors:
        raise ValidationFailed("Check the client's needs", field_errors=errors)
    return cleaned


def assessment_create(*, actor: Actor, **values: Any) -> NeedsAssessment:
    require_commissioner(actor)
    cleaned = _clean_assessment(values)
    with transaction.atomic():
        assessment = NeedsAssessment.objects.create(
            council=actor.organisation, commissioner=actor.person, **cleaned
        )
        audit_record(
            actor=actor,
            action="care_assessment.create",
            obj=assessment,
            organisation=actor.organisation,
            changes={"client_reference": assessment.client_reference},
        )
    return assessment


# --- negotiation and placement ---------------------------------------------------------------


def _require_own_negotiation(actor: Actor, negotiation: Negotiation) -> None:
    require_commissioner(actor)
    if negotiation.assessment.council_id != actor.organisation.pk:
        raise PermissionDenied("This negotiation belongs to another council.")


def _transition(negotiation: Negotiation, to: str) -> None:
    if to not in NEGOTIATION_TRANSITIONS[negotiation.status]:
        raise Conflict(
            f"This negotiation is {negotiation.get_status_display().lower()}; it cannot become {to}."
        )


def negotiation_open(*, actor: Actor, assessment: NeedsAssessment, menu: PriceMenu) -> Negotiation:
    """Open a negotiation from a home's quote; agreed prices start as quoted."""

    require_commissioner(actor)
    if assessment.council_id != actor.organisation.pk:
        raise PermissionDenied("This client belongs to another council.")
    placed = Placement.objects.filter(negotiation__assessment=assessment).select_related("home").first()
    if placed is not None:
        raise Conflict(
            f"This client is already placed at {placed.home.name}: no new negotiation can be opened."
        )
    quote = costing.quote(client_needs(assessment), menu_for_costing(menu))
    if not quote.offered:
        raise Conflict(quote.reason)
    if quote.missing:
        names = ", ".join(Element(e).label for e in quote.missing)
        raise Conflict(f"The quote is incomplete: {menu.home.name} has no price for {names}.")
    with transaction.atomic():
        negotiation = Negotiation.objects.create(
            assessment=assessment,
            menu=menu,
            opened_by=actor.person,
            quoted_total=quote.total,
            agreed_total=quote.total,
        )
        NegotiationLine.objects.bulk_create(
            NegotiationLine(
                negotiation=negotiation,
                element=line.element,
                ratio=line.needed_ratio,
                grade=line.grade or "",
                quantity=line.quantity,
                quoted_unit_price=line.unit_price.quantize(Decimal("0.0001")),
                quoted_total=line.total,
                is_estimate=line.is_estimate,
                agreed_unit_price=line.unit_price.quantize(Decimal("0.0001")),
                agreed_quantity=line.quantity,
                agreed_total=line.total,
            )
            for line in quote.lines
        )
        audit_record(
            actor=actor,
            action="care_negotiation.open",
            obj=negotiation,
            organisation=actor.organisation,
            changes={"home": menu.home.name, "quoted_total": quote.total},
        )
    return negotiation


def negotiation_record_agreed(
    *, actor: Actor, negotiation: Negotiation, lines: list[AgreedInput]
) -> Negotiation:
    _require_own_negotiation(actor, negotiation)
    errors: dict[str, str] = {}
    with transaction.atomic():
        negotiation = Negotiation.objects.select_for_update().get(pk=negotiation.pk)
        if negotiation.status != NegotiationStatus.OPEN:
            raise Conflict(
                f"This negotiation is {negotiation.get_status_display().lower()}: prices are fixed."
            )
        existing = {line.pk: line for line in negotiation.lines.all()}
        changes: dict[str, Any] = {}
        for entry in lines:
            line = existing.get(entry.line_id)
            if line is None:
                errors[f"line_{entry.line_id}"] = "No such line in this negotiation"
                continue
            try:
                price = Decimal(str(entry.agreed_unit_price).replace("£", "").strip())
                quantity = Decimal(str(entry.agreed_quantity).strip())
                if not (price.is_finite() and quantity.is_finite()):
                    raise InvalidOperation
            except InvalidOperation:
                errors[f"line_{line.pk}"] = (
                    f"{line.get_element_display()}: enter the agreed price and quantity as numbers"
                )
                continue
            if price < 0 or price >= MAX_UNIT_PRICE or quantity < 0 or quantity > 168:
                errors[f"line_{line.pk}"] = (
                    f"{line.get_element_display()}: price £0–£99,999.99, quantity 0–168"
                )
                continue
            before = (str(line.agreed_unit_price), str(line.agreed_quantity))
            line.agreed_unit_price = price.quantize(Decimal("0.0001"))
            line.agreed_quantity = quantity.quantize(Decimal("0.01"))
            line.agreed_total = to_penny(line.agreed_unit_price * line.agreed_quantity)
            line.note = (entry.note or "")[:300]
            if before != (str(line.agreed_unit_price), str(line.agreed_quantity)):
                changes[line.element] = [
                    list(before),
                    [str(line.agreed_unit_price), str(line.agreed_quantity)],
                ]
        if errors:
            raise ValidationFailed("Check the agreed prices", field_errors=errors)
        NegotiationLine.objects.bulk_update(
            list(existing.values()), ["agreed_unit_price", "agreed_quantity", "agreed_total", "note"]
        )
        negotiation.agreed_total = sum((line.agreed_total for line in existing.values()), Decimal(0))
        negotiation.save(update_fields=["agreed_total", "modified_at"])
        audit_record(
            actor=actor,
            action="care_negotiation.record_agreed",
            obj=negotiation,
            organisation=actor.organisation,
            changes=changes,
        )
    return negotiation


def negotiation_withdraw(*, actor: Actor, negotiation: Negotiation) -> Negotiation:
    _require_own_negotiation(actor, negotiation)
    with transaction.atomic():
        negotiation = Negotiation.objects.select_for_update().get(pk=negotiation.pk)
        _transition(negotiation, NegotiationStatus.WITHDRAWN)
        negotiation.status = NegotiationStatus.WITHDRAWN
        negotiation.save(update_fields=["status", "modified_at"])
        audit_record(
            actor=actor,
            action="care_negotiation.withdraw",
            obj=negotiation,
            organisation=actor.organisation,
            changes={"status": ["open", "withdrawn"]},
        )
    return negotiation


def placement_confirm(*, actor: Actor, negotiation: Negotiation, start_date: dt.date) -> Placement:
    """Place the client at the agreed prices. Idempotent: confirming twice returns the one placement."""
    _require_own_negotiation(actor, negotiation)
    with transaction.atomic():
        negotiation = (
            Negotiation.objects.select_for_update().select_related("menu__home").get(pk=negotiation.pk)
        )
        if negotiation.status == NegotiationStatus.PLACED:
            return negotiation.placement
        _transition(negotiation, NegotiationStatus.PLACED)
        if actor.organisation.kind not in ADULT_SOCIAL_CARE_KINDS:
            raise PermissionDenied("Only councils with adult social care duties place clients.")
        # One live placement per client: lock the assessment so two homes cannot both be confirmed.
        NeedsAssessment.objects.select_for_update().get(pk=negotiation.assessment_id)
        existing = Placement.objects.filter(negotiation__assessment_id=negotiation.assessment_id).first()
        if existing is not None:
            raise Conflict(
                f"This client is already placed at {existing.home.name} from {existing.start_date:%d %B %Y}.",
                field_errors={"start_date": "The client already has a placement"},
            )
        lines = list(negotiation.lines.all())
        outcome = costing.negotiate(
            (
                costing.AgreedLine(
                    line.element, line.quoted_total, line.agreed_unit_price, line.agreed_quantity
                )
                for line in lines
            ),
            weeks_per_year=settings.CARE_WEEKS_PER_YEAR,
        )
        home = negotiation.menu.home
        placement = Placement.objects.create(
            negotiation=negotiation,
            council=actor.organisation,
            home=home,
            start_date=start_date,
            weekly_cost=outcome.agreed_total,
            weekly_saving=outcome.weekly_saving,
            annual_saving=outcome.annual_saving,
            confirmed_by=actor.person,
        )
        CommissionedRate.objects.bulk_create(
            CommissionedRate(
                placement=placement,
                council=actor.organisation,
                provider_id=home.provider_id,
                element=line.element,
                ratio=line.ratio,
                grade=line.grade,
                unit_price=line.agreed_unit_price,
                commissioned_on=start_date,
            )
            for line in lines
            if line.agreed_quantity > 0
        )
        negotiation.status = NegotiationStatus.PLACED
        negotiation.save(update_fields=["status", "modified_at"])
        audit_record(
            actor=actor,
            action="care_placement.confirm",
            obj=placement,
            organisation=actor.organisation,
            changes={
                "home": home.name,
                "weekly_cost": outcome.agreed_total,
                "weekly_saving": outcome.weekly_saving,
                "start_date": start_date,
            },
        )
        refresh_benchmarks_on_commit()
    return placement


# --- benchmarks ---------------------------------------------------------------------------------


def refresh_benchmarks_on_commit() -> None:
    transaction.on_commit(lambda: refresh_benchmarks.enqueue())


def benchmarks_refresh(*, on: dt.date | None = None) -> int:
    """Recompute every benchmark view, both populations (see care.benchmarks.rebuild)."""
    return rebuild_benchmarks(on=on)


def price_menu_import(*, actor: Actor, content: bytes) -> PriceMenu:
    """A provider's Home Fees workbook: adds the home if new, then the menu. All or nothing."""

    if not is_provider(actor):
        raise PermissionDenied("Only a provider can upload its price menus.")
    parsed = parse_menu_workbook(content)
    level = CareLevel.objects.filter(name__iexact=parsed.highest_level).first()
    if level is None:
        names = ", ".join(CareLevel.objects.values_list("name", flat=True))
        raise ValidationFailed(
            "Unknown level of care", field_errors={"Home Fees!B2": f"Enter one of: {names}"}
        )
    with transaction.atomic():
        home = CareHome.objects.filter(provider=actor.organisation, name=parsed.home_name).first()
        if home is None:
            home = care_home_create(actor=actor, name=parsed.home_name)
        return price_menu_submit(
            actor=actor,
            home=home,
            highest_level=level,
            effective_from=parsed.effective_from,
            items=parsed.items,
            where=parsed.cells,
        )


def care_levels_ensure_defaults() -> None:
    """The default levels (Low, Moderate, High), where they are missing. The data
    migration adds them; this restores them after a test database is emptied."""
    from consortium.care.constants import DEFAULT_CARE_LEVELS

    for rank, name, description in DEFAULT_CARE_LEVELS:
        CareLevel.objects.get_or_create(rank=rank, defaults={"name": name, "description": description})
