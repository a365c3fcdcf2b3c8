"""Every MI table as an .xlsx workbook."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from consortium.core.files import tidy_table, workbook_bytes


def table_workbook(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]) -> bytes:
    """One MI table: headings frozen with a filter, pounds as £ numbers (exact Decimals), dates as dates."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    ws.append([heading for _key, heading in columns])
    for row in rows:
        ws.append([row.get(key) for key, _heading in columns])
    tidy_table(ws)
    return workbook_bytes(wb)
