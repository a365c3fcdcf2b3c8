"""Writing to the audit trail. Every service that changes state calls `audit_record`."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import models

from consortium.audit.models import AuditEvent
from consortium.core.request_context import current_request_id

if TYPE_CHECKING:
    from consortium.organisations.acting import Actor
    from consortium.organisations.models import Organisation


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value, as a person reading the trail would want it."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values of `instance` (foreign keys by id) to diff before and after a change."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = _plain(getattr(instance, attname))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model,
    organisation: Organisation | None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail, in the caller's transaction."""
    return AuditEvent.objects.create(
        actor=actor.person if actor else None,
        actor_organisation=actor.organisation if actor else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        organisation=organisation,
        changes={k: _plain(v) if not isinstance(v, list) else v for k, v in (changes or {}).items()},
        request_id=current_request_id(),
    )
