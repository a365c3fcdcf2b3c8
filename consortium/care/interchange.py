"""The common template's JSON form (and rates as CSV), read without a database, for scripts
and the CLI — checked exactly as the API checks it.

Needs (About Client): the API's `NeedsIn`, e.g.
    {"client_reference": "1234", "level": "Moderate", "weekly_budget": "700.00",
     "accommodation_type": "own_bedroom_shared_living", "daytime_hours": 50, "daytime_ratio": 3, ...}
Menu (Home Fees): the API's menu items, with the home's name instead of its id:
    {"home_name": "Cherrytrees", "provider_name": "Cherrytrees Care Ltd", "highest_level": "High",
     "effective_from": "2026-04-01",
     "items": [{"element": "daytime_shared_support", "unit_price": "3.14", "ratio": 3}, ...]}
Rates (for benchmarks): a JSON list of {"element", "unit_price", "ratio", "grade", "provider"},
or a CSV file with those columns (comma or semicolon separated, with or without Excel's BOM).

Every problem is reported with the file, the row where there are rows, and the field; unknown
or misspelt fields are refused, never ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ninja import Field
from pydantic import ValidationError

from consortium.care import costing
from consortium.care.constants import DEFAULT_CARE_LEVELS, ELEMENT_RULES, Element, Grade
from consortium.care.schemas import MenuItemSchema, NeedsIn
from consortium.core.errors import ValidationFailed
from consortium.core.schemas import StrictIn

LEVEL_RANKS = {name.lower(): (rank, name) for rank, name, _ in DEFAULT_CARE_LEVELS}
MAX_FILE_BYTES = 20 * 1024 * 1024


class InterchangeError(ValueError):
    pass


class MenuFileIn(StrictIn):
    home_name: str = Field(..., min_length=1, max_length=200)
    provider_name: str = Field("", max_length=200)
    highest_level: str = Field(..., max_length=50)
    effective_from: dt.date | None = None
    items: list[MenuItemSchema] = Field(..., min_length=1, max_length=100)


class RateIn(StrictIn):
    element: Element
    unit_price: Decimal = Field(..., ge=0, lt=100000, decimal_places=4)
    ratio: int | None = Field(None, ge=1, le=20)
    grade: Grade | None = None
    provider: str = Field("", max_length=200)


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(whole file)"


def _problems(path: Path, error: ValidationError, *, row: int | None = None) -> list[str]:
    prefix = f"{path}: " + (f"row {row}: " if row is not None else "")
    return [f"{prefix}{_where(tuple(e['loc']))}: {e['msg']}" for e in error.errors()]


def _fail(problems: list[str]) -> None:
    if problems:
        shown = problems[:50] + ([f"…and {len(problems) - 50} more problems"] if len(problems) > 50 else [])
        raise InterchangeError("\n".join(shown))


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InterchangeError(f"{path}: the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark.
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InterchangeError(f"{path}: the file is not UTF-8 text (save it as CSV UTF-8 or JSON)") from None
    except OSError as e:
        raise InterchangeError(f"{path}: cannot be read ({e.strerror or e})") from None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as e:
        raise InterchangeError(
            f"{path}: line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})"
        ) from None


def _level(name: Any, where: str) -> tuple[int, str]:
    try:
        return LEVEL_RANKS[str(name).strip().lower()]
    except KeyError:
        raise InterchangeError(f"{where}: level must be one of Low, Moderate, High (got {name!r})") from None


def read_needs(path: Path) -> costing.ClientNeeds:
    """About Client from a JSON file, checked by the API's NeedsIn and the service's own rules."""
    from consortium.care.models import CareLevel
    from consortium.care.services import _clean_assessment

    data = _read_json(path)
    if not isinstance(data, dict):
        raise InterchangeError(f"{path}: expected a JSON object of About Client fields")
    try:
        needs = NeedsIn.model_validate(data)
    except ValidationError as e:
        _fail(_problems(path, e))
        raise  # unreachable: _fail raised
    rank, name = _level(needs.level, f"{path}: level")
    values = needs.model_dump()
    try:
        cleaned = _clean_assessment({**values, "level": CareLevel(rank=rank, name=name)})
    except ValidationFailed as e:
        _fail([f"{path}: {field}: {message}" for field, message in e.field_errors.items()])
        raise
    return costing.ClientNeeds(rank, name, needs.weekly_budget, costing.needs_from_assessment(cleaned))


def read_menu(path: Path) -> costing.Menu:
    """Home Fees from a JSON file, checked by the API's menu item schema and the service's rules."""
    from consortium.care.services import MenuItemInput, _clean_items

    data = _read_json(path)
    if not isinstance(data, dict):
        raise InterchangeError(f"{path}: expected a JSON object with home_name, highest_level and items")
    try:
        menu = MenuFileIn.model_validate(data)
    except ValidationError as e:
        _fail(_problems(path, e))
        raise
    rank, name = _level(menu.highest_level, f"{path}: highest_level")
    try:
        items = _clean_items(
            [MenuItemInput(i.element, i.unit_price, i.ratio, i.grade or "") for i in menu.items]
        )
    except ValidationFailed as e:
        _fail([f"{path}: {field}: {message}" for field, message in e.field_errors.items()])
        raise
    prices = tuple(costing.MenuPrice(i.element, i.unit_price, i.ratio, i.grade or None) for i in items)
    return costing.Menu(str(path), menu.home_name, menu.provider_name, rank, name, prices)


def _csv_rows(path: Path, text: str) -> list[dict[str, Any]]:
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for row in reader:
        if None in row:
            raise InterchangeError(f"{path}: row {reader.line_num}: more cells than column headings")
        # Empty cells are absent values, as in the API.
        rows.append({(k or "").strip(): (v.strip() or None) for k, v in row.items() if v is not None})
    return rows


def read_rates(path: Path) -> list[dict[str, Any]]:
    """Commissioned rates from JSON or CSV, each row checked; problems name the row (the
    spreadsheet's row number for CSV, counting the headings as row 1)."""
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(path, _read_text(path))
        first_row = 2
    else:
        rows = _read_json(path)
        first_row = 1
        if not isinstance(rows, list):
            raise InterchangeError(f"{path}: expected a JSON list of rates")
    problems: list[str] = []
    out: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=first_row):
        if not isinstance(row, dict):
            problems.append(f"{path}: row {n}: expected an object with element and unit_price")
            continue
        try:
            rate = RateIn.model_validate(row)
        except ValidationError as e:
            problems.extend(_problems(path, e, row=n))
            continue
        rule = ELEMENT_RULES[rate.element]
        if rule.has_ratio and rate.ratio is None:
            problems.append(
                f"{path}: row {n}: ratio: {rate.element} is priced at a carer:client ratio: give it"
            )
        if not rule.has_ratio and rate.ratio is not None:
            problems.append(f"{path}: row {n}: ratio: {rate.element} has no carer:client ratio")
        if rule.has_grade and rate.grade is None:
            problems.append(f"{path}: row {n}: grade: {rate.element} is priced per grade: give it")
        if not rule.has_grade and rate.grade is not None:
            problems.append(f"{path}: row {n}: grade: {rate.element} has no carer grade")
        out.append(rate.model_dump())
    if not rows:
        problems.append(f"{path}: no rates in the file")
    _fail(problems)
    return out


def _price(value: Decimal) -> str:
    """Pennies, or up to 4 places where ratio scaling left a fraction of a penny."""
    exact = value.quantize(Decimal("0.0001"))
    return f"{exact:.2f}" if exact == exact.quantize(Decimal("0.01")) else f"{exact.normalize():f}"


def quote_as_json(quote: costing.Quote) -> dict[str, Any]:
    return {
        "home_name": quote.menu.home_name,
        "provider_name": quote.menu.provider_name,
        "offered": quote.offered,
        "reason": quote.reason,
        "complete": quote.complete,
        "missing": list(quote.missing),
        "total": str(quote.total),
        "budget_status": quote.budget_status,
        "lines": [
            {
                "element": line.element,
                "quantity": str(line.quantity),
                "unit_price": _price(line.unit_price),
                "quoted_ratio": line.quoted_ratio,
                "needed_ratio": line.needed_ratio,
                "grade": line.grade,
                "is_estimate": line.is_estimate,
                "total": str(line.total),
            }
            for line in quote.lines
        ],
    }
