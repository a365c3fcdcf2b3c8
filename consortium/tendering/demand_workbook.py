"""The demand return as a workbook: downloaded with one row per lot (and what the member said
before), filled in, uploaded back. Every bad cell is named by sheet, row and column, and a
bad file stores nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from consortium.core.dates import parse_date
from consortium.core.errors import ValidationFailed
from consortium.core.files import DATE_FORMAT, MONEY_FORMAT, fill_in, open_workbook, workbook_bytes
from consortium.core.money import parse_pounds
from consortium.tendering.models import DemandReturn, Project
from consortium.tendering.services import DemandIn

SHEET = "Demand"
COLUMNS = [
    "Lot",
    "Lot title",
    "Estimated quantity",
    "Annual value (£ ex VAT)",
    "Needed from (date)",
    "Will use (yes/no)",
]
MAX_BYTES = 2 * 1024 * 1024


def template(project: Project, previous: dict[int, DemandReturn]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(COLUMNS)
    for lot in project.lots.all():
        d = previous.get(lot.pk)
        ws.append(
            [
                lot.number,
                lot.title,
                d.estimated_quantity if d else None,
                float(d.annual_value) if d and d.annual_value is not None else None,
                d.needed_from if d else None,
                ("yes" if d.will_use else "no") if d else None,
            ]
        )
    for i, width in enumerate([6, 40, 18, 22, 24, 16], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in row:
            cell.number_format = MONEY_FORMAT if cell.column == 4 else DATE_FORMAT
    last = max(ws.max_row, 2)
    fill_in(
        ws,
        columns=[3, 4, 5],
        first_row=2,
        last_row=last,
        validation=DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        ),
    )
    will_use = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    fill_in(ws, columns=[6], first_row=2, last_row=last, validation=will_use)
    notes = wb.create_sheet("About")
    notes.append([f"{project.reference} {project.title}"])
    notes.append(
        [
            "Give an estimated quantity or an annual value (or both) for each lot you need; leave a lot's row empty if you do not need it."
        ]
    )
    notes.append(
        [
            f"Unit for quantities: see each lot. Demand closes {project.demand_closes_on or 'when the category manager closes it'}."
        ]
    )
    return workbook_bytes(wb)


def read(content: bytes) -> tuple[list[DemandIn], list[str]]:
    """Rows to record (and where each came from), or ValidationFailed naming every bad cell."""
    if len(content) > MAX_BYTES:
        raise ValidationFailed(
            "The file is too large", field_errors={"file": "Upload a file of 2 MB or less"}
        )
    wb = open_workbook(
        content, title="That is not a workbook", hint="Upload the .xlsx demand return you downloaded"
    )
    if SHEET not in wb.sheetnames:
        raise ValidationFailed(
            "No Demand sheet", field_errors={"file": f"The workbook needs its “{SHEET}” sheet"}
        )
    rows, where, errors = [], [], {}
    for r, values in enumerate(wb[SHEET].iter_rows(min_row=2, values_only=True), start=2):
        cells = list(values) + [None] * 6
        lot, _title, quantity, value, needed, will_use = cells[:6]
        if all(c in (None, "") for c in (quantity, value, needed, will_use)):
            continue
        at = f"{SHEET}!row {r}"

        def bad(column: int, message: str, at: str = at, r: int = r) -> None:
            letter = get_column_letter(column)
            errors[f"{at} column {letter}"] = (
                f"Sheet {SHEET}, row {r}, column {letter} ({COLUMNS[column - 1]}): {message}"
            )

        try:
            lot_number = int(str(lot).strip())
        except (TypeError, ValueError):
            bad(1, "give the lot number")
            continue
        qty = None
        if quantity not in (None, ""):
            try:
                qty = int(Decimal(str(quantity)))
                if qty < 0 or Decimal(str(quantity)) != qty:
                    raise ValueError
            except (ArithmeticError, ValueError):
                bad(3, "enter a whole number of 0 or more")
        annual: Decimal | None = None
        if value not in (None, ""):
            try:
                annual = parse_pounds(value, maximum=Decimal(10**11))
            except ValueError as e:
                bad(4, str(e))
        if (
            qty is None
            and annual is None
            and f"{at} column C" not in errors
            and f"{at} column D" not in errors
        ):
            bad(4, "give an estimated quantity or an annual value")
        day: dt.date | None = None
        if isinstance(needed, dt.datetime):
            day = needed.date()
        elif isinstance(needed, dt.date):
            day = needed
        else:
            try:
                day = parse_date(str(needed))
            except ValueError:
                bad(5, "enter a date as YYYY-MM-DD")
        answer = str(will_use or "").strip().lower()
        if answer not in ("yes", "no", "y", "n", "true", "false"):
            bad(6, "enter yes or no")
        if day is not None:
            rows.append(DemandIn(lot_number, day, qty, annual, answer in ("yes", "y", "true")))
            where.append(f"Sheet {SHEET}, row {r}: ")
    if errors:
        raise ValidationFailed(
            f"{len(errors)} cells need correcting; nothing was stored", field_errors=errors
        )
    if not rows:
        raise ValidationFailed("The return is empty", field_errors={"file": "Fill in at least one lot's row"})
    return rows, where
