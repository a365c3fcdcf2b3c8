"""A citizen pays a partner's fund end to end through the sandbox provider: checked before
the provider is asked, one payment per attempt however often it is sent, the status asked of
the provider on return, a receipt once; outages keep the attempt; webhooks are signed."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from consortium.audit.models import AuditEvent
from consortium.core import sealed
from consortium.payments import providers, services
from consortium.payments.constants import PaymentStatus
from consortium.payments.models import Payment, PaymentAccount, PaymentEvent, SandboxPayment
from consortium.payments.schemas import PayIn
from consortium.payments.tests.factories import GOOD_COUNCIL_TAX, GOOD_INVOICE, paid, payments_world

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_citizen_pays_through_the_pages(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    citizen = Client()
    listing = citizen.get("/pay/", {"q": "council tax"})
    assert listing.status_code == 200 and "Council tax" in listing.content.decode()
    form = citizen.get(f"/pay/{p.other_fund.pk}/")
    attempt = re.search(r'name="attempt" id="attempt" value="([0-9a-f-]+)"', form.content.decode())
    assert attempt is not None
    posted = {
        "reference": "1234 5678 9",
        "amount": "£1,234.56",
        "email": "payer@example.com",
        "attempt": attempt[1],
    }
    with django_capture_on_commit_callbacks(execute=True):
        started = citizen.post(f"/pay/{p.other_fund.pk}/", posted)
    assert started.status_code == 302
    payment = Payment.objects.get()
    assert payment.reference.startswith("PAY-") and payment.amount == Decimal("1234.56")
    assert payment.payer_reference == "123456789" and payment.status == PaymentStatus.CREATED
    # Sent again (a double click, the back button): the same payment, no second one anywhere.
    again = citizen.post(f"/pay/{p.other_fund.pk}/", posted)
    assert again.status_code == 302 and again["Location"] == started["Location"]
    assert Payment.objects.count() == 1 and SandboxPayment.objects.count() == 1
    card_page = _path(started["Location"])
    assert citizen.get(card_page).status_code == 200
    refused = citizen.post(card_page, {"card_number": "12", "expiry": "13/20", "cvc": "1", "cardholder": ""})
    assert refused.status_code == 400 and "Enter a card number" in refused.content.decode()
    assert "12" not in re.findall(r'id="card_number"[^>]*value="([^"]*)"', refused.content.decode())
    back = citizen.post(
        card_page,
        {"card_number": "4444 3333 2222 1111", "expiry": "12/40", "cvc": "123", "cardholder": "A Payer"},
    )
    assert back.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        receipt = citizen.get(_path(back["Location"]))
    body = receipt.content.decode()
    assert receipt.status_code == 200 and "Payment received" in body and payment.reference in body
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCESS and payment.last_four == "1111"
    assert [m.subject for m in mail.outbox] == [f"Payment received: {payment.reference}"]
    assert payment.provider_id in mail.outbox[0].body
    # No card number is kept anywhere: not on the provider's side, not on ours.
    sandbox_row = SandboxPayment.objects.get()
    assert "4444333322221111" not in json.dumps([str(v) for v in sandbox_row.__dict__.values()])
    assert "4444333322221111" not in json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    # Coming back again sends no second receipt.
    with django_capture_on_commit_callbacks(execute=True):
        citizen.get(_path(back["Location"]))
    assert len(mail.outbox) == 1


def test_bad_input_is_named_and_nothing_is_created(world) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    citizen = Client()
    response = citizen.post(
        f"/pay/{p.fund.pk}/",
        {"reference": "12345675", "amount": "2000.01", "email": "nobody", "attempt": str(uuid.uuid4())},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter an email address" in body or "Email address" in body
    assert Payment.objects.count() == 0 and SandboxPayment.objects.count() == 0
    response = citizen.post(
        f"/pay/{p.fund.pk}/",
        {
            "reference": "12345675",
            "amount": "2000.01",
            "email": "a@example.com",
            "attempt": str(uuid.uuid4()),
        },
    )
    body = response.content.decode()
    assert "one of its digits is wrong" in body and "£2,000.00 or less" in body
    assert 'value="2000.01"' in body and 'value="12345675"' in body  # what was typed stays
    assert Payment.objects.count() == 0


def test_a_retry_after_an_outage_is_the_same_payment(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    data = PayIn.model_validate(
        {
            "fund_id": p.fund.pk,
            "reference": GOOD_INVOICE,
            "amount": "40",
            "email": "a@example.com",
            "attempt": str(uuid.uuid4()),
        }
    )

    def down(self, **kwargs):  # type: ignore[no-untyped-def]
        raise providers.ProviderError("unreachable", outage=True)

    monkeypatch.setattr(providers.Sandbox, "create", down)
    with pytest.raises(services.ProviderDown, match="try again"):
        services.payment_start(data=data)
    kept = Payment.objects.get()
    assert kept.provider_id == "" and kept.status == PaymentStatus.CREATED
    monkeypatch.undo()
    retried = services.payment_start(data=data)
    assert retried.pk == kept.pk and retried.reference == kept.reference and retried.provider_id
    # The same attempt with another amount is refused, not a second payment.
    changed = data.model_copy(update={"amount": Decimal("41")})
    with pytest.raises(services.ValidationFailed):
        services.payment_start(data=changed)
    assert Payment.objects.count() == 1 and SandboxPayment.objects.count() == 1


def test_declined_abandoned_and_polled(world) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    declined = paid(p.fund, card="4000000000000002")
    assert declined.status == PaymentStatus.FAILED and declined.failure_code == "P0010"
    # Abandoned on the card page: the poll finds it once the provider expires it.
    left = services.payment_start(
        data=PayIn.model_validate(
            {
                "fund_id": p.other_fund.pk,
                "reference": GOOD_COUNCIL_TAX,
                "amount": "99",
                "email": "b@example.com",
                "attempt": str(uuid.uuid4()),
            }
        )
    )
    from datetime import timedelta

    from consortium.core.dates import now

    SandboxPayment.objects.filter(payment_id=left.provider_id).update(
        created_at=now() - timedelta(minutes=91)
    )
    Payment.objects.filter(pk=left.pk).update(created_at=now() - timedelta(minutes=91))
    counts = services.poll_unfinished()
    left.refresh_from_db()
    assert counts["checked"] == 1 and left.status == PaymentStatus.FAILED and left.failure_code == "P0020"


def test_webhooks_are_signed_and_applied_once(world) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    account = PaymentAccount.objects.get(organisation=world.member)
    account.sealed_webhook_secret = sealed.seal("whsec-test")
    account.save()
    payment = services.payment_start(
        data=PayIn.model_validate(
            {
                "fund_id": p.fund.pk,
                "reference": GOOD_INVOICE,
                "amount": "10",
                "email": "c@example.com",
                "attempt": str(uuid.uuid4()),
            }
        )
    )
    notice = {
        "webhook_message_id": "msg-1",
        "created_date": "2026-12-04T10:00:00.000Z",
        "resource_id": payment.provider_id,
        "api_version": 1,
        "resource_type": "payment",
        "event_type": "card_payment_succeeded",
        "resource": {
            "payment_id": payment.provider_id,
            "amount": 1000,
            "state": {"status": "success", "finished": True},
            "card_details": {"last_digits_card_number": "4242", "card_brand": "Visa"},
        },
    }
    body = json.dumps(notice).encode()
    signature = hmac.new(b"whsec-test", body, hashlib.sha256).hexdigest()
    url = f"/payments/webhooks/{account.pk}/"
    client = Client()
    assert (
        client.post(
            url, body, content_type="application/json", headers={"Pay-Signature": "0" * 64}
        ).status_code
        == 403
    )
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert Payment.objects.get().status == PaymentStatus.CREATED
    ok = client.post(url, body, content_type="application/json", headers={"Pay-Signature": signature})
    assert ok.status_code == 200 and ok.content == b"applied"
    replay = client.post(url, body, content_type="application/json", headers={"Pay-Signature": signature})
    assert replay.content == b"seen"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCESS and payment.last_four == "4242"
    assert (
        PaymentEvent.objects.filter(payment=payment, source="webhook").count() == 2
    )  # the notice, the change
    # Another partner's account cannot speak for this payment.
    other = PaymentAccount.objects.get(organisation=world.other_member)
    other.sealed_webhook_secret = sealed.seal("other")
    other.save()
    forged = hmac.new(b"other", body.replace(b"msg-1", b"msg-2"), hashlib.sha256).hexdigest()
    response = client.post(
        f"/payments/webhooks/{other.pk}/",
        body.replace(b"msg-1", b"msg-2"),
        content_type="application/json",
        headers={"Pay-Signature": forged},
    )
    assert response.content == b"unknown"


def test_a_service_request_fee_is_paid_through_the_same_flow(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from consortium.citizen.services import tracking_path
    from consortium.citizen.tests.factories import citizen_world
    from consortium.payments.schemas import FeeIn

    p = payments_world(world)
    c = citizen_world(world)
    track = tracking_path(c.request)
    signed = track.rstrip("/").split("/")[-1]
    citizen = Client()
    assert f"/pay/request/{signed}/" not in citizen.get(track).content.decode()
    assert citizen.get(f"/pay/request/{signed}/").status_code == 404  # no fee on this service
    # The service is the school's (the world's member handles it): its finance officer sets the fee.
    fee = services.fee_set(
        actor=world.actor("finance_officer"),
        data=FeeIn.model_validate({"service_id": c.service.pk, "fund_id": p.fund.pk, "amount": "25.00"}),
    )
    assert fee is not None
    assert f"/pay/request/{signed}/" in citizen.get(track).content.decode()
    page = citizen.get(f"/pay/request/{signed}/").content.decode()
    attempt = re.search(r'name="attempt" id="attempt" value="([0-9a-f-]+)"', page)
    assert attempt is not None and "£25.00" in page
    started = citizen.post(
        f"/pay/request/{signed}/", {"email": "resident@example.org", "attempt": attempt[1]}
    )
    assert started.status_code == 302
    payment = Payment.objects.get(service_request=c.request)
    assert payment.payer_reference == c.request.reference and payment.amount == Decimal("25.00")
    back = citizen.post(
        _path(started["Location"]),
        {"card_number": "4444333322221111", "expiry": "12/40", "cvc": "123", "cardholder": "A Resident"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        citizen.get(_path(back["Location"]))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCESS
    # The payment's reference is on the request, for the citizen and the officers.
    tracking = citizen.get(track).content.decode()
    assert payment.reference in tracking
    # Paid once: the fee page now shows the payment and takes no second one.
    again = citizen.post(
        f"/pay/request/{signed}/", {"email": "resident@example.org", "attempt": str(uuid.uuid4())}
    )
    assert again.status_code == 200 and "Fee paid" in again.content.decode()
    assert Payment.objects.filter(service_request=c.request).count() == 1
    assert citizen.get("/pay/request/not-a-real-link/").status_code == 404
