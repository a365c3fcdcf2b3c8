"""Changes to supplier catalogues: items, and price changes that wait for the category manager."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from consortium.audit.services import audit_record, snapshot
from consortium.catalogue.constants import VAT_RATES, Category, PriceChangeStatus
from consortium.catalogue.models import CatalogueItem, PriceChange, PriceHistory
from consortium.contracts.models import Lot
from consortium.core.dates import parse_date
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.core.money import parse_pounds
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission


def _money(value: Any, field: str, errors: dict[str, str], *, required: bool = True) -> Decimal | None:
    """A price in pounds as typed (core.money.parse_pounds); a problem goes into `errors`."""
    if value in (None, ""):
        if required:
            errors[field] = "Enter a price in pounds, like 12.50"
        return None
    try:
        return parse_pounds(value)
    except ValueError as e:
        errors[field] = str(e)
        return None


def clean_item(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check one catalogue row; returns the cleaned values and errors by field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for text, limit, required in (
        ("supplier_code", 60, True),
        ("name", 200, True),
        ("description", 5000, False),
        ("unit_of_measure", 30, False),
        ("sustainability_marks", 200, False),
        ("product_group", 60, False),
        ("variant_label", 100, False),
    ):
        value = str(values.get(text) or "").strip()
        if required and not value:
            errors[text] = f"Enter the {text.replace('_', ' ')}"
        elif len(value) > limit:
            errors[text] = f"Use at most {limit} characters"
        out[text] = value
    out["unit_of_measure"] = out["unit_of_measure"] or "each"
    category = str(values.get("category") or "").strip().lower()
    by_label = {c.label.lower(): c.value for c in Category}
    category = by_label.get(category, category)
    if category not in Category.values:
        errors["category"] = "Choose a category: " + ", ".join(Category.values)
    out["category"] = category
    out["unit_price"] = _money(values.get("unit_price"), "unit_price", errors)
    # No baseline price here: what members paid before is the consortium's figure (item_baseline_set).
    try:
        vat = Decimal(str(values.get("vat_rate", "20")).replace("%", "").strip() or "20")
        if vat not in VAT_RATES:
            raise InvalidOperation
        out["vat_rate"] = vat
    except InvalidOperation:
        errors["vat_rate"] = "Enter the VAT rate: 0, 5 or 20"
    for number, default, top in (
        ("pack_size", 1, 100000),
        ("minimum_order", 1, 100000),
        ("lead_time_days", 3, 365),
    ):
        raw = values.get(number)
        try:
            n = int(str(raw).strip()) if raw not in (None, "") else default
            if not 0 <= n <= top or (number != "lead_time_days" and n < 1):
                raise ValueError
            out[number] = n
        except ValueError:
            errors[number] = f"Enter a whole number up to {top}"
    eco = str(values.get("eco_label") or "").strip().lower()
    out["eco_label"] = eco in {"yes", "y", "true", "1", "on"}
    for date_field, required in (("valid_from", True), ("valid_to", False)):
        raw = values.get(date_field)
        if isinstance(raw, dt.datetime):
            raw = raw.date()
        if isinstance(raw, dt.date):
            out[date_field] = raw
        elif raw in (None, ""):
            out[date_field] = timezone.localdate() if required else None
        else:
            try:
                out[date_field] = parse_date(str(raw))
            except ValueError:
                errors[date_field] = "Enter the date as YYYY-MM-DD"
    if out.get("valid_to") and out.get("valid_from") and out["valid_to"] < out["valid_from"]:
        errors["valid_to"] = "The end date must be on or after the start date"
    return out, errors


def _require_supplier_on_lot(actor: Actor, lot: Lot) -> None:
    if not (actor.has(Permission.CATALOGUE_KEEP) and actor.organisation.is_supplier):
        raise PermissionDenied("Only a supplier keeps its catalogue.")
    if not lot.suppliers.filter(pk=actor.organisation.pk).exists():
        raise PermissionDenied("Your organisation is not awarded that lot.")


def item_create(*, actor: Actor, lot: Lot, **values: Any) -> CatalogueItem:
    _require_supplier_on_lot(actor, lot)
    cleaned, errors = clean_item(values)
    if errors:
        raise ValidationFailed("Check the item", field_errors=errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                item = CatalogueItem.objects.create(supplier=actor.organisation, lot=lot, **cleaned)
        except IntegrityError:
            raise Conflict(
                "That code is taken",
                field_errors={"supplier_code": "You already have an item with this code"},
            ) from None
        PriceHistory.objects.create(item=item, unit_price=item.unit_price, effective_at=timezone.now())
        audit_record(
            actor=actor,
            action="catalogue_item.create",
            obj=item,
            organisation=actor.organisation,
            changes={"supplier_code": item.supplier_code, "unit_price": item.unit_price},
        )
    return item


def may_set_baseline(actor: Actor) -> bool:
    return actor.organisation.is_consortium and actor.has(Permission.BASELINES_SET)


def item_baseline_set(*, actor: Actor, item: CatalogueItem, baseline_price: Decimal | None) -> CatalogueItem:
    """The price members paid before the contract, which MI measures savings against: set by
    the consortium's category managers, never by the supplier (it would set its own savings)."""
    if not may_set_baseline(actor):
        raise PermissionDenied("Only the consortium's category managers set baseline prices.")
    errors: dict[str, str] = {}
    price = (
        _money(baseline_price, "baseline_price", errors, required=False)
        if baseline_price is not None
        else None
    )
    if errors:
        raise ValidationFailed("Check the baseline price", field_errors=errors)
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        before = snapshot(item, ["baseline_price"])
        item.baseline_price = price
        item.save(update_fields=["baseline_price", "modified_at"])
        audit_record(
            actor=actor,
            action="catalogue_item.baseline_set",
            obj=item,
            organisation=item.supplier,
            # Recorded even when unchanged: who confirmed the figure matters for savings.
            changes={
                "baseline_price": [
                    before["baseline_price"],
                    snapshot(item, ["baseline_price"])["baseline_price"],
                ]
            },
        )
    return item


