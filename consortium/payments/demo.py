"""Payments' demo: the county and three districts take payments through the sandbox provider,
with funds a citizen would recognise, a few hundred payments in every state over the last
fortnight, refunds, and yesterday's settlement at Cannock Chase with lines that do not match."""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from decimal import Decimal

from django.db import transaction

from consortium.core.dates import LONDON, now
from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person
from consortium.payments import checks
from consortium.payments.constants import CheckDigit, PaymentStatus, Provider, RefundStatus
from consortium.payments.models import Fund, Payment, PaymentAccount, PaymentCounter, Refund, SandboxPayment
from consortium.payments.services import settlement_upload

PARTNERS = [
    "Staffordshire County Council",
    "Cannock Chase District Council",
    "Stafford Borough Council",
    "Tamworth Borough Council",
]
DISTRICT_FUNDS = [
    # code, name, label, hint, pattern, check digit, min, max, cost centre, account, description
    (
        "council-tax",
        "Council tax",
        "Council tax account number",
        "9 digits, top right of your bill",
        r"[0-9]{9}",
        CheckDigit.MOD11,
        "1.00",
        "10000.00",
        "CT100",
        "1001",
        "Pay your council tax bill.",
    ),
    (
        "business-rates",
        "Business rates",
        "Business rates account number",
        "8 digits, starting with 5",
        r"5[0-9]{7}",
        CheckDigit.LUHN,
        "1.00",
        "250000.00",
        "NDR200",
        "1002",
        "Pay the business rates on your premises.",
    ),
    (
        "parking-penalty",
        "Parking penalty charge notice",
        "Penalty charge notice number",
        "Two letters then 8 digits, for example CC12345678",
        r"[A-Z]{2}[0-9]{8}",
        CheckDigit.NONE,
        "25.00",
        "110.00",
        "PK300",
        "4410",
        "Pay a penalty charge notice for parking.",
    ),
    (
        "licence",
        "Licence fee",
        "Licence application number",
        "LIC then 6 digits",
        r"LIC[0-9]{6}",
        CheckDigit.NONE,
        "10.00",
        "5000.00",
        "LC400",
        "4501",
        "Taxi, alcohol, animal and street trading licences.",
    ),
]
COUNTY_FUNDS = [
    (
        "sundry-invoice",
        "Invoice from the county council",
        "Invoice number",
        "8 digits",
        r"[0-9]{8}",
        CheckDigit.LUHN,
        "1.00",
        "50000.00",
        "FIN10",
        "9100",
        "Pay an invoice we sent you.",
    ),
    (
        "care-charges",
        "Adult social care charges",
        "Client reference",
        "The 7 digits on your statement",
        r"[0-9]{7}",
        CheckDigit.MOD11,
        "1.00",
        "20000.00",
        "ASC20",
        "8200",
        "Your contribution to the cost of your care.",
    ),
]
STATES = [  # (status, weight, failure code, message)
    (PaymentStatus.SUCCESS, 70, "", ""),
    (PaymentStatus.FAILED, 10, "P0010", "Payment method rejected"),
    (PaymentStatus.FAILED, 4, "P0020", "Payment expired"),
    (PaymentStatus.CANCELLED, 6, "P0030", "Payment was cancelled"),
    (PaymentStatus.ERROR, 2, "P0050", "Payments provider returned an error"),
    (PaymentStatus.CREATED, 3, "", ""),
    (PaymentStatus.STARTED, 3, "", ""),
    (PaymentStatus.SUBMITTED, 2, "", ""),
]


def _reference(fund: Fund, rng: random.Random) -> str:
    """A made-up reference that passes the fund's own checks."""
    for _ in range(1000):
        if fund.code == "parking-penalty":
            ref = rng.choice(["CC", "SB", "TW", "SC"]) + f"{rng.randrange(10**8):08d}"
        elif fund.code == "licence":
            ref = f"LIC{rng.randrange(10**6):06d}"
        else:
            # The reference's length from the pattern's {n}: 5[0-9]{7} is 8 characters.
            counted = (
                fund.reference_pattern.split("{")[1].split("}")[0] if "{" in fund.reference_pattern else "8"
            )
            first = "5" if fund.code == "business-rates" else ""
            length = int(counted) + len(first)
            body = first + "".join(str(rng.randrange(10)) for _ in range(length - 1 - len(first)))
            if fund.check_digit == CheckDigit.MOD11:
                check = checks.mod11_check(body)
                if check == "X":
                    continue
                ref = body + check
            else:
                ref = next(body + str(d) for d in range(10) if checks.luhn_ok(body + str(d)))
        if (
            checks.reference_problem(
                ref, pattern=fund.reference_pattern, check_digit=fund.check_digit, label="r"
            )
            is None
        ):
            return ref
    raise AssertionError(f"No demo reference fits {fund.reference_pattern}")


