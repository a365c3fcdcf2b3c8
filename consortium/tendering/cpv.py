"""The Common Procurement Vocabulary 2008 (data/cpv_2008.csv): a code's description, and
whether a code is one."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

CPV_FILE = Path(__file__).parent / "data" / "cpv_2008.csv"
CODE = re.compile(r"^(\d{8})(?:-\d)?$")


@cache
def _codes() -> dict[str, str]:
    with CPV_FILE.open(newline="", encoding="utf-8") as fh:
        return {row["code"]: row["description"] for row in csv.DictReader(fh)}


def cpv_description(code: str) -> str | None:
    """The English description of a CPV code ("30192000-1" or "30192000"); None if it is none."""
    match = CODE.match(code.strip())
    return _codes().get(match.group(1)) if match else None
