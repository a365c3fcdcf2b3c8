"""Care's stream for "check": a placement, from the client's needs being recorded to the
placement being confirmed with a home, in working days."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from consortium.care.models import Placement
from consortium.core.streams import CaseRow, Stream, scope_by, working_days_taken
from consortium.organisations.permissions import Permission


def _rows(ids: Sequence[int] | None) -> Iterable[CaseRow]:
    placements = Placement.objects.all()
    if ids is not None:
        placements = placements.filter(pk__in=ids)
    # The client's reference never leaves care: the case is named by the placement's number.
    for pk, assessed, placed, council, level_id, level in placements.values_list(
        "pk",
        "negotiation__assessment__created_at",
        "created_at",
        "council_id",
        "negotiation__assessment__level_id",
        "negotiation__assessment__level__name",
    ).iterator(chunk_size=2000):
        yield CaseRow(
            source_id=pk,
            reference=f"Placement {pk}",
            started_at=assessed,
            ended_at=max(placed, assessed),
            value=working_days_taken(assessed, placed),
            organisation_id=council,
            kind_key=str(level_id),
            kind_label=level,
        )


PLACEMENTS = Stream(
    key="care.placements",
    name="Care placements",
    case="placement",
    cases="placements",
    starts="the client's needs are recorded",
    ends="the placement is confirmed with a home",
    unit="working days",
    organisation_label="Council",
    kind_label="Level of care",
    watch=[("care.Placement", lambda p: [p.pk])],
    rows=_rows,
    scope=scope_by(Permission.CARE_OVERSEE, own=[Permission.CARE_COMMISSION]),
    mi_page="care-reports",
)

STREAMS = [PLACEMENTS]
