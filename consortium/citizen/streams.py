"""Citizen services' stream for "check": a service request, from the citizen's confirmed
request to its closing, in working days (the figure fixed when it closed); and the citizen's
own contacts about their requests, classified as value or failure demand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from consortium.citizen.constants import UpdateKind
from consortium.citizen.models import RequestUpdate, ServiceRequest
from consortium.core.streams import CaseRow, DemandRow, Stream, scope_by
from consortium.organisations.permissions import Permission


def _rows(ids: Sequence[int] | None) -> Iterable[CaseRow]:
    finished = ServiceRequest.objects.filter(
        closed_at__isnull=False, days_taken__isnull=False, handled_by__isnull=False, merged_into__isnull=True
    )
    if ids is not None:
        finished = finished.filter(pk__in=ids)
    for r in finished.values_list(
        "pk",
        "reference",
        "confirmed_at",
        "submitted_at",
        "closed_at",
        "days_taken",
        "handled_by_id",
        "service_id",
        "service__name",
    ).iterator(chunk_size=2000):
        pk, reference, confirmed, submitted, closed, days, partner, service_id, service = r
        assert closed is not None and days is not None  # filtered above
        yield CaseRow(
            source_id=pk,
            reference=reference or "",
            started_at=confirmed or submitted,
            ended_at=closed,
            value=float(days),
            organisation_id=partner,
            kind_key=str(service_id),
            kind_label=service,
        )


def _demand(start: dt.datetime, end: dt.datetime) -> Iterable[DemandRow]:
    contacts = RequestUpdate.objects.filter(kind=UpdateKind.CITIZEN, at__gte=start, at__lt=end).exclude(
        demand=""
    )
    for at, demand, failure_type, partner, service in contacts.values_list(
        "at", "demand", "failure_type", "request__handled_by_id", "request__service_id"
    ).iterator(chunk_size=5000):
        yield DemandRow(at, demand, failure_type, partner, str(service))


REQUESTS = Stream(
    key="citizen.requests",
    name="Service requests",
    case="service request",
    cases="service requests",
    starts="the citizen's request is confirmed",
    ends="the partner closes it",
    unit="working days",
    organisation_label="Partner",
    kind_label="Service",
    watch=[("citizen.ServiceRequest", lambda r: [r.pk])],
    rows=_rows,
    scope=scope_by(Permission.REQUESTS_OVERSEE, own=[Permission.REQUESTS_WORK]),
    demand=_demand,
    mi_page="citizen-mi",
    notes="Merged duplicates are left out: the request they were merged into counts once.",
)

STREAMS = [REQUESTS]
