"""Payments' pages: the citizen's (choose a fund, pay, the receipt), the sandbox provider's
hosted card page, the provider's webhook, and finance's (payments, refunds, funds, the account,
reconciliation, exports) and the partnership's totals."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from consortium.citizen import selectors as citizen_selectors
from consortium.core.clients import client_ip
from consortium.core.dates import today_in_london
from consortium.core.errors import ConsortiumError, ValidationFailed
from consortium.core.files import csv_response, csv_text, tidy_table, timestamp, workbook_bytes
from consortium.core.forms import read_form
from consortium.core.ratelimit import allow
from consortium.core.views import actor_required, date_field, form_errors, form_id, uploaded_file
from consortium.organisations.acting import Actor
from consortium.payments import sandbox, selectors, services
from consortium.payments.constants import REFUND_ACTIONS, CheckDigit, PaymentStatus, Provider
from consortium.payments.models import Payment
from consortium.payments.schemas import (
    AccountIn,
    FeeIn,
    FeePayIn,
    FundIn,
    PayIn,
    PaymentFilter,
    RefundDecisionIn,
    RefundIn,
)


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    assert actor is not None
    return actor


def _public(view: Any) -> Any:
    """A page without an account: a record not found is a plain 404."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = view(request, *args, **kwargs)
        except ConsortiumError as exc:
            if exc.status_code == 404:
                raise Http404(exc.detail) from exc
            raise
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- the citizen ------------------------------------------------------------------------------


@_public
def pay_start(request: HttpRequest) -> HttpResponse:
    """Choose who to pay and what for: search, or a partner's list."""
    query = request.GET.get("q", "").strip()[:100]
    partner = request.GET.get("partner", "").strip()
    partner_id = int(partner) if partner.isdigit() and len(partner) < 12 else None
    funds = list(selectors.public_funds(query, partner_id)[:100])
    return render(
        request,
        "payments/pay_start.html",
        {
            "funds": funds,
            "partner_options": [(o.pk, o.name) for o in selectors.paying_partners()],
            "query": query,
            "partner": partner_id,
        },
    )


@dataclass
class _Started:
    """What came of pressing "Continue to payment": the provider's page to go to, or the
    problems to show (and the status to show them with) and the attempt to keep."""

    redirect: HttpResponse | None
    errors: dict[str, str]
    status: int
    attempt: str


def _start(
    request: HttpRequest, start: Callable[[dict[str, str]], Payment], names: tuple[str, ...]
) -> _Started:
    attempt = request.POST.get("attempt") or str(uuid.uuid4())
    if request.method != "POST":
        return _Started(None, {}, 200, attempt)
    if not allow(f"pay:{client_ip(request)}", limit=settings.PAYMENTS_START_RATE, window_seconds=3600):
        return _Started(
            None,
            {"__all__": "Too many payments from your connection in the last hour. Try again later."},
            429,
            attempt,
        )
    try:
        payment = start({k: request.POST.get(k, "") for k in (*names, "attempt")})
    except services.ProviderDown as exc:
        return _Started(None, {"__all__": exc.detail}, 503, attempt)  # the attempt is kept
    except ConsortiumError as exc:
        errors = form_errors(exc)
        if errors.pop("attempt", None):  # a form tampered with or too old: a new attempt
            errors = {"__all__": "Start again: this form had expired.", **errors}
            attempt = str(uuid.uuid4())
        return _Started(None, errors, 400, attempt)
    if payment.next_url and not payment.finished:
        return _Started(HttpResponseRedirect(payment.next_url), {}, 302, attempt)
    return _Started(redirect("payments-return", payment.attempt), {}, 302, attempt)


@_public
def pay_form(request: HttpRequest, fund_id: int) -> HttpResponse:
    """The reference, the amount and an e-mail for the receipt, checked before any provider
    is asked. The attempt key travels in the form, so a second submit is the same payment."""
    fund = selectors.public_fund(fund_id)

    def start(fields: dict[str, str]) -> Payment:
        data = read_form(PayIn, {**fields, "fund_id": fund.pk}, summary="Check your payment")
        return services.payment_start(data=data)

    started = _start(request, start, ("reference", "amount", "email"))
    if started.redirect is not None:
        return started.redirect
    return render(
        request,
        "payments/pay_form.html",
        {"fund": fund, "errors": started.errors, "form": request.POST, "attempt": started.attempt},
        status=started.status,
    )


