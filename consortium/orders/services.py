"""Baskets, checkout and every step of a call-off order.

Checkout is idempotent (a checkout key: the same key twice returns the same
orders) and order references are issued from a locked counter row, so they
never repeat however many people check out at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from consortium.audit.services import audit_record
from consortium.catalogue.models import CatalogueItem
from consortium.catalogue.selectors import buyable_items
from consortium.core.email import absolute_url, send_email_on_commit
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.core.money import to_penny
from consortium.core.references import next_number
from consortium.orders.constants import (
    ACTION_FOR_STEP,
    ORDER_ACTIONS,
    ORDER_TRANSITIONS,
    OrderAction,
    OrderStatus,
)
from consortium.orders.models import (
    ApprovalRule,
    BasketLine,
    Order,
    OrderEvent,
    OrderLine,
    OrderReferenceCounter,
    SavedList,
    SavedListItem,
)
from consortium.orders.selectors import approval_rule_hit
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.models import Person
from consortium.organisations.permissions import Permission
from consortium.organisations.selectors import notification_emails
from consortium.spend.rollup import move_lines

S = OrderStatus
MAX_QUANTITY = 100_000
# An order is spend once it has gone to the supplier, until it is cancelled.
SPEND_STATUSES = frozenset({S.SENT, S.ACKNOWLEDGED, S.DISPATCHED, S.PART_DELIVERED, S.DELIVERED, S.CLOSED})


def _require_buyer(actor: Actor) -> None:
    if actor.organisation.is_supplier or actor.organisation.is_consortium:
        raise PermissionDenied("Orders are placed by member organisations.")
    if not actor.has(Permission.ORDERS_PLACE):
        raise PermissionDenied("Only a member buyer or approver orders.")


# --- basket -----------------------------------------------------------------------


def _quantity(quantity: int, field: str = "quantity") -> int:
    # The schemas (orders.schemas) bound it for the API and pages; this holds for any caller.
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(
            "Enter a quantity", field_errors={field: f"Enter a whole number from 1 to {MAX_QUANTITY:,}"}
        )
    return quantity


def basket_add(*, actor: Actor, item_id: int, quantity: int = 1, cost_centre: str = "") -> BasketLine:
    _require_buyer(actor)
    try:
        item = buyable_items(actor).get(pk=item_id)
    except CatalogueItem.DoesNotExist:
        raise NotFound("That item is not on a contract your organisation may use") from None
    qty = _quantity(quantity)
    with transaction.atomic():
        line, created = BasketLine.objects.select_for_update().get_or_create(
            person=actor.person,
            organisation=actor.organisation,
            item=item,
            defaults={"quantity": qty, "cost_centre": cost_centre.strip()[:40]},
        )
        if not created:
            line.quantity = min(MAX_QUANTITY, line.quantity + qty)
            line.save(update_fields=["quantity", "modified_at"])
    return line


def basket_update(*, actor: Actor, line_id: int, quantity: int, cost_centre: str = "") -> BasketLine | None:
    """Set a line's quantity and cost centre; a quantity of 0 removes it."""
    _require_buyer(actor)
    line = BasketLine.objects.filter(pk=line_id, person=actor.person, organisation=actor.organisation).first()
    if line is None:
        raise NotFound("That line is not in your basket")
    if quantity == 0:
        line.delete()
        return None
    line.quantity = _quantity(quantity, f"quantity_{line_id}")
    if len(cost_centre) > 40:
        raise ValidationFailed(
            "Cost centre too long", field_errors={f"cost_centre_{line_id}": "Use at most 40 characters"}
        )
    line.cost_centre = cost_centre.strip()
    line.save(update_fields=["quantity", "cost_centre", "modified_at"])
    return line


# --- checkout -----------------------------------------------------------------------


def _next_reference(year: int) -> str:
    """CO-2026-000123: numbered under a row lock, so concurrent checkouts never share one."""
    return f"CO-{year}-{next_number(OrderReferenceCounter, year):06d}"


def _needs_approval(order: Order, categories: set[str]) -> bool:
    # The same rule the basket shows before checkout (selectors.basket_summary).
    return approval_rule_hit(order.buyer_id, order.subtotal, categories) is not None


