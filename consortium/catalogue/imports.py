"""A supplier's catalogue as a spreadsheet: the template to download, and the upload that
adds new items, updates the rest and sends changed prices to the category manager.
Every bad cell is reported by sheet, row and column; a file with any error stores nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from consortium.audit.services import audit_record
from consortium.catalogue.models import CatalogueItem, PriceChange, PriceHistory
from consortium.catalogue.services import clean_item
from consortium.contracts.models import Lot
from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.core.files import open_workbook, workbook_bytes
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission

SHEET = "Catalogue"
COLUMNS = [
    "lot",
    "supplier_code",
    "name",
    "description",
    "category",
    "unit_of_measure",
    "pack_size",
    "unit_price",
    "vat_rate",
    "minimum_order",
    "lead_time_days",
    "eco_label",
    "sustainability_marks",
    "valid_from",
    "valid_to",
    "product_group",
    "variant_label",
]
# The columns a file must have; the variant columns may be left out.
REQUIRED = COLUMNS[:15]
HINTS = [
    "CBC-0101/1 (contract/lot)",
    "your code",
    "name",
    "",
    "stationery, cleaning, ict, furniture, catering, education",
    "each, box, pack…",
    "1",
    "12.50 (£ ex VAT)",
    "0, 5 or 20",
    "1",
    "3 (working days)",
    "yes / no",
    "FSC, EU Ecolabel",
    "YYYY-MM-DD",
    "YYYY-MM-DD or blank",
    "your code for the product its variants share, or blank",
    "Blue, box of 50… or blank",
]
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000


def template(actor: Actor) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    for c, (name, hint) in enumerate(zip(COLUMNS, HINTS, strict=True), start=1):
        ws.cell(row=1, column=c, value=name).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = max(14, len(hint) + 2)
    for r, item in enumerate(
        CatalogueItem.objects.filter(supplier=actor.organisation)
        .select_related("lot__contract")
        .order_by("supplier_code")[:MAX_ROWS],
        start=2,
    ):
        values = [
            f"{item.lot.contract.reference}/{item.lot.number}",
            item.supplier_code,
            item.name,
            item.description,
            item.category,
            item.unit_of_measure,
            item.pack_size,
            float(item.unit_price),
            float(item.vat_rate),
            item.minimum_order,
            item.lead_time_days,
            "yes" if item.eco_label else "no",
            item.sustainability_marks,
            item.valid_from.isoformat(),
            item.valid_to.isoformat() if item.valid_to else "",
        ]
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    return workbook_bytes(wb)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    price_changes: int


def _rows(content: bytes, filename: str) -> list[tuple[int, dict[str, Any]]]:
    if filename.lower().endswith(".csv"):
        try:
            reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        except UnicodeDecodeError:
            raise ValidationFailed("Not UTF-8", field_errors={"file": "Save the CSV as UTF-8"}) from None
        header = [h.strip() for h in reader.fieldnames or []]
        _check_header(header, "CSV")
        return [(n, {k.strip(): v for k, v in row.items() if k}) for n, row in enumerate(reader, start=2)]
    wb = open_workbook(content, title="Not a workbook", hint="Upload the .xlsx catalogue template or a .csv")
    if SHEET not in wb.sheetnames:
        raise ValidationFailed(
            "No Catalogue sheet", field_errors={"file": f"The workbook needs a sheet named {SHEET}"}
        )
    raw = list(wb[SHEET].iter_rows(max_col=len(COLUMNS) + 5, max_row=MAX_ROWS + 1, values_only=True))
    header = [str(h or "").strip() for h in (raw[0] if raw else [])]
    _check_header(header, SHEET)
    return [(n, dict(zip(header, row, strict=False))) for n, row in enumerate(raw[1:], start=2)]


def _check_header(header: list[str], where: str) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(
            "Columns missing", field_errors={"file": f"{where} row 1 lacks: {', '.join(missing)}"}
        )


def catalogue_import(*, actor: Actor, content: bytes, filename: str) -> ImportResult:
    if not (actor.has(Permission.CATALOGUE_KEEP) and actor.organisation.is_supplier):
        raise PermissionDenied("Only a supplier uploads its catalogue.")
    if len(content) > MAX_BYTES:
        raise ValidationFailed("Too large", field_errors={"file": "The file must be under 10 MB"})
    rows = [(n, r) for n, r in _rows(content, filename) if any(v not in (None, "") for v in r.values())]
    if not rows:
        raise ValidationFailed("No rows", field_errors={"file": "The file has no items under its header"})
    lots = {
        f"{lot.contract.reference}/{lot.number}": lot
        for lot in Lot.objects.filter(suppliers=actor.organisation).select_related("contract")
    }
    existing = {i.supplier_code: i for i in CatalogueItem.objects.filter(supplier=actor.organisation)}
    csv_file = filename.lower().endswith(".csv")

    def place(row: int, column: str) -> str:
        if csv_file:
            return f"row {row}, {column}"
        return f"{SHEET}!{get_column_letter(COLUMNS.index(column) + 1)}{row}"

    errors: dict[str, str] = {}
    cleaned_rows: list[tuple[Lot, dict[str, Any]]] = []
    seen: set[str] = set()
    for n, row in rows:
        lot = lots.get(str(row.get("lot") or "").strip())
        if lot is None:
            errors[place(n, "lot")] = (
                f"Enter a contract/lot you are awarded: {', '.join(sorted(lots)) or 'none'}"
            )
        cleaned, row_errors = clean_item(row)
        for field, message in row_errors.items():
            errors[place(n, field)] = message
        code = cleaned.get("supplier_code", "")
        if code in seen:
            errors[place(n, "supplier_code")] = "This code appears twice in the file"
        seen.add(code)
        if lot is not None and not row_errors:
            cleaned_rows.append((lot, cleaned))
    if errors:
        shown = dict(list(errors.items())[:100])
        if len(errors) > 100:
            shown["file"] = f"…and {len(errors) - 100} more problems"
        raise ValidationFailed(
            f"{len(errors)} problem(s) in the file; nothing was stored", field_errors=shown
        )
    created = updated = changes = 0
    with transaction.atomic():
        for lot, values in cleaned_rows:
            item = existing.get(values["supplier_code"])
            if item is None:
                item = CatalogueItem(supplier=actor.organisation, lot=lot, **values)
                item.save()
                PriceHistory.objects.create(
                    item=item, unit_price=item.unit_price, effective_at=timezone.now()
                )
                created += 1
                continue
            new_price = values.pop("unit_price")
            values.pop("baseline_price", None)  # the consortium's figure, not the supplier's
            for field, value in values.items():
                setattr(item, field, value)
            item.lot = lot
            item.save()
            updated += 1
            if new_price != item.unit_price:
                PriceChange.objects.filter(item=item, status="pending").update(
                    status="rejected", reason="Replaced by a newer upload"
                )
                PriceChange.objects.create(
                    item=item, old_price=item.unit_price, new_price=new_price, requested_by=actor.person
                )
                changes += 1
        audit_record(
            actor=actor,
            action="catalogue.import",
            obj=actor.organisation,
            organisation=actor.organisation,
            changes={"filename": filename, "created": created, "updated": updated, "price_changes": changes},
        )
    return ImportResult(created, updated, changes)
