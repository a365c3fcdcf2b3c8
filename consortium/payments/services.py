"""Every change to payments: starting a citizen's payment (idempotent per attempt), applying
what the provider says (on return, by webhook, by polling), refunds with two people, funds,
the partner's account, and settlement reconciliation. Each in a transaction, audited."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from consortium.audit.services import audit_record
from consortium.citizen import selectors as citizen_selectors
from consortium.citizen.constants import UpdateKind
from consortium.citizen.models import RequestUpdate, Service, ServiceRequest
from consortium.core import sealed
from consortium.core.bulk import insert_rows
from consortium.core.dates import now
from consortium.core.email import absolute_url, send_email_on_commit
from consortium.core.errors import ConsortiumError, NotFound, PermissionDenied, ValidationFailed
from consortium.core.references import next_number
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission
from consortium.payments import checks, providers
from consortium.payments.constants import (
    FINISHED,
    PROVIDER_SESSION_MINUTES,
    REFUND_ACTIONS,
    MatchStatus,
    PaymentStatus,
    Provider,
    RefundStatus,
)
from consortium.payments.models import (
    Fund,
    Payment,
    PaymentAccount,
    PaymentCounter,
    PaymentEvent,
    Refund,
    ServiceFee,
    Settlement,
    SettlementLine,
)
from consortium.payments.schemas import AccountIn, FeeIn, FeePayIn, FundIn, PayIn, RefundDecisionIn, RefundIn

MAX_SETTLEMENT_BYTES = 50 * 1024 * 1024


class ProviderDown(ConsortiumError):
    status_code = 503
    title = "The payment service is not available"


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.has(permission):
        raise PermissionDenied()


# --- the citizen --------------------------------------------------------------------------------


def _checked(data: PayIn) -> tuple[Fund, str]:
    fund = Fund.objects.select_related("organisation").filter(pk=data.fund_id, public=True).first()
    if fund is None:
        raise NotFound("There is no such fund")
    reference = checks.normalise(data.reference)
    problems: dict[str, str] = {}
    if problem := checks.reference_problem(
        reference, pattern=fund.reference_pattern, check_digit=fund.check_digit, label=fund.reference_label
    ):
        problems["reference"] = problem
    if problem := checks.amount_problem(data.amount, minimum=fund.minimum, maximum=fund.maximum):
        problems["amount"] = problem
    if problems:
        raise ValidationFailed("Check your payment", field_errors=problems)
    return fund, reference


def payment_start(*, data: PayIn) -> Payment:
    """Record the attempt, then create it at the provider with the attempt as Idempotency-Key.
    Posting the same attempt again (a double click, a retry after an outage) returns the same
    payment and the same reference; the provider is asked again only if it never answered."""
    fund, reference = _checked(data)
    return _start(fund=fund, reference=reference, amount=data.amount, email=data.email, attempt=data.attempt)


def fee_payment_start(*, signed: str, data: FeePayIn) -> Payment:
    """The fee of the citizen's own service request (found by their signed tracking link),
    through the same flow. A fee already paid is not taken twice."""
    request = citizen_selectors.request_for_tracking(signed)
    fee = (
        ServiceFee.objects.select_related("fund__organisation").filter(service_id=request.service_id).first()
    )
    if fee is None:
        raise NotFound("This request has no fee to pay")
    already = Payment.objects.filter(service_request=request, status=PaymentStatus.SUCCESS).first()
    if already is not None:
        return already
    return _start(
        fund=fee.fund,
        reference=str(request.reference),
        amount=fee.amount,
        email=data.email,
        attempt=data.attempt,
        service_request=request,
    )


def _start(
    *,
    fund: Fund,
    reference: str,
    amount: Decimal,
    email: str,
    attempt: uuid.UUID,
    service_request: ServiceRequest | None = None,
) -> Payment:
    account = PaymentAccount.objects.filter(organisation_id=fund.organisation_id).first()
    if account is None:
        raise ProviderDown(
            f"{fund.organisation} is not taking payments online at the moment. Try again later."
        )
    wanted = {
        "fund_id": fund.pk,
        "payer_reference": reference,
        "amount": amount,
        "email": email.lower(),
        "service_request": service_request,
    }
    payment = Payment.objects.filter(attempt=attempt).first()
    if payment is None:
        try:
            with transaction.atomic():
                year = now().year
                payment = Payment.objects.create(
                    reference=f"PAY-{year}-{next_number(PaymentCounter, year):06d}",
                    attempt=attempt,
                    organisation_id=fund.organisation_id,
                    provider=account.provider,
                    **wanted,
                )
                audit_record(
                    actor=None,
                    action="payment.start",
                    obj=payment,
                    organisation=fund.organisation,
                    changes={"fund": fund.name, "amount": amount},
                )
        except IntegrityError:
            payment = Payment.objects.get(attempt=attempt)  # the same attempt, concurrently
    if any(getattr(payment, k) != v for k, v in wanted.items()):
        raise ValidationFailed(
            "This payment was started with other details. Start a new payment to change them.",
            field_errors={"amount": "Start a new payment to change the details"},
        )
    if payment.provider_id or payment.finished:
        return payment
    try:
        created = providers.for_account(account).create(
            amount_pence=payment.amount_pence,
            reference=payment.reference,
            description=f"{fund.name}: {payment.payer_reference}"[:255],
            return_url=absolute_url(reverse("payments-return", args=[payment.attempt])),
            email=payment.email,
            key=str(payment.attempt),
        )
    except providers.ProviderError as exc:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="payment.provider_unavailable" if exc.outage else "payment.provider_refused",
                obj=payment,
                organisation=fund.organisation,
                changes={"code": exc.code, "status": exc.status},
            )
            if not exc.outage:
                _apply(
                    payment,
                    providers.ProviderPayment(
                        "", PaymentStatus.ERROR, payment.amount_pence, code=exc.code, message=str(exc)[:200]
                    ),
                    "create",
                )
        if exc.outage:
            raise ProviderDown(
                "We could not reach the payment service. Nothing has been taken. Your payment "
                f"{payment.reference} is kept: try again in a few minutes."
            ) from exc
        raise ProviderDown("The payment service refused this payment. Nothing has been taken.") from exc
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if not locked.provider_id:
            locked.provider_id, locked.next_url = created.provider_id, created.next_url
            locked.save(update_fields=["provider_id", "next_url", "updated_at"])
        payment = locked
    return payment


def _receipt(payment: Payment) -> None:
    fund = payment.fund
    send_email_on_commit(
        to=payment.email,
        subject=f"Payment received: {payment.reference}",
        body=(
            f"{fund.organisation.name} has received your payment.\n\n"
            f"What for: {fund.name}\n"
            f"{fund.reference_label}: {payment.payer_reference}\n"
            f"Amount: £{payment.amount:,.2f}\n"
            f"Payment reference: {payment.reference}\n"
            f"Payment provider's reference: {payment.provider_id}\n"
            f"Card: {payment.card_brand} ending {payment.last_four}\n\n"
            f"Your receipt: {absolute_url(reverse('payments-return', args=[payment.attempt]))}\n"
        ),
    )


def _apply(payment: Payment, found: providers.ProviderPayment, source: str, key: str = "") -> bool:
    """What the provider says, applied once. A finished payment never changes state again."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("fund__organisation").get(pk=payment.pk)
        locked.checked_at = now()
        changed = (
            not locked.finished and found.status != locked.status and found.status in PaymentStatus.values
        )
        if changed:
            before = locked.status
            locked.status = found.status
            locked.failure_code, locked.failure_message = found.code[:10], found.message[:200]
            locked.card_brand, locked.last_four = found.card_brand[:40], found.last_four[-4:]
            if locked.finished:
                locked.finished_at = now()
            with contextlib.suppress(IntegrityError), transaction.atomic():
                PaymentEvent.objects.create(
                    payment=locked,
                    key=(key or f"{source}:{found.status}")[:100],
                    source=source,
                    status=found.status,
                )
            audit_record(
                actor=None,
                action="payment.status",
                obj=locked,
                organisation=locked.fund.organisation,
                changes={"status": [before, found.status], "source": source},
            )
            if locked.status == PaymentStatus.SUCCESS and not locked.receipt_sent:
                locked.receipt_sent = True
                _receipt(locked)
                if locked.service_request_id:
                    # The payment's reference on the request, for the citizen and the officers.
                    RequestUpdate.objects.create(
                        request_id=locked.service_request_id,
                        kind=UpdateKind.PUBLIC,
                        text=f"Fee of £{locked.amount:,.2f} paid: payment reference {locked.reference}.",
                    )
        locked.save()
    payment.refresh_from_db()
    return changed


