"""Citizen services' background work (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from consortium.citizen.services import overdue_escalate, questionnaires_send


@task()
def escalate_overdue() -> int:
    """E-mail partners about requests that went overdue since the last run."""
    return overdue_escalate()


@task()
def send_questionnaires() -> int:
    """Ask citizens whether their fixed requests were done."""
    return questionnaires_send()
