"""Hourly (from cron): e-mail each partner's officers about requests that went overdue (once
each; hourly catches targets in working hours), ask citizens whether their fixed requests
were done, and finish confirmations and acknowledgements that failed the first time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from consortium.citizen.tasks import escalate_overdue, retry_confirmations, send_questionnaires


class Command(BaseCommand):
    help = "Queue overdue e-mails, questionnaires and confirmation retries (run hourly, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        escalate_overdue.enqueue()
        send_questionnaires.enqueue()
        retry_confirmations.enqueue()
        self.stdout.write(
            "Overdue service requests: escalation queued; questionnaires queued; confirmation retries queued."
        )
