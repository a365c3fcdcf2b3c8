"""What every stage of a procurement shares: the status move, notices, e-mail, the sealed-bid concealment.

The project's status moves only through `_move`, which consults PROJECT_TRANSITIONS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from consortium.audit.services import Conceal, audit_record
from consortium.core.dates import now
from consortium.core.email import send_email_on_commit
from consortium.core.errors import Conflict, PermissionDenied
from consortium.organisations.acting import Actor
from consortium.tendering import selectors
from consortium.tendering.constants import (
    PROJECT_TRANSITIONS,
    ProjectStatus,
)
from consortium.tendering.models import (
    Notice,
    NoticeType,
    Project,
)

S = ProjectStatus


TENDER_DEADLINE_TIME = dt.time(12, 0)  # noon, London time


MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


ZERO = Decimal(0)


def _require_manager(actor: Actor) -> None:
    if not selectors.runs_procurements(actor):
        raise PermissionDenied("Only the consortium's category managers and admins run procurements.")


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _move(actor: Actor, project: Project, to: str, **changes: Any) -> Project:
    """The one place a procurement changes status: refused unless the table allows it."""
    if to not in PROJECT_TRANSITIONS[project.status]:
        raise Conflict(
            f"A procurement that is {project.get_status_display().lower()} cannot become "
            f"{ProjectStatus(to).label.lower()}."
        )
    before = project.status
    project.status = to
    for name, value in changes.items():
        setattr(project, name, value)
    project.save()
    audit_record(
        actor=actor,
        action=f"procurement.{to}",
        obj=project,
        organisation=project.run_by,
        changes={"status": [before, to], **{k: str(v) for k, v in changes.items()}},
    )
    return project


def _notice(project: Project, code: str, summary: str) -> Notice:
    """Publish a UK notice: its content fixed now, as the Act and Regulations ask of its type."""
    from consortium.tendering.notices import notice_body

    return Notice.objects.create(
        project=project,
        notice_type=NoticeType.objects.get(code=code),
        published_at=now(),
        summary=summary,
        body=notice_body(project, code),
    )


def _tell(emails: Sequence[str], subject: str, body: str) -> None:
    for email in emails:
        send_email_on_commit(to=email, subject=subject, body=body)


def _until_opened(project: Project) -> Conceal:
    """Audit a bidder's step without naming the bidder until the bids are opened."""
    return Conceal(
        shown_as=project, shown_organisation=project.run_by, reveal_key=f"tendering.project:{project.pk}"
    )


def _require_supplier_for(actor: Actor, project: Project) -> None:
    if not selectors.bids(actor):
        raise PermissionDenied("Suppliers' users bid.")
    invited = project.invited_suppliers.values_list("pk", flat=True)
    if invited and actor.organisation.pk not in set(invited):
        raise PermissionDenied("This procurement is open only to the suppliers invited to it.")
