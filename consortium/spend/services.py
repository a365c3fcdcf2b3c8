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
# Optional columns: how the member's finance system identifies the supplier, when it does.
ID_COLUMNS = ("company_number", "vat_number")
# A name this similar (0-100, word order ignored) to one of our suppliers' is suggested to the
# member to confirm; it is never counted as that supplier until they do.
FUZZY_THRESHOLD = 85
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
    index = [header.index(c) if c in header else None for c in (*COLUMNS, *ID_COLUMNS)]
    out = []
    for place, r in rows:
        if not any(v not in (None, "") for v in r):
            continue
        out.append((place, [r[i] if i is not None and i < len(r) else None for i in index]))
    return out


def company_key(value: Any) -> str:
    """A Companies House number as it is registered: eight characters, digits zero-padded."""
    text = re.sub(r"[^0-9A-Z]", "", str(value or "").upper())
    return text.zfill(8) if text.isdigit() else text


def vat_key(value: Any) -> str:
    return re.sub(r"[^0-9A-Z]", "", str(value or "").upper()).removeprefix("GB")


class SupplierMatcher:
    """Which of our suppliers a spend line paid: by Companies House number, then VAT number,
    then a name the member confirmed before, then the same name; otherwise the most similar
    name is suggested (never counted) for the member to confirm once."""

    def __init__(self, organisation: Organisation) -> None:
        from consortium.spend.models import SupplierAlias

        suppliers = list(Organisation.objects.filter(kind=OrganisationKind.SUPPLIER))
        self.by_id = {s.pk: s for s in suppliers}
        self.by_company = {company_key(s.identifier): s for s in suppliers if s.identifier}
        self.by_vat = {vat_key(s.vat_number): s for s in suppliers if s.vat_number}
        self.by_name = {normalise_name(s.name): s for s in suppliers}
        self.names = {s.pk: normalise_name(s.name) for s in suppliers}
        self.aliases = {a.name_key: a for a in SupplierAlias.objects.filter(organisation=organisation)}
        self._similar: dict[str, tuple[Organisation | None, int | None]] = {}

    def match(self, name: str, company: Any = "", vat: Any = "") -> tuple[Organisation | None, str]:
        if company and (found := self.by_company.get(company_key(company))):
            return found, "companies_house"
        if vat and (found := self.by_vat.get(vat_key(vat))):
            return found, "vat_number"
        key = normalise_name(name)
        alias = self.aliases.get(key)
        if alias is not None and alias.supplier_id:
            return self.by_id.get(alias.supplier_id), "confirmed"
        if (found := self.by_name.get(key)) is not None:
            return found, "name"
        return None, ""

    def suggest(self, name: str) -> tuple[Organisation | None, int | None]:
        from rapidfuzz import fuzz, process

        key = normalise_name(name)
        if key not in self._similar:
            best = process.extractOne(
                key, self.names, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_THRESHOLD
            )
            alias = self.aliases.get(key)
            if best is None or (alias is not None and alias.rejected_supplier_id == best[2]):
                self._similar[key] = (None, None)
            else:
                self._similar[key] = (self.by_id[best[2]], round(best[1]))
        return self._similar[key]


def _place(place: str, column: str) -> str:
    letters = {"supplier": 0, "date": 1, "amount": 2, "description": 3}
    if "{col}" in place:
        return place.replace("{col}", "ABCD"[letters[column]])
    return f"{place}, {column}"


def _contract_suppliers(org: Organisation) -> set[int]:
    """The suppliers on contracts the member may use: paying them is on-contract spend."""
    return set(usable_by(org).values_list("lots__suppliers", flat=True))


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
    matcher = SupplierMatcher(org)
    on_contract = _contract_suppliers(org)
    lines: list[SpendLine] = []
    for place, (supplier, date, amount, description, company, vat) in rows:
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
            matched, method = matcher.match(name, company, vat)
            suggested, score = (None, None) if matched else matcher.suggest(name)
            text = str(description or "")[:300]
            lines.append(
                SpendLine(
                    organisation=org,
                    supplier_name=name[:200],
                    matched_supplier=matched,
                    match_method=method or ("suggested" if suggested else ""),
                    suggested_supplier=suggested,
                    suggestion_score=score,
                    company_number=company_key(company)[:10],
                    vat_number=vat_key(vat)[:14],
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


def spend_match_decide(
    *, actor: Actor, spend_file: SpendFile, supplier_name: str, supplier_id: int, confirm: bool
) -> int:
    """The member says whether `supplier_name` (as its finance system spells it) is our supplier
    `supplier_id`. Confirmed: every unmatched line of that name in the member's spend files is
    that supplier from now on, and future files match it at once. Not: never suggested again.
    Returns how many lines changed."""
    from consortium.spend.models import SupplierAlias

    org = actor.organisation
    if spend_file.organisation_id != org.pk or not actor.has(Permission.SPEND_UPLOAD):
        raise PermissionDenied("A member's buyers and approvers confirm its suppliers.")
    supplier = Organisation.objects.filter(pk=supplier_id, kind=OrganisationKind.SUPPLIER).first()
    if supplier is None:
        raise ValidationFailed(
            "Choose a supplier", field_errors={"supplier_id": "Choose one of our suppliers"}
        )
    key = normalise_name(supplier_name)
    names = [
        n
        for n in SpendLine.objects.filter(organisation=org, matched_supplier__isnull=True)
        .values_list("supplier_name", flat=True)
        .distinct()
        if normalise_name(n) == key
    ]
    if not key or not names:
        raise ValidationFailed(
            "No such supplier name", field_errors={"supplier_name": "Choose a supplier name from the file"}
        )
    with transaction.atomic():
        SupplierAlias.objects.update_or_create(
            organisation=org,
            name_key=key,
            defaults={
                "supplier": supplier if confirm else None,
                "rejected_supplier": None if confirm else supplier,
                "confirmed_by": actor.person,
            },
        )
        lines = SpendLine.objects.filter(
            organisation=org, matched_supplier__isnull=True, supplier_name__in=names
        )
        if confirm:
            on_contract = supplier.pk in _contract_suppliers(org)
            changed = lines.update(
                matched_supplier=supplier,
                match_method="confirmed",
                suggested_supplier=None,
                suggestion_score=None,
                on_contract=on_contract,
            )
        else:
            changed = lines.filter(suggested_supplier=supplier).update(
                suggested_supplier=None, suggestion_score=None, match_method=""
            )
        audit_record(
            actor=actor,
            action="spend_supplier.confirm" if confirm else "spend_supplier.reject",
            obj=spend_file,
            organisation=org,
            changes={"supplier_name": supplier_name[:200], "supplier": supplier.name, "lines": changed},
        )
    return changed