def _record(order: Order, to: str, actor_person: Person | None, note: str = "") -> None:
    if to not in ORDER_TRANSITIONS[order.status]:
        raise Conflict(
            f"Order {order.reference} is {order.get_status_display().lower()}: it cannot become "
            f"{OrderStatus(to).label.lower()}."
        )
    OrderEvent.objects.create(
        order=order, from_status=order.status, to_status=to, by=actor_person, note=note[:300]
    )
    order.status = to


def _sync_spend(order: Order) -> None:
    """The lines carry whether they count as spend, so MI is one scan of one table:
    set once after a step's transitions, not once per transition."""
    into_spend = order.status in SPEND_STATUSES
    moving = OrderLine.objects.filter(order=order, in_spend=not into_spend)
    # The MI's daily totals move with the lines, in this transaction.
    move_lines(moving, into_spend=into_spend)
    moving.update(in_spend=into_spend)


@dataclass(frozen=True)
class CheckoutLine:
    line_id: int
    cost_centre: str


def checkout(*, actor: Actor, checkout_key: str, delivery_address: str, notes: str = "") -> list[Order]:
    """Turn the basket into one call-off order per supplier and contract.

    The same checkout key returns the orders it made the first time.
    """
    _require_buyer(actor)
    key = (checkout_key or "").strip()
    if not key or len(key) > 64:
        raise ValidationFailed(
            "Checkout key missing",
            field_errors={"checkout_key": "Send a checkout key of up to 64 characters"},
        )
    existing = list(Order.objects.filter(buyer=actor.organisation, checkout_key=key).order_by("id"))
    if existing:
        return existing
    errors: dict[str, str] = {}
    if not delivery_address.strip():
        errors["delivery_address"] = "Enter the delivery address"
    elif len(delivery_address) > 1000:
        errors["delivery_address"] = "Use at most 1,000 characters"
    if len(notes) > 2000:
        errors["notes"] = "Use at most 2,000 characters"
    if errors:
        raise ValidationFailed("Check the delivery details", field_errors=errors)
    try:
        with transaction.atomic():
            lines = list(
                BasketLine.objects.select_for_update()
                .filter(person=actor.person, organisation=actor.organisation)
                .select_related("item__supplier", "item__lot__contract")
                .order_by("id")
            )
            # A repeat of this checkout may have been waiting on the lock above while
            # the first one committed: it gets the orders the first one made.
            made = list(Order.objects.filter(buyer=actor.organisation, checkout_key=key).order_by("id"))
            if made:
                return made
            if not lines:
                raise ValidationFailed(
                    "Your basket is empty", field_errors={"basket": "Add items before checking out"}
                )
            allowed = set(
                buyable_items(actor).filter(pk__in=[ln.item_id for ln in lines]).values_list("pk", flat=True)
            )
            for ln in lines:
                if ln.item_id not in allowed:
                    errors[f"quantity_{ln.pk}"] = f"{ln.item.name} can no longer be ordered: remove it"
                elif ln.quantity < ln.item.minimum_order:
                    errors[f"quantity_{ln.pk}"] = (
                        f"{ln.item.name}: the minimum order is {ln.item.minimum_order}"
                    )
            if errors:
                raise ValidationFailed("Some basket lines cannot be ordered", field_errors=errors)
            groups: dict[tuple[int, int], list[BasketLine]] = defaultdict(list)
            for ln in lines:
                groups[(ln.item.supplier_id, ln.item.lot.contract_id)].append(ln)
            orders = []
            now = timezone.now()
            for (supplier_id, contract_id), group in groups.items():
                subtotal = sum((to_penny(ln.item.unit_price * ln.quantity) for ln in group), Decimal(0))
                vat = sum(
                    (to_penny(ln.item.unit_price * ln.quantity * ln.item.vat_rate / 100) for ln in group),
                    Decimal(0),
                )
                order = Order.objects.create(
                    reference=_next_reference(timezone.localdate().year),
                    buyer=actor.organisation,
                    placed_by=actor.person,
                    supplier_id=supplier_id,
                    contract_id=contract_id,
                    status=S.DRAFT,
                    delivery_address=delivery_address.strip(),
                    notes=notes.strip(),
                    subtotal=subtotal,
                    vat=vat,
                    total=subtotal + vat,
                    checkout_key=key,
                    submitted_at=now,
                )
                OrderLine.objects.bulk_create(
                    OrderLine(
                        order=order,
                        buyer=actor.organisation,
                        supplier_id=supplier_id,
                        contract_id=contract_id,
                        ordered_on=timezone.localdate(),
                        item=ln.item,
                        supplier_code=ln.item.supplier_code,
                        name=ln.item.name,
                        category=ln.item.category,
                        unit_of_measure=ln.item.unit_of_measure,
                        unit_price=ln.item.unit_price,
                        vat_rate=ln.item.vat_rate,
                        baseline_price=ln.item.baseline_price,
                        quantity=ln.quantity,
                        cost_centre=ln.cost_centre,
                        line_total=to_penny(ln.item.unit_price * ln.quantity),
                        baseline_total=to_penny(ln.item.baseline_price * ln.quantity)
                        if ln.item.baseline_price is not None
                        else None,
                    )
                    for ln in group
                )
                _record(order, S.SUBMITTED, actor.person)
                if _needs_approval(order, {ln.item.category for ln in group}):
                    _record(order, S.AWAITING_APPROVAL, None, "Above the organisation's approval threshold")
                    _notify_approvers(order)
                else:
                    _record(order, S.APPROVED, None, "Within the organisation's approval threshold")
                    _record(order, S.SENT, None)
                    _notify_supplier(order, "New call-off order")
                order.save(update_fields=["status", "modified_at"])
                _sync_spend(order)
                audit_record(
                    actor=actor,
                    action="order.checkout",
                    obj=order,
                    organisation=actor.organisation,
                    changes={"reference": order.reference, "total": order.total, "status": order.status},
                )
                orders.append(order)
            BasketLine.objects.filter(pk__in=[ln.pk for ln in lines]).delete()
            return orders
    except IntegrityError:
        # The same checkout ran at the same moment and won: return what it made.
        existing = list(Order.objects.filter(buyer=actor.organisation, checkout_key=key).order_by("id"))
        if existing:
            return existing
        raise


