from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consortium.care.interchange import InterchangeError, read_rates
from consortium.care.statistics import spread


class Command(BaseCommand):
    help = "Print benchmark statistics (as Excel's QUARTILE.INC) per element, ratio and grade, as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("rates", type=Path, nargs="+", help="JSON or CSV files of commissioned rates")

    def handle(self, *args: Any, **options: Any) -> None:
        groups: dict[tuple[str, str, str], list[Decimal]] = defaultdict(list)
        providers: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        try:
            for path in options["rates"]:
                for row in read_rates(path):
                    key = (str(row["element"]), str(row.get("ratio") or ""), str(row.get("grade") or ""))
                    groups[key].append(row["unit_price"])
                    providers[key].add(str(row.get("provider") or ""))
        except InterchangeError as e:
            raise CommandError(str(e)) from e
        out = []
        for key in sorted(groups):
            s = spread(groups[key]).rounded()
            out.append(
                {
                    "element": key[0],
                    "ratio": int(key[1]) if key[1] else None,
                    "grade": key[2],
                    "count": s.count,
                    "providers": len(providers[key]),
                    "minimum": str(s.minimum),
                    "lower_quartile": str(s.lower_quartile),
                    "median": str(s.median),
                    "upper_quartile": str(s.upper_quartile),
                    "maximum": str(s.maximum),
                }
            )
        self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
