"""Inserting many plain rows at once, for the few places (evaluation scoresheets) where
building a model instance per row costs more than the database work itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

CHUNK = 500


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """INSERT rows (values in `fields` order, already in their database form): COPY on
    PostgreSQL, multi-row INSERTs elsewhere. Skips model save() and signals: use only for
    rows with no logic of their own."""
    if not rows:
        return 0
    meta = model._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(getattr(meta.get_field(f), "column", f))) for f in fields)
    table = qn(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY sends the rows as data: no statement for the client to parse per value.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            # Names come from the model's own metadata; every value is a parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * len(chunk))  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])
    return len(rows)
