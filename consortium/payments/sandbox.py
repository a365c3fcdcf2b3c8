"""The sandbox provider's side: what happens on its hosted card page and to its records. It
stands where a real provider stands, so nothing here touches Consortium's own payments."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.db import transaction

from consortium.core.dates import now
from consortium.payments.constants import FINISHED, PROVIDER_SESSION_MINUTES, SANDBOX_CARDS, PaymentStatus
from consortium.payments.models import SandboxPayment
from consortium.payments.providers import ProviderError, StaleRefundAmount


def expire_if_due(row: SandboxPayment) -> None:
    if row.status not in FINISHED and now() - row.created_at > dt.timedelta(minutes=PROVIDER_SESSION_MINUTES):
        SandboxPayment.objects.filter(pk=row.pk, status=row.status).update(
            status=PaymentStatus.FAILED, code="P0020", message="Payment expired"
        )
        row.refresh_from_db()


def _brand(number: str) -> str:
    return "Mastercard" if number.startswith("5") else "Visa" if number.startswith("4") else "Card"


def card_problem(number: str, expiry: str, cvc: str, name: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not re.fullmatch(r"\d{12,19}", number):
        problems["card_number"] = "Enter a card number of 12 to 19 digits"
    match = re.fullmatch(r"(\d{2})\s*/\s*(\d{2})", expiry)
    if not match or not 1 <= int(match[1]) <= 12:
        problems["expiry"] = "Enter the expiry date as MM/YY"
    elif (2000 + int(match[2]), int(match[1])) < (now().year, now().month):
        problems["expiry"] = "The card has expired"
    if not re.fullmatch(r"\d{3,4}", cvc):
        problems["cvc"] = "Enter the 3 or 4 digit security code"
    if not name.strip():
        problems["cardholder"] = "Enter the name on the card"
    return problems


def start(row: SandboxPayment) -> None:
    """The citizen has opened the card page."""
    expire_if_due(row)
    SandboxPayment.objects.filter(pk=row.pk, status=PaymentStatus.CREATED).update(
        status=PaymentStatus.STARTED
    )
    row.refresh_from_db()


def pay(row: SandboxPayment, *, number: str, expiry: str, cvc: str, name: str) -> dict[str, str]:
    """Take a card, as a provider would: problems by field, or the outcome recorded. The number,
    expiry, security code and name are used here and dropped; only the last four are kept."""
    number = re.sub(r"[\s-]", "", number)
    problems = card_problem(number, expiry, cvc, name)
    if problems:
        return problems
    outcome, code, message = SANDBOX_CARDS.get(number, ("failed", "P0010", "Payment method rejected"))
    with transaction.atomic():
        locked = SandboxPayment.objects.select_for_update().get(pk=row.pk)
        if locked.status in FINISHED:
            return {}
        locked.status, locked.code, locked.message = outcome, code, message
        locked.card_brand, locked.last_four = _brand(number), number[-4:]
        if outcome == PaymentStatus.SUCCESS:
            locked.captured_on = now().date()
        locked.save()
    row.refresh_from_db()
    return {}


def cancel(row: SandboxPayment) -> None:
    with transaction.atomic():
        locked = SandboxPayment.objects.select_for_update().get(pk=row.pk)
        if locked.status in FINISHED:
            raise ProviderError("Cancellation of payment failed", code="P0501", status=400)
        locked.status, locked.code, locked.message = PaymentStatus.CANCELLED, "P0030", "Payment was cancelled"
        locked.save()
    row.refresh_from_db()


def refund(row: SandboxPayment, *, amount_pence: int, available_pence: int) -> tuple[str, str]:
    with transaction.atomic():
        locked = SandboxPayment.objects.select_for_update().get(pk=row.pk)
        if locked.status != PaymentStatus.SUCCESS:
            raise ProviderError("Refund not available", code="P0603", status=400)
        available = locked.amount - locked.refunded
        if available != available_pence:
            raise StaleRefundAmount("Refund amount available mismatch", code="P0604", status=412)
        if not 0 < amount_pence <= available:
            raise ProviderError("Refund amount is not available", code="P0602", status=400)
        locked.refunded += amount_pence
        locked.save(update_fields=["refunded"])
    return secrets.token_hex(13), "success"
