"""A small marketplace for tests: one live contract for all members with two suppliers'
items, one contract named for another member only, and an approval rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal as D

from consortium.catalogue.models import CatalogueItem
from consortium.contracts.constants import Access, ContractStatus, Scope
from consortium.contracts.models import Contract, Lot
from consortium.orders.models import ApprovalRule


@dataclass
class Market:
    contract: Contract
    lot: Lot
    paper: CatalogueItem
    pens: CatalogueItem
    laptop: CatalogueItem
    notes: CatalogueItem  # the other supplier's
    secret: CatalogueItem  # on a contract only the other member may use


def item(supplier, lot, code, name, price, **extra) -> CatalogueItem:  # type: ignore[no-untyped-def]
    return CatalogueItem.objects.create(
        supplier=supplier,
        lot=lot,
        supplier_code=code,
        name=name,
        category=extra.pop("category", "stationery"),
        unit_price=D(price),
        valid_from=dt.date(2024, 1, 1),
        baseline_price=D(price) * D("1.1"),
        **extra,
    )


def build_market(world) -> Market:  # type: ignore[no-untyped-def]
    today = dt.date.today()
    contract = Contract.objects.create(
        reference="CBC-T1",
        title="Office supplies",
        scope=Scope.NATIONAL,
        let_by=world.consortium,
        start_date=today - dt.timedelta(days=100),
        end_date=today + dt.timedelta(days=300),
        status=ContractStatus.LIVE,
        rebate_percent=D("1.5"),
    )
    lot = Lot.objects.create(contract=contract, number=1, title="Stationery")
    lot.suppliers.set([world.supplier, world.other_supplier])
    paper = item(world.supplier, lot, "P-1", "Recycled copier paper A4", "5.00", eco_label=True)
    pens = item(world.supplier, lot, "P-2", "Blue ballpoint pens", "2.50")
    laptop = item(world.supplier, lot, "L-1", "Refurbished laptop", "450.00", category="ict", minimum_order=1)
    notes = item(world.other_supplier, lot, "N-1", "Sticky notes", "1.20")
    named = Contract.objects.create(
        reference="TBC-9",
        title="Tamworth only",
        scope=Scope.LOCAL,
        let_by=world.other_member,
        access=Access.NAMED,
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=10),
        status=ContractStatus.LIVE,
    )
    named.access_named.set([world.other_member])
    named_lot = Lot.objects.create(contract=named, number=1, title="Widgets")
    named_lot.suppliers.set([world.other_supplier])
    secret = item(world.other_supplier, named_lot, "S-1", "Secret widget", "9.99")
    ApprovalRule.objects.create(organisation=world.member, threshold=D("500.00"))
    return Market(contract, lot, paper, pens, laptop, notes, secret)