def payment_check(payment: Payment, *, source: str = "check") -> Payment:
    """Ask the provider how the payment stands (never trusting a return address)."""
    if payment.finished or not payment.provider_id:
        return payment
    account = PaymentAccount.objects.get(organisation_id=payment.organisation_id)
    try:
        found = providers.for_account(account).get(payment.provider_id)
    except providers.ProviderError:
        return payment  # asked again later, by the citizen's refresh or by the poll
    _apply(payment, found, source)
    return payment


def poll_unfinished(*, older_than_minutes: int = 5) -> dict[str, int]:
    """The background check: every payment not yet finished is asked about until it is. One
    that never reached the provider is closed once the provider's own session would have ended."""
    counts = {"checked": 0, "finished": 0, "closed": 0}
    cutoff = now() - dt.timedelta(minutes=older_than_minutes)
    stale = now() - dt.timedelta(minutes=PROVIDER_SESSION_MINUTES)
    for payment in Payment.objects.exclude(status__in=FINISHED).filter(created_at__lt=cutoff).order_by("id"):
        if not payment.provider_id:
            if payment.created_at < stale:
                _apply(
                    payment,
                    providers.ProviderPayment(
                        "",
                        PaymentStatus.ERROR,
                        payment.amount_pence,
                        code="",
                        message="Never reached the payment service",
                    ),
                    "poll",
                )
                counts["closed"] += 1
            continue
        counts["checked"] += 1
        payment_check(payment, source="poll")
        counts["finished"] += payment.finished
    return counts


