from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consortium.care import costing
from consortium.care.interchange import InterchangeError, quote_as_json, read_menu, read_needs


class Command(BaseCommand):
    help = "Print the itemised weekly quotes for one needs file against price menu files, as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("needs", type=Path, help="About Client JSON file")
        parser.add_argument("menus", type=Path, nargs="+", help="Home Fees JSON files")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            needs = read_needs(options["needs"])
            quotes = [costing.quote(needs, read_menu(path)) for path in options["menus"]]
        except InterchangeError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(json.dumps([quote_as_json(q) for q in quotes], indent=2, ensure_ascii=False))
