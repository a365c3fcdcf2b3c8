from __future__ import annotations

import csv
import io

import pytest

from consortium.audit.selectors import audit_event_list_for
from consortium.audit.services import audit_record
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(world):
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    mine = audit_record(
        actor=admin, action="organisation.update", obj=world.member, organisation=world.member
    )
    theirs = audit_record(
        actor=admin, action="organisation.update", obj=world.other_member, organisation=world.other_member
    )
    evil = audit_record(
        actor=admin,
        action="organisation.update",
        obj=world.other_member,
        organisation=world.other_member,
        changes={"name": ['=HYPERLINK("x")', "+1"]},
    )
    return mine, theirs, evil


def test_members_read_only_their_own_organisation_activity(world, events):
    mine, theirs, _ = events
    buyer_sees = set(audit_event_list_for(world.actor(Role.MEMBER_BUYER)))
    assert mine in buyer_sees and theirs not in buyer_sees
    admin_sees = set(audit_event_list_for(world.actor(Role.CONSORTIUM_ADMIN)))
    assert {mine, theirs} <= admin_sees


def test_activity_pages_and_csv(world, events, signed_in):
    _mine, _theirs, _ = events
    client = signed_in(Role.MEMBER_BUYER)
    page = client.get("/activity/")
    assert page.status_code == 200
    assert b"organisation.update" in page.content
    response = client.get("/activity.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["object_id"] for r in rows} == {str(world.member.pk)}
    admin_rows = list(
        csv.DictReader(
            io.StringIO(signed_in(Role.CONSORTIUM_ADMIN).get("/activity.csv").content.decode("utf-8-sig"))
        )
    )
    # Cells a spreadsheet would run as formulas are defused.
    assert all(not r["changes"].startswith(("=", "+", "-", "@")) for r in admin_rows)
    obj_page = client.get(f"/activity/organisations.organisation/{world.other_member.pk}/")
    assert b"organisation.update" not in obj_page.content


def test_activity_reads_as_sentences_hides_reads_unless_asked_and_pages(world, signed_in):
    from consortium.audit.services import audit_record

    admin = world.actor(Role.CONSORTIUM_ADMIN)
    for _ in range(60):
        audit_record(actor=admin, action="care_assessment.view", obj=world.member, organisation=world.member)
    audit_record(actor=admin, action="role.grant", obj=world.member, organisation=world.member)
    client = signed_in(Role.CONSORTIUM_ADMIN)

    def table(url: str) -> str:
        return client.get(url).content.decode().split("<tbody", 1)[1]

    page = table("/activity/")
    assert "Role given" in page and "Client&#x27;s record viewed" not in page
    with_reads = table("/activity/?reads=1")
    assert "Client&#x27;s record viewed" in with_reads and "govuk-pagination__list" in with_reads
    assert 'href="?reads=1&amp;page=2"' in with_reads
    only = table("/activity/?action=role.grant")
    assert "Role given" in only and "Organisation added" not in only
