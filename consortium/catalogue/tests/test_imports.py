from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from consortium.catalogue import imports, services
from consortium.catalogue.models import CatalogueItem, PriceChange
from consortium.core.errors import Conflict, PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def _workbook(world, rows):
    wb = load_workbook(io.BytesIO(imports.template(world.actor(Role.SUPPLIER_USER))))
    ws = wb["Catalogue"]
    for r, row in enumerate(rows, start=ws.max_row + 1):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_template_lists_the_suppliers_own_items(world, market):
    wb = load_workbook(io.BytesIO(imports.template(world.actor(Role.SUPPLIER_USER))))
    codes = [row[1] for row in wb["Catalogue"].iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == ["L-1", "P-1", "P-2"]


def test_upload_adds_updates_and_sends_price_changes_for_approval(world, market):
    actor = world.actor(Role.SUPPLIER_USER)
    wb = load_workbook(io.BytesIO(imports.template(actor)))
    ws = wb["Catalogue"]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "P-2":
            row[7].value = 2.75  # pens: a new price
            row[2].value = "Blue ballpoint pens, medium"
    ws.append(
        [
            "CBC-T1/1",
            "P-9",
            "Whiteboard markers",
            "",
            "stationery",
            "pack",
            4,
            3.10,
            20,
            1,
            2,
            "no",
            "",
            "2026-01-01",
            "",
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    result = imports.catalogue_import(actor=actor, content=out.getvalue(), filename="catalogue.xlsx")
    assert (result.created, result.updated, result.price_changes) == (1, 3, 1)
    market.pens.refresh_from_db()
    assert market.pens.unit_price == D("2.50")  # unchanged until approved
    assert market.pens.name == "Blue ballpoint pens, medium"
    change = PriceChange.objects.get(item=market.pens)
    assert services.change_percent(change) == D("10.0") and not services.is_flagged(change)
    services.price_change_decide(actor=world.actor(Role.CATEGORY_MANAGER), change=change, approve=True)
    market.pens.refresh_from_db()
    assert market.pens.unit_price == D("2.75")
    assert market.pens.price_history.first().unit_price == D("2.75")
    with pytest.raises(Conflict):
        services.price_change_decide(
            actor=world.actor(Role.CATEGORY_MANAGER), change=change, approve=False, reason="x"
        )


def test_bad_cells_are_named_and_nothing_is_stored(world, market):
    content = _workbook(
        world,
        [
            [
                "CBC-T1/1",
                "P-10",
                "Good item",
                "",
                "stationery",
                "each",
                1,
                1.00,
                20,
                1,
                1,
                "no",
                "",
                "2026-01-01",
                "",
            ],
            ["NOPE/1", "P-11", "", "", "gadgets", "each", "many", "cheap", 17, 1, 1, "no", "", "someday", ""],
        ],
    )
    before = CatalogueItem.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        imports.catalogue_import(actor=world.actor(Role.SUPPLIER_USER), content=content, filename="c.xlsx")
    row = 5  # header, three existing items, then the good row is 5, the bad row 6
    assert set(exc.value.field_errors) == {f"Catalogue!{c}{row + 1}" for c in "ACEGHIN"}
    assert CatalogueItem.objects.count() == before


def test_csv_upload_names_row_and_column(world, market):
    csv_text = (
        ",".join(imports.COLUMNS) + "\nCBC-T1/1,P-12,Tape,,stationery,each,1,abc,20,1,1,no,,2026-01-01,\n"
    )
    with pytest.raises(ValidationFailed) as exc:
        imports.catalogue_import(
            actor=world.actor(Role.SUPPLIER_USER), content=csv_text.encode(), filename="c.csv"
        )
    assert list(exc.value.field_errors) == ["row 2, unit_price"]


def test_only_suppliers_upload_and_only_category_managers_decide(world, market):
    with pytest.raises(PermissionDenied):
        imports.catalogue_import(actor=world.actor(Role.MEMBER_BUYER), content=b"", filename="c.csv")
    change = services.price_change_request(
        actor=world.actor(Role.SUPPLIER_USER), item=market.paper, new_price="7.00"
    )
    assert services.is_flagged(change)  # +40%
    with pytest.raises(PermissionDenied):
        services.price_change_decide(actor=world.actor(Role.SUPPLIER_USER), change=change, approve=True)
    with pytest.raises(ValidationFailed):
        services.price_change_decide(actor=world.actor(Role.CATEGORY_MANAGER), change=change, approve=False)