@_public
def pay_fee(request: HttpRequest, signed: str) -> HttpResponse:
    """The fee for the citizen's own service request, from the link on its tracking page."""
    tracked = citizen_selectors.request_for_tracking(signed)
    fee = selectors.service_fee(tracked)
    paid = selectors.fee_paid(tracked)

    def start(fields: dict[str, str]) -> Payment:
        data = read_form(FeePayIn, fields, summary="Check your payment")
        return services.fee_payment_start(signed=signed, data=data)

    started = _start(request, start, ("email",)) if paid is None else _Started(None, {}, 200, "")
    if started.redirect is not None:
        return started.redirect
    return render(
        request,
        "payments/pay_fee.html",
        {
            "tracked": tracked,
            "fee": fee,
            "paid": paid,
            "errors": started.errors,
            "form": request.POST,
            "attempt": started.attempt,
        },
        status=started.status,
    )


@_public
def pay_return(request: HttpRequest, attempt: uuid.UUID) -> HttpResponse:
    """Back from the provider: the status is asked of the provider here, never read from
    the address the citizen came back on."""
    payment = selectors.by_attempt(attempt)
    if not payment.finished and allow(f"return:{payment.pk}", limit=60, window_seconds=3600):
        services.payment_check(payment, source="return")
    return render(request, "payments/receipt.html", {"payment": payment, "fund": payment.fund})


@_public
def sandbox_card(request: HttpRequest, payment_id: str) -> HttpResponse:
    """The sandbox provider's hosted card page (it stands where GOV.UK Pay's would)."""
    if not settings.PAYMENTS_SANDBOX:
        raise Http404("There is no sandbox here")
    row = selectors.sandbox_payment(payment_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.POST.get("cancel"):
            if row.status in (PaymentStatus.CREATED, PaymentStatus.STARTED):
                sandbox.cancel(row)
            return HttpResponseRedirect(row.return_url)
        if not allow(f"sandbox-card:{row.pk}", limit=20, window_seconds=3600):
            errors = {"__all__": "Too many attempts. Try again later."}
        else:
            errors = sandbox.pay(
                row,
                number=request.POST.get("card_number", "")[:40],
                expiry=request.POST.get("expiry", "")[:10],
                cvc=request.POST.get("cvc", "")[:6],
                name=request.POST.get("cardholder", "")[:100],
            )
            if not errors:
                return HttpResponseRedirect(row.return_url)
    else:
        sandbox.start(row)
    finished = row.status in (
        PaymentStatus.SUCCESS,
        PaymentStatus.FAILED,
        PaymentStatus.CANCELLED,
        PaymentStatus.ERROR,
    )
    # Only the cardholder's name is sent back when the page is shown again: card numbers and
    # security codes are never echoed into a page.
    form = {"cardholder": request.POST.get("cardholder", ""), "expiry": request.POST.get("expiry", "")}
    return render(
        request,
        "payments/sandbox_card.html",
        {"row": row, "amount": row.amount / 100, "errors": errors, "form": form, "finished": finished},
        status=400 if errors else 200,
    )


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, account_id: int) -> HttpResponse:
    """A provider's signed notice (GOV.UK Pay's webhooks: Pay-Signature, HMAC-SHA256)."""
    if len(request.body) > 256 * 1024:
        return HttpResponse(status=413)
    try:
        outcome = services.webhook_receive(
            account_id=account_id, body=request.body, signature=request.headers.get("Pay-Signature", "")
        )
    except ConsortiumError as exc:
        return HttpResponse(exc.title, status=exc.status_code, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")


# --- finance --------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[PaymentFilter, dict[str, str]]:
    try:
        return read_form(PaymentFilter, request.GET, summary="Check the filters"), {}
    except ValidationFailed as exc:
        return PaymentFilter.model_validate({}), form_errors(exc)


@actor_required
def payment_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    filters, errors = _filters(request)
    qs = selectors.payments(actor, filters)
    page = Paginator(qs, selectors.PER_PAGE).get_page(filters.page)
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "payments/payments.html",
        {
            "page": page,
            "query": query,
            "form": request.GET,
            "errors": errors,
            "funds": [(f.pk, f.name) for f in selectors.funds(actor)],
            "statuses": PaymentStatus.choices,
            "totals": selectors.totals_by_fund_and_day(qs),
            "account": selectors.account(actor),
        },
    )


