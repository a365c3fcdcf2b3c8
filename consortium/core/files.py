"""Files we write and files we are sent: one place for what keeps them from attacking their reader.

Written files. A spreadsheet runs a cell that starts with = (and, pasted or
imported from CSV, + - @ or a tab or carriage return before them) as a formula:
a supplier's item name or a home's name could then fetch a URL or run a command
on the reader's machine. Every CSV and .xlsx the product writes goes through
`csv_text` / `workbook_bytes`, which turn such text into plain text by putting an
apostrophe before it. Our own formulas (the care case workbook recalculates
offline) are written with `put_formula` and are the only formulas left standing.

Uploaded workbooks. An .xlsx is a zip: a few kilobytes can unpack to gigabytes,
or to millions of cells, and take a worker's memory. `open_workbook` checks the
zip's directory (entries, uncompressed size, ratio) before openpyxl reads it, and
the sheets' size after, refusing with a message naming the file field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell

from consortium.core.errors import ValidationFailed

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "\n")

# Limits for an uploaded workbook: far above any real template, far below harm.
MAX_XLSX_ENTRIES = 200
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_XLSX_RATIO = 100  # uncompressed ÷ compressed, for archives unpacking past RATIO_CHECKED_FROM
RATIO_CHECKED_FROM = 10 * 1024 * 1024
MAX_XLSX_SHEETS = 50
MAX_XLSX_CELLS = 2_000_000


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made plain text; anything else as it is."""
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document with every text cell neutralised (numbers and dates stay as they are)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def timestamp(instant: dt.datetime) -> str:
    """The one timestamp format of our files: ISO 8601 in UK time, to the second, with offset."""
    return timezone.localtime(instant).isoformat(timespec="seconds")


def csv_response(text: str, filename: str) -> HttpResponse:
    """A CSV download as spreadsheets expect it: UTF-8 with a byte-order mark (so Excel reads
    £ and accents right), a charset in the content type, and a file name."""
    response = HttpResponse(("\ufeff" + text).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


_TRUSTED_ATTR = "_consortium_trusted_formulas"


def put_formula(cell: Cell, formula: str) -> Cell:
    """Write one of our own formulas into a cell; `workbook_bytes` leaves these alone."""
    cell.value = formula
    workbook = cell.parent.parent
    trusted: set[tuple[str, str]] = getattr(workbook, _TRUSTED_ATTR, set())
    trusted.add((cell.parent.title, cell.coordinate))
    setattr(workbook, _TRUSTED_ATTR, trusted)
    return cell


MONEY_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"


def tidy_table(ws: Any, *, header_row: int = 1, money_columns: Sequence[int] = ()) -> None:
    """A sheet that reads like a table: the heading row bold and frozen, a filter on it, dates
    shown as dates, money (Decimal cells, and the `money_columns` given, 1-based) as £ with
    pence, and columns wide enough for what is in them (within reason)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=header_row):
        for cell in row:
            value = cell.value
            if cell.row == header_row:
                cell.font = Font(bold=True)
            elif isinstance(value, dt.datetime | dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, Decimal) or (
                cell.column in money_columns and isinstance(value, int | float)
            ):
                cell.number_format = MONEY_FORMAT
            text = value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value or "")
            widths[cell.column] = max(widths.get(cell.column, 8), min(len(text) + 2, 60))
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if ws.max_row > header_row and ws.max_column:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(ws.max_column)}{ws.max_row}"


def fill_in(
    ws: Any, *, columns: Sequence[int], first_row: int, last_row: int, validation: Any = None
) -> None:
    """Cells people fill: unlocked in an otherwise protected sheet (so the key columns the
    upload reads back cannot be changed by accident), with a data validation if given."""
    from openpyxl.styles import Protection
    from openpyxl.utils import get_column_letter

    for column in columns:
        for row in range(first_row, last_row + 1):
            ws.cell(row=row, column=column).protection = Protection(locked=False)
        if validation is not None and last_row >= first_row:
            validation.add(f"{get_column_letter(column)}{first_row}:{get_column_letter(column)}{last_row}")
    if validation is not None:
        ws.add_data_validation(validation)
    # No password: this guards against slips, not people; formatting and filters stay usable.
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes, every text cell neutralised except our own formulas."""
    trusted: set[tuple[str, str]] = getattr(wb, _TRUSTED_ATTR, set())
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or (ws.title, cell.coordinate) in trusted:
                    continue
                safe = neutralise(value)
                if safe is not value:
                    cell.value = safe
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def check_xlsx_archive(content: bytes, *, hint: str) -> None:
    """Refuse an upload whose zip directory promises more than a real workbook holds."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise ValidationFailed("The file is not an Excel workbook", field_errors={"file": hint}) from e
    if len(infos) > MAX_XLSX_ENTRIES:
        raise ValidationFailed(
            "The workbook has too many parts",
            field_errors={"file": f"The file holds {len(infos):,} parts; a workbook needs far fewer"},
        )
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    # Real workbooks compress 5 to 30 times; a bomb hundreds of times or more. Small ones cannot hurt.
    bomb = unpacked > RATIO_CHECKED_FROM and unpacked / packed > MAX_XLSX_RATIO
    if unpacked > MAX_XLSX_UNCOMPRESSED_BYTES or bomb:
        raise ValidationFailed(
            "The workbook is too large once unpacked",
            field_errors={
                "file": f"The file unpacks to {unpacked / 1024 / 1024:,.0f} MB; keep it under "
                f"{MAX_XLSX_UNCOMPRESSED_BYTES // 1024 // 1024} MB (remove unused sheets and formatting)"
            },
        )


def open_workbook(content: bytes, *, title: str, hint: str) -> Workbook:
    """The workbook in `content`, read-only with values, after the archive and size checks;
    else ValidationFailed(`title`) with `hint` against the file field."""
    check_xlsx_archive(content, hint=hint)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds on a file that is not a workbook
        raise ValidationFailed(title, field_errors={"file": hint}) from e
    if len(wb.sheetnames) > MAX_XLSX_SHEETS:
        raise ValidationFailed(
            "The workbook has too many sheets",
            field_errors={
                "file": f"The workbook has {len(wb.sheetnames)} sheets; use at most {MAX_XLSX_SHEETS}"
            },
        )
    cells = 0
    for ws in wb.worksheets:
        # The dimensions a sheet declares; a sheet that declares none is bounded by the unpacked size.
        rows, cols = ws.max_row or 0, ws.max_column or 0
        cells += rows * cols
    if cells > MAX_XLSX_CELLS:
        raise ValidationFailed(
            "The workbook has too many cells",
            field_errors={"file": f"The workbook spans {cells:,} cells; keep it under {MAX_XLSX_CELLS:,}"},
        )
    return wb


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def sniff_document(content: bytes) -> str | None:
    """A document's real type from its first bytes (never its name or the browser's word): PDF,
    PNG, JPEG, .xlsx, .docx, CSV or plain text; None for anything else."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "xl/workbook.xml" in names:
            return XLSX
        if "word/document.xml" in names:
            return DOCX
        return None
    if b"\x00" in content[:8192]:
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Text is letters, not control bytes (an executable's header is valid UTF-8 too).
    if any((ord(ch) < 32 and ch not in "\t\n\r\f") or ord(ch) == 127 for ch in text[:8192]):
        return None
    return "text/csv" if b"," in content[:4096] else "text/plain"
