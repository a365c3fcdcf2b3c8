"""Bids sealed at rest with a key per procurement, and the buyer's priced schedule."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal as D

import pytest
from django.core import serializers
from django.db import connection

from consortium.audit.models import AuditEvent
from consortium.core.errors import Conflict, PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role
from consortium.tendering import sealing, selectors, services
from consortium.tendering.models import Bid, BidAnswer, BidDocument, BidPriceLine, Project, ScheduleItem
from consortium.tendering.sealing import content_of
from consortium.tendering.tests.factories import pass_deadline, rival, tender_at

pytestmark = pytest.mark.django_db

SECRET = "Our confidential approach: Zebra-Quokka-7731"


def _answers(project: Project, text: str = SECRET) -> dict[int, str]:
    return {c.pk: text for c in selectors.leaf_criteria(project) if c.kind != "price"}


def _database_dump() -> str:
    """Everything a database administrator (or a backup) holds, as text: every row of every table."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                out.append(" ".join(str(bytes(v) if isinstance(v, memoryview) else v) for v in row))
    return "\n".join(out)


def test_before_the_opening_no_table_holds_a_readable_bid_and_after_it_the_key_is_gone(world):
    project = tender_at(world, "open")
    supplier = world.actor(Role.SUPPLIER_USER)
    services.bid_submit(
        actor=supplier,
        project=project,
        lot_number=1,
        answers=_answers(project),
        price_lines=[services.PriceLineIn(1, D("4.37"))],
        documents=[services.DocumentIn("method.txt", "text/plain", b"Method statement Wombat-9182")],
    )
    project.refresh_from_db()
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    dump = _database_dump()
    # Not the answers, the unit price, the total (4,000 × £4.37), nor the document's text.
    for secret in (SECRET, "Zebra-Quokka", "Wombat-9182"):
        assert secret not in dump, secret
    # Numbers as numbers: "4.37" must not be found inside a timestamp's "06:29:14.376977".
    # (A leak stored as 4.3700 or 17480.00 is still found.)
    for pattern in (r"(?<![\d.])4\.370*(?!\d)", r"(?<![\d.])17480(?:\.0+)?(?![\d.])"):
        assert not re.search(pattern, dump), pattern
    assert bid.price == 0 and not bid.answers.exists() and not bid.price_lines.exists()
    assert project.bid_key and "gAAAA" in project.bid_key  # the key itself is sealed
    assert "Zebra" not in json.dumps(list(AuditEvent.objects.values()), default=str)
    # The admin site's serialisation of a bid says nothing either.
    assert SECRET not in serializers.serialize("json", [bid, *BidDocument.objects.filter(bid=bid)])
    # The bidder reads its own bid.
    own = content_of(bid)
    assert own.price == D("17480.00") and set(own.answers.values()) == {SECRET}
    assert [(p.item_number, p.unit_price) for p in own.price_lines] == [(1, D("4.37"))]

    # The rival withdraws: its bid is never opened, and can never be read.
    withdrawn = Bid.objects.get(project=project, supplier=world.other_supplier)
    services.bid_withdraw(actor=rival(world), bid=withdrawn)
    pass_deadline(project)
    services.opening_record(actor=world.actor(Role.CATEGORY_MANAGER), project=project)
    assert Bid.objects.get(pk=bid.pk).price == 0  # one key is not enough
    services.opening_record(actor=world.actor(Role.CONSORTIUM_ADMIN), project=project)
    project.refresh_from_db()
    bid.refresh_from_db()
    assert project.bid_key == "" and bid.sealed_content == ""
    assert bid.price == D("17480.00") and BidAnswer.objects.filter(bid=bid).count() == 3
    assert BidPriceLine.objects.get(bid=bid).item_number == 1
    assert bytes(BidDocument.objects.get(bid=bid).content) == b"Method statement Wombat-9182"
    withdrawn.refresh_from_db()
    assert withdrawn.sealed_content and withdrawn.price == 0
    # Its bidder is told nothing it said survives: the key that could read it is gone.
    assert content_of(withdrawn).answers == {} and content_of(withdrawn).price == 0
    with pytest.raises(PermissionError):
        sealing._key(project)
    assert AuditEvent.objects.filter(action="procurement.bids_unsealed").count() == 1


def test_a_stolen_database_with_another_servers_key_reads_nothing(world, settings):
    project = tender_at(world, "open")
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    from consortium.core import sealed

    sealed._fernet.cache_clear()
    settings.CONSORTIUM_SEALING_KEYS = "x" * 43 + "="
    try:
        with pytest.raises(ValueError, match="key we no longer hold"):
            content_of(bid)
    finally:
        sealed._fernet.cache_clear()


