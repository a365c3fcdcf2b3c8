"""Set-up can be corrected until the tender is published: lots and criteria changed and
removed, each on its own page, every field's error at once; then they are fixed."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client

from consortium.audit.models import AuditEvent
from consortium.core.errors import Conflict
from consortium.organisations.constants import Role
from consortium.tendering import services
from consortium.tendering.tests.factories import tender_at

pytestmark = pytest.mark.django_db

CM = Role.CATEGORY_MANAGER


def _client(world) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.people[CM])
    return client


def test_a_lot_is_changed_and_a_removed_lot_moves_the_later_ones_up(world):
    project = tender_at(world, "draft")
    cm = world.actor(CM)
    services.lot_add(actor=cm, project=project, lot=services.LotIn("Pens", "", D("0.20"), "box"))
    services.lot_add(actor=cm, project=project, lot=services.LotIn("Toner", "", None, "cartridge"))
    client = _client(world)
    r = client.post(
        f"/tenders/{project.pk}/lots/2/",
        {"action": "change", "lot_title": "Pens, blue", "estimated_unit_price": "0.25", "lot_unit": "box"},
    )
    assert r.status_code == 302
    assert project.lots.get(number=2).title == "Pens, blue"
    r = client.post(f"/tenders/{project.pk}/lots/1/", {"action": "remove"})
    assert r.status_code == 302
    assert list(project.lots.values_list("number", "title")) == [(1, "Pens, blue"), (2, "Toner")]
    assert AuditEvent.objects.filter(action="procurement.lot_remove").exists()


def test_a_bad_lot_form_names_every_field_and_keeps_what_was_typed(world):
    project = tender_at(world, "draft")
    r = _client(world).post(
        f"/tenders/{project.pk}/lots/1/",
        {"action": "change", "lot_title": "", "estimated_unit_price": "lots", "lot_unit": "ream"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'href="#lot_title"' in html and 'href="#estimated_unit_price"' in html
    assert 'value="lots"' in html
    assert project.lots.get().title == "Paper"


def test_a_lot_with_members_demand_cannot_be_removed(world):
    project = tender_at(world, "demand")
    with pytest.raises(Conflict, match="registered demand"):
        services.lot_remove(actor=world.actor(CM), project=project, lot_number=1)


def test_a_criterion_is_changed_and_removing_one_renumbers_the_rest(world):
    project = tender_at(world, "draft")
    quality = project.criteria.get(number="1")
    client = _client(world)
    r = client.post(
        f"/tenders/{project.pk}/criteria/{quality.pk}/",
        {"action": "change", "criterion_title": "", "weight": "0", "scale_max": "500", "descriptors": ""},
    )
    assert r.status_code == 400
    html = r.content.decode()
    for field in ("criterion_title", "weight", "scale_max"):
        assert f'href="#{field}"' in html, field
    r = client.post(
        f"/tenders/{project.pk}/criteria/{quality.pk}/",
        {
            "action": "change",
            "criterion_title": "Quality of service",
            "weight": "55",
            "scale_max": "10",
            "descriptors": "0: Nothing\n10: Everything, with evidence",
        },
    )
    assert r.status_code == 302
    quality.refresh_from_db()
    assert (quality.title, quality.weight, quality.scale_max) == ("Quality of service", D("55"), 10)
    assert quality.descriptors[1] == {"score": 10, "descriptor": "Everything, with evidence"}
    # Removing 1 takes 1.1 and 1.2 with it; social value and price become 1 and 2.
    r = client.post(f"/tenders/{project.pk}/criteria/{quality.pk}/", {"action": "remove"})
    assert r.status_code == 302
    assert list(project.criteria.order_by("number").values_list("number", "title")) == [
        ("1", "Social value"),
        ("2", "Price"),
    ]


def test_a_removed_sub_criterion_renumbers_its_siblings(world):
    project = tender_at(world, "draft")
    delivery = project.criteria.get(number="1.1")
    services.criterion_remove(actor=world.actor(CM), project=project, criterion_id=delivery.pk)
    assert project.criteria.get(title="Account management").number == "1.1"


def test_after_publication_set_up_is_fixed(world):
    project = tender_at(world, "open")
    cm = world.actor(CM)
    with pytest.raises(Conflict, match="fixed"):
        services.lot_change(
            actor=cm, project=project, lot_number=1, lot=services.LotIn("X", "", None, "each")
        )
    criterion = project.criteria.first()
    assert criterion is not None
    with pytest.raises(Conflict, match="fixed"):
        services.criterion_remove(actor=cm, project=project, criterion_id=criterion.pk)
    page = _client(world).get(f"/tenders/{project.pk}/criteria/{criterion.pk}/")
    assert page.status_code == 200 and "criteria and weights are fixed" in page.content.decode()


def test_only_managers_correct_set_up_through_the_api(world, token_for):
    project = tender_at(world, "draft")
    r = Client().put(
        f"/api/v1/tenders/{project.pk}/lots/1",
        {"title": "Paper, A3"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(CM)}",
    )
    assert r.status_code == 200 and r.json()["id"] == project.pk
    assert project.lots.get().title == "Paper, A3"
    r = Client().delete(
        f"/api/v1/tenders/{project.pk}/lots/1", HTTP_AUTHORIZATION=f"Bearer {token_for(Role.MEMBER_BUYER)}"
    )
    assert r.status_code == 404


def test_the_results_say_which_method_made_the_price_compared(world):
    from decimal import Decimal

    project = tender_at(world, "draft")
    assert project.price_basis == "Price: the total of the bid's priced schedule, £ ex VAT"
    project.price_method = "whole_life_cost"
    project.discount_rate = Decimal("3.50")
    project.carbon_price = Decimal("280")
    assert project.price_basis == (
        "Whole-life cost over 3 years, discounted at 3.5% a year, £ ex VAT, with carbon at £280.00 a tonne CO2e"
    )