@transaction.atomic
def load_payments_demo() -> None:
    if Fund.objects.exists():
        return
    rng = random.Random(20261204)
    funds: list[Fund] = []
    for name in PARTNERS:
        org = Organisation.objects.get(name=name)
        account = PaymentAccount.objects.create(organisation=org, provider=Provider.SANDBOX)
        for code, fname, label, hint, pattern, check, lo, hi, cc, ac, desc in (
            COUNTY_FUNDS if "County" in name else DISTRICT_FUNDS
        ):
            funds.append(
                Fund.objects.create(
                    organisation=org,
                    code=code,
                    name=fname,
                    reference_label=label,
                    reference_hint=hint,
                    reference_pattern=pattern,
                    check_digit=check,
                    minimum=Decimal(lo),
                    maximum=Decimal(hi),
                    cost_centre=cc,
                    account_code=ac,
                    description=desc,
                )
            )
        assert account.pk
    accounts = {a.organisation_id: a for a in PaymentAccount.objects.all()}
    year = now().year
    counter, _ = PaymentCounter.objects.get_or_create(year=year)
    statuses = [s for s in STATES for _ in range(s[1])]
    today = now().astimezone(LONDON).date()
    made: list[tuple[Payment, SandboxPayment]] = []
    for i in range(360):
        fund = rng.choice(funds)
        status, _, code, message = rng.choice(statuses)
        day = today - dt.timedelta(days=rng.randrange(0, 14))
        at = dt.datetime.combine(day, dt.time(rng.randrange(7, 22), rng.randrange(60)), tzinfo=LONDON)
        if at > now():
            at = now() - dt.timedelta(minutes=rng.randrange(5, 120))
        if status in (PaymentStatus.CREATED, PaymentStatus.STARTED, PaymentStatus.SUBMITTED):
            at = now() - dt.timedelta(minutes=rng.randrange(1, 60))  # still on the card page
        low, high = float(fund.minimum), min(float(fund.maximum), 1800.0)
        amount = Decimal(str(round(rng.uniform(low, max(low, high)), 2))).quantize(Decimal("0.01"))
        if fund.code == "parking-penalty":
            amount = Decimal(rng.choice(["35.00", "50.00", "70.00", "100.00"]))
        last_four = rng.choice(["1111", "4444", "5556"]) if status != PaymentStatus.CREATED else ""
        counter.last_number += 1
        attempt = uuid.UUID(int=rng.getrandbits(128), version=4)
        sandbox_row = SandboxPayment(
            payment_id=secrets.token_hex(13),
            account=accounts[fund.organisation_id],
            idempotency_key=str(attempt),
            amount=int(amount * 100),
            reference=f"PAY-{year}-{counter.last_number:06d}",
            description=f"{fund.name}",
            return_url=f"/pay/return/{attempt}/",
            email=f"payer{i}@example.com",
            status=status,
            code=code,
            message=message,
            card_brand="Visa" if last_four else "",
            last_four=last_four,
            captured_on=day if status == PaymentStatus.SUCCESS else None,
        )
        payment = Payment(
            reference=sandbox_row.reference,
            attempt=attempt,
            fund=fund,
            organisation_id=fund.organisation_id,
            payer_reference=_reference(fund, rng),
            amount=amount,
            email=sandbox_row.email,
            provider=Provider.SANDBOX,
            provider_id=sandbox_row.payment_id,
            status=status,
            failure_code=code,
            failure_message=message,
            card_brand=sandbox_row.card_brand,
            last_four=last_four,
            receipt_sent=status == PaymentStatus.SUCCESS,
            finished_at=at + dt.timedelta(minutes=3)
            if status
            in (PaymentStatus.SUCCESS, PaymentStatus.FAILED, PaymentStatus.CANCELLED, PaymentStatus.ERROR)
            else None,
        )
        made.append((payment, sandbox_row))
        payment._demo_at = at  # type: ignore[attr-defined]
    counter.save()
    SandboxPayment.objects.bulk_create([s for _, s in made])
    Payment.objects.bulk_create([p for p, _ in made])
    for p, s in made:  # auto_now_add fields, back-dated
        Payment.objects.filter(pk=p.pk).update(created_at=p._demo_at)  # type: ignore[attr-defined]
        SandboxPayment.objects.filter(pk=s.pk).update(created_at=p._demo_at)  # type: ignore[attr-defined]
    _refunds_and_settlement(today)
    _bulky_waste_fee()