EXPORT_HEADER = [
    "Payment reference",
    "Provider's id",
    "Fund",
    "Cost centre",
    "Account code",
    "Payer's reference",
    "Amount",
    "Refunded",
    "Status",
    "Created",
    "Finished",
]


def _export_rows(actor: Actor, filters: PaymentFilter) -> list[list[Any]]:
    return [
        [
            p.reference,
            p.provider_id,
            p.fund.name,
            p.fund.cost_centre,
            p.fund.account_code,
            p.payer_reference,
            p.amount,
            p.refunded,
            p.get_status_display(),
            timestamp(p.created_at),
            timestamp(p.finished_at) if p.finished_at else "",
        ]
        for p in selectors.payments(actor, filters).iterator(chunk_size=2000)
    ]


@actor_required
def payment_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Payments for the partner's finance system: CSV with ledger codes, or .xlsx."""
    actor = _actor(request)
    filters, _ = _filters(request)
    rows = _export_rows(actor, filters)
    stamp = today_in_london().isoformat()
    if fmt == "csv":
        return csv_response(csv_text(EXPORT_HEADER, rows), f"payments-{stamp}.csv")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Payments"
    ws.append(EXPORT_HEADER)
    for row in rows:
        ws.append(row)
    tidy_table(ws, money_columns=(7, 8))
    response = HttpResponse(
        workbook_bytes(wb), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="payments-{stamp}.xlsx"'
    return response


@actor_required
def payment_detail(request: HttpRequest, payment_id: int) -> HttpResponse:
    actor = _actor(request)
    payment = selectors.payment(actor, payment_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if "refund_id" in request.POST:
                refund_id = form_id(request.POST.get("refund_id"), "refund_id", label="a refund")
                data = read_form(
                    RefundDecisionIn, {"action": request.POST.get("action", "")}, summary="Check the decision"
                )
                refund = services.refund_decide(actor=actor, refund_id=refund_id, data=data)
                messages.success(request, f"Refund {refund.get_status_display().lower()}.")
            else:
                data_in = read_form(
                    RefundIn,
                    {k: request.POST.get(k, "") for k in ("amount", "reason")},
                    summary="Check the refund",
                )
                services.refund_request(actor=actor, payment_id=payment.pk, data=data_in)
                messages.success(request, "Refund asked for: another finance officer must approve it.")
        except ConsortiumError as exc:
            errors = {"__all__": exc.detail} if exc.status_code == 403 else form_errors(exc)
        else:
            return redirect("payments-payment", payment.pk)
        payment = selectors.payment(actor, payment_id, audited=False)
    return render(
        request,
        "payments/payment.html",
        {
            "payment": payment,
            "refunds": selectors.refunds(actor, payment),
            "events": payment.events.all(),
            "errors": errors,
            "form": request.POST,
            "actions": REFUND_ACTIONS,
        },
        status=400 if errors else 200,
    )


def _fund_form(request: HttpRequest, fund_id: int | None) -> HttpResponse:
    actor = _actor(request)
    fund = selectors.fund(actor, fund_id) if fund_id else None
    errors: dict[str, str] = {}
    names = [
        "code",
        "name",
        "description",
        "reference_label",
        "reference_hint",
        "reference_pattern",
        "check_digit",
        "minimum",
        "maximum",
        "cost_centre",
        "account_code",
    ]
    fee_errors: dict[str, str] = {}
    if request.method == "POST" and request.POST.get("form") == "fee" and fund_id is None:
        # A fee on a service request: its own small form under the funds.
        fee_fields = {k: request.POST.get(k, "") or None for k in ("service_id", "fund_id", "amount")}
        try:
            fee_data = read_form(FeeIn, fee_fields, summary="Check the fee")
            services.fee_set(actor=actor, data=fee_data)
        except ConsortiumError as exc:
            fee_errors = form_errors(exc)
        else:
            messages.success(request, "Fee saved.")
            return redirect("payments-funds")
    if request.method == "POST" and not fee_errors:
        fields: dict[str, Any] = {k: request.POST.get(k, "") for k in names}
        fields["public"] = request.POST.get("public") == "yes"
        try:
            data = read_form(FundIn, fields, summary="Check the fund")
            saved = services.fund_save(actor=actor, data=data, fund_id=fund_id)
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("payments-funds")
        form: Any = request.POST
    elif fund is not None:
        form = {k: getattr(fund, k) for k in names} | {"public": "yes" if fund.public else ""}
    else:
        form = {"reference_label": "Reference", "public": "yes", "minimum": "1.00", "maximum": "10000.00"}
    if fee_errors:
        form = {"reference_label": "Reference", "public": "yes", "minimum": "1.00", "maximum": "10000.00"}
    fees, services_ = selectors.fees(actor)
    return render(
        request,
        "payments/fund.html",
        {
            "fund": fund,
            "funds": selectors.funds(actor),
            "errors": errors or fee_errors,
            "form": form,
            "fee_form": request.POST if fee_errors else {},
            "check_digits": CheckDigit.choices,
            "fees": fees,
            "service_options": [(x.pk, x.name) for x in services_],
            "fund_options": [(f.pk, f.name) for f in selectors.funds(actor)],
        },
        status=400 if (errors or fee_errors) else 200,
    )


@actor_required
def fund_list(request: HttpRequest) -> HttpResponse:
    return _fund_form(request, None)


@actor_required
def fund_edit(request: HttpRequest, fund_id: int) -> HttpResponse:
    return _fund_form(request, fund_id)


@actor_required
def account_edit(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    account = selectors.account(actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        fields = {k: request.POST.get(k, "") for k in ("provider", "base_url", "api_key", "webhook_secret")}
        try:
            data = read_form(AccountIn, fields, summary="Check the account")
            account = services.account_save(actor=actor, data=data)
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, "Payment account saved.")
            return redirect("payments-account")
    form: Any = (
        request.POST
        if errors
        else {
            "provider": account.provider if account else Provider.SANDBOX,
            "base_url": account.base_url if account else "",
        }
    )
    webhook_url = (
        request.build_absolute_uri(reverse("payments-webhook", args=[account.pk])) if account else ""
    )
    return render(
        request,
        "payments/account.html",
        {
            "account": account,
            "errors": errors,
            "form": form,
            "providers": Provider.choices,
            "webhook_url": webhook_url,
        },
        status=400 if errors else 200,
    )


@actor_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            day = date_field(request.POST.get("settled_on"), "settled_on", errors)
            if errors:
                raise ValidationFailed("Check the day", field_errors=errors)
            content, name = uploaded_file(request, max_bytes=services.MAX_SETTLEMENT_BYTES)
            settlement = services.settlement_upload(
                actor=actor, settled_on=day, content=content, filename=name
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            return redirect("payments-settlement", settlement.pk)
    return render(
        request,
        "payments/reconciliation.html",
        {"settlements": selectors.settlements(actor)[:60], "errors": errors, "form": request.POST},
        status=400 if errors else 200,
    )


@actor_required
def settlement_detail(request: HttpRequest, settlement_id: int) -> HttpResponse:
    settlement, unmatched, missing = selectors.settlement(_actor(request), settlement_id)
    return render(
        request,
        "payments/settlement.html",
        {"settlement": settlement, "unmatched": unmatched, "missing": missing},
    )


@actor_required
def partnership(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    errors: dict[str, str] = {}
    start = date_field(request.GET.get("start"), "start", errors) if request.GET.get("start") else None
    end = date_field(request.GET.get("end"), "end", errors) if request.GET.get("end") else None
    rows = selectors.partnership_totals(actor, start, end)
    return render(request, "payments/partnership.html", {"rows": rows, "errors": errors, "form": request.GET})
