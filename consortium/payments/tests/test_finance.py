"""Finance: a partner sees only its own payments; refunds need a second person and the
provider's current figure; settlement files are matched line by line; exports carry the
ledger codes and neutralise formulas; keys are sealed."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from consortium.organisations.acting import actor_for
from consortium.organisations.constants import Role
from consortium.payments import providers, services
from consortium.payments.constants import MatchStatus, Provider, RefundStatus
from consortium.payments.models import Fund, PaymentAccount, SandboxPayment
from consortium.payments.schemas import AccountIn, FundIn, PayIn, RefundDecisionIn, RefundIn
from consortium.payments.tests.factories import GOOD_COUNCIL_TAX, GOOD_INVOICE, paid, payments_world

pytestmark = pytest.mark.django_db
FO = Role.FINANCE_OFFICER


def test_refunds_need_a_second_finance_officer(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    payment = paid(p.fund, "100.00")
    asker = world.actor(FO)
    colleague = actor_for(p.colleague, world.member.pk)
    assert colleague is not None
    refund = services.refund_request(
        actor=asker,
        payment_id=payment.pk,
        data=RefundIn.model_validate({"amount": "60", "reason": "Booking cancelled"}),
    )
    # Asked-for refunds count: no second request can take the total past the payment.
    with pytest.raises(services.ValidationFailed, match="more than can be refunded"):
        services.refund_request(
            actor=asker,
            payment_id=payment.pk,
            data=RefundIn.model_validate({"amount": "40.01", "reason": "x"}),
        )
    with pytest.raises(services.PermissionDenied):
        services.refund_decide(
            actor=asker, refund_id=refund.pk, data=RefundDecisionIn.model_validate({"action": "approve"})
        )
    # Through the page, the colleague approves.
    page = signed_in(FO).get(f"/payments/{payment.pk}/")
    assert "Another finance officer decides" in page.content.decode()
    client = Client()
    client.force_login(p.colleague)
    response = client.post(f"/payments/{payment.pk}/", {"refund_id": refund.pk, "action": "approve"})
    assert response.status_code == 302
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert refund.status == RefundStatus.SUCCESS and refund.decided_by == p.colleague
    assert payment.refunded == Decimal("60.00") and payment.refundable == Decimal("40.00")
    assert SandboxPayment.objects.get(payment_id=payment.provider_id).refunded == 6000
    # Decided once only.
    with pytest.raises(services.ValidationFailed):
        services.refund_decide(
            actor=colleague, refund_id=refund.pk, data=RefundDecisionIn.model_validate({"action": "reject"})
        )


def test_a_stale_refund_amount_is_refused_not_doubled(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    payment = paid(p.fund, "50.00")
    refund = services.refund_request(
        actor=world.actor(FO),
        payment_id=payment.pk,
        data=RefundIn.model_validate({"amount": "50", "reason": "Paid twice"}),
    )
    colleague = actor_for(p.colleague, world.member.pk)
    assert colleague is not None
    real_get = providers.Sandbox.get

    def stale(self, provider_id):  # type: ignore[no-untyped-def]
        found = real_get(self, provider_id)
        found.refund_available_pence -= 100  # what we read is no longer so at the provider
        return found

    monkeypatch.setattr(providers.Sandbox, "get", stale)
    with pytest.raises(services.ValidationFailed, match="changed at the payment service"):
        services.refund_decide(
            actor=colleague, refund_id=refund.pk, data=RefundDecisionIn.model_validate({"action": "approve"})
        )
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REQUESTED and SandboxPayment.objects.get().refunded == 0


def test_each_partner_sees_its_own_payments_only(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    own = paid(p.fund, "20.00")
    theirs = paid(p.other_fund, "30.00", reference=GOOD_COUNCIL_TAX)
    client = signed_in(FO)
    listing = client.get("/payments/").content.decode()
    assert own.reference in listing and theirs.reference not in listing
    assert client.get(f"/payments/{theirs.pk}/").status_code == 404
    token_response = client.get("/api/v1/payments")
    assert [r["reference"] for r in token_response.json()["items"]] == [own.reference]
    assert client.get(f"/api/v1/payments/{theirs.pk}").status_code == 404
    # The partnership's totals name partners and funds, never a payer.
    totals = signed_in(Role.CONSORTIUM_ADMIN).get("/payments/partnership/").content.decode()
    assert "Council tax" in totals and "payer@example.com" not in totals and own.reference not in totals


def test_exports_carry_ledger_codes_and_neutralise_formulas(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    Fund.objects.filter(pk=p.fund.pk).update(name='=HYPERLINK("http://evil")')
    payment = paid(p.fund, "75.25")
    client = signed_in(FO)
    text = client.get("/payments/export.csv").content.decode("utf-8-sig")
    assert "SCH01,9120" in text and payment.reference in text and "75.25" in text
    assert "\"'=HYPERLINK" in text and ",=HYPERLINK" not in text
    book = load_workbook(io.BytesIO(client.get("/payments/export.xlsx").content))
    values = [c.value for c in book.active[2]]
    assert values[0] == payment.reference and values[2].startswith("'=") and values[6] == 75.25


def test_settlement_is_matched_line_by_line(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    a = paid(p.fund, "10.00")
    b = paid(p.fund, "20.00")
    c = paid(p.fund, "30.00")
    failed = paid(p.fund, "40.00", card="4000000000000002")
    csv_text = (
        "GOV.UK Payment ID,Reference,Amount\n"
        f"{a.provider_id},{a.reference},10.00\n"
        f"{b.provider_id},{b.reference},19.00\n"
        f"{a.provider_id},{a.reference},10.00\n"
        f"{failed.provider_id},{failed.reference},40.00\n"
        "nosuchpayment,PAY-X,5.00\n"
    )
    settlement = services.settlement_upload(
        actor=world.actor(FO),
        settled_on=a.created_at.date(),
        content=csv_text.encode(),
        filename="settled.csv",
    )
    assert settlement.lines == 5 and settlement.matched == 1
    matches = dict(settlement.items.values_list("row", "match"))
    assert matches == {
        2: MatchStatus.MATCHED,
        3: MatchStatus.AMOUNT_DIFFERS,
        4: MatchStatus.DUPLICATE,
        5: MatchStatus.NOT_PAID,
        6: MatchStatus.UNKNOWN_PAYMENT,
    }
    page = signed_in(FO).get(f"/payments/reconciliation/{settlement.pk}/").content.decode()
    assert c.reference in page  # paid that day, not in the file
    # A line that cannot be read refuses the whole file, naming the row; the day stays as it was.
    with pytest.raises(services.ValidationFailed) as caught:
        services.settlement_upload(
            actor=world.actor(FO),
            settled_on=a.created_at.date(),
            content=b"GOV.UK Payment ID,Amount\nabc,ten\n",
            filename="bad.csv",
        )
    assert "Row 2" in caught.value.field_errors["file"]
    assert settlement.items.count() == 5


def test_funds_and_account(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    payments_world(world)
    actor = world.actor(FO)
    with pytest.raises(services.ValidationFailed) as caught:
        services.fund_save(
            actor=actor,
            data=FundIn.model_validate(
                {
                    "code": "fines",
                    "name": "Fines",
                    "reference_pattern": "[0-9",
                    "minimum": "10",
                    "maximum": "5",
                    "cost_centre": "A",
                    "account_code": "B",
                }
            ),
        )
    assert set(caught.value.field_errors) == {"reference_pattern", "maximum"}
    response = signed_in(FO).post(
        "/payments/funds/",
        {
            "code": "lettings",
            "name": "Dup",
            "reference_pattern": "[0-9]{4}",
            "minimum": "1",
            "maximum": "5",
            "cost_centre": "A",
            "account_code": "B",
        },
    )
    assert response.status_code == 400 and "Another fund has this code" in response.content.decode()
    account = services.account_save(
        actor=actor,
        data=AccountIn.model_validate(
            {
                "provider": Provider.GOVUK_PAY,
                "base_url": "https://publicapi.payments.service.gov.uk",
                "api_key": "api_test_secret123",
            }
        ),
    )
    assert "api_test_secret123" not in account.sealed_api_key
    page = signed_in(FO).get("/payments/account/").content.decode()
    assert "api_test_secret123" not in page and account.sealed_api_key not in page
    assert PaymentAccount.objects.get(pk=account.pk).provider == Provider.GOVUK_PAY


def test_a_fund_pattern_cannot_hang_the_site_and_bad_files_are_named(world) -> None:  # type: ignore[no-untyped-def]
    payments_world(world)
    actor = world.actor(FO)
    base = {"code": "x", "name": "X", "minimum": "1", "maximum": "5", "cost_centre": "A", "account_code": "B"}
    for evil in ("(a+)+$", "[0-9]*[0-9]*b", "a|b", "[0-9]{0,9}[0-9]{0,9}[0-9]{0,9}[0-9]{0,9}"):
        with pytest.raises(services.ValidationFailed) as caught:
            services.fund_save(actor=actor, data=FundIn.model_validate({**base, "reference_pattern": evil}))
        assert "reference_pattern" in caught.value.field_errors, evil
    services.fund_save(
        actor=actor, data=FundIn.model_validate({**base, "reference_pattern": "[A-Z]{2}[0-9]{6,8}"})
    )
    for content in (
        b"GOV.UK Payment ID,Amount\nab\x00c,1\n",
        b'GOV.UK Payment ID,Amount\n"' + b"x" * 200_000 + b'",1\n',
    ):
        with pytest.raises(services.ValidationFailed) as caught:
            services.settlement_upload(
                actor=actor, settled_on=dt.date(2026, 12, 1), content=content, filename="x.csv"
            )
        assert "Row" in caught.value.field_errors["file"]


def test_the_sandbox_is_off_in_production(world, settings, signed_in) -> None:  # type: ignore[no-untyped-def]
    p = payments_world(world)
    settings.PAYMENTS_SANDBOX = False
    with pytest.raises(services.ValidationFailed) as caught:
        services.account_save(
            actor=world.actor(FO), data=AccountIn.model_validate({"provider": Provider.SANDBOX})
        )
    assert "switched off" in caught.value.field_errors["provider"]
    with pytest.raises(services.ProviderDown):
        services.payment_start(
            data=PayIn.model_validate(
                {
                    "fund_id": p.fund.pk,
                    "reference": GOOD_INVOICE,
                    "amount": "10",
                    "email": "a@example.com",
                    "attempt": str(uuid.uuid4()),
                }
            )
        )
    settings.PAYMENTS_SANDBOX = True
    made = paid(p.fund)
    settings.PAYMENTS_SANDBOX = False
    assert Client().get(f"/sandbox-pay/{made.provider_id}/").status_code == 404
