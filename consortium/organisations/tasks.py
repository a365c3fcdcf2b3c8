"""Background work for organisations: e-mail goes out through the task queue."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(*, to: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def send_email_on_commit(*, to: str, subject: str, body: str) -> None:
    """Queue an e-mail once the surrounding transaction commits, never before."""
    from django.db import transaction

    transaction.on_commit(lambda: send_email.enqueue(to=to, subject=subject, body=body))
