"""Payments' background work: asking the provider about payments citizens left unfinished."""

from __future__ import annotations

from django_tasks import task


@task()
def poll_unfinished() -> None:
    from consortium.payments.services import poll_unfinished as poll

    poll()
