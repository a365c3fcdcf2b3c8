"""Service check's changes: studies and the splits that record a known change. Each in a
transaction, checking the actor may check the stream, audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from consortium.audit.services import audit_record
from consortium.check import selectors
from consortium.check.cases import refresh_all
from consortium.check.models import Split, Study
from consortium.check.schemas import SplitIn, StudyIn, StudyParams, StudyUpdate
from consortium.core.errors import Conflict, NotFound, PermissionDenied
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission

MAX_STUDIES = 200  # for one organisation
MAX_SPLITS = 50


def _apply(study: Study, params: StudyParams) -> None:
    study.filter_organisation_id = params.organisation_id
    study.filter_counterpart_id = params.counterpart_id
    study.filter_kind = params.kind or ""
    study.date_from = params.date_from
    study.date_to = params.date_to
    study.granularity = params.granularity
    study.measure = params.measure
    study.median = params.median
    study.baseline = params.baseline
    study.target = params.target


def study_create(*, actor: Actor, data: StudyIn) -> Study:
    selectors.check_filters(actor, data.stream, data)
    with transaction.atomic():
        if Study.objects.filter(organisation=actor.organisation).count() >= MAX_STUDIES:
            raise Conflict(f"Your organisation has {MAX_STUDIES} studies: delete one you no longer need")
        study = Study(
            organisation=actor.organisation, created_by=actor.person, name=data.name, stream=data.stream
        )
        _apply(study, data)
        study.save()
        audit_record(
            actor=actor,
            action="study.create",
            obj=study,
            organisation=actor.organisation,
            changes={"name": study.name, "stream": study.stream},
        )
    return study


def _own(actor: Actor, study_id: int) -> Study:
    study = selectors.study(actor, study_id)
    locked = Study.objects.select_for_update().filter(pk=study.pk).first()
    if locked is None:
        raise NotFound("There is no such study")
    return locked


def study_update(*, actor: Actor, study_id: int, data: StudyUpdate) -> Study:
    with transaction.atomic():
        study = _own(actor, study_id)
        selectors.check_filters(actor, study.stream, data)
        study.name = data.name
        _apply(study, data)
        study.save()
        audit_record(
            actor=actor,
            action="study.update",
            obj=study,
            organisation=actor.organisation,
            changes=data.model_dump(mode="json"),
        )
    return study


def study_delete(*, actor: Actor, study_id: int) -> None:
    with transaction.atomic():
        study = _own(actor, study_id)
        audit_record(
            actor=actor,
            action="study.delete",
            obj=study,
            organisation=actor.organisation,
            changes={"name": study.name},
        )
        study.delete()


def split_add(*, actor: Actor, study_id: int, data: SplitIn) -> Split:
    with transaction.atomic():
        study = _own(actor, study_id)
        if study.splits.count() >= MAX_SPLITS:
            raise Conflict(f"A study holds at most {MAX_SPLITS} changes")
        if study.splits.filter(on=data.on).exists():
            raise Conflict("There is already a change on that day: remove it first")
        try:
            with transaction.atomic():
                split = Split.objects.create(
                    study=study, on=data.on, reason=data.reason, created_by=actor.person
                )
        except IntegrityError:
            raise Conflict("There is already a change on that day: remove it first") from None
        study.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            action="split.add",
            obj=study,
            organisation=actor.organisation,
            changes={"on": data.on.isoformat(), "reason": data.reason},
        )
    return split


def split_remove(*, actor: Actor, study_id: int, split_id: int) -> None:
    with transaction.atomic():
        study = _own(actor, study_id)
        split = study.splits.filter(pk=split_id).first()
        if split is None:
            raise NotFound("There is no such change in this study")
        audit_record(
            actor=actor,
            action="split.remove",
            obj=study,
            organisation=actor.organisation,
            changes={"on": split.on.isoformat(), "reason": split.reason},
        )
        split.delete()
        study.save(update_fields=["updated_at"])


def cases_refresh(*, actor: Actor) -> dict[str, int]:
    """Re-read every stream's finished cases from their systems (what the nightly job does)."""
    if not actor.has(Permission.ORGANISATION_MANAGE):
        raise PermissionDenied("Re-reading every stream is for the consortium's administrators")
    counts = refresh_all()
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="check.refresh",
            obj=actor.organisation,
            organisation=actor.organisation,
            changes=counts,
        )
    return counts
