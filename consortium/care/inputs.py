"""The typed values care's services take (built by the API, the pages, the workbook reader
and the interchange CLI from their own input)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MenuItemInput:
    element: str
    unit_price: Any
    ratio: Any = None
    grade: Any = ""


@dataclass(frozen=True)
class AgreedInput:
    line_id: int
    agreed_unit_price: Any
    agreed_quantity: Any
    note: str = ""
