"""Reads for payments. The citizen's reads need no account and show one payment to whoever
holds its attempt link; every other read takes the actor and is scoped to its partner, except
the partnership's totals, which name partners and funds and never a payer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from consortium.audit.services import audit_record
from consortium.citizen.models import Service, ServiceRequest
from consortium.core.dates import LONDON
from consortium.core.errors import NotFound, PermissionDenied
from consortium.organisations.acting import Actor
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission
from consortium.payments.constants import MatchStatus, PaymentStatus
from consortium.payments.models import (
    Fund,
    Payment,
    PaymentAccount,
    Refund,
    SandboxPayment,
    ServiceFee,
    Settlement,
)
from consortium.payments.schemas import PaymentQuery

PER_PAGE = 50


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.has(permission):
        raise PermissionDenied()


# --- the citizen ------------------------------------------------------------------------------


def paying_partners() -> list[Organisation]:
    return list(
        Organisation.objects.filter(funds__public=True, payment_account__isnull=False)
        .distinct()
        .order_by("name")
    )


def public_funds(query: str = "", organisation_id: int | None = None) -> QuerySet[Fund]:
    funds = Fund.objects.filter(public=True, organisation__payment_account__isnull=False).select_related(
        "organisation"
    )
    if organisation_id:
        funds = funds.filter(organisation_id=organisation_id)
    for word in query.split()[:6]:
        funds = funds.filter(
            Q(name__icontains=word) | Q(description__icontains=word) | Q(organisation__name__icontains=word)
        )
    return funds.order_by("organisation__name", "name")


def public_fund(fund_id: int) -> Fund:
    fund = public_funds().filter(pk=fund_id).first()
    if fund is None:
        raise NotFound("There is no such payment")
    return fund


def by_attempt(attempt: UUID) -> Payment:
    payment = Payment.objects.select_related("fund__organisation").filter(attempt=attempt).first()
    if payment is None:
        raise NotFound("There is no such payment")
    return payment


def sandbox_payment(payment_id: str) -> SandboxPayment:
    row = SandboxPayment.objects.filter(payment_id=payment_id).first()
    if row is None:
        raise NotFound("There is no such payment")
    return row


def service_fee(request: ServiceRequest) -> ServiceFee:
    fee = (
        ServiceFee.objects.select_related("fund__organisation").filter(service_id=request.service_id).first()
    )
    if fee is None:
        raise NotFound("This request has no fee to pay")
    return fee


def fee_paid(request: ServiceRequest) -> Payment | None:
    return Payment.objects.filter(service_request=request, status=PaymentStatus.SUCCESS).first()


# --- finance ------------------------------------------------------------------------------------


def funds(actor: Actor) -> QuerySet[Fund]:
    _require(actor, Permission.PAYMENTS_FINANCE)
    return Fund.objects.filter(organisation=actor.organisation).select_related("organisation")


def fund(actor: Actor, fund_id: int) -> Fund:
    found = funds(actor).filter(pk=fund_id).first()
    if found is None:
        raise NotFound("There is no such fund")
    return found


def fees(actor: Actor) -> tuple[list[ServiceFee], list[Service]]:
    """The fees on the partner's own services, and its services (to put a fee on)."""
    _require(actor, Permission.PAYMENTS_FINANCE)
    own = list(
        ServiceFee.objects.filter(service__partner=actor.organisation).select_related("service", "fund")
    )
    return own, list(Service.objects.filter(partner=actor.organisation).order_by("name"))


def account(actor: Actor) -> PaymentAccount | None:
    _require(actor, Permission.PAYMENTS_FINANCE)
    return PaymentAccount.objects.filter(organisation=actor.organisation).first()


def _day_bounds(start: dt.date | None, end: dt.date | None) -> Q:
    q = Q()
    if start:
        q &= Q(created_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=LONDON))
    if end:
        q &= Q(created_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON))
    return q


def payments(actor: Actor, filters: PaymentQuery) -> QuerySet[Payment]:
    _require(actor, Permission.PAYMENTS_FINANCE)
    qs = Payment.objects.filter(organisation=actor.organisation).select_related("fund")
    if filters.fund_id:
        qs = qs.filter(fund_id=filters.fund_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q.strip():
        text = filters.q.strip().upper()
        qs = qs.filter(Q(reference=text) | Q(payer_reference=text) | Q(provider_id=filters.q.strip()))
    return qs.filter(_day_bounds(filters.start, filters.end))


@dataclass
class DayTotal:
    day: dt.date
    fund: str
    ledger_code: str
    count: int
    amount: Decimal


def totals_by_fund_and_day(qs: QuerySet[Payment]) -> list[DayTotal]:
    rows = (
        qs.filter(status=PaymentStatus.SUCCESS)
        .annotate(day=TruncDate("created_at", tzinfo=LONDON))
        .values("day", "fund__name", "fund__cost_centre", "fund__account_code")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("-day", "fund__name")
    )
    return [
        DayTotal(
            r["day"],
            r["fund__name"],
            f"{r['fund__cost_centre']}/{r['fund__account_code']}",
            r["n"],
            r["total"],
        )
        for r in rows[:200]
    ]


def payment(actor: Actor, payment_id: int, *, audited: bool = True) -> Payment:
    """One payment with the payer's e-mail address: the read is recorded (hidden from the
    activity page unless asked for), as personal data's reads are."""
    _require(actor, Permission.PAYMENTS_FINANCE)
    found = (
        Payment.objects.select_related("fund").filter(pk=payment_id, organisation=actor.organisation).first()
    )
    if found is None:
        raise NotFound("There is no such payment")
    if audited:
        audit_record(actor=actor, action="payment.view", obj=found, organisation=actor.organisation)
    return found


def refunds(actor: Actor, payment_: Payment) -> QuerySet[Refund]:
    _require(actor, Permission.PAYMENTS_FINANCE)
    return payment_.refunds.select_related("requested_by", "decided_by")


def settlements(actor: Actor) -> QuerySet[Settlement]:
    _require(actor, Permission.PAYMENTS_FINANCE)
    return Settlement.objects.filter(organisation=actor.organisation)


def settlement(actor: Actor, settlement_id: int) -> tuple[Settlement, list[Any], list[Payment]]:
    """The day's lines that did not match, and the day's successful payments the provider did
    not settle (both to be looked into)."""
    found = settlements(actor).filter(pk=settlement_id).first()
    if found is None:
        raise NotFound("There is no such settlement")
    unmatched = list(found.items.exclude(match=MatchStatus.MATCHED)[:500])
    day = found.settled_on
    settled_ids = found.items.exclude(payment=None).values("payment_id")
    missing = list(
        Payment.objects.filter(organisation=actor.organisation, status=PaymentStatus.SUCCESS)
        .filter(_day_bounds(day, day))
        .exclude(pk__in=settled_ids)
        .select_related("fund")[:500]
    )
    return found, unmatched, missing


def partnership_totals(actor: Actor, start: dt.date | None, end: dt.date | None) -> list[dict[str, Any]]:
    _require(actor, Permission.PAYMENTS_OVERSEE)
    return list(
        Payment.objects.filter(status=PaymentStatus.SUCCESS)
        .filter(_day_bounds(start, end))
        .values("organisation__name", "fund__name")
        .annotate(n=Count("id"), total=Sum("amount"), refunded=Sum("refunded"))
        .order_by("organisation__name", "fund__name")
    )
