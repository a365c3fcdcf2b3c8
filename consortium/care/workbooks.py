"""The common template as Excel workbooks: the Home Fees template and its import,
and one case's About Client / Home Fees / Home Negotiation workbook with live formulas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from consortium.care.constants import ELEMENT_RULES, Element, Grade, NegotiationStatus
from consortium.care.inputs import MenuItemInput
from consortium.core.dates import parse_date
from consortium.core.errors import ValidationFailed
from consortium.core.files import open_workbook, put_formula, workbook_bytes

MENU_SHEET = "Home Fees"
HEADER_ROW = 6
COLUMNS = ["Element code", "Element", "Unit", "Ratio (clients per carer)", "Grade", "Unit price (£)"]
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _template_rows() -> list[tuple[str, str, str, Any, str]]:
    rows: list[tuple[str, str, str, Any, str]] = []
    for element in Element:
        rule = ELEMENT_RULES[element]
        if rule.has_grade:
            for grade in Grade:
                rows.append((element.value, element.label, rule.unit.label, "", grade.value))
        elif rule.has_ratio:
            rows.append((element.value, element.label, rule.unit.label, 3, ""))
        else:
            rows.append((element.value, element.label, rule.unit.label, "", ""))
    return rows


def menu_template() -> bytes:
    """The Home Fees workbook a provider fills in: one home, one row per price."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = MENU_SHEET
    ws["A1"], ws["B1"] = "Home name", ""
    ws["A2"], ws["B2"] = "Highest level of care catered for (Low, Moderate or High)", ""
    ws["A3"], ws["B3"] = "Prices effective from (YYYY-MM-DD)", ""
    ws["A4"] = (
        "Fill in column F for each element you offer; leave it blank for those you do not. Add rows for other ratios."
    )
    for col, title in enumerate(COLUMNS, start=1):
        ws.cell(row=HEADER_ROW, column=col, value=title).font = Font(bold=True)
    for r, row in enumerate(_template_rows(), start=HEADER_ROW + 1):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    for letter, width in zip("ABCDEF", (38, 52, 14, 24, 14, 16), strict=True):
        ws.column_dimensions[letter].width = width
    return workbook_bytes(wb)


@dataclass(frozen=True)
class ParsedMenu:
    home_name: str
    highest_level: str
    effective_from: dt.date
    items: list[MenuItemInput]
    cells: list[dict[str, str]]  # the cell each item's fields came from, for error messages


