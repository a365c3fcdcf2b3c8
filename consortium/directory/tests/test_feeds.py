"""File feeds: bad rows named by row and column, all or nothing by default, valid rows
applied when asked, conflicts between feeds held back, .xlsx read; selection, export and
group e-mail within the agencies' rules."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.test import TestCase
from openpyxl import Workbook

from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.directory import selectors, services
from consortium.directory.constants import SendMode, SyncMode, SyncStatus
from consortium.directory.models import Conflict, Entry, GroupEmail
from consortium.directory.schemas import EmailIn, SyncIn
from consortium.directory.tests.factories import COUNTY, HEADER, TAMWORTH, csv_bytes, directory_world
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def upload(world, feed, content: bytes, name: str = "staff.csv", **data):  # type: ignore[no-untyped-def]
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.sync_request(
            actor=world.actor(Role.CONSORTIUM_ADMIN),
            feed=feed,
            data=SyncIn.model_validate(dict(**data)),
            upload=(content, name),
        )
    run.refresh_from_db()
    return run


def test_bad_rows_refuse_the_whole_file_unless_asked(world) -> None:  # type: ignore[no-untyped-def]
    d = directory_world(world)
    before = list(Entry.objects.values_list("id", "source_hash"))
    bad = [*TAMWORTH, "t5,,Nobody,,not-an-email,12,Clerk,Finance,,astrology,,,"]
    run = upload(world, d.tamworth, csv_bytes(bad))
    assert run.status == SyncStatus.REFUSED and run.refused == 1
    messages = {(p["row"], p["column"]) for p in run.problems}
    assert {
        ("Row 6", "given_name"),
        ("Row 6", "email"),
        ("Row 6", "telephone"),
        ("Row 6", "job_function"),
    } <= messages
    assert list(Entry.objects.values_list("id", "source_hash")) == before
    applied = upload(world, d.tamworth, csv_bytes(bad), mode=SyncMode.APPLY_VALID)
    assert applied.status == SyncStatus.APPLIED and applied.refused == 1 and applied.unchanged == 4


def test_same_email_in_two_feeds_is_a_conflict(world) -> None:  # type: ignore[no-untyped-def]
    d = directory_world(world)
    clash = [*COUNTY, "c3,Sarah,Smith,,SARAH.SMITH@tamworth.example,,Seconded Officer,Housing,,housing,,,"]
    run = upload(world, d.county, csv_bytes(clash))
    assert run.status == SyncStatus.APPLIED and run.conflicts == 1 and run.added == 0
    c = Conflict.objects.get(resolved_at__isnull=True)
    assert c.existing == d.entry("sarah.smith@tamworth.example") and "Row 4" in c.detail
    assert d.entry("sarah.smith@tamworth.example").feed == d.tamworth  # not overwritten
    again = upload(world, d.county, csv_bytes(COUNTY))
    assert again.conflicts == 0 and not Conflict.objects.filter(resolved_at__isnull=True).exists()


def test_xlsx_and_unreadable_files(world) -> None:  # type: ignore[no-untyped-def]
    d = directory_world(world)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    for row in TAMWORTH:
        ws.append(row.split(","))
    ws.append(["t9", "Priya", "Patel", "", "priya.patel@tamworth.example", "01827 709999"])
    out = io.BytesIO()
    wb.save(out)
    run = upload(world, d.tamworth, out.getvalue(), name="staff.xlsx")
    assert run.status == SyncStatus.APPLIED and run.added == 1, run.problems
    broken = upload(world, d.tamworth, b"PK\x03\x04 not really a zip", name="staff.xlsx")
    assert broken.status == SyncStatus.FAILED and broken.error
    assert upload(world, d.tamworth, b"name,other\nx,y\n").error.startswith("The header row has no column")
    with pytest.raises(ValidationFailed):
        upload(world, d.tamworth, b"")


def test_selection_export_and_group_email(world, settings) -> None:  # type: ignore[no-untyped-def]
    d = directory_world(world)
    buyer = world.actor(Role.MEMBER_BUYER)
    ids = [d.entry(e).id for e in ("bob.johnson@tamworth.example", "bill.jones@staffordshire.example")]
    assert services.select(actor=buyer, entry_ids=ids) == 2
    csv = services.export_csv(actor=buyer)
    assert "bob.johnson@tamworth.example" in csv and "01785" not in csv  # the county hides numbers
    card = services.export_vcard(actor=buyer)
    assert card.count("BEGIN:VCARD") == 2 and "TEL;TYPE=work,voice;VALUE=uri:tel:+441827709000" in card
    assert "N:Johnson;Robert;;;" in card and "NICKNAME:Bob" in card
    with pytest.raises(PermissionDenied):
        services.select(actor=world.actor(Role.SUPPLIER_USER), entry_ids=ids)

    settings.DIRECTORY_EMAIL_BATCH = 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        msg = services.email_create(
            actor=buyer, data=EmailIn.model_validate(dict(subject="Shared training", body="Join us"))
        )
    msg.refresh_from_db()
    assert (msg.status, msg.total, msg.sent) == ("sent", 2, 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["bob.johnson@tamworth.example", "bill.jones@staffordshire.example"]
    )
    assert mail.outbox[0].reply_to == [buyer.person.email]
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        bcc = services.email_create(
            actor=buyer, data=EmailIn.model_validate(dict(subject="Again", body="x", mode=SendMode.BCC))
        )
    assert len(mail.outbox) == 2 and all(
        m.to == [buyer.person.email] and len(m.bcc) == 1 for m in mail.outbox
    )
    assert GroupEmail.objects.get(id=bcc.id).sent == 2

    settings.DIRECTORY_EMAIL_DAILY_LIMIT = 5
    with pytest.raises(ValidationFailed, match="at most 5 people in 24 hours"):
        services.email_create(actor=buyer, data=EmailIn.model_validate(dict(subject="Third", body="x")))
    settings.DIRECTORY_EMAIL_MAX_RECIPIENTS = 1
    with pytest.raises(ValidationFailed, match="at most 1 people"):
        services.email_create(actor=buyer, data=EmailIn.model_validate(dict(subject="Fourth", body="x")))
    with pytest.raises(Exception, match="one line"):
        EmailIn.model_validate(dict(subject="Bad\nBcc: everyone@example.org", body="x"))
    assert len(selectors.selection(buyer)) == 2
    services.unselect(actor=buyer)
    assert selectors.selection(buyer) == []


def test_leavers_are_found_by_admins_only(world) -> None:  # type: ignore[no-untyped-def]
    d = directory_world(world)
    run = upload(world, d.tamworth, csv_bytes(TAMWORTH[:3]), allow_mass_archive=True)
    assert run.archived == 1
    from consortium.directory.schemas import SearchIn

    admin, buyer = world.actor(Role.CONSORTIUM_ADMIN), world.actor(Role.MEMBER_BUYER)
    assert selectors.search(buyer, SearchIn.model_validate(dict(q="obrien", archived=True))).total == 0
    rows = selectors.search(admin, SearchIn.model_validate(dict(q="obrien", archived=True))).rows
    assert rows and rows[0]["archived"]
    assert selectors.search(admin, SearchIn.model_validate(dict(q="obrien"))).total == 0


def test_an_agency_hears_when_an_outsider_changes_its_visibility(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from consortium.directory.schemas import PolicyIn
    from consortium.organisations.acting import actor_for
    from consortium.organisations.tests.factories import PersonFactory, RoleAssignmentFactory

    directory_world(world)
    officer = PersonFactory(email="officer@tamworth.example")
    RoleAssignmentFactory(person=officer, organisation=world.other_member, role=Role.PARTNER_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_set(
            actor=world.actor(Role.CONSORTIUM_ADMIN),
            organisation_id=world.other_member.id,
            data=PolicyIn.model_validate({"levels": {"phones": "signed_in"}}),
        )
    sent = [m for m in mail.outbox if "directory has changed" in m.subject]
    assert [m.to for m in sent] == [["officer@tamworth.example"]]
    assert "Everyone signed in" in sent[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_set(
            actor=actor_for(officer, world.other_member.id),
            organisation_id=world.other_member.id,
            data=PolicyIn.model_validate({"levels": {"phones": "own"}}),
        )
    assert not [m for m in mail.outbox if "directory has changed" in m.subject]
