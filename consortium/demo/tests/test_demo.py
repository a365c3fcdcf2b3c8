from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from consortium.demo.loader import DEMO_PASSWORD, DEMO_PEOPLE
from consortium.organisations.models import Membership, Organisation, Person

pytestmark = pytest.mark.django_db


def test_demo_loads_idempotently_and_every_demo_person_signs_in(capsys):
    call_command("demo", no_serve=True)
    counts = (Organisation.objects.count(), Membership.objects.count(), Person.objects.count())
    call_command("demo", no_serve=True)
    assert counts == (Organisation.objects.count(), Membership.objects.count(), Person.objects.count())
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    names = set(Organisation.objects.values_list("name", flat=True))
    for council in (
        "Cannock Chase District Council",
        "Stoke-on-Trent City Council",
        "Tamworth Borough Council",
    ):
        assert council in names
    assert Organisation.objects.filter(kind="supplier").count() >= 12
    from consortium.tendering import ocds
    from consortium.tendering.models import Project

    stages = dict(Project.objects.values_list("status", "title"))
    assert set(stages) == {"demand", "open", "evaluation", "standstill", "awarded"}
    awarded = Project.objects.get(status="awarded")
    assert awarded.awarded_contract is not None and awarded.awarded_contract.status == "live"
    tags = [t for r in ocds.release_package(awarded)["releases"] for t in r["tag"]]
    # Concluded after standstill, then managed: a milestone, a KPI assessment, a variation.
    assert "contract" in tags and tags[-1] == "contractAmendment" and "implementation" in tags
    assert Organisation.objects.filter(kind="supplier", is_sme=True, is_local=True).count() >= 5
    for demo in DEMO_PEOPLE:
        client = Client()
        response = client.post("/sign-in/", {"email": demo.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, demo.email
        assert b"What you can do" in client.get("/").content
        assert demo.email in out


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