def webhook_receive(*, account_id: int, body: bytes, signature: str) -> str:
    """A provider's signed notice. The signature is HMAC-SHA256 of the body with the account's
    signing secret, compared in constant time; a notice seen before changes nothing."""
    account = PaymentAccount.objects.filter(pk=account_id).first()
    if account is None or not account.sealed_webhook_secret:
        raise NotFound()
    secret = sealed.unseal(account.sealed_webhook_secret).encode()
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise PermissionDenied("The signature does not match")
    try:
        notice = json.loads(body)
        resource = notice["resource"]
        provider_id = str(notice.get("resource_id") or resource["payment_id"])
        message_id = str(notice["webhook_message_id"])[:90]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed("Not a payment notice") from exc
    payment = Payment.objects.filter(organisation_id=account.organisation_id, provider_id=provider_id).first()
    if payment is None:
        return "unknown"
    if PaymentEvent.objects.filter(payment=payment, key=f"webhook:{message_id}").exists():
        return "seen"
    found = providers._from_govuk(resource)
    with transaction.atomic():
        try:
            with transaction.atomic():
                PaymentEvent.objects.create(
                    payment=payment,
                    key=f"webhook:{message_id}",
                    source="webhook",
                    status=found.status or payment.status,
                )
        except IntegrityError:
            return "seen"
        _apply(payment, found, "webhook", key=f"webhook-status:{message_id}")
    return "applied"


# --- finance --------------------------------------------------------------------------------------


def _own_payment(actor: Actor, payment_id: int) -> Payment:
    _require(actor, Permission.PAYMENTS_FINANCE)
    payment = (
        Payment.objects.select_related("fund").filter(pk=payment_id, organisation=actor.organisation).first()
    )
    if payment is None:
        raise NotFound("There is no such payment")
    return payment


def refund_request(*, actor: Actor, payment_id: int, data: RefundIn) -> Refund:
    payment = _own_payment(actor, payment_id)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        pending = sum((r.amount for r in locked.refunds.filter(status=RefundStatus.REQUESTED)), Decimal("0"))
        available = locked.refundable - pending
        if locked.status != PaymentStatus.SUCCESS:
            raise ValidationFailed(
                "Only a successful payment can be refunded", field_errors={"amount": "Not refundable"}
            )
        if data.amount > available:
            raise ValidationFailed(
                "That is more than can be refunded",
                field_errors={
                    "amount": f"Amount must be £{available:,.2f} or less (refunds already asked for count)"
                },
            )
        refund = Refund.objects.create(
            payment=locked, amount=data.amount, reason=data.reason, requested_by=actor.person
        )
        audit_record(
            actor=actor,
            action="refund.request",
            obj=refund,
            organisation=actor.organisation,
            changes={"payment": locked.reference, "amount": data.amount},
        )
    return refund


