"""Opening an uploaded .xlsx: see `consortium.core.files` (checked before it is parsed)."""

from __future__ import annotations

from consortium.core.files import open_workbook

__all__ = ["open_workbook"]