def _bulky_waste_fee() -> None:
    """Cannock Chase charges £25.00 for a bulky waste collection booked as a service request:
    the citizen pays it from the request's tracking page, into its own fund."""
    from consortium.citizen import services as citizen_services
    from consortium.citizen.models import Area
    from consortium.citizen.schemas import QuestionIn, ServiceIn
    from consortium.payments.models import ServiceFee

    cannock = Organisation.objects.get(name="Cannock Chase District Council")
    officer = Person.objects.filter(email="partner.officer@cannock.example").first()
    admin = Person.objects.filter(email="admin@cbc.example").first()
    area = Area.objects.filter(code="cannock-chase").first()
    if officer is None or admin is None or area is None:
        return
    officer_actor = actor_for(officer, cannock.pk)
    consortium = Organisation.objects.get(kind="consortium")
    admin_actor = actor_for(admin, consortium.pk)
    assert officer_actor is not None and admin_actor is not None
    service = citizen_services.service_save(
        actor=officer_actor,
        data=ServiceIn.model_validate(
            {
                "code": "bulky-waste",
                "name": "Book a bulky waste collection",
                "group": "Bins and recycling",
                "description": "Up to three large items collected from your property. The fee is £25.00.",
                "keywords": "bulky, furniture, fridge, sofa, mattress, collection",
                "target_working_days": 10,
                "questions": [
                    QuestionIn.model_validate(
                        {"code": "items", "question": "What are the items?", "order": 1}
                    )
                ],
            }
        ),
    )
    citizen_services.routing_rule_add(
        actor=admin_actor,
        service=service,
        area=area,
        handled_by=cannock,
        valid_from=now().date() - dt.timedelta(days=30),
    )
    fund = Fund.objects.create(
        organisation=cannock,
        code="bulky-waste",
        name="Bulky waste collection",
        reference_label="Request reference",
        reference_pattern=r"SR-[0-9]{4}-[0-9]{6}",
        minimum=Decimal("25.00"),
        maximum=Decimal("25.00"),
        cost_centre="WS500",
        account_code="4620",
        public=False,
        description="Fees for bulky waste collections booked as service requests.",
    )
    ServiceFee.objects.create(service=service, fund=fund, amount=Decimal("25.00"))


def _refunds_and_settlement(today: dt.date) -> None:
    cannock = Organisation.objects.get(name="Cannock Chase District Council")
    finance = Person.objects.filter(email="finance@cannock.example").first()
    manager = Person.objects.filter(email="finance.manager@cannock.example").first()
    if finance is None or manager is None:
        return
    paid = list(Payment.objects.filter(organisation=cannock, status=PaymentStatus.SUCCESS).order_by("id")[:3])
    for n, payment in enumerate(paid):
        amount = (payment.amount / 2).quantize(Decimal("0.01"))
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            reason="Paid twice" if n else "Account closed before the instalment",
            requested_by=finance,
            status=RefundStatus.REQUESTED if n == 2 else RefundStatus.SUCCESS,
        )
        if refund.status == RefundStatus.SUCCESS:
            Refund.objects.filter(pk=refund.pk).update(
                decided_by=manager, decided_at=now(), provider_refund_id=secrets.token_hex(13)
            )
            Payment.objects.filter(pk=payment.pk).update(refunded=amount)
            SandboxPayment.objects.filter(payment_id=payment.provider_id).update(refunded=int(amount * 100))
    yesterday = today - dt.timedelta(days=1)
    start = dt.datetime.combine(yesterday, dt.time.min, tzinfo=LONDON)
    day = list(
        Payment.objects.filter(
            organisation=cannock,
            status=PaymentStatus.SUCCESS,
            created_at__gte=start,
            created_at__lt=start + dt.timedelta(days=1),
        ).order_by("id")
    )
    lines = ["GOV.UK Payment ID,Reference,Amount"]
    for i, p in enumerate(day):
        if i == 0:
            continue  # paid but not settled: shown as missing from the provider's file
        amount = p.amount - Decimal("1.00") if i == 1 else p.amount
        lines.append(f"{p.provider_id},{p.reference},{amount}")
    lines.append(f"{secrets.token_hex(13)},PAY-UNKNOWN,42.00")  # a line for no payment of ours
    actor = actor_for(finance, cannock.pk)
    if actor is not None:
        settlement_upload(
            actor=actor, settled_on=yesterday, content="\n".join(lines).encode(), filename="settlement.csv"
        )
