"""The GOV.UK Pay adapter against a local fake of GOV.UK Pay's documented API: a payment made,
checked, refunded and found by date through the same services the sandbox uses; a retried
attempt reuses its Idempotency-Key; a stale refund amount (412) is refused, not doubled; an
outage keeps the attempt."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from consortium.core import sealed
from consortium.organisations.acting import actor_for
from consortium.payments import providers, services
from consortium.payments.constants import PaymentStatus, Provider, RefundStatus
from consortium.payments.models import PaymentAccount
from consortium.payments.schemas import PayIn, RefundDecisionIn, RefundIn
from consortium.payments.tests import fake_govuk_pay
from consortium.payments.tests.factories import GOOD_INVOICE, payments_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def pay():  # type: ignore[no-untyped-def]
    with fake_govuk_pay.running() as fake:
        yield fake


def _use(world, fake) -> None:  # type: ignore[no-untyped-def]
    PaymentAccount.objects.filter(organisation=world.member).update(
        provider=Provider.GOVUK_PAY, base_url=fake.url, sealed_api_key=sealed.seal(fake_govuk_pay.API_KEY)
    )


def test_a_payment_through_govuk_pay(world, pay) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    _use(world, pay)
    data = PayIn.model_validate(
        {
            "fund_id": p.fund.pk,
            "reference": GOOD_INVOICE,
            "amount": "80.00",
            "email": "a@example.com",
            "attempt": str(uuid.uuid4()),
        }
    )
    payment = services.payment_start(data=data)
    assert payment.next_url.startswith(pay.url + "/secure/") and payment.provider == Provider.GOVUK_PAY
    sent = pay.payments[payment.provider_id]
    assert sent["amount"] == 8000 and sent["reference"] == payment.reference
    assert sent["return_url"].endswith(f"/pay/return/{payment.attempt}/")
    # The same attempt again is the same payment at GOV.UK Pay too: no second create call is needed.
    assert services.payment_start(data=data).provider_id == payment.provider_id
    assert len(pay.payments) == 1
    pay.finish(payment.provider_id)
    services.payment_check(payment)
    assert payment.status == PaymentStatus.SUCCESS and payment.last_four == "1111"
    # Refund: the provider's own figure is sent back with it.
    asker = world.actor("finance_officer")
    refund = services.refund_request(
        actor=asker,
        payment_id=payment.pk,
        data=RefundIn.model_validate({"amount": "30", "reason": "Shorter booking"}),
    )
    colleague = actor_for(p.colleague, world.member.pk)
    assert colleague is not None
    decided = services.refund_decide(
        actor=colleague, refund_id=refund.pk, data=RefundDecisionIn.model_validate({"action": "approve"})
    )
    assert decided.status == RefundStatus.SUBMITTED and decided.provider_refund_id
    assert pay.payments[payment.provider_id]["refund_summary"]["amount_available"] == 5000
    # Found by date for reconciliation, page after page.
    client = providers.for_account(PaymentAccount.objects.get(organisation=world.member))
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert [f.provider_id for f in client.search(start, start + dt.timedelta(days=10))] == [
        payment.provider_id
    ]
    assert client.events(payment.provider_id)[-1][0] == "success"


def test_govuk_pay_refusals_and_outages(world, pay) -> None:  # type: ignore[no-untyped-def]
    payments_world(world)
    _use(world, pay)
    client = providers.for_account(PaymentAccount.objects.get(organisation=world.member))
    made = client.create(
        amount_pence=100, reference="R1", description="d", return_url="https://x/r", email="", key="k1"
    )
    with pytest.raises(providers.ProviderError) as reused:
        client.create(
            amount_pence=200, reference="R1", description="d", return_url="https://x/r", email="", key="k1"
        )
    assert reused.value.code == "P0191" and not reused.value.outage
    pay.finish(made.provider_id)
    with pytest.raises(providers.StaleRefundAmount):
        client.refund(made.provider_id, amount_pence=50, available_pence=99)
    client.cancel(
        client.create(
            amount_pence=100, reference="R2", description="d", return_url="https://x/r", email="", key="k2"
        ).provider_id
    )
    with pytest.raises(providers.ProviderError) as cancelled:
        client.cancel(made.provider_id)
    assert cancelled.value.code == "P0501"
    bad_key = providers.GovukPay(pay.url, "wrong")
    with pytest.raises(providers.ProviderError) as refused:
        bad_key.get(made.provider_id)
    assert refused.value.status == 401
    pay.down = True
    with pytest.raises(providers.ProviderError) as down:
        client.get(made.provider_id)
    assert down.value.outage
    p = payments_world(world)
    data = PayIn.model_validate(
        {
            "fund_id": p.fund.pk,
            "reference": GOOD_INVOICE,
            "amount": "10",
            "email": "a@example.com",
            "attempt": str(uuid.uuid4()),
        }
    )
    with pytest.raises(services.ProviderDown, match="Nothing has been taken"):
        services.payment_start(data=data)
    pay.down = False
    assert services.payment_start(data=data).provider_id
