"""Writing to the audit trail. Every service that changes state calls `audit_record`."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

from consortium.audit.models import AuditEvent, ConcealedDetail
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


@dataclass(frozen=True)
class Conceal:
    """Record an event without saying in public who did it, or to what.

    `shown_as` and `shown_organisation` are what the event shows (the procurement and the
    body running it); the actor, their organisation and the real object are kept in a
    `ConcealedDetail`, shown once `reveal_key` is revealed ("" never reveals)."""

    shown_as: models.Model
    shown_organisation: Organisation | None
    reveal_key: str = ""


# Each kind of reveal key ("tendering.project") has a function that says which of the
# given ids are revealed now. Apps register theirs in AppConfig.ready(), so the audit
# app knows nothing of tendering.
_REVEALERS: dict[str, Callable[[set[str]], set[str]]] = {}


def register_revealer(kind: str, revealed: Callable[[set[str]], set[str]]) -> None:
    _REVEALERS[kind] = revealed


def revealed_keys(keys: Iterable[str]) -> set[str]:
    by_kind: dict[str, set[str]] = {}
    for key in keys:
        kind, _, ident = key.partition(":")
        if kind in _REVEALERS and ident:
            by_kind.setdefault(kind, set()).add(ident)
    return {f"{kind}:{i}" for kind, ids in by_kind.items() for i in _REVEALERS[kind](ids)}


def _plain_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) if not isinstance(v, list) else v for k, v in changes.items()}


def _event(
    actor: Actor | None,
    action: str,
    obj: models.Model,
    organisation: Organisation | None,
    changes: Mapping[str, Any],
) -> AuditEvent:
    """An event naming the actor and the object, not yet written."""
    return AuditEvent(
        actor=actor.person if actor else None,
        actor_organisation=actor.organisation if actor else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        organisation=organisation,
        changes=_plain_changes(changes),
        request_id=current_request_id(),
    )


def audit_record_many(
    *,
    actor: Actor | None,
    action: str,
    records: Iterable[tuple[models.Model, Organisation | None, Mapping[str, Any]]],
) -> None:
    """Append one event per (object, organisation, changes) in one insert: for batches (a
    supplier's month of e-invoices), where one row at a time would cost more than the work."""
    AuditEvent.objects.bulk_create(
        [_event(actor, action, obj, organisation, changes) for obj, organisation, changes in records],
        batch_size=1000,
    )


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model,
    organisation: Organisation | None,
    changes: Mapping[str, Any] | None = None,
    conceal: Conceal | None = None,
) -> AuditEvent:
    """Append one event to the audit trail, in the caller's transaction.

    With `conceal`, the event's public fields name only `conceal.shown_as` and its
    organisation, never the actor: see `ConcealedDetail`."""
    if conceal is None:
        event = _event(actor, action, obj, organisation, changes or {})
        event.save()
        return event
    plain_changes = _plain_changes(changes or {})
    shown = conceal.shown_as
    event = AuditEvent.objects.create(
        actor=None,
        actor_organisation=None,
        action=action,
        object_type=shown._meta.label_lower,
        object_id=str(shown.pk),
        object_repr=str(shown)[:300],
        organisation=conceal.shown_organisation,
        changes=plain_changes,
        request_id=current_request_id(),
    )
    ConcealedDetail.objects.create(
        event=event,
        actor=actor.person if actor else None,
        actor_organisation=actor.organisation if actor else None,
        organisation=organisation,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        reveal_key=conceal.reveal_key,
    )
    return event