def test_the_schedule_is_the_buyers_fixed_at_publication_from_members_demand(world):
    cm = world.actor(Role.CATEGORY_MANAGER)
    project = tender_at(world, "preparation")
    lot = project.lots.get()
    assert [(i.number, i.description, i.quantity) for i in lot.items.all()] == [(1, "Paper", None)]
    services.schedule_item_add(
        actor=cm,
        project=project,
        lot_number=1,
        item=services.ScheduleItemIn("Coloured card, A4, pack of 50", "pack", D(120), "30197643-5"),
    )
    with pytest.raises(ValidationFailed) as caught:
        services.schedule_item_add(
            actor=cm,
            project=project,
            lot_number=1,
            item=services.ScheduleItemIn("", "each", D(0), "99999999-9"),
        )
    assert set(caught.value.field_errors) == {"description", "quantity", "cpv_code"}
    with pytest.raises(PermissionDenied):
        services.schedule_item_remove(
            actor=world.actor(Role.SUPPLIER_USER), project=project, lot_number=1, item_number=2
        )
    services.tender_publish(actor=cm, project=project)
    # Item 1 took the 4,000 reams a member registered; item 2 kept the buyer's 120.
    assert [i.quantity for i in ScheduleItem.objects.filter(lot=lot)] == [D(4000), D(120)]
    with pytest.raises(Conflict):
        services.schedule_item_change(
            actor=cm,
            project=project,
            lot_number=1,
            item_number=2,
            item=services.ScheduleItemIn("Card", "pack", D(1)),
        )
    supplier = world.actor(Role.SUPPLIER_USER)
    with pytest.raises(ValidationFailed) as caught:
        services.bid_submit(
            actor=supplier,
            project=project,
            lot_number=1,
            answers=_answers(project),
            price_lines=[services.PriceLineIn(1, D("4.00")), services.PriceLineIn(7, D("1.00"))],
        )
    assert caught.value.field_errors == {
        "price_lines[2].item": "Lot 1's schedule has no item 7",
    }
    with pytest.raises(ValidationFailed) as caught:
        services.bid_submit(
            actor=supplier,
            project=project,
            lot_number=1,
            answers=_answers(project),
            price_lines=[services.PriceLineIn(1, D("4.00"))],
        )
    assert caught.value.field_errors == {
        "items[2].unit_price": "Enter a unit price for item 2, Coloured card, A4, pack of 50"
    }
    bid = services.bid_submit(
        actor=supplier,
        project=project,
        lot_number=1,
        answers=_answers(project),
        price_lines=[
            services.PriceLineIn(1, D("4.01")),
            services.PriceLineIn(2, D("3.333")),
        ],
    )
    # Each line rounded to the penny, half up: 4,000 × 4.01 = 16,040.00; 120 × 3.333 = 399.96.
    assert content_of(bid).price == D("16439.96")


def test_schedule_pages_add_change_and_remove_items_with_every_error_named(world, client):
    project = tender_at(world, "preparation")
    client.force_login(world.people[Role.CATEGORY_MANAGER])
    lot_page = client.get(f"/tenders/{project.pk}/lots/1/").content.decode()
    assert "Priced schedule" in lot_page and f"/tenders/{project.pk}/lots/1/items/new/" in lot_page
    bad = client.post(
        f"/tenders/{project.pk}/lots/1/items/new/",
        {"item_description": "", "item_quantity": "-3", "item_cpv_code": "1234"},
    )
    body = bad.content.decode()
    assert bad.status_code == 400
    for field in ("item_description", "item_quantity"):
        assert f'href="#{field}"' in body, field
    assert 'value="1234"' in body and 'value="-3"' in body
    made = client.post(
        f"/tenders/{project.pk}/lots/1/items/new/",
        {
            "item_description": "Envelopes, C4",
            "item_unit": "box of 250",
            "item_quantity": "30",
            "item_cpv_code": "30199230-1",
        },
    )
    assert made.status_code == 302 and ScheduleItem.objects.filter(description="Envelopes, C4").exists()
    bad_cpv = client.post(
        f"/tenders/{project.pk}/lots/1/items/2/",
        {"item_description": "Envelopes, C4", "item_cpv_code": "12345678"},
    )
    assert bad_cpv.status_code == 400 and 'href="#item_cpv_code"' in bad_cpv.content.decode()
    assert client.post(f"/tenders/{project.pk}/lots/1/items/2/", {"action": "remove"}).status_code == 302
    assert not ScheduleItem.objects.filter(description="Envelopes, C4").exists()
    last = client.post(f"/tenders/{project.pk}/lots/1/items/1/", {"action": "remove"})
    assert last.status_code == 400 and "keeps at least one item" in last.content.decode()


def test_a_deadline_in_the_past_still_needs_two_keys(world):
    project = tender_at(world, "open")
    pass_deadline(project)
    assert project.tender_deadline is not None and project.tender_deadline < dt.datetime.now(tz=dt.UTC)
    services.opening_record(actor=world.actor(Role.CATEGORY_MANAGER), project=project)
    project.refresh_from_db()
    assert project.bid_key and Bid.objects.filter(project=project).exclude(sealed_content="").count() == 2
