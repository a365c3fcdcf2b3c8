"""The directory's pages as people use them: search as you type, tick and select, confirm and
send a group e-mail, set who sees what, and run a feed from its page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from consortium.directory.models import Policy, Selected, SyncRun
from consortium.directory.tests.factories import TAMWORTH, csv_bytes, directory_world
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def test_search_select_and_email(world, signed_in, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    d = directory_world(world)
    client = signed_in(Role.MEMBER_BUYER)
    page = client.get("/directory/", {"q": "jonhson"})
    assert page.status_code == 200 and "Bob Johnson" in page.content.decode()
    fragment = client.get("/directory/", {"q": "bob"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Bob Johnson" in fragment and "<html" not in fragment
    bad = client.get("/directory/", {"per_page": "1000"})
    assert bad.status_code == 400 and "per_page" in bad.content.decode()
    bob = d.entry("bob.johnson@tamworth.example")
    r = client.post(
        "/directory/selection/", {"action": "add", "entry_id": [bob.id], "next": "https://evil.example/"}
    )
    assert r.status_code == 302 and r["Location"] == "/directory/selection/"
    assert Selected.objects.filter(entry=bob).exists()
    assert client.post("/directory/selection/", {"action": "add", "entry_id": ["x"]}).status_code == 302
    csv = client.get("/directory/selection/export.csv")
    assert csv["Content-Type"].startswith("text/csv") and b"bob.johnson@tamworth.example" in csv.content
    assert client.get("/directory/selection/export.exe").status_code == 404
    missing = client.post("/directory/email/", {"subject": "", "body": ""})
    assert missing.status_code == 400 and "Enter" in missing.content.decode()
    confirm = client.post(
        "/directory/email/", {"subject": "Training", "body": "Come along", "mode": "individual"}
    )
    assert "Send this message to 1 people?" in confirm.content.decode()
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/directory/email/",
            {"subject": "Training", "body": "Come along", "mode": "individual", "confirmed": "yes"},
        )
    assert sent.status_code == 302
    assert [m.to for m in mail.outbox] == [["bob.johnson@tamworth.example"]]
    progress = client.get(sent["Location"]).content.decode()
    assert "1 of 1 sent" in progress


def test_visibility_and_about_me(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    directory_world(world)
    officer = signed_in(Role.PARTNER_OFFICER)
    page = officer.get("/directory/visibility/")
    assert page.status_code == 200 and world.member.name in page.content.decode()
    r = officer.post("/directory/visibility/", {"phones": "own", "email": "nonsense"})
    assert r.status_code == 400 and 'id="email"' in r.content.decode()
    r = officer.post("/directory/visibility/", {"phones": "own"})
    assert r.status_code == 302 and Policy.objects.get(organisation=world.member).levels["phones"] == "own"
    assert officer.get(f"/directory/visibility/{world.other_member.id}/").status_code == 403
    me = signed_in(Role.MEMBER_BUYER).get("/directory/me/").content.decode()
    assert "holds nothing under your e-mail" in me


def test_admin_runs_a_feed_from_its_page(world, signed_in, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    d = directory_world(world)
    admin = signed_in(Role.CONSORTIUM_ADMIN)
    new = admin.post(
        "/directory/feeds/",
        {
            "organisation_id": world.member.id,
            "name": "",
            "kind": "ldap",
            "server_url": "http://x",
            "base_dn": "",
        },
    )
    body = new.content.decode()
    assert (new.status_code == 400 and "Enter the server address" in body) or "Name" in body
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(
            f"/directory/feeds/{d.tamworth.id}/",
            {
                "action": "sync",
                "mode": "all_or_nothing",
                "file": SimpleUploadedFile("t.csv", csv_bytes([*TAMWORTH, "t9,,X,,,,,,,,,,"])),
            },
        )
    run = SyncRun.objects.order_by("-id").first()
    assert r.status_code == 302 and run is not None and run.status == "refused"
    report = admin.get(r["Location"]).content.decode()
    assert "Row 6" in report and "Given name is missing" in report
    assert admin.post(f"/directory/feeds/{d.tamworth.id}/", {"action": "sync"}).status_code == 400
