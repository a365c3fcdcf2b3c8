"""Readable references numbered per year (CO-2026-000123, CBC-P-2026-0001), unique under
concurrent requests: the year's counter row is locked while its number is taken."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction


def next_number(counter: Any, year: int, count: int = 1) -> int:
    """The next number of `year` from `counter`, a model with unique `year` and `last_number`
    (with `count`, the last of that many taken at once: a batch numbers from last - count + 1).
    Call inside the transaction that uses the number, so a rollback gives it back."""
    row = counter.objects.select_for_update().filter(year=year).first()
    if row is None:
        try:
            with transaction.atomic():
                counter.objects.create(year=year, last_number=0)
        except IntegrityError:
            pass  # a concurrent request created it first
        row = counter.objects.select_for_update().get(year=year)
    row.last_number += count
    row.save(update_fields=["last_number"])
    return int(row.last_number)
