"""Payments on the shared test world: the school (the member, where the world's finance
officer works) and Tamworth (the other member) each take payments through the sandbox; a
second finance officer at the school decides refunds the first asks for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.test import TestCase

from consortium.organisations.constants import Role
from consortium.organisations.models import Person
from consortium.organisations.tests.factories import PersonFactory, RoleAssignmentFactory
from consortium.payments import sandbox, services
from consortium.payments.constants import CheckDigit, Provider
from consortium.payments.models import Fund, Payment, PaymentAccount, SandboxPayment
from consortium.payments.schemas import PayIn


@dataclass
class Payments:
    fund: Fund  # the school's: lettings invoices, 8 digits with a Luhn check digit
    other_fund: Fund  # Tamworth's: council tax
    colleague: Person  # a second finance officer at the school


def payments_world(world) -> Payments:  # type: ignore[no-untyped-def]
    existing = Fund.objects.filter(code="lettings").first()
    if existing is not None:
        return Payments(
            existing,
            Fund.objects.get(code="council-tax"),
            Person.objects.get(email="finance2@example.org"),
        )
    for org in (world.member, world.other_member):
        PaymentAccount.objects.create(organisation=org, provider=Provider.SANDBOX)
    fund = Fund.objects.create(
        organisation=world.member,
        code="lettings",
        name="Hall lettings invoice",
        reference_label="Invoice number",
        reference_pattern=r"[0-9]{8}",
        check_digit=CheckDigit.LUHN,
        minimum=Decimal("5.00"),
        maximum=Decimal("2000.00"),
        cost_centre="SCH01",
        account_code="9120",
    )
    other = Fund.objects.create(
        organisation=world.other_member,
        code="council-tax",
        name="Council tax",
        reference_label="Council tax account number",
        reference_pattern=r"[0-9]{9}",
        check_digit=CheckDigit.MOD11,
        minimum=Decimal("1.00"),
        maximum=Decimal("10000.00"),
        cost_centre="CT100",
        account_code="1001",
    )
    colleague = PersonFactory(email="finance2@example.org", full_name="Second Finance")
    RoleAssignmentFactory(person=colleague, organisation=world.member, role=Role.FINANCE_OFFICER)
    return Payments(fund, other, colleague)


GOOD_INVOICE = "12345674"  # Luhn-valid
GOOD_COUNCIL_TAX = "123456789"  # modulus 11: see test_checks


def paid(
    fund: Fund, amount: str = "125.50", *, reference: str = GOOD_INVOICE, card: str = "4444333322221111"
) -> Payment:
    """A payment made through the sandbox as a citizen would, finished (on-commit e-mails run)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        payment = services.payment_start(
            data=PayIn.model_validate(
                {
                    "fund_id": fund.pk,
                    "reference": reference,
                    "amount": amount,
                    "email": "payer@example.com",
                    "attempt": str(uuid.uuid4()),
                }
            )
        )
        row = SandboxPayment.objects.get(payment_id=payment.provider_id)
        sandbox.pay(row, number=card, expiry="12/40", cvc="123", name="A Payer")
        services.payment_check(payment)
    payment.refresh_from_db()
    return payment
