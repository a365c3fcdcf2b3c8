"""Payments' stream for "check": a citizen's payment, from starting to pay to the provider's
word that it succeeded, in minutes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from consortium.core.streams import CaseRow, Stream, minutes_taken, scope_by
from consortium.organisations.permissions import Permission
from consortium.payments.constants import PaymentStatus
from consortium.payments.models import Payment


def _rows(ids: Sequence[int] | None) -> Iterable[CaseRow]:
    paid = Payment.objects.filter(status=PaymentStatus.SUCCESS, finished_at__isnull=False)
    if ids is not None:
        paid = paid.filter(pk__in=ids)
    for pk, reference, created, finished, partner, fund_id, fund in paid.values_list(
        "pk", "reference", "created_at", "finished_at", "organisation_id", "fund_id", "fund__name"
    ).iterator(chunk_size=2000):
        assert finished is not None  # filtered above
        yield CaseRow(
            source_id=pk,
            reference=reference,
            started_at=created,
            ended_at=max(finished, created),
            value=minutes_taken(created, finished),
            organisation_id=partner,
            kind_key=str(fund_id),
            kind_label=fund,
        )


PAYMENTS = Stream(
    key="payments.payments",
    name="Payments",
    case="payment",
    cases="payments",
    starts="the citizen starts to pay",
    ends="the provider confirms the payment",
    unit="minutes",
    organisation_label="Partner",
    kind_label="Fund",
    watch=[("payments.Payment", lambda p: [p.pk])],
    rows=_rows,
    scope=scope_by(Permission.PAYMENTS_OVERSEE, own=[Permission.PAYMENTS_FINANCE]),
    mi_page="payments-partnership",
)

STREAMS = [PAYMENTS]
