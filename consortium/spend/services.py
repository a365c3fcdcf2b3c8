"""Importing a member's accounts-payable spend file (.xlsx or CSV): all rows or none."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from consortium.audit.services import audit_record
from consortium.catalogue.constants import Category
from consortium.contracts.selectors import usable_by
from consortium.core.dates import parse_date
from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.constants import OrganisationKind
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission
from consortium.spend.models import SpendFile, SpendLine

COLUMNS = ("supplier", "date", "amount", "description")
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
_SUFFIXES = re.compile(r"\b(ltd|limited|plc|llp|co|company|group|uk)\b")
# Words in an invoice description that say which category off-contract spend falls in.
CATEGORY_WORDS = {
    Category.STATIONERY: ("paper", "stationery", "pens", "toner", "envelopes", "files"),
    Category.CLEANING: ("cleaning", "janitorial", "soap", "towels", "hygiene", "bin"),
    Category.ICT: ("laptop", "computer", "ict", "it ", "monitor", "software", "printer"),
    Category.FURNITURE: ("furniture", "chairs", "desks", "tables", "storage"),
    Category.CATERING: ("catering", "food", "milk", "bread", "kitchen", "meals"),
    Category.EDUCATION: ("books", "resources", "educational", "classroom"),
}


def normalise_name(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", name.lower())
    return " ".join(_SUFFIXES.sub(" ", words).split())


def guess_category(description: str) -> str:
    text = description.lower()
    for category, words in CATEGORY_WORDS.items():
        if any(w in text for w in words):
            return category
    return ""


def _rows_from(content: bytes, filename: str) -> tuple[list[tuple[str, list[Any]]], str]:
    """(place, [supplier, date, amount, description]) per data row; place is 'Spend!A2' or 'row 2'."""
    if filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed("Not UTF-8 text", field_errors={"file": "Save the CSV as UTF-8"}) from None
        reader = csv.reader(io.StringIO(text))
        header = [h.strip().lower() for h in next(reader, [])]
        rows = [(f"row {n}", r) for n, r in enumerate(reader, start=2)]
        return _ordered(header, rows, "CSV"), "csv"
    from consortium.core.files import open_workbook

    wb = open_workbook(content, title="Not a workbook", hint="Upload an .xlsx workbook or a .csv file")
    ws = wb.worksheets[0]
    raw = list(ws.iter_rows(max_col=8, max_row=MAX_ROWS + 1, values_only=True))
    header = [str(h or "").strip().lower() for h in (raw[0] if raw else [])]
    rows = [(f"{ws.title}!{{col}}{n}", list(r)) for n, r in enumerate(raw[1:], start=2)]
    return _ordered(header, rows, ws.title), "xlsx"


def _ordered(header: list[str], rows: list[tuple[str, list[Any]]], sheet: str) -> list[tuple[str, list[Any]]]:
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(
            "Missing columns",
            field_errors={
                "file": f"{sheet}: the first row needs the columns {', '.join(COLUMNS)} "
                f"(missing {', '.join(missing)})"
            },
        )
    index = [header.index(c) for c in COLUMNS]
    out = []
    for place, r in rows:
        if not any(v not in (None, "") for v in r):
            continue
        out.append((place, [r[i] if i < len(r) else None for i in index]))
    return out


def _place(place: str, column: str) -> str:
    letters = {"supplier": 0, "date": 1, "amount": 2, "description": 3}
    if "{col}" in place:
        return place.replace("{col}", "ABCD"[letters[column]])
    return f"{place}, {column}"


def spend_file_import(*, actor: Actor, content: bytes, filename: str) -> SpendFile:
    org = actor.organisation
    if org.is_supplier or org.is_consortium or not actor.has(Permission.SPEND_UPLOAD):
        raise PermissionDenied("A member's buyers and approvers upload its accounts-payable spend.")
    if len(content) > MAX_BYTES:
        raise ValidationFailed("Too large", field_errors={"file": "The file must be under 10 MB"})
    rows, _kind = _rows_from(content, filename)
    if len(rows) > MAX_ROWS:
        raise ValidationFailed("Too many rows", field_errors={"file": f"At most {MAX_ROWS:,} rows a file"})
    if not rows:
        raise ValidationFailed(
            "No rows", field_errors={"file": "The file has no spend rows under its header"}
        )
    errors: dict[str, str] = {}
    suppliers = {
        normalise_name(o.name): o for o in Organisation.objects.filter(kind=OrganisationKind.SUPPLIER)
    }
    on_contract = set(usable_by(org).values_list("lots__suppliers", flat=True))
    lines: list[SpendLine] = []
    for place, (supplier, date, amount, description) in rows:
        name = str(supplier or "").strip()
        if not name:
            errors[_place(place, "supplier")] = "Enter the supplier's name"
        if isinstance(date, dt.datetime):
            date = date.date()
        if not isinstance(date, dt.date):
            try:
                date = parse_date(
                    str(date or "").strip()[:10] if "-" in str(date or "")[:5] else str(date or "")
                )
            except ValueError:
                try:
                    date = dt.datetime.strptime(str(date or "").strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date, no time
                except ValueError:
                    errors[_place(place, "date")] = "Enter the date as YYYY-MM-DD or DD/MM/YYYY"
                    continue
        try:
            money = Decimal(str(amount).replace("£", "").replace(",", "").strip())
            if not money.is_finite() or abs(money) >= Decimal("1e12"):
                raise InvalidOperation
            money = money.quantize(Decimal("0.01"))
        except InvalidOperation:
            errors[_place(place, "amount")] = f"Enter the amount in pounds (got {amount!r})"
            continue
        if name:
            matched = suppliers.get(normalise_name(name))
            text = str(description or "")[:300]
            lines.append(
                SpendLine(
                    organisation=org,
                    supplier_name=name[:200],
                    matched_supplier=matched,
                    paid_on=date,
                    amount=money,
                    description=text,
                    on_contract=bool(matched and matched.pk in on_contract),
                    category=guess_category(text),
                )
            )
    if errors:
        shown = dict(list(errors.items())[:50])
        if len(errors) > 50:
            shown["file"] = f"…and {len(errors) - 50} more problems"
        raise ValidationFailed(
            f"{len(errors)} problem(s) in the file; nothing was stored", field_errors=shown
        )
    with transaction.atomic():
        spend_file = SpendFile.objects.create(
            organisation=org, uploaded_by=actor.person, filename=filename[:200], rows=len(lines)
        )
        for line in lines:
            line.spend_file = spend_file
        SpendLine.objects.bulk_create(lines, batch_size=2000)
        audit_record(
            actor=actor,
            action="spend_file.import",
            obj=spend_file,
            organisation=org,
            changes={"rows": len(lines), "filename": filename},
        )
    return spend_file
