"""Citizen services' background work (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from consortium.citizen.services import (
    confirmations_retry,
    overdue_escalate,
    questionnaires_send,
    request_acknowledge,
)


@task()
def escalate_overdue() -> int:
    """E-mail partners about requests that went overdue since the last run."""
    return overdue_escalate()


@task()
def send_questionnaires() -> int:
    """Ask citizens whether their fixed requests were done."""
    return questionnaires_send()


@task()
def acknowledge(request_id: int) -> bool:
    """E-mail a citizen their reference once their request is confirmed."""
    return request_acknowledge(request_id)


@task()
def retry_confirmations() -> list[int]:
    """Finish confirmations and acknowledgements that failed the first time."""
    return list(confirmations_retry())