# --- order steps ----------------------------------------------------------------------------


def _people(organisation_id: int, role: str) -> list[str]:
    return notification_emails([organisation_id], [role])


def _notify_supplier(order: Order, subject: str) -> None:
    for email in _people(order.supplier_id, Role.SUPPLIER_USER):
        send_email_on_commit(to=email, subject=f"{subject}: {order.reference}", body=_order_body(order))


def _notify_buyer(order: Order, subject: str) -> None:
    send_email_on_commit(
        to=order.placed_by.email, subject=f"{subject}: {order.reference}", body=_order_body(order)
    )


def _notify_approvers(order: Order) -> None:
    for email in _people(order.buyer_id, Role.APPROVER):
        send_email_on_commit(
            to=email, subject=f"Order waiting for your approval: {order.reference}", body=_order_body(order)
        )


def _order_body(order: Order) -> str:
    return (
        f"Order {order.reference} from {order.buyer} to {order.supplier}\n"
        f"Status: {order.get_status_display()}\nTotal: £{order.total:,.2f} inc VAT (£{order.subtotal:,.2f} ex VAT)\n"
        f"See it at {absolute_url(f'/orders/{order.pk}/')}\n"
    )


def order_actions_for(actor: Actor, order: Order) -> list[tuple[str, OrderAction]]:
    """The actions this actor may take on this order now, as ORDER_ACTIONS says."""
    return [(name, a) for name, a in ORDER_ACTIONS.items() if _may_take(actor, order, a)]


def _may_take(actor: Actor, order: Order, action: OrderAction) -> bool:
    side = order.buyer_id if action.side == "buyer" else order.supplier_id
    return (
        order.status in action.from_states
        and actor.organisation.pk == side
        and actor.has(action.permission)
        # Separation of duties: another approver signs off what you ordered.
        and not (action.permission == Permission.ORDERS_APPROVE and order.placed_by_id == actor.person.pk)
    )