def price_change_request(*, actor: Actor, item: CatalogueItem, new_price: Decimal) -> PriceChange:
    """A supplier's new price waits for the category manager; the old price stands meanwhile."""
    if item.supplier_id != actor.organisation.pk or not actor.has(Permission.CATALOGUE_KEEP):
        raise PermissionDenied("Only the item's supplier can change its price.")
    errors: dict[str, str] = {}
    price = _money(new_price, "new_price", errors)
    if errors or price is None:
        raise ValidationFailed("Check the new price", field_errors=errors)
    if price == item.unit_price:
        raise ValidationFailed(
            "That is the current price", field_errors={"new_price": "Enter a different price"}
        )
    with transaction.atomic():
        PriceChange.objects.filter(item=item, status=PriceChangeStatus.PENDING).update(
            status=PriceChangeStatus.REJECTED,
            reason="Replaced by a newer price change",
            decided_at=timezone.now(),
        )
        change = PriceChange.objects.create(
            item=item, old_price=item.unit_price, new_price=price, requested_by=actor.person
        )
        audit_record(
            actor=actor,
            action="price_change.request",
            obj=change,
            organisation=actor.organisation,
            changes={"unit_price": [str(item.unit_price), str(price)]},
        )
    return change


def change_percent(change: PriceChange) -> Decimal:
    if change.old_price == 0:
        return Decimal("100")
    return ((change.new_price - change.old_price) / change.old_price * 100).quantize(Decimal("0.1"))


def is_flagged(change: PriceChange) -> bool:
    return abs(change_percent(change)) > Decimal(str(settings.PRICE_CHANGE_FLAG_PERCENT))


def price_change_decide(*, actor: Actor, change: PriceChange, approve: bool, reason: str = "") -> PriceChange:
    if not actor.has(Permission.PRICE_CHANGES_DECIDE):
        raise PermissionDenied("Only a category manager decides price changes.")
    if not approve and not reason.strip():
        raise ValidationFailed("Give a reason", field_errors={"reason": "Say why the price is rejected"})
    with transaction.atomic():
        change = PriceChange.objects.select_for_update().select_related("item").get(pk=change.pk)
        if change.requested_by_id == actor.person.pk:
            raise PermissionDenied("You asked for this price change: someone else must decide it.")
        if change.status != PriceChangeStatus.PENDING:
            raise Conflict(f"This price change is already {change.get_status_display().lower()}.")
        change.status = PriceChangeStatus.APPROVED if approve else PriceChangeStatus.REJECTED
        change.decided_by, change.decided_at, change.reason = (
            actor.person,
            timezone.now(),
            reason.strip()[:300],
        )
        change.save()
        if approve:
            item = CatalogueItem.objects.select_for_update().get(pk=change.item_id)
            item.unit_price = change.new_price
            item.save()
            PriceHistory.objects.create(item=item, unit_price=item.unit_price, effective_at=change.decided_at)
        audit_record(
            actor=actor,
            action=f"price_change.{change.status}",
            obj=change,
            organisation=change.item.supplier,
            changes={"unit_price": [str(change.old_price), str(change.new_price)], "reason": change.reason},
        )
    return change


def item_image_set(*, actor: Actor, item_id: int, content: bytes | None, alt: str) -> CatalogueItem:
    """A supplier's picture of its own item, checked and resized (catalogue.images), with the
    alt text that says what it shows; content None keeps the picture and changes the text."""
    from consortium.catalogue.images import prepare

    if not actor.organisation.is_supplier or not actor.has(Permission.CATALOGUE_KEEP):
        raise PermissionDenied("A supplier keeps the pictures of its own items.")
    item = CatalogueItem.objects.filter(pk=item_id, supplier=actor.organisation).first()
    if item is None:
        raise NotFound("No item of yours with that id")
    alt = " ".join(alt.split())
    errors = {}
    if not alt or len(alt) > 200:
        errors["image_alt"] = (
            "Say what the picture shows (up to 200 characters), for people who cannot see it"
        )
    if content is None and not item.image:
        errors["image"] = "Choose a picture"
    if errors:
        raise ValidationFailed("Check the picture", field_errors=errors)
    with transaction.atomic():
        if content is not None:
            item.image, item.image_type = prepare(content)
        item.image_alt = alt
        item.save(update_fields=["image", "image_type", "image_alt", "modified_at"])
        audit_record(
            actor=actor,
            action="catalogue_item.image",
            obj=item,
            organisation=actor.organisation,
            changes={"alt": alt, "replaced": content is not None},
        )
    return item