def parse_menu_workbook(content: bytes) -> ParsedMenu:
    """Read a Home Fees workbook; every problem is reported by sheet and cell, nothing is stored."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            "The file is larger than 5 MB", field_errors={"file": "The file must be under 5 MB"}
        )
    wb = open_workbook(
        content, title="The file is not an Excel workbook", hint="Upload the .xlsx Home Fees template"
    )
    if MENU_SHEET not in wb.sheetnames:
        raise ValidationFailed(
            f"There is no sheet called {MENU_SHEET!r}",
            field_errors={"file": f"The workbook needs a sheet named {MENU_SHEET}"},
        )
    ws = wb[MENU_SHEET]
    rows = list(ws.iter_rows(min_row=1, max_row=2000, max_col=6, values_only=True))
    errors: dict[str, str] = {}

    def cell(row: int, col: int) -> Any:
        return rows[row - 1][col - 1] if row - 1 < len(rows) and col - 1 < len(rows[row - 1]) else None

    home_name = str(cell(1, 2) or "").strip()
    if not home_name:
        errors[f"{MENU_SHEET}!B1"] = "Enter the home's name"
    level = str(cell(2, 2) or "").strip()
    if not level:
        errors[f"{MENU_SHEET}!B2"] = "Enter the highest level of care: Low, Moderate or High"
    raw_date = cell(3, 2)
    effective_from = dt.date.min
    if isinstance(raw_date, dt.datetime):
        effective_from = raw_date.date()
    elif isinstance(raw_date, dt.date):
        effective_from = raw_date
    else:
        try:
            effective_from = parse_date(str(raw_date or ""))
        except ValueError:
            errors[f"{MENU_SHEET}!B3"] = "Enter the date prices take effect, as YYYY-MM-DD"
    items: list[MenuItemInput] = []
    cells: list[dict[str, str]] = []
    for r in range(HEADER_ROW + 1, len(rows) + 1):
        code, _name, _unit, ratio, grade, price = (cell(r, c) for c in range(1, 7))
        if price in (None, ""):
            continue
        if code not in ELEMENT_RULES:
            errors[f"{MENU_SHEET}!A{r}"] = f"Unknown element code {code!r}: keep the codes from the template"
            continue
        items.append(MenuItemInput(str(code), price, ratio, grade or ""))
        cells.append(
            {
                "element": f"{MENU_SHEET}!A{r}",
                "ratio": f"{MENU_SHEET}!D{r}",
                "grade": f"{MENU_SHEET}!E{r}",
                "unit_price": f"{MENU_SHEET}!F{r}",
            }
        )
    if not items and not errors:
        errors[f"{MENU_SHEET}!F{HEADER_ROW + 1}"] = "Enter at least one price in column F"
    if errors:
        raise ValidationFailed("The workbook has problems; nothing was stored", field_errors=errors)
    return ParsedMenu(home_name, level, effective_from, items, cells)


def case_workbook(negotiation: Any, benchmark_medians: dict[int, Any]) -> bytes:
    """About Client, Home Fees and Home Negotiation for one case, with live formulas."""
    assessment = negotiation.assessment
    home = negotiation.menu.home
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = "About Client"
    bold = Font(bold=True)
    lines = list(negotiation.lines.all())
    last = 7 + len(lines)
    # Once agreed (a price changed, or the client placed), the budget is checked against
    # what was agreed, not what the home first quoted.
    agreed = (
        negotiation.status == NegotiationStatus.PLACED or negotiation.agreed_total != negotiation.quoted_total
    )
    agreed_total = f"='Home Negotiation'!G{last + 1}"
    about_rows: list[tuple[str, Any]] = [
        ("Client reference", assessment.client_reference),
        ("Council", assessment.council.name),
        ("Level of care", assessment.level.name),
        ("Level description", assessment.level.description),
        (
            "Weekly budget (£)",
            float(assessment.weekly_budget) if assessment.weekly_budget is not None else None,
        ),
        ("Accommodation", assessment.get_accommodation_type_display()),
        ("Daytime shared support (hours a week, 15-hour day)", float(assessment.daytime_hours)),
        ("Daytime carer:client ratio", f"1:{assessment.daytime_ratio}" if assessment.daytime_ratio else ""),
        ("Night sleeping cover (nights a week, 9-hour night)", float(assessment.night_sleeping_nights)),
        ("Night waking cover (nights a week)", float(assessment.night_waking_nights)),
        ("One-to-one support (hours a week)", float(assessment.one_to_one_hours)),
        ("One-to-one carer grade", assessment.get_one_to_one_grade_display()),
        ("Specialist support (hours a week)", float(assessment.specialist_hours)),
        ("Life skills development (hours a week)", float(assessment.life_skills_hours)),
        (
            "Transition support (weeks; hours a week)",
            f"{assessment.transition_weeks}; {assessment.transition_hours}",
        ),
        ("Choice of home", home.name),
        (
            "Agreed total (£ a week)" if agreed else "Total for home (£ a week)",
            agreed_total if agreed else f"='Home Fees'!F{last + 1}",
        ),
        (
            "Budget status",
            '=IF(B5="","no budget set",IF(B17<=B5,"within budget","over by £"&TEXT(B17-B5,"0.00")))',
        ),
    ]
    formula_rows = {17, 18}  # the weekly total and the budget status
    for r, (label, value) in enumerate(about_rows, start=1):
        about.cell(row=r, column=1, value=label).font = bold
        if r in formula_rows:
            put_formula(about.cell(row=r, column=2), value)
        else:
            about.cell(row=r, column=2, value=value)
    about.column_dimensions["A"].width = 52
    about.column_dimensions["B"].width = 40

    fees = wb.create_sheet("Home Fees")
    fees["A1"], fees["B1"] = home.name, home.provider.name
    fees["A2"], fees["B2"] = (
        "Client reference / level",
        f"{assessment.client_reference} / {assessment.level.name}",
    )
    fees["A3"], fees["B3"] = "Caters for up to", negotiation.menu.highest_level.name
    headers = [
        "Element",
        "Ratio / grade",
        "Unit price (£)",
        "Quantity a week",
        "Estimate",
        "Cost a week (£)",
        "Benchmark median (£)",
    ]
    for c, h in enumerate(headers, start=1):
        fees.cell(row=7, column=c, value=h).font = bold
    neg = wb.create_sheet("Home Negotiation")
    neg_headers = [
        "Element",
        "Quoted unit (£)",
        "Quoted quantity",
        "Quoted cost (£)",
        "Agreed unit (£)",
        "Agreed quantity",
        "Agreed cost (£)",
        "Note",
    ]
    for c, h in enumerate(neg_headers, start=1):
        neg.cell(row=7, column=c, value=h).font = bold
    for r, line in enumerate(lines, start=8):
        detail = f"1:{line.ratio}" if line.ratio else line.grade
        fees.cell(row=r, column=1, value=line.get_element_display())
        fees.cell(row=r, column=2, value=detail)
        fees.cell(row=r, column=3, value=float(line.quoted_unit_price))
        fees.cell(row=r, column=4, value=float(line.quantity))
        fees.cell(row=r, column=5, value="estimate" if line.is_estimate else "")
        put_formula(fees.cell(row=r, column=6), f"=ROUND(C{r}*D{r},2)")
        median = benchmark_medians.get(line.pk)
        fees.cell(row=r, column=7, value=float(median) if median is not None else "not enough data")
        neg.cell(row=r, column=1, value=line.get_element_display())
        put_formula(neg.cell(row=r, column=2), f"='Home Fees'!C{r}")
        put_formula(neg.cell(row=r, column=3), f"='Home Fees'!D{r}")
        put_formula(neg.cell(row=r, column=4), f"='Home Fees'!F{r}")
        neg.cell(row=r, column=5, value=float(line.agreed_unit_price))
        neg.cell(row=r, column=6, value=float(line.agreed_quantity))
        put_formula(neg.cell(row=r, column=7), f"=ROUND(E{r}*F{r},2)")
        neg.cell(row=r, column=8, value=line.note)
    total_row = last + 1
    fees.cell(row=total_row, column=1, value="Total per week").font = bold
    put_formula(fees.cell(row=total_row, column=6), f"=SUM(F8:F{last})").font = bold
    neg.cell(row=total_row, column=1, value="Total per week").font = bold
    put_formula(neg.cell(row=total_row, column=4), f"=SUM(D8:D{last})").font = bold
    put_formula(neg.cell(row=total_row, column=7), f"=SUM(G8:G{last})").font = bold
    neg.cell(row=total_row + 1, column=1, value="Weekly saving (£)").font = bold
    put_formula(neg.cell(row=total_row + 1, column=7), f"=D{total_row}-G{total_row}")
    neg.cell(row=total_row + 2, column=1, value="Weeks a year").font = bold
    from django.conf import settings

    neg.cell(row=total_row + 2, column=7, value=settings.CARE_WEEKS_PER_YEAR)
    neg.cell(row=total_row + 3, column=1, value="Annual saving (£)").font = bold
    put_formula(neg.cell(row=total_row + 3, column=7), f"=G{total_row + 1}*G{total_row + 2}")
    for sheet in (fees, neg):
        sheet.column_dimensions["A"].width = 48
        for col in "BCDEFGH":
            sheet.column_dimensions[col].width = 18
    put_formula(about["B17"], agreed_total if agreed else f"='Home Fees'!F{total_row}")
    return workbook_bytes(wb)
