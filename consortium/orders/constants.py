from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from consortium.organisations.permissions import Permission


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SENT = "sent_to_supplier", "Sent to supplier"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DISPATCHED = "dispatched", "Dispatched"
    PART_DELIVERED = "part_delivered", "Partly delivered"
    DELIVERED = "delivered", "Delivered"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


S = OrderStatus
# The call-off order's workflow: the only moves there are.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.AWAITING_APPROVAL, S.APPROVED, S.CANCELLED}),
    S.AWAITING_APPROVAL: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.SENT, S.CANCELLED}),
    S.SENT: frozenset({S.ACKNOWLEDGED, S.CANCELLED}),
    S.ACKNOWLEDGED: frozenset({S.DISPATCHED, S.CANCELLED}),
    S.DISPATCHED: frozenset({S.PART_DELIVERED, S.DELIVERED}),
    S.PART_DELIVERED: frozenset({S.PART_DELIVERED, S.DELIVERED}),
    S.DELIVERED: frozenset({S.CLOSED}),
    S.REJECTED: frozenset(),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class OrderAction:
    """One thing a person can do to a call-off order: from which statuses, to which, who.

    `side` says whose organisation the person must act for: the buyer's or the supplier's.
    Services, the API (one endpoint per action) and the order page all read ORDER_ACTIONS."""

    label: str
    from_states: frozenset[str]
    to: str
    permission: Permission
    side: str  # "buyer" or "supplier"
    reason_required: bool = False
    warning: bool = False  # shown as a warning button: it ends the order


ORDER_ACTIONS: dict[str, OrderAction] = {
    "approve": OrderAction(
        "Approve", frozenset({S.AWAITING_APPROVAL}), S.APPROVED, Permission.ORDERS_APPROVE, "buyer"
    ),
    "reject": OrderAction(
        "Reject",
        frozenset({S.AWAITING_APPROVAL}),
        S.REJECTED,
        Permission.ORDERS_APPROVE,
        "buyer",
        reason_required=True,
        warning=True,
    ),
    "acknowledge": OrderAction(
        "Acknowledge", frozenset({S.SENT}), S.ACKNOWLEDGED, Permission.ORDERS_FULFIL, "supplier"
    ),
    "dispatch": OrderAction(
        "Mark dispatched", frozenset({S.ACKNOWLEDGED}), S.DISPATCHED, Permission.ORDERS_FULFIL, "supplier"
    ),
    # Delivered, or partly delivered while some lines are still to come.
    "record_delivery": OrderAction(
        "Record delivery",
        frozenset({S.DISPATCHED, S.PART_DELIVERED}),
        S.DELIVERED,
        Permission.ORDERS_PLACE,
        "buyer",
    ),
    "close": OrderAction("Close", frozenset({S.DELIVERED}), S.CLOSED, Permission.ORDERS_PLACE, "buyer"),
    "cancel": OrderAction(
        "Cancel order",
        frozenset({S.DRAFT, S.SUBMITTED, S.AWAITING_APPROVAL, S.APPROVED, S.SENT, S.ACKNOWLEDGED}),
        S.CANCELLED,
        Permission.ORDERS_PLACE,
        "buyer",
        warning=True,
    ),
}

# The old `…/steps {"to": status}` form, kept working for a release (deprecated).
ACTION_FOR_STEP: dict[str, str] = {
    S.APPROVED: "approve",
    S.REJECTED: "reject",
    S.ACKNOWLEDGED: "acknowledge",
    S.DISPATCHED: "dispatch",
    S.PART_DELIVERED: "record_delivery",
    S.DELIVERED: "record_delivery",
    S.CLOSED: "close",
    S.CANCELLED: "cancel",
}
