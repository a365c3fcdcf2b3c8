"""Every MI table as an .xlsx workbook."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from consortium.core.files import MONEY_FORMAT, put_formula, tidy_table, workbook_bytes


def table_workbook(
    title: str, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]], *, period: str = ""
) -> bytes:
    """One MI table: the period it covers stated above it, headings frozen with a filter, pounds
    as £ numbers (exact Decimals), months as real dates (shown "Dec 2026"), and a totals row that
    adds up every money column with a formula, so it stays right when rows are filtered out."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    ws.append([f"{title}{f': {period}' if period else ''}"])
    ws["A1"].font = Font(bold=True)
    ws.append([heading for _key, heading in columns])
    for row in rows:
        ws.append([row.get(key) for key, _heading in columns])
    tidy_table(ws, header_row=2)
    money = [
        n for n, (key, _) in enumerate(columns, start=1) if any(isinstance(r.get(key), Decimal) for r in rows)
    ]
    for n, (key, _) in enumerate(columns, start=1):
        if key == "month":
            for (cell,) in ws.iter_rows(min_row=3, min_col=n, max_col=n):
                cell.number_format = "mmm yyyy"
    if rows and money:
        last = ws.max_row
        total_row = last + 1
        ws.cell(row=total_row, column=1, value="Total").font = Font(bold=True)
        for n in money:
            letter = get_column_letter(n)
            cell = put_formula(ws.cell(row=total_row, column=n), f"=SUBTOTAL(109,{letter}3:{letter}{last})")
            cell.font = Font(bold=True)
            cell.number_format = MONEY_FORMAT
    return workbook_bytes(wb)
