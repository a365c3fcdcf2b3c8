"""Keeping each stream's finished cases: on every save that may finish (or reopen) a case,
and in full each night (`consortium check_refresh`) for what changed in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction

from consortium.check.models import Case
from consortium.check.registry import STREAMS
from consortium.core.dates import LONDON, week_starting
from consortium.core.streams import CaseRow


def _case(key: str, row: CaseRow) -> Case:
    on = row.ended_at.astimezone(LONDON).date()
    return Case(
        stream=key,
        source_id=row.source_id,
        reference=row.reference[:40],
        started_at=row.started_at,
        ended_at=row.ended_at,
        ended_on=on,
        week=week_starting(on),
        value=row.value,
        organisation_id=row.organisation_id,
        counterpart_id=row.counterpart_id,
        kind_key=row.kind_key[:40],
        kind_label=row.kind_label[:200],
    )


FIELDS = [
    "reference",
    "started_at",
    "ended_at",
    "ended_on",
    "week",
    "value",
    "organisation",
    "counterpart",
    "kind_key",
    "kind_label",
]


def _store(key: str, rows: Iterable[CaseRow]) -> int:
    made = [_case(key, r) for r in rows]
    Case.objects.bulk_create(
        made,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["stream", "source_id"],
        update_fields=FIELDS,
    )
    return len(made)


def refresh(key: str, ids: Sequence[int] | None = None) -> int:
    """Bring a stream's cases up to date: these (a case that is no longer finished, such as a
    reopened request, leaves), or all of them. Idempotent; returns how many are finished."""
    stream = STREAMS[key]
    with transaction.atomic():
        rows = list(stream.rows(ids))
        finished = {r.source_id for r in rows}
        if ids is None:
            _drop_unfinished(key, finished)
        else:
            Case.objects.filter(stream=key, source_id__in=ids).exclude(source_id__in=finished).delete()
        return _store(key, rows)


def _drop_unfinished(key: str, finished: set[int]) -> None:
    held = set(Case.objects.filter(stream=key).values_list("source_id", flat=True))
    stale = list(held - finished)
    for i in range(0, len(stale), 5000):
        Case.objects.filter(stream=key, source_id__in=stale[i : i + 5000]).delete()


def refresh_all() -> dict[str, int]:
    return {key: refresh(key) for key in STREAMS}
