"""Collaborative tendering's stream for "check": a procurement from the day demand opened
(the project was set up) to the day its contract went live, in working days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from consortium.core.dates import LONDON, today_in_london
from consortium.core.streams import CaseRow, Stream, scope_by, working_days_taken
from consortium.organisations.permissions import Permission
from consortium.tendering.constants import ProjectStatus
from consortium.tendering.models import Project


def _rows(ids: Sequence[int] | None) -> Iterable[CaseRow]:
    # A contract that starts next month is not live yet: the nightly refresh adds it then.
    live = Project.objects.filter(
        status=ProjectStatus.AWARDED,
        contract_starts_on__isnull=False,
        contract_starts_on__lte=today_in_london(),
    )
    if ids is not None:
        live = live.filter(pk__in=ids)
    for pk, reference, created, starts_on, run_by, category in live.values_list(
        "pk", "reference", "created_at", "contract_starts_on", "run_by_id", "category"
    ).iterator(chunk_size=2000):
        assert starts_on is not None  # filtered above
        ended = dt.datetime.combine(starts_on, dt.time(9), tzinfo=LONDON)
        yield CaseRow(
            source_id=pk,
            reference=reference,
            started_at=created,
            ended_at=max(ended, created),
            value=working_days_taken(created, ended),
            organisation_id=run_by,
            kind_key=category,
            kind_label=category.replace("_", " ").capitalize(),
        )


PROCUREMENTS = Stream(
    key="tendering.procurements",
    name="Procurements",
    case="procurement",
    cases="procurements",
    starts="the procurement is set up to collect demand",
    ends="its contract goes live",
    unit="working days",
    organisation_label="Run by",
    kind_label="Category",
    watch=[("tendering.Project", lambda p: [p.pk])],
    rows=_rows,
    scope=scope_by(Permission.PROCUREMENTS_RUN),
    mi_page="tender-list",
)

STREAMS = [PROCUREMENTS]
