"""The common template's JSON form, read without a database (for scripts and the CLI).

Needs (About Client): the fields of `NeedsIn` in the API, e.g.
    {"client_reference": "1234", "level": "Moderate", "weekly_budget": "700.00",
     "accommodation_type": "own_bedroom_shared_living", "daytime_hours": 50, "daytime_ratio": 3, ...}
Menu (Home Fees):
    {"home_name": "Cherrytrees", "provider_name": "Cherrytrees Care Ltd", "highest_level": "High",
     "items": [{"element": "daytime_shared_support", "unit_price": "3.14", "ratio": 3}, ...]}
Rates (for benchmarks): a JSON list of {"element", "unit_price", "ratio", "grade", "provider"},
or a CSV file with those columns.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from consortium.care import costing
from consortium.care.constants import DEFAULT_CARE_LEVELS, ELEMENT_RULES

LEVEL_RANKS = {name.lower(): (rank, name) for rank, name, _ in DEFAULT_CARE_LEVELS}


class InterchangeError(ValueError):
    pass


def _level(name: Any, where: str) -> tuple[int, str]:
    try:
        return LEVEL_RANKS[str(name).strip().lower()]
    except KeyError:
        raise InterchangeError(f"{where}: level must be one of Low, Moderate, High (got {name!r})") from None


def read_needs(path: Path) -> costing.ClientNeeds:
    data = json.loads(path.read_text())
    rank, name = _level(data.get("level"), f"{path}: level")
    budget = data.get("weekly_budget")
    return costing.ClientNeeds(
        rank,
        name,
        Decimal(str(budget)) if budget not in (None, "") else None,
        costing.needs_from_assessment(data),
    )


def read_menu(path: Path) -> costing.Menu:
    data = json.loads(path.read_text())
    rank, name = _level(data.get("highest_level"), f"{path}: highest_level")
    prices = []
    for i, item in enumerate(data.get("items") or []):
        if item.get("element") not in ELEMENT_RULES:
            raise InterchangeError(f"{path}: items[{i}].element: unknown element {item.get('element')!r}")
        prices.append(
            costing.MenuPrice(
                item["element"], Decimal(str(item["unit_price"])), item.get("ratio"), item.get("grade")
            )
        )
    return costing.Menu(
        str(path),
        str(data.get("home_name", path.stem)),
        str(data.get("provider_name", "")),
        rank,
        name,
        tuple(prices),
    )


def read_rates(path: Path) -> list[dict[str, Any]]:
    text = path.read_text()
    rows = list(csv.DictReader(io.StringIO(text))) if path.suffix.lower() == ".csv" else json.loads(text)
    for i, row in enumerate(rows):
        if row.get("element") not in ELEMENT_RULES:
            raise InterchangeError(f"{path}: row {i + 1}: unknown element {row.get('element')!r}")
    return rows


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