def order_act(
    *, actor: Actor, order: Order, action: str, reason: str = "", delivered: dict[int, Any] | None = None
) -> Order:
    """Take one action on an order (ORDER_ACTIONS), as the side allowed to take it, in one
    transaction with its timeline entry, spend totals, audit row and e-mails after commit."""
    step = ORDER_ACTIONS.get(action)
    if step is None:
        raise ValidationFailed("Choose one of the buttons on the order page")
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            .select_related("placed_by", "buyer", "supplier")
            .get(pk=order.pk)
        )
        side = order.buyer_id if step.side == "buyer" else order.supplier_id
        if actor.organisation.pk != side or not actor.has(step.permission):
            who = (
                "an approver of the buying organisation"
                if step.permission == Permission.ORDERS_APPROVE
                else ("the supplier" if step.side == "supplier" else "the buying organisation")
            )
            raise PermissionDenied(f"Only {who} can {step.label.lower()} this order.")
        if step.permission == Permission.ORDERS_APPROVE and order.placed_by_id == actor.person.pk:
            raise PermissionDenied("You placed this order: another approver must approve or reject it.")
        if order.status not in step.from_states:
            raise Conflict(
                f"This order is {order.get_status_display().lower()}: it cannot be {step.to.replace('_', ' ')} now."
            )
        if step.reason_required and not reason.strip():
            raise ValidationFailed("Give a reason", field_errors={"reason": "Say why the order is rejected"})
        before = order.status
        to = _record_delivery(order, delivered or {}) if action == "record_delivery" else step.to
        _record(order, to, actor.person, reason)
        if to == S.REJECTED:
            order.rejection_reason = reason.strip()[:300]
        if to == S.CANCELLED:
            order.cancellation_reason = reason.strip()[:300]
        if to == S.APPROVED:
            _record(order, S.SENT, None)
            _notify_supplier(order, "New call-off order")
            _notify_buyer(order, "Order approved")
        elif to == S.REJECTED:
            _notify_buyer(order, "Order rejected")
        elif step.side == "supplier":
            _notify_buyer(order, f"Order {OrderStatus(to).label.lower()}")
        elif to in (S.PART_DELIVERED, S.DELIVERED, S.CANCELLED):
            _notify_supplier(order, f"Order {OrderStatus(to).label.lower()}")
        order.save()
        _sync_spend(order)
        audit_record(
            actor=actor,
            action=f"order.{to}",
            obj=order,
            organisation=order.buyer,
            changes={"status": [before, order.status], "reason": reason},
        )
    return order


def order_approve(*, actor: Actor, order: Order) -> Order:
    return order_act(actor=actor, order=order, action="approve")


def order_reject(*, actor: Actor, order: Order, reason: str) -> Order:
    return order_act(actor=actor, order=order, action="reject", reason=reason)


def order_acknowledge(*, actor: Actor, order: Order) -> Order:
    return order_act(actor=actor, order=order, action="acknowledge")


def order_dispatch(*, actor: Actor, order: Order) -> Order:
    return order_act(actor=actor, order=order, action="dispatch")


def order_record_delivery(*, actor: Actor, order: Order, delivered: dict[int, Any] | None = None) -> Order:
    """Quantities received now by line id; none given means everything outstanding arrived."""
    return order_act(actor=actor, order=order, action="record_delivery", delivered=delivered)


def order_close(*, actor: Actor, order: Order) -> Order:
    return order_act(actor=actor, order=order, action="close")


def order_cancel(*, actor: Actor, order: Order, reason: str = "") -> Order:
    return order_act(actor=actor, order=order, action="cancel", reason=reason)


def order_step(
    *, actor: Actor, order: Order, to: str, reason: str = "", delivered: dict[int, Any] | None = None
) -> Order:
    """Deprecated: the old "move to this status" form, mapped onto the actions."""
    if to not in ACTION_FOR_STEP:
        if to in OrderStatus.values:
            raise PermissionDenied("That step is taken by the service, not by hand.")
        raise ValidationFailed("Unknown step", field_errors={"to": "Choose a step"})
    return order_act(actor=actor, order=order, action=ACTION_FOR_STEP[to], reason=reason, delivered=delivered)


def _record_delivery(order: Order, delivered: dict[int, Any]) -> str:
    """Add the quantities received now; fully delivered when every line is complete."""
    lines = {ln.pk: ln for ln in order.lines.all()}
    errors = {}
    for line_id, raw in delivered.items():
        line = lines.get(int(line_id))
        if line is None:
            errors[f"delivered_{line_id}"] = "No such line on this order"
            continue
        try:
            qty = int(str(raw).strip() or 0)
            if qty < 0 or line.quantity_delivered + qty > line.quantity:
                raise ValueError
        except ValueError:
            errors[f"delivered_{line_id}"] = (
                f"{line.name}: enter 0 to {line.quantity - line.quantity_delivered}"
            )
            continue
        line.quantity_delivered += qty
    if errors:
        raise ValidationFailed("Check the quantities received", field_errors=errors)
    if not delivered:
        for line in lines.values():
            line.quantity_delivered = line.quantity
    OrderLine.objects.bulk_update(list(lines.values()), ["quantity_delivered"])
    return (
        S.DELIVERED
        if all(ln.quantity_delivered == ln.quantity for ln in lines.values())
        else S.PART_DELIVERED
    )


