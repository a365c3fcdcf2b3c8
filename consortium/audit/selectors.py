"""Reads of the audit trail, scoped to the actor's organisation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q, QuerySet

from consortium.audit.labels import READ_SUFFIXES, action_label
from consortium.audit.models import AuditEvent
from consortium.audit.services import revealed_keys
from consortium.core.files import csv_text, timestamp
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission


def audit_event_list_for(
    actor: Actor,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    organisation_id: int | None = None,
    action: str | None = None,
    include_reads: bool = True,
) -> PresentedEvents:
    """Events the actor may read: an admin all; others what concerns their organisation.

    Filters apply to the public fields only, so a concealed event (a bid before opening)
    can never be singled out by the supplier's organisation or the bid. The actor's own
    organisation also sees its concealed events, with the detail."""
    qs = AuditEvent.objects.select_related(
        "actor",
        "actor_organisation",
        "organisation",
        "concealed",
        "concealed__actor",
        "concealed__actor_organisation",
        "concealed__organisation",
    )
    if not actor.has(Permission.AUDIT_VIEW_ALL):
        qs = qs.filter(
            Q(organisation=actor.organisation)
            | Q(actor_organisation=actor.organisation)
            | Q(concealed__actor_organisation=actor.organisation)
        )
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if action:
        qs = qs.filter(action=action)
    if not include_reads:
        for suffix in READ_SUFFIXES:
            qs = qs.exclude(action__endswith=suffix)
    return PresentedEvents(qs.order_by("-at", "-id"), actor)


def present(actor: Actor, events: list[AuditEvent]) -> list[AuditEvent]:
    """Fill in the detail of concealed events the actor may now see (in memory only)."""
    details = [e.concealed for e in events if hasattr(e, "concealed")]
    revealed = revealed_keys({d.reveal_key for d in details if d.reveal_key})
    for event in events:
        detail = getattr(event, "concealed", None)
        if detail is None:
            continue
        own = detail.actor_organisation_id == actor.organisation.pk
        if own or (detail.reveal_key and detail.reveal_key in revealed):
            event.actor = detail.actor
            event.actor_organisation = detail.actor_organisation
            event.organisation = detail.organisation
            event.object_type = detail.object_type
            event.object_id = detail.object_id
            event.object_repr = detail.object_repr
    return events


class PresentedEvents:
    """A query set of events that presents each page as the actor may see it; pages (Django's
    Paginator, the API's) slice and count it like a query set."""

    def __init__(self, queryset: QuerySet[AuditEvent], actor: Actor) -> None:
        self.queryset = queryset
        self.actor = actor

    def all(self) -> PresentedEvents:
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return present(self.actor, list(self.queryset[index]))
        return present(self.actor, [self.queryset[index]])[0]

    def __iter__(self) -> Iterator[AuditEvent]:
        return iter(present(self.actor, list(self.queryset)))


CSV_COLUMNS = [
    "at",
    "actor",
    "actor_organisation",
    "action",
    "what",
    "object_type",
    "object_id",
    "object",
    "organisation",
    "changes",
    "request_id",
]


def audit_events_as_csv(events: Iterable[AuditEvent]) -> str:
    import json

    rows: list[list[Any]] = []
    for e in events:
        rows.append(
            [
                timestamp(e.at),
                e.actor.email if e.actor else "",
                e.actor_organisation.name if e.actor_organisation else "",
                e.action,
                action_label(e.action),
                e.object_type,
                e.object_id,
                e.object_repr,
                e.organisation.name if e.organisation else "",
                json.dumps(e.changes, sort_keys=True),
                e.request_id,
            ]
        )
    return csv_text(CSV_COLUMNS, rows)
