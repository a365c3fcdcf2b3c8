"""Every MI table as an .xlsx workbook."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from consortium.core.files import tidy_table, workbook_bytes


def table_workbook(
    title: str, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]], *, period: str = ""
) -> bytes:
    """One MI table: headings frozen with a filter, the period stated in each money column's
    heading ("Spend ex VAT, 1 December 2025 to 6 December 2026"), pounds as £ numbers (exact
    Decimals), months as real dates shown "Dec 2026", and a totals row of every money column."""
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    money = [key for key, _ in columns if any(isinstance(r.get(key), Decimal) for r in rows)]
    ws.append([f"{heading}, {period}" if period and key in money else heading for key, heading in columns])
    for row in rows:
        ws.append([row.get(key) for key, _heading in columns])
    if rows and money:
        # A value, not a formula: a file we write never holds a formula a reader's spreadsheet runs.
        ws.append(
            [
                "Total"
                if n == 0
                else (sum((r.get(key) or Decimal(0) for r in rows), Decimal(0)) if key in money else None)
                for n, (key, _) in enumerate(columns)
            ]
        )
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    tidy_table(ws)
    for n, (key, _) in enumerate(columns, start=1):
        if key == "month":
            for (cell,) in ws.iter_rows(min_row=2, min_col=n, max_col=n):
                if not isinstance(cell.value, str):
                    cell.number_format = "mmm yyyy"
    if rows and money:
        ws.auto_filter.ref = f"A1:{ws.cell(row=ws.max_row - 1, column=ws.max_column).coordinate}"
    return workbook_bytes(wb)
