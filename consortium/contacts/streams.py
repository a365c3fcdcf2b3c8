"""Contact routing's stream for "check": a contact (call, e-mail, chat, visit) from its
arrival to the end of the conversation, in minutes — the caller's wait and talk together —
and each contact's classification as value or failure demand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from consortium.contacts.constants import ContactStatus
from consortium.contacts.models import Contact
from consortium.core.streams import CaseRow, DemandRow, Stream, minutes_taken, scope_by
from consortium.organisations.permissions import Permission


def _rows(ids: Sequence[int] | None) -> Iterable[CaseRow]:
    answered = Contact.objects.filter(
        status__in=[ContactStatus.WRAP_UP, ContactStatus.DONE], ended_at__isnull=False
    )
    if ids is not None:
        answered = answered.filter(pk__in=ids)
    for pk, reference, arrived, ended, partner, service_id, service in answered.values_list(
        "pk", "reference", "arrived_at", "ended_at", "partner_id", "service_id", "service__name"
    ).iterator(chunk_size=2000):
        assert ended is not None  # filtered above
        yield CaseRow(
            source_id=pk,
            reference=reference,
            started_at=arrived,
            ended_at=ended,
            value=minutes_taken(arrived, ended),
            organisation_id=partner,
            kind_key=str(service_id or ""),
            kind_label=service or "",
        )


def _demand(start: dt.datetime, end: dt.datetime) -> Iterable[DemandRow]:
    classified = Contact.objects.filter(arrived_at__gte=start, arrived_at__lt=end).exclude(demand="")
    for at, demand, failure_type, partner, service in classified.values_list(
        "arrived_at", "demand", "failure_type", "partner_id", "service_id"
    ).iterator(chunk_size=5000):
        yield DemandRow(at, demand, failure_type, partner, str(service or ""))


CONTACTS = Stream(
    key="contacts.contacts",
    name="Contacts",
    case="contact",
    cases="contacts",
    starts="the contact arrives",
    ends="the conversation ends",
    unit="minutes",
    organisation_label="Partner",
    kind_label="Service",
    watch=[("contacts.Contact", lambda c: [c.pk])],
    rows=_rows,
    scope=scope_by(Permission.CONTACTS_SUPERVISE, own=[Permission.CONTACTS_ANSWER]),
    demand=_demand,
    mi_page="contacts-supervisor",
    notes="Abandoned contacts are left out of the times: they are counted in the queue figures.",
)

STREAMS = [CONTACTS]
