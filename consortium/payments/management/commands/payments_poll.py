"""Every few minutes (from cron): ask the provider about every payment not yet finished — a
citizen who closed the browser on the card page still gets a receipt, and finance sees the
payment's real state — until each is final."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from consortium.payments.tasks import poll_unfinished


class Command(BaseCommand):
    help = "Queue the check of unfinished payments with their provider (run every 5 minutes, e.g. from cron)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Check now, in this process, and print the counts"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            from consortium.payments.services import poll_unfinished as poll

            self.stdout.write(f"Unfinished payments: {poll()}")
            return
        poll_unfinished.enqueue()
        self.stdout.write("Unfinished payments: check queued.")
