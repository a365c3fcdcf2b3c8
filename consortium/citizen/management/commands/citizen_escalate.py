"""Daily: e-mail each partner's officers about requests that went overdue (once each), and
ask citizens whether their fixed requests were done."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from consortium.citizen.tasks import escalate_overdue, send_questionnaires


class Command(BaseCommand):
    help = "Queue the overdue-request e-mails to partners (run daily, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        escalate_overdue.enqueue()
        send_questionnaires.enqueue()
        self.stdout.write("Overdue service requests: escalation queued; questionnaires queued.")