def refund_decide(*, actor: Actor, refund_id: int, data: RefundDecisionIn) -> Refund:
    _require(actor, Permission.PAYMENTS_FINANCE)
    refund = (
        Refund.objects.select_related("payment")
        .filter(pk=refund_id, payment__organisation=actor.organisation)
        .first()
    )
    if refund is None:
        raise NotFound("There is no such refund")
    action = REFUND_ACTIONS[data.action]
    _require(actor, action.permission)
    if refund.status not in action.from_statuses:
        raise ValidationFailed(
            "This refund has already been decided", field_errors={"action": "Already decided"}
        )
    if refund.requested_by_id == actor.person.pk:
        raise PermissionDenied("Another finance officer must decide a refund you asked for")
    payment = refund.payment
    if data.action == "reject":
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk).update(
                status=RefundStatus.REJECTED, decided_by=actor.person, decided_at=now()
            )
            audit_record(actor=actor, action="refund.reject", obj=refund, organisation=actor.organisation)
        refund.refresh_from_db()
        return refund
    account = PaymentAccount.objects.get(organisation_id=payment.organisation_id)
    try:
        provider = providers.for_account(account)
        # The provider's own figure of what is left, sent back with the refund: if anything
        # changed in between, the provider refuses (412) rather than refunding twice.
        available = provider.get(payment.provider_id).refund_available_pence
        refund_id_at, status = provider.refund(
            payment.provider_id, amount_pence=int(refund.amount * 100), available_pence=available
        )
    except providers.StaleRefundAmount as exc:
        raise ValidationFailed(
            "The amount available to refund changed at the payment service. Check the payment and try again.",
            field_errors={"action": "Try again"},
        ) from exc
    except providers.ProviderError as exc:
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk).update(
                status=RefundStatus.ERROR, error=str(exc)[:300], decided_by=actor.person, decided_at=now()
            )
            audit_record(
                actor=actor,
                action="refund.error",
                obj=refund,
                organisation=actor.organisation,
                changes={"code": exc.code},
            )
        refund.refresh_from_db()
        return refund
    with transaction.atomic():
        done = RefundStatus.SUCCESS if status == "success" else RefundStatus.SUBMITTED
        Refund.objects.filter(pk=refund.pk).update(
            status=done, provider_refund_id=refund_id_at, decided_by=actor.person, decided_at=now()
        )
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        locked.refunded += refund.amount
        locked.save(update_fields=["refunded", "updated_at"])
        audit_record(
            actor=actor,
            action="refund.approve",
            obj=refund,
            organisation=actor.organisation,
            changes={"payment": payment.reference, "amount": refund.amount},
        )
    refund.refresh_from_db()
    return refund


def fund_save(*, actor: Actor, data: FundIn, fund_id: int | None = None) -> Fund:
    _require(actor, Permission.PAYMENTS_FINANCE)
    problems: dict[str, str] = {}
    if problem := checks.pattern_problem(data.reference_pattern):
        problems["reference_pattern"] = problem
    if data.minimum > data.maximum:
        problems["maximum"] = "Maximum must be the minimum or more"
    if Fund.objects.filter(organisation=actor.organisation, code=data.code).exclude(pk=fund_id or 0).exists():
        problems["code"] = "Another fund has this code"
    if problems:  # every field's problem at once
        raise ValidationFailed("Check the fund", field_errors=problems)
    with transaction.atomic():
        if fund_id is None:
            fund = Fund(organisation=actor.organisation)
        else:
            found = (
                Fund.objects.select_for_update().filter(pk=fund_id, organisation=actor.organisation).first()
            )
            if found is None:
                raise NotFound("There is no such fund")
            fund = found
        for k, v in data.model_dump().items():
            setattr(fund, k, v)
        try:
            with transaction.atomic():
                fund.save()
        except IntegrityError:  # the same code, saved by a colleague a moment ago
            raise ValidationFailed(
                "Check the fund", field_errors={"code": "Another fund has this code"}
            ) from None
        audit_record(
            actor=actor,
            action="fund.save",
            obj=fund,
            organisation=actor.organisation,
            changes={"name": fund.name, "public": fund.public},
        )
    return fund


