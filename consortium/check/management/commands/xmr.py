"""consortium xmr FILE [--split-at N …] [--median] [--column NAME] [--baseline N]

Reads values (a CSV column, or a JSON list of numbers) and prints the XmR chart's segments
and signals as JSON, with the same module the study pages use (indices 0-based; limits
unrounded, the lower one not floored)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consortium.check import xmr

MAX_BYTES = 200 * 1024 * 1024


def _number(text: str, where: str) -> float:
    cleaned = text.strip().replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise CommandError(f"{where}: {text.strip()[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise CommandError(f"{where}: {text.strip()[:40]!r} is not a finite number")
    return value


def read_values(content: str, column: str | None) -> list[float]:
    stripped = content.lstrip("\ufeff").strip()
    if stripped.startswith("{"):
        raise CommandError("Give a JSON list of numbers, such as [4, 7, 5], or a CSV file")
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as e:
            raise CommandError(f"The JSON is not valid: {e.msg} at line {e.lineno}") from None
        values = []
        for i, v in enumerate(data):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise CommandError(f"Item {i}: {json.dumps(v)[:40]} is not a finite number")
            values.append(float(v))
        return values
    rows = list(csv.reader(io.StringIO(stripped)))
    if not rows:
        return []
    header = rows[0]
    index = 0
    first = 0
    if column is not None:
        names = [h.strip().lower() for h in header]
        if column.strip().lower() not in names:
            raise CommandError(f"There is no column {column!r}: the columns are {', '.join(header)}")
        index = names.index(column.strip().lower())
        first = 1
    else:
        try:
            _number(header[0] if header else "", "")
        except CommandError:
            first = 1  # a heading: read the first column whose cells are all numbers
            index = _first_numeric_column(rows[1:], len(header))
    values = []
    for line, row in enumerate(rows[first:], start=first + 1):
        if not row or all(not c.strip() for c in row):
            continue
        if index >= len(row) or not row[index].strip():
            raise CommandError(f"Row {line}: the value is missing")
        values.append(_number(row[index], f"Row {line}"))
    return values


def _first_numeric_column(rows: list[list[str]], width: int) -> int:
    for index in range(width):
        cells = [r[index] for r in rows if r and any(c.strip() for c in r) and index < len(r)]
        try:
            for cell in cells:
                _number(cell, "")
        except CommandError:
            continue
        if cells:
            return index
    return 0  # none does: read the first, so the first bad cell is named by its row


class Command(BaseCommand):
    help = "Print an XmR chart's limits and signals for a CSV column or a JSON list of values"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A CSV file (first column, or --column) or a JSON list; - for stdin")
        parser.add_argument(
            "--split-at",
            type=int,
            action="append",
            default=[],
            dest="splits",
            help="Start a new segment at this value (0-based); repeatable",
        )
        parser.add_argument("--median", action="store_true", help="Limits from the median moving range")
        parser.add_argument("--column", help="The CSV column to read, by its heading")
        parser.add_argument("--baseline", type=int, help="Limits from each segment's first N values")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        if name == "-":
            import sys

            content = sys.stdin.read()
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"There is no file {name}")
            if path.stat().st_size > MAX_BYTES:
                raise CommandError("The file is larger than 200 MB")
            try:
                content = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                raise CommandError("The file is not UTF-8 text (CSV or JSON)") from None
        values = read_values(content, options.get("column"))
        if not values:
            raise CommandError("There are no values")
        try:
            analysis = xmr.analyse(
                values, options["splits"], median=options["median"], baseline=options.get("baseline")
            )
        except ValueError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(json.dumps(xmr.as_json(analysis)))
