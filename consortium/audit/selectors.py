"""Reads of the audit trail, scoped to the actor's organisation."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from consortium.audit.models import AuditEvent
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission


def audit_event_list_for(
    actor: Actor,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    organisation_id: int | None = None,
    action: str | None = None,
) -> QuerySet[AuditEvent]:
    """Events the actor may read: an admin all; others what concerns their organisation."""
    qs = AuditEvent.objects.select_related("actor", "actor_organisation", "organisation")
    if not actor.has(Permission.AUDIT_VIEW_ALL):
        qs = qs.filter(Q(organisation=actor.organisation) | Q(actor_organisation=actor.organisation))
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if action:
        qs = qs.filter(action=action)
    return qs.order_by("-at", "-id")


CSV_COLUMNS = [
    "at",
    "actor",
    "actor_organisation",
    "action",
    "object_type",
    "object_id",
    "object",
    "organisation",
    "changes",
    "request_id",
]


def audit_events_as_csv(events: Iterable[AuditEvent]) -> str:
    import json

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in events:
        writer.writerow(
            [
                e.at.isoformat(),
                e.actor.email if e.actor else "",
                e.actor_organisation.name if e.actor_organisation else "",
                e.action,
                e.object_type,
                e.object_id,
                _csv_safe(e.object_repr),
                e.organisation.name if e.organisation else "",
                _csv_safe(json.dumps(e.changes, sort_keys=True)),
                e.request_id,
            ]
        )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    # Spreadsheets run cells that start with = + - @ as formulas: defuse them.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
