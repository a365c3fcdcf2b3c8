"""Spend-based carbon: the emissions of what members buy, estimated as spend (ex VAT) × the
current factor table's kgCO2e per £ for its category. Read from the daily spend totals the MI
keeps (a line's emissions are its total × its category's factor, so a day's total × the factor
is the sum of its lines'), grouped by member, category, supplier, month or member × month.

Where a supplier's current, scored appraisal gives its own intensity (its carbon reduction
plan's emissions ÷ its turnover), that is used for its spend instead of the sector factor, and
the page says for which suppliers and how much spend.

An estimate, and said to be one: every figure is shown beside the table, its source and
edition, and the spend no factor covers; a table marked illustrative is labelled wherever its
figures appear."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth

from consortium.audit.services import audit_record
from consortium.catalogue.constants import Category
from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.core.files import open_workbook
from consortium.organisations.acting import Actor
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission
from consortium.sustainability.appraisal import intensities
from consortium.sustainability.models import Factor, FactorTable
from consortium.sustainability.schemas import FactorTableIn

ZERO = Decimal("0")
TONNE = Decimal("1000")
MAX_FACTOR_BYTES = 2 * 1024 * 1024
DIMENSIONS = {"member": "buyer_id", "category": "category", "supplier": "supplier_id", "month": "month"}


def current_table() -> FactorTable | None:
    return FactorTable.objects.order_by("-version").first()


def _current_factors() -> tuple[FactorTable | None, dict[str, Decimal]]:
    """The current table and its kgCO2e per £ by category (empty when none is imported)."""
    table = current_table()
    return table, dict(table.factors.values_list("category", "kg_per_pound")) if table else {}


def _rows_of(content: bytes, filename: str) -> list[tuple[int, list[str]]]:
    if filename.lower().endswith(".xlsx"):
        wb = open_workbook(content, title="Factors", hint="factors")
        ws = wb.worksheets[0]
        return [
            (i, ["" if v is None else str(v).strip() for v in row])
            for i, row in enumerate(ws.iter_rows(values_only=True), start=1)
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "The file is not UTF-8 text", field_errors={"file": "Save the CSV as UTF-8, or upload an .xlsx"}
        ) from exc
    return [(i, [c.strip() for c in row]) for i, row in enumerate(csv.reader(io.StringIO(text)), start=1)]


def import_table(*, actor: Actor, data: FactorTableIn, content: bytes, filename: str) -> FactorTable:
    """A new version of the factor table from a CSV or .xlsx of two columns — category and
    kgCO2e per £ — with a header row. Every problem is named by row and cell; nothing is kept
    unless the whole file is right."""
    if not actor.has(Permission.SUSTAINABILITY_OVERSEE):
        raise PermissionDenied("Emission factor tables are kept by the consortium.")
    if len(content) > MAX_FACTOR_BYTES:
        raise ValidationFailed(
            "The file is larger than 2 MB", field_errors={"file": "Keep the file under 2 MB"}
        )
    rows = [(i, r) for i, r in _rows_of(content, filename) if any(r)]
    if not rows:
        raise ValidationFailed("The file is empty", field_errors={"file": "The file has no rows"})
    labels = {label.lower(): code for code, label in Category.choices} | {
        code: code for code in Category.values
    }
    errors: dict[str, str] = {}
    factors: dict[str, Decimal] = {}
    for i, row in rows[1:]:
        cells = [*row, "", ""][:2]
        category = labels.get(cells[0].lower())
        if category is None:
            errors[f"row {i}"] = f"Row {i}, cell A{i}: “{cells[0][:40]}” is not a marketplace category"
            continue
        try:
            value = Decimal(cells[1])
        except InvalidOperation:
            errors[f"row {i}"] = f"Row {i}, cell B{i}: enter kgCO2e per £ as a number, for example 0.35"
            continue
        if not value.is_finite() or value < 0 or value > 100 or value != value.quantize(Decimal("0.0001")):
            errors[f"row {i}"] = f"Row {i}, cell B{i}: a factor is 0 to 100 kgCO2e per £, to 4 decimal places"
            continue
        if category in factors:
            errors[f"row {i}"] = f"Row {i}, cell A{i}: {category} is in the file twice"
            continue
        factors[category] = value
    if not factors and not errors:
        errors["file"] = "The file has a header row but no factors"
    if errors:
        raise ValidationFailed("Check the factor table", field_errors=errors)
    with transaction.atomic():
        last = FactorTable.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
        table = FactorTable.objects.create(
            name=data.name.strip(),
            source=data.source.strip(),
            edition=data.edition.strip(),
            year=data.year,
            version=last + 1,
            illustrative=data.illustrative,
            imported_by=actor.person,
        )
        Factor.objects.bulk_create(
            [Factor(table=table, category=c, kg_per_pound=v) for c, v in factors.items()]
        )
        audit_record(
            actor=actor,
            action="carbon.factors_import",
            obj=table,
            organisation=actor.organisation,
            changes={
                "version": table.version,
                "source": table.source,
                "edition": table.edition,
                "factors": {c: str(v) for c, v in factors.items()},
                "illustrative": table.illustrative,
            },
        )
    return table


def _labels(dimension: str, keys: list[Any]) -> dict[Any, str]:
    from consortium.organisations.models import Organisation

    if dimension in ("member", "supplier"):
        return dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "category":
        return {k: dict(Category.choices).get(k, k) for k in keys}
    return {k: k.strftime("%b %Y") if isinstance(k, dt.date) else str(k) for k in keys}


def carbon_by(actor: Actor, dimension: str, *, since: dt.date | None = None) -> dict[str, Any]:
    """Spend and tonnes CO2e per member, category, supplier or month (the member's own, or the
    consortium's across members), with the table used and the spend no factor covers."""
    from consortium.spend.mi import daily_spend_for

    if dimension not in DIMENSIONS:
        raise ValidationFailed("Choose what to group by", field_errors={"by": "Choose from the list"})
    table, factors = _current_factors()
    qs = daily_spend_for(actor, since=since)
    key = DIMENSIONS[dimension]
    if dimension == "month":
        qs = qs.annotate(month=TruncMonth("day"))
    grouped = list(qs.values(key, "category", "supplier_id").annotate(total=Sum("spend")).order_by())
    own = intensities({r["supplier_id"] for r in grouped})
    spend: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    kg: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    uncovered = ZERO
    by_own = ZERO
    for r in grouped:
        k = r[key]
        if isinstance(k, dt.datetime):
            k = k.date()
        total = r["total"] or ZERO
        spend[k] += total
        # A supplier's own intensity, from its carbon reduction plan, beats the sector average.
        factor = own.get(r["supplier_id"], factors.get(r["category"]))
        if r["supplier_id"] in own:
            by_own += total
        if factor is None:
            uncovered += total
        else:
            kg[k] += total * factor
    labels = _labels(dimension, list(spend))
    rows = [
        {
            "key": k,
            "label": labels.get(k, str(k)),
            "spend": spend[k].quantize(Decimal("0.01")),
            "tonnes": (kg[k] / TONNE).quantize(Decimal("0.001")),
        }
        for k in spend
    ]
    rows.sort(key=lambda r: (r["key"],) if dimension == "month" else (-r["tonnes"], r["label"]))
    return {
        "by": dimension,
        "table": str(table) if table else None,
        "source": table.source if table else None,
        "edition": table.edition if table else None,
        "illustrative": bool(table and table.illustrative),
        "rows": rows,
        "total_tonnes": sum((r["tonnes"] for r in rows), ZERO),
        "spend_without_factor": uncovered.quantize(Decimal("0.01")),
        "spend_by_supplier_intensity": by_own.quantize(Decimal("0.01")),
        "suppliers_with_own_intensity": sorted(
            Organisation.objects.filter(pk__in=list(own)).values_list("name", flat=True)
        ),
    }


def carbon_by_member_and_month(actor: Actor) -> list[dict[str, Any]]:
    """Tonnes CO2e per member per month: the benchmark's figure and the consortium's grid."""
    from consortium.spend.mi import daily_spend_for

    _table, factors = _current_factors()
    grouped = list(
        daily_spend_for(actor)
        .annotate(month=TruncMonth("day"))
        .values("buyer_id", "month", "category", "supplier_id")
        .annotate(total=Sum("spend"))
        .order_by()
    )
    own = intensities({r["supplier_id"] for r in grouped})
    kg: dict[tuple[int, Any], Decimal] = defaultdict(lambda: ZERO)
    for r in grouped:
        factor = own.get(r["supplier_id"], factors.get(r["category"]))
        if factor is not None:
            kg[(r["buyer_id"], r["month"])] += (r["total"] or ZERO) * factor
    return [
        {"member_id": m, "month": month, "tonnes": (v / TONNE).quantize(Decimal("0.001"))}
        for (m, month), v in sorted(kg.items(), key=lambda item: (item[0][0], str(item[0][1])))
    ]


def carbon_of_spend_files(actor: Actor) -> dict[str, Any]:
    """The same estimate for members' uploaded accounts-payable spend files (spend outside the
    marketplace too), by category: each line's amount × its category's factor. A member sees
    its own files; the consortium's admins and category managers everyone's."""
    from consortium.spend.models import SpendLine
    from consortium.spend.selectors import spend_file_list_for

    qs = SpendLine.objects.filter(spend_file__in=spend_file_list_for(actor))
    _table, factors = _current_factors()
    rows = []
    uncovered = ZERO
    for r in qs.values("category").annotate(total=Sum("amount")).order_by("category"):
        total = r["total"] or ZERO
        factor = factors.get(r["category"])
        if factor is None:
            uncovered += total
        rows.append(
            {
                "label": dict(Category.choices).get(r["category"], r["category"] or "No category"),
                "spend": total.quantize(Decimal("0.01")),
                "tonnes": (total * factor / TONNE).quantize(Decimal("0.001")) if factor is not None else None,
            }
        )
    return {
        "rows": rows,
        "total_tonnes": sum((r["tonnes"] or ZERO for r in rows), ZERO),
        "spend_without_factor": uncovered.quantize(Decimal("0.01")),
    }
