"""The embedded search index answers as the database does, never shows more than a buyer may
buy, and is used only while the catalogue has not changed since it was built."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test.utils import override_settings

from consortium.catalogue import search_index
from consortium.catalogue import selectors as catalogue
from consortium.catalogue.models import CatalogueItem
from consortium.organisations.acting import actor_for
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(settings, tmp_path, world, market):  # type: ignore[no-untyped-def]
    settings.SEARCH_INDEX_DIR = str(tmp_path)
    today = dt.date.today()
    extra = [
        ("X-1", "Premium copier paper A3", "stationery", "7.50", 5, True, None),
        ("X-2", "Paper towels", "cleaning", "9.00", 100, False, None),
        (
            "X-3",
            "Copier paper that has expired",
            "stationery",
            "1.00",
            1,
            False,
            today - dt.timedelta(days=1),
        ),
        ("X-4", "Ergonomic laptop stand", "ict", "35.00", 1, False, None),
    ]
    for code, name, category, price, pack, eco, valid_to in extra:
        CatalogueItem.objects.create(
            supplier=world.other_supplier if code == "X-2" else world.supplier,
            lot=market.lot,
            supplier_code=code,
            name=name,
            description=f"{name} for schools",
            category=category,
            unit_price=D(price),
            pack_size=pack,
            eco_label=eco,
            valid_from=today - dt.timedelta(days=30),
            valid_to=valid_to,
        )
    assert search_index.build() is not None
    return market


def _both(buyer, query, filters=None, **kwargs):  # type: ignore[no-untyped-def]
    filters = filters or catalogue.Filters()
    from_index = catalogue.search_for(buyer, query, filters, **kwargs)
    with override_settings(SEARCH_INDEX_DIR=""):
        from_database = catalogue.search_for(buyer, query, filters, **kwargs)
    return from_index, from_database


# Searches and filters the index must answer exactly as the database does (one test, one index:
# building a world and an index for each would cost more than the searches).
CASES = [
    ("paper", {}, "relevance"),
    ("copier paper", {}, "relevance"),
    ("laptop", {}, "relevance"),
    ("paper", {"category": "stationery"}, "relevance"),
    ("paper", {"eco_label": True}, "relevance"),
    ("paper", {"local_or_sme": True}, "relevance"),
    ("paper", {}, "price"),
    ("paper", {}, "-price"),
    ("paper", {}, "unit_price"),
    ("paper", {}, "name"),
]


def test_the_index_answers_as_the_database_does(world, indexed):
    buyer = world.actor(Role.MEMBER_BUYER)
    narrowed = {"supplier_id": world.supplier.pk, "contract_id": indexed.contract.pk}
    for query, filters, sort in CASES:
        for more in ({}, narrowed if not filters else {}):
            case = (query, filters, sort, more)
            from_index, from_database = _both(buyer, query, catalogue.Filters(**filters, **more), sort=sort)
            assert from_index.count == from_database.count > 0, case
            assert from_index.facets == from_database.facets, case
            if sort == "relevance":
                assert from_index.items[0] == from_database.items[0], case
                assert set(from_index.items) == set(from_database.items), case
            else:
                assert [i.pk for i in from_index.items] == [i.pk for i in from_database.items], case


def test_the_index_ranks_names_first_and_never_shows_what_a_buyer_may_not_buy(world, indexed):
    buyer = world.actor(Role.MEMBER_BUYER)
    result = catalogue.search_for(buyer, "paper", catalogue.Filters())
    names = [i.name for i in result.items]
    assert names.index("Recycled copier paper A4") < names.index("Paper towels")
    assert "Copier paper that has expired" not in names  # out of date today
    today = dt.date.today()
    other = actor_for(world.outsider, world.other_member.pk)
    for actor, expected in ((buyer, 0), (other, 1)):
        lots = catalogue.usable_lot_ids(actor, today)
        assert search_index.search(["secret", "widget"], lot_ids=lots, on=today).count == expected  # type: ignore[union-attr]
    assert catalogue.search_for(buyer, "secret widget", catalogue.Filters()).count == 0
    assert [i.name for i in catalogue.search_for(other, "secret widget", catalogue.Filters()).items] == [
        "Secret widget"
    ]
    with pytest.raises(catalogue.PermissionDenied):
        catalogue.search_for(world.actor(Role.SUPPLIER_USER), "paper", catalogue.Filters())


def test_a_changed_catalogue_is_searched_in_the_database_until_its_index_is_built(
    world, indexed, django_capture_on_commit_callbacks
):
    buyer = world.actor(Role.MEMBER_BUYER)
    before = search_index.current_version()
    indexed.paper.name = "Recycled photocopier paper A4"
    indexed.paper.save()
    assert search_index.current_version() > before
    assert search_index._searcher() is None  # out of date: the database answers, a build is asked for
    with django_capture_on_commit_callbacks(execute=True):
        found = catalogue.search_for(buyer, "photocopier", catalogue.Filters())
    assert [i.name for i in found.items] == ["Recycled photocopier paper A4"]
    search_index.build()
    assert search_index._searcher() is not None
    assert [i.name for i in catalogue.search_for(buyer, "photocopier", catalogue.Filters()).items] == [
        "Recycled photocopier paper A4"
    ]


def test_every_kind_of_change_moves_the_version_on(world, market):
    version = search_index.current_version
    start = version()
    CatalogueItem.objects.bulk_create(
        [
            CatalogueItem(
                supplier=world.supplier, lot=market.lot, supplier_code=f"B-{n}", name=f"Bulk {n}",
                category="stationery", unit_price=D("1.00"), valid_from=market.paper.valid_from,
            )
            for n in range(3)
        ]
    )  # fmt: skip
    after_insert = version()
    assert after_insert > start
    CatalogueItem.objects.filter(supplier_code__startswith="B-").update(name="Renamed")
    assert version() > after_insert
    after_update = version()
    CatalogueItem.objects.filter(supplier_code__startswith="B-").update(unit_price=D("2.00"))  # price sorts
    assert version() > after_update
    after_price = version()
    CatalogueItem.objects.filter(supplier_code__startswith="B-").delete()
    assert version() > after_price
