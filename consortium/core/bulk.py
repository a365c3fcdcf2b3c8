"""Inserting many plain rows at once, for the few places (evaluation scoresheets) where
building a model instance per row costs more than the database work itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

CHUNK = 500
# COPY's text format: these characters are written as backslash escapes.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


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
            # COPY sends the rows as data: no statement for the client to parse per value;
            # written as text in large blocks (a row at a time costs more than the server's work).
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for start in range(0, len(rows), 5000):
                    copy.write(
                        "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows[start : start + 5000])
                    )
            return len(rows)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            # Names come from the model's own metadata; every value is a parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * len(chunk))  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])
    return len(rows)