def approval_rule_set(*, actor: Actor, threshold: Decimal, category: str = "") -> ApprovalRule:
    if not actor.has(Permission.APPROVAL_RULES_SET) or actor.organisation.is_supplier:
        raise PermissionDenied("An approver sets the organisation's approval rules.")
    if threshold < 0:
        raise ValidationFailed("Enter an amount", field_errors={"threshold": "Enter an amount of £0 or more"})
    amount = threshold
    with transaction.atomic():
        rule, _ = ApprovalRule.objects.update_or_create(
            organisation=actor.organisation, category=category, defaults={"threshold": to_penny(amount)}
        )
        audit_record(
            actor=actor,
            action="approval_rule.set",
            obj=rule,
            organisation=actor.organisation,
            changes={"threshold": rule.threshold, "category": category},
        )
    return rule


# --- saved lists -------------------------------------------------------------------------------


def _own_list(actor: Actor, list_id: int) -> SavedList:
    _require_buyer(actor)
    found = SavedList.objects.filter(pk=list_id, organisation=actor.organisation).first()
    if found is None:
        raise NotFound("No saved list of your organisation with that id")
    return found


def saved_list_create(*, actor: Actor, name: str) -> SavedList:
    _require_buyer(actor)
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise ValidationFailed("Name the list", field_errors={"name": "Enter a name of up to 100 characters"})
    if SavedList.objects.filter(organisation=actor.organisation, name__iexact=name).exists():
        raise ValidationFailed(
            "Name taken", field_errors={"name": f"Your organisation already has a list called {name}"}
        )
    with transaction.atomic():
        saved = SavedList.objects.create(organisation=actor.organisation, name=name, created_by=actor.person)
        audit_record(actor=actor, action="saved_list.create", obj=saved, organisation=actor.organisation)
    return saved


def saved_list_delete(*, actor: Actor, list_id: int) -> None:
    saved = _own_list(actor, list_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="saved_list.delete",
            obj=saved,
            organisation=actor.organisation,
            changes={"name": saved.name},
        )
        saved.delete()


def saved_list_put_item(*, actor: Actor, list_id: int, item_id: int, quantity: int = 1) -> SavedListItem:
    """Put an item on the list with this quantity (again: the quantity is replaced)."""
    saved = _own_list(actor, list_id)
    try:
        item = buyable_items(actor).get(pk=item_id)
    except CatalogueItem.DoesNotExist:
        raise NotFound("That item is not on a contract your organisation may use") from None
    qty = _quantity(quantity)
    with transaction.atomic():
        entry, _ = SavedListItem.objects.update_or_create(
            saved_list=saved, item=item, defaults={"quantity": qty}
        )
        SavedList.objects.filter(pk=saved.pk).update(modified_at=timezone.now())
    return entry


def saved_list_remove_item(*, actor: Actor, list_id: int, item_id: int) -> None:
    saved = _own_list(actor, list_id)
    if not SavedListItem.objects.filter(saved_list=saved, item_id=item_id).delete()[0]:
        raise NotFound("That item is not on the list")


def saved_list_to_basket(*, actor: Actor, list_id: int) -> tuple[list[BasketLine], list[str]]:
    """Every item on the list into the basket at the list's quantity. Items that can no longer
    be bought (a contract ended, a price withdrawn) are named and left out, never silently."""
    saved = _own_list(actor, list_id)
    entries = list(saved.entries.select_related("item"))
    allowed = set(
        buyable_items(actor).filter(pk__in=[e.item_id for e in entries]).values_list("pk", flat=True)
    )
    added, missing = [], []
    for e in entries:
        if e.item_id in allowed:
            added.append(
                basket_add(actor=actor, item_id=e.item_id, quantity=max(e.quantity, e.item.minimum_order))
            )
        else:
            missing.append(e.item.name)
    return added, missing
