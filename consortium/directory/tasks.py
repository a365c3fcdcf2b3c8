"""The directory's background work: syncs and group e-mails."""

from __future__ import annotations

from django_tasks import task


@task()
def sync_feed(*, run_id: int) -> None:
    from consortium.directory.services import sync_run

    sync_run(run_id)


@task()
def send_group_email(*, email_id: int) -> None:
    from consortium.directory.services import email_send

    email_send(email_id)
