"""consortium check_refresh [--stream KEY]: re-read every stream's finished cases from their
systems — nightly, for what changed in bulk or with time (a contract that has gone live)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consortium.check.cases import refresh
from consortium.check.registry import STREAMS


class Command(BaseCommand):
    help = "Re-read the finished cases of every stream (or one) for service check"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stream", choices=sorted(STREAMS), help="Only this stream")

    def handle(self, *args: Any, **options: Any) -> None:
        keys = [options["stream"]] if options.get("stream") else list(STREAMS)
        for key in keys:
            if key not in STREAMS:
                raise CommandError(f"There is no stream {key}")
            n = refresh(key)
            self.stdout.write(f"{key}: {n} finished cases")
