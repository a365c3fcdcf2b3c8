"""E-mail, sent through the task queue once the surrounding transaction commits; and the
absolute links e-mails carry, built from SITE_URL (never from a request's Host header)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task


@task()
def send_email(*, to: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def send_email_on_commit(*, to: str, subject: str, body: str) -> None:
    """Queue an e-mail once the surrounding transaction commits, never before."""
    transaction.on_commit(lambda: send_email.enqueue(to=to, subject=subject, body=body))


def absolute_url(path: str) -> str:
    """`path` on this site as a full address for an e-mail: SITE_URL + path."""
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def site_protocol_and_domain() -> tuple[str, str]:
    parts = urlsplit(settings.SITE_URL)
    return parts.scheme or "https", parts.netloc
