"""Every MI table as an .xlsx workbook."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from consortium.core.files import workbook_bytes


def table_workbook(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    for c, (_key, heading) in enumerate(columns, start=1):
        ws.cell(row=1, column=c, value=heading).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, (key, _heading) in enumerate(columns, start=1):
            value = row.get(key)
            cell = ws.cell(row=r, column=c, value=float(value) if isinstance(value, Decimal) else value)
            if isinstance(value, Decimal):
                cell.number_format = "£#,##0.00"
    for c in range(1, len(columns) + 1):
        ws.column_dimensions[chr(64 + c)].width = 28
    return workbook_bytes(wb)
