"""Opening an uploaded .xlsx: one refusal, naming the file field, for whatever is not a workbook."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from consortium.core.errors import ValidationFailed


def open_workbook(content: bytes, *, title: str, hint: str) -> Workbook:
    """The workbook in `content`, read-only with values; else ValidationFailed(`title`) with
    `hint` against the file field."""
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds on a file that is not a workbook
        raise ValidationFailed(title, field_errors={"file": hint}) from e
