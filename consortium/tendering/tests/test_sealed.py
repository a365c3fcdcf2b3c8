"""Sealed bids: before the deadline, and after it until two people record the opening, nobody
but the bidder reads a bid's content — by any role, through any route: pages, API, admin
site, exports, open data. Every attempt is refused and audited."""

from __future__ import annotations

import pytest
from django.test import Client

from consortium.audit.models import AuditEvent
from consortium.conftest import ROLES
from consortium.organisations.constants import Role
from consortium.organisations.services import api_token_create
from consortium.tendering import services
from consortium.tendering.models import Bid
from consortium.tendering.tests.factories import pass_deadline, tender_at

pytestmark = pytest.mark.django_db
SECRET = "We will meet"  # every bid's answers in the factory begin so


def _routes(project, bid):  # type: ignore[no-untyped-def]
    api = f"/api/v1/tenders/{project.pk}"
    return {
        "api bid": f"{api}/bids/{bid.pk}",
        "api bid list": f"{api}/bids",
        "api my bids": f"{api}/my-bids",
        "api project": api,
        "api releases": f"{api}/ocds/releases",
        "api record": f"{api}/ocds/record",
        "api audit export": "/api/v1/audit-events.csv",
        "page bid": f"/tenders/{project.pk}/bids/{bid.pk}/",
        "page procurement": f"/tenders/{project.pk}/",
        "page results": f"/tenders/{project.pk}/results/",
        "page activity export": "/activity.csv",
        "page summary": f"/tenders/{project.pk}/bids/{bid.pk}/summary/",
        "admin bid": f"/admin/tendering/bid/{bid.pk}/change/",
        "admin bids": "/admin/tendering/bid/",
        "admin answers": "/admin/tendering/bidanswer/",
    }


def _assert_sealed(world, project, bid, role, secret: str = SECRET):  # type: ignore[no-untyped-def]
    person = world.people[role]
    person.is_staff = person.is_superuser = True  # even with the admin site's keys
    person.save()
    token = api_token_create(actor=world.actor(role), name="probe")[1]
    pages = Client()
    pages.force_login(person)
    for name, path in _routes(project, bid).items():
        client = pages
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if path.startswith("/api/") else {}
        response = client.get(path, **headers)
        body = response.content.decode(errors="replace")
        own = role == Role.SUPPLIER_USER and bid.supplier_id == world.supplier.pk
        if own and name in ("api bid", "api my bids", "page bid"):
            assert response.status_code == 200 and secret in body, name
            continue
        assert secret not in body, f"{role} read a sealed bid through {name} ({response.status_code})"
        if name in ("api bid", "api bid list", "page bid"):
            assert response.status_code in (403, 404), f"{role} {name}: {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_nobody_but_the_bidder_reads_a_bid_before_the_deadline(world, role):
    project = tender_at(world, "open")
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    _assert_sealed(world, project, bid, role)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_but_the_bidder_reads_a_bid_after_the_deadline_until_two_people_open_it(world, role):
    project = tender_at(world, "open")
    pass_deadline(project)
    services.opening_record(actor=world.actor(Role.CATEGORY_MANAGER), project=project)  # one is not enough
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    _assert_sealed(world, project, bid, role)


def test_the_rivals_bid_is_never_readable_by_another_supplier(world):
    project = tender_at(world, "declared")
    theirs = Bid.objects.get(project=project, supplier=world.other_supplier)
    theirs.answers.update(response="Rival confidential method")
    _assert_sealed(world, project, theirs, Role.SUPPLIER_USER, secret="Rival confidential method")


def test_refused_reads_and_reads_after_opening_are_audited(world):
    project = tender_at(world, "declared")
    bid = Bid.objects.get(project=project, supplier=world.supplier)
    client = Client()
    client.force_login(world.people[Role.MEMBER_BUYER])
    client.get(f"/tenders/{project.pk}/bids/{bid.pk}/")
    assert AuditEvent.objects.filter(action="bid.read_refused", object_id=str(bid.pk)).exists()
    client.force_login(world.people[Role.EVALUATOR])
    assert client.get(f"/tenders/{project.pk}/bids/{bid.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="bid.read", object_id=str(bid.pk), actor=world.people[Role.EVALUATOR]
    ).exists()