def fee_set(*, actor: Actor, data: FeeIn) -> ServiceFee | None:
    """A fee on one of the partner's own services, paid into one of its own funds; no fund
    or amount removes it."""
    _require(actor, Permission.PAYMENTS_FINANCE)
    service = Service.objects.filter(pk=data.service_id, partner=actor.organisation).first()
    if service is None:
        raise ValidationFailed("Check the fee", field_errors={"service_id": "Choose one of your services"})
    with transaction.atomic():
        if data.fund_id is None or data.amount is None:
            ServiceFee.objects.filter(service=service).delete()
            audit_record(actor=actor, action="fee.remove", obj=service, organisation=actor.organisation)
            return None
        fund = Fund.objects.filter(pk=data.fund_id, organisation=actor.organisation).first()
        if fund is None:
            raise ValidationFailed("Check the fee", field_errors={"fund_id": "Choose one of your funds"})
        fee, _ = ServiceFee.objects.update_or_create(
            service=service, defaults={"fund": fund, "amount": data.amount}
        )
        audit_record(
            actor=actor,
            action="fee.set",
            obj=service,
            organisation=actor.organisation,
            changes={"fund": fund.name, "amount": data.amount},
        )
    return fee


def account_save(*, actor: Actor, data: AccountIn) -> PaymentAccount:
    """The partner's own provider account. Keys are sealed at rest and never shown again."""
    _require(actor, Permission.PAYMENTS_FINANCE)
    if data.provider == Provider.SANDBOX and not settings.PAYMENTS_SANDBOX:
        raise ValidationFailed(
            "Check the account",
            field_errors={
                "provider": "The sandbox takes test cards, so it is switched off here: choose GOV.UK Pay"
            },
        )
    if (
        data.provider == Provider.GOVUK_PAY
        and not data.base_url.startswith("https://")
        and not settings.DEBUG
    ):
        raise ValidationFailed(
            "Check the account", field_errors={"base_url": "API address must start with https://"}
        )
    with transaction.atomic():
        account, _ = PaymentAccount.objects.select_for_update().get_or_create(organisation=actor.organisation)
        account.provider, account.base_url = data.provider, data.base_url
        if data.api_key:
            account.sealed_api_key = sealed.seal(data.api_key)
        if data.webhook_secret:
            account.sealed_webhook_secret = sealed.seal(data.webhook_secret)
        if account.provider == Provider.GOVUK_PAY and not account.sealed_api_key:
            raise ValidationFailed("Check the account", field_errors={"api_key": "Enter the API key"})
        account.save()
        audit_record(
            actor=actor,
            action="payment_account.save",
            obj=account,
            organisation=actor.organisation,
            changes={
                "provider": account.provider,
                "key_changed": bool(data.api_key),
                "secret_changed": bool(data.webhook_secret),
            },
        )
    return account


# --- reconciliation -------------------------------------------------------------------------------

ID_COLUMNS = ("gov.uk payment id", "payment_id", "payment id", "provider_id")
AMOUNT_COLUMNS = ("amount", "total amount", "net amount")


def _payments_by_provider_id(
    organisation_id: int, wanted: list[str]
) -> dict[str, tuple[str, int, str, Decimal]]:
    """The partner's payments with these provider ids: the file's own, not the whole history.
    PostgreSQL takes them as one array parameter (one index look-up each, no statement of
    100,000 placeholders to build); SQLite in chunks."""
    found: dict[str, tuple[str, int, str, Decimal]] = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT provider_id, id, status, amount FROM payments_payment "
                "WHERE organisation_id = %s AND provider_id = ANY(%s)",
                [organisation_id, wanted],
            )
            for row in cursor.fetchall():
                found[row[0]] = (row[0], row[1], row[2], row[3])
        return found
    for start in range(0, len(wanted), 500):
        for row in Payment.objects.filter(
            organisation_id=organisation_id, provider_id__in=wanted[start : start + 500]
        ).values_list("provider_id", "id", "status", "amount"):
            found[row[0]] = row
    return found


