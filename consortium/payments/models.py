"""Payments into partners' funds: each partner's payment account (a provider and its sealed
credentials), its fund catalogue, the payments citizens make, their refunds and events, the
provider's settlement lines matched against them, and the sandbox provider's own records."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from consortium.payments.constants import (
    FINISHED,
    CheckDigit,
    MatchStatus,
    PaymentStatus,
    Provider,
    RefundStatus,
)


class PaymentAccount(models.Model):
    """A partner's account with a payment provider: one per partner (GOV.UK Pay issues one API
    key per service; sharing one across partners is what left councils unable to reconcile)."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="payment_account"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.SANDBOX)
    base_url = models.URLField(blank=True, help_text="GOV.UK Pay: https://publicapi.payments.service.gov.uk")
    sealed_api_key = models.TextField(blank=True)  # Fernet (consortium.core.sealed)
    sealed_webhook_secret = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_provider_display()})"


class Fund(models.Model):
    """Something a citizen pays a partner for: council tax, a parking penalty, a licence fee."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="funds"
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    reference_label = models.CharField(max_length=80, default="Reference")
    reference_hint = models.CharField(max_length=200, blank=True)
    reference_pattern = models.CharField(
        max_length=200, help_text="A regular expression the whole reference must match (upper case)"
    )
    check_digit = models.CharField(max_length=10, choices=CheckDigit.choices, blank=True, default="")
    minimum = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    maximum = models.DecimalField(max_digits=12, decimal_places=2)
    cost_centre = models.CharField(max_length=20)
    account_code = models.CharField(max_length=20)
    public = models.BooleanField(default=True, help_text="Offered to citizens on the payment pages")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="payments_fund_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def ledger_code(self) -> str:
        return f"{self.cost_centre}/{self.account_code}"


class ServiceFee(models.Model):
    """A fee a citizen pays for a service request (a bulky waste collection), into one of the
    partner's funds, through the same payment flow."""

    service = models.OneToOneField("citizen.Service", on_delete=models.CASCADE, related_name="fee")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="fees")
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    def __str__(self) -> str:
        return f"£{self.amount:,.2f} for {self.service_id}"


class PaymentCounter(models.Model):
    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Payment(models.Model):
    """One attempt to pay: its reference and its idempotency key are fixed when the citizen
    first submits, so a retry (a double click, a refresh, an outage) never makes a second."""

    reference = models.CharField(max_length=20, unique=True)  # PAY-2026-000123
    attempt = models.UUIDField(unique=True)  # the provider's Idempotency-Key and the return link
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="payments")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    payer_reference = models.CharField(max_length=40)  # the council tax account number, the PCN…
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    email = models.EmailField(max_length=254)
    provider = models.CharField(max_length=20, choices=Provider.choices)
    provider_id = models.CharField(max_length=64, blank=True)
    next_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    failure_code = models.CharField(max_length=10, blank=True)
    failure_message = models.CharField(max_length=200, blank=True)
    card_brand = models.CharField(max_length=40, blank=True)
    last_four = models.CharField(max_length=4, blank=True)  # for the receipt; never the number
    refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    receipt_sent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)  # last asked the provider
    # The service request whose fee this pays (its reference is the payer's reference).
    service_request = models.ForeignKey(
        "citizen.ServiceRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "created_at"], name="payments_org_created"),
            models.Index(fields=["provider_id"], name="payments_provider_id"),
            models.Index(fields=["status", "created_at"], name="payments_status_created"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def amount_pence(self) -> int:
        return int(self.amount * 100)

    @property
    def refundable(self) -> Decimal:
        return self.amount - self.refunded if self.status == PaymentStatus.SUCCESS else Decimal("0.00")


class PaymentEvent(models.Model):
    """A change the provider told us of (a webhook or a status check), once each."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=100)  # the provider's event id, or status + time when it has none
    source = models.CharField(max_length=20)  # "webhook", "check", "return", "poll"
    status = models.CharField(max_length=20, choices=PaymentStatus.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["payment", "key"], name="payments_event_once")]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.status} ({self.source})"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    requested_by = models.ForeignKey("organisations.Person", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        "organisations.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    provider_refund_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Refund of £{self.amount:,.2f} on payment {self.payment_id}"


class Settlement(models.Model):
    """A provider's settlement report for one partner and one day, as uploaded by finance."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    settled_on = models.DateField()
    filename = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey("organisations.Person", on_delete=models.PROTECT, related_name="+")
    lines = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-settled_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "settled_on"], name="payments_settlement_day")
        ]

    def __str__(self) -> str:
        return f"Settlement of {self.settled_on}"


class SettlementLine(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="items")
    row = models.PositiveIntegerField()
    provider_id = models.CharField(max_length=64)
    reference = models.CharField(max_length=40, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    # No database constraint: a day's file is 100,000 lines, and checking each line's payment
    # at commit cost more than matching them. Payments are never deleted (every reference to
    # them is PROTECT), so the id cannot dangle.
    payment = models.ForeignKey(
        Payment, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+", db_constraint=False
    )
    match = models.CharField(max_length=20, choices=MatchStatus.choices)

    class Meta:
        ordering = ["row"]

    def __str__(self) -> str:
        return f"Row {self.row}: {self.provider_id}"


class SandboxPayment(models.Model):
    """The sandbox provider's own record of a payment: what a provider keeps, on its side of
    the boundary. It keeps a card's last four digits and brand, never the number."""

    payment_id = models.CharField(max_length=32, unique=True)
    account = models.ForeignKey(PaymentAccount, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=64)
    amount = models.PositiveIntegerField()  # pence, as a provider holds it
    reference = models.CharField(max_length=255)
    description = models.CharField(max_length=255)
    return_url = models.URLField(max_length=2000)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    code = models.CharField(max_length=10, blank=True)
    message = models.CharField(max_length=200, blank=True)
    card_brand = models.CharField(max_length=40, blank=True)
    last_four = models.CharField(max_length=4, blank=True)
    refunded = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    captured_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "idempotency_key"], name="payments_sandbox_idempotent")
        ]

    def __str__(self) -> str:
        return self.payment_id
