"""Payments' states (GOV.UK Pay's, so a provider's answer maps one to one), providers, the
check-digit schemes a fund's references may carry, and the refund workflow."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from consortium.organisations.permissions import Permission


class Provider(models.TextChoices):
    SANDBOX = "sandbox", "Consortium sandbox (no real money)"
    GOVUK_PAY = "govuk_pay", "GOV.UK Pay"


class PaymentStatus(models.TextChoices):
    # GOV.UK Pay's payment states (API reference, "Payment status lifecycle").
    CREATED = "created", "Created"
    STARTED = "started", "Started"
    SUBMITTED = "submitted", "Submitted"
    CAPTURABLE = "capturable", "Capturable"
    SUCCESS = "success", "Paid"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    ERROR = "error", "Error"


FINISHED = frozenset(
    {PaymentStatus.SUCCESS, PaymentStatus.FAILED, PaymentStatus.CANCELLED, PaymentStatus.ERROR}
)


class CheckDigit(models.TextChoices):
    """How a fund's reference carries a check digit, as its billing system issues them."""

    NONE = "", "No check digit"
    LUHN = "luhn", "Luhn (modulus 10), last digit"
    MOD11 = "mod11", "Modulus 11, weights 2, 3, 4… from the right, last character (X for 10)"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for approval"
    REJECTED = "rejected", "Rejected"
    SUBMITTED = "submitted", "Submitted to the provider"
    SUCCESS = "success", "Refunded"
    ERROR = "error", "Refused by the provider"


@dataclass(frozen=True)
class RefundAction:
    label: str
    from_statuses: frozenset[str]
    to: str
    permission: Permission


# The refund workflow: a finance officer requests; another approves (the provider is then
# asked) or rejects. Services and the payment page read this table.
REFUND_ACTIONS: dict[str, RefundAction] = {
    "approve": RefundAction(
        "Approve and send",
        frozenset({RefundStatus.REQUESTED}),
        RefundStatus.SUBMITTED,
        Permission.PAYMENTS_FINANCE,
    ),
    "reject": RefundAction(
        "Reject", frozenset({RefundStatus.REQUESTED}), RefundStatus.REJECTED, Permission.PAYMENTS_FINANCE
    ),
}


class MatchStatus(models.TextChoices):
    MATCHED = "matched", "Matched"
    AMOUNT_DIFFERS = "amount_differs", "Amount differs"
    UNKNOWN_PAYMENT = "unknown_payment", "No such payment"
    NOT_PAID = "not_paid", "Not a successful payment"
    DUPLICATE = "duplicate", "Settled twice"


# GOV.UK Pay's documented test card numbers, which the sandbox honours the same way.
SANDBOX_CARDS: dict[str, tuple[str, str, str]] = {
    # number: (outcome, error code, message)
    "4444333322221111": ("success", "", ""),
    "4000056655665556": ("success", "", ""),
    "5555555555554444": ("success", "", ""),
    "4000000000000002": ("failed", "P0010", "Payment method rejected"),
    "4000000000000069": ("failed", "P0010", "Payment method rejected"),
    "4000000000000119": ("error", "P0050", "Payments provider returned an error"),
}
PROVIDER_SESSION_MINUTES = 90  # GOV.UK Pay expires a payment the citizen has not finished
