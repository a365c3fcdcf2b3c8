"""Given names that are one person's name (Bob and Robert), read from fixtures/name_synonyms.csv."""

from __future__ import annotations

import functools
from pathlib import Path

SYNONYMS_FILE = Path(__file__).parent / "fixtures" / "name_synonyms.csv"


@functools.cache
def _groups() -> dict[str, frozenset[str]]:
    by_name: dict[str, set[str]] = {}
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip().lower()
        if not line or line.startswith("#"):
            continue
        group = {n.strip() for n in line.split(",") if n.strip()}
        for name in group:
            by_name.setdefault(name, set()).update(group)
    return {name: frozenset(group - {name}) for name, group in by_name.items()}


def synonyms(name: str) -> frozenset[str]:
    """The other forms of a given name ("bob" → robert, rob, robbie, …); empty if none known."""
    return _groups().get(name.strip().lower(), frozenset())