def settlement_upload(*, actor: Actor, settled_on: dt.date, content: bytes, filename: str) -> Settlement:
    """Match a provider's settlement file for one day against the partner's payments. Each
    line is matched by the provider's payment id; a line with no payment, a payment that did
    not succeed, a different amount or a second line for one payment is left unmatched and
    shown. The whole file is refused, with the row named, if a line cannot be read."""
    _require(actor, Permission.PAYMENTS_FINANCE)
    if len(content) > MAX_SETTLEMENT_BYTES:
        raise ValidationFailed(
            "The file is too large", field_errors={"file": "Upload a file of 50 MB or less"}
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "Not a CSV file", field_errors={"file": "Upload the settlement report as CSV (UTF-8)"}
        ) from exc
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        raise ValidationFailed(
            "The file cannot be read as CSV", field_errors={"file": f"Row {row} holds a NUL character"}
        )
    reader = csv.reader(io.StringIO(text))
    try:
        return _settlement_apply(actor, settled_on, reader, filename)
    except csv.Error as exc:
        raise ValidationFailed(
            "The file cannot be read as CSV",
            field_errors={"file": f"Row {reader.line_num} cannot be read as CSV ({exc})"},
        ) from exc


def _settlement_apply(actor: Actor, settled_on: dt.date, reader: Any, filename: str) -> Settlement:
    header = [h.strip().lower() for h in next(reader, [])]
    id_col = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    amount_col = next((header.index(c) for c in AMOUNT_COLUMNS if c in header), None)
    ref_col = header.index("reference") if "reference" in header else None
    if id_col is None or amount_col is None:
        raise ValidationFailed(
            "The file has no payment id or amount column",
            field_errors={
                "file": "The first row must name a 'GOV.UK Payment ID' (or payment_id) and an 'Amount' column"
            },
        )
    rows: list[tuple[int, str, str, Decimal]] = []
    for number, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        try:
            amount = Decimal(row[amount_col].strip().replace("£", "").replace(",", ""))
            provider_id = row[id_col].strip()
        except (IndexError, InvalidOperation):
            raise ValidationFailed(
                f"Row {number} cannot be read",
                field_errors={"file": f"Row {number}: the amount or payment id is missing or not a number"},
            ) from None
        if not provider_id or not amount.is_finite():
            raise ValidationFailed(
                f"Row {number} cannot be read",
                field_errors={"file": f"Row {number}: the payment id is missing"},
            )
        rows.append(
            (
                number,
                provider_id[:64],
                (row[ref_col].strip()[:40] if ref_col is not None and ref_col < len(row) else ""),
                amount,
            )
        )
    payments = _payments_by_provider_id(actor.organisation.pk, sorted({r[1] for r in rows}))
    with transaction.atomic():
        Settlement.objects.filter(organisation=actor.organisation, settled_on=settled_on).delete()
        settlement = Settlement.objects.create(
            organisation=actor.organisation,
            settled_on=settled_on,
            filename=filename[:200],
            uploaded_by=actor.person,
        )
        seen: set[str] = set()
        lines: list[tuple[Any, ...]] = []
        matched, total = 0, Decimal("0")
        for number, provider_id, reference, amount in rows:
            found = payments.get(provider_id)
            if found is None:
                match = MatchStatus.UNKNOWN_PAYMENT
            elif provider_id in seen:
                match = MatchStatus.DUPLICATE
            elif found[2] != PaymentStatus.SUCCESS:
                match = MatchStatus.NOT_PAID
            elif found[3] != amount:
                match = MatchStatus.AMOUNT_DIFFERS
            else:
                match = MatchStatus.MATCHED
                matched += 1
            seen.add(provider_id)
            total += amount
            lines.append(
                (
                    settlement.pk,
                    number,
                    provider_id,
                    reference,
                    amount,
                    found[1] if found else None,
                    str(match),
                )
            )
        # Plain rows (COPY on PostgreSQL): a line has no logic of its own to run on save.
        insert_rows(
            SettlementLine,
            ["settlement", "row", "provider_id", "reference", "amount", "payment", "match"],
            lines,
        )
        Settlement.objects.filter(pk=settlement.pk).update(lines=len(lines), matched=matched, total=total)
        audit_record(
            actor=actor,
            action="settlement.upload",
            obj=settlement,
            organisation=actor.organisation,
            changes={"day": settled_on.isoformat(), "lines": len(lines), "matched": matched},
        )
    settlement.refresh_from_db()
    return settlement


def new_attempt() -> uuid.UUID:
    return uuid.uuid4()
