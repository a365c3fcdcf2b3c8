"""Payments' JSON API for a partner's finance officers (and their finance systems): funds,
payments with filters, one payment, asking for a refund and deciding one."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from consortium.core.api_errors import ERRORS
from consortium.core.pagination import Page
from consortium.organisations.api_auth import actor_of
from consortium.payments import selectors, services
from consortium.payments.models import Fund, Payment, Refund
from consortium.payments.schemas import (
    FundOut,
    PaymentOut,
    PaymentQuery,
    RefundDecisionIn,
    RefundIn,
    RefundOut,
)

router = Router(tags=["payments"])


def _fund(f: Fund) -> dict[str, Any]:
    return {
        "id": f.pk,
        "organisation": f.organisation.name,
        "code": f.code,
        "name": f.name,
        "description": f.description,
        "reference_label": f.reference_label,
        "minimum": f.minimum,
        "maximum": f.maximum,
        "ledger_code": f.ledger_code,
        "public": f.public,
    }


def _refund(r: Refund) -> dict[str, Any]:
    return {
        "id": r.pk,
        "amount": r.amount,
        "reason": r.reason,
        "status": r.status,
        "created_at": r.created_at,
    }


@router.get("/payments/funds", response={200: list[FundOut], **ERRORS}, operation_id="payments_funds")
def funds(request: HttpRequest) -> list[dict[str, Any]]:
    return [_fund(f) for f in selectors.funds(actor_of(request))]


@router.get("/payments", response={200: list[PaymentOut], **ERRORS}, operation_id="payments_list")
@paginate(Page)
def payment_list(request: HttpRequest, filters: Query[PaymentQuery]) -> object:
    return selectors.payments(actor_of(request), filters)


@router.get("/payments/{payment_id}", response={200: PaymentOut, **ERRORS}, operation_id="payments_get")
def payment_get(request: HttpRequest, payment_id: int) -> Payment:
    return selectors.payment(actor_of(request), payment_id, audited=False)


@router.post(
    "/payments/{payment_id}/refunds",
    response={201: RefundOut, **ERRORS},
    operation_id="payments_refund_request",
)
def refund_request(request: HttpRequest, payment_id: int, payload: RefundIn) -> Status:
    return Status(
        201, _refund(services.refund_request(actor=actor_of(request), payment_id=payment_id, data=payload))
    )


@router.post(
    "/payments/refunds/{refund_id}/decision",
    response={200: RefundOut, **ERRORS},
    operation_id="payments_refund_decide",
)
def refund_decide(request: HttpRequest, refund_id: int, payload: RefundDecisionIn) -> dict[str, Any]:
    return _refund(services.refund_decide(actor=actor_of(request), refund_id=refund_id, data=payload))
