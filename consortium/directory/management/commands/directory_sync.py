"""Hourly (from cron): queue a sync of every LDAP feed whose schedule says it is due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from consortium.core.errors import ValidationFailed
from consortium.directory import services
from consortium.directory.schemas import SyncIn


class Command(BaseCommand):
    help = "Queue the directory's scheduled LDAP syncs (run hourly, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = 0
        for feed in services.due_feeds():
            try:
                services.sync_request(
                    actor=None, feed=feed, data=SyncIn.model_validate({}), trigger="schedule"
                )
                queued += 1
            except ValidationFailed as e:
                self.stdout.write(f"{feed}: {e.detail}")
        self.stdout.write(f"Directory: {queued} scheduled sync(s) queued.")
