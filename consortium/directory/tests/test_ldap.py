"""Syncing from a real OpenLDAP server: a few hundred people read in pages past the server's
size limit, a changed entry, a leaver, managers from DNs, and broken connections that change
nothing."""

from __future__ import annotations

import pytest
from django.test import TestCase

from consortium.core.errors import ValidationFailed
from consortium.directory import services, sources
from consortium.directory.constants import FeedKind, LdapSecurity, SyncStatus
from consortium.directory.generate import COUNTY_ROLES, people
from consortium.directory.models import Entry, SyncRun
from consortium.directory.schemas import FeedIn, SyncIn
from consortium.directory.tests import slapd
from consortium.organisations.constants import Role

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.xdist_group("slapd"),
    pytest.mark.skipif(not slapd.available(), reason="OpenLDAP's slapd is not installed (make browser-deps)"),
]
COUNT = 300


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    s = slapd.make(people(COUNT, domain="county.example", roles=COUNTY_ROLES, prefix="u"))
    yield s
    s.remove()


def ldap_feed(world, server, **changes):  # type: ignore[no-untyped-def]
    data = {
        "organisation_id": world.care_council.id,
        "name": "County LDAP",
        "kind": FeedKind.LDAP,
        "server_url": server.url,
        "security": LdapSecurity.NONE,
        "bind_dn": slapd.READER_DN,
        "password": slapd.PASSWORD,
        "base_dn": slapd.PEOPLE,
        "search_filter": "(objectClass=inetOrgPerson)",
        "page_size": 50,
    } | changes
    return services.feed_save(
        actor=world.actor(Role.CONSORTIUM_ADMIN), data=FeedIn.model_validate(dict(**data))
    )


def sync(world, feed, **data) -> SyncRun:  # type: ignore[no-untyped-def]
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.sync_request(
            actor=world.actor(Role.CONSORTIUM_ADMIN), feed=feed, data=SyncIn.model_validate(dict(**data))
        )
    run.refresh_from_db()
    return run


def test_paged_sync_change_and_leaver(world, server) -> None:  # type: ignore[no-untyped-def]
    feed = ldap_feed(world, server)
    assert feed.sealed_password and slapd.PASSWORD not in feed.sealed_password
    pages: list[int] = []
    assert len(list(sources.read_ldap(feed, on_page=pages.append))) == COUNT and len(pages) == COUNT // 50
    run = sync(world, feed)
    assert run.status == SyncStatus.APPLIED, run.error
    assert (run.added, run.changed, run.archived, run.refused) == (COUNT, 0, 0, 0)
    first = Entry.objects.get(external_id=f"uid=u1,{slapd.PEOPLE}")
    assert first.manager is not None and first.manager.external_id == f"uid=u0,{slapd.PEOPLE}"
    assert first.phones[0]["number"].startswith("+441632960")
    assert first.service_types and first.job_function

    admin = server.admin()
    try:
        admin.modify(f"uid=u5,{slapd.PEOPLE}", {"title": [("MODIFY_REPLACE", ["Team Manager"])]})
        admin.delete(f"uid=u7,{slapd.PEOPLE}")
        again = sync(world, feed)
        assert again.status == SyncStatus.APPLIED, again.error
        assert (again.added, again.changed, again.archived, again.unchanged) == (0, 1, 1, COUNT - 2)
        assert Entry.objects.get(external_id=f"uid=u5,{slapd.PEOPLE}").job_title == "Team Manager"
        leaver = Entry.objects.get(external_id=f"uid=u7,{slapd.PEOPLE}")
        assert leaver.archived_at is not None  # archived, not deleted
    finally:
        admin.add(
            f"uid=u7,{slapd.PEOPLE}",
            "inetOrgPerson",
            {"uid": "u7", "cn": "Back Again", "givenName": "Back", "sn": "Again"},
        )
        admin.unbind()
    returned = sync(world, feed)
    assert (
        returned.changed == 1 and Entry.objects.get(external_id=f"uid=u7,{slapd.PEOPLE}").archived_at is None
    )


def test_broken_connections_change_nothing(world, server) -> None:  # type: ignore[no-untyped-def]
    feed = ldap_feed(world, server)
    assert sync(world, feed).status == SyncStatus.APPLIED
    before = list(Entry.objects.order_by("id").values_list("id", "source_hash", "archived_at"))

    wrong_password = ldap_feed(world, server, name="Wrong password", password="nope")
    run = sync(world, wrong_password)
    assert (
        run.status == SyncStatus.FAILED
        and run.error == "The directory server refused the bind DN or password"
    )

    feed.server_url = "ldap://127.0.0.1:1"
    feed.save()
    run = sync(world, feed)
    assert run.status == SyncStatus.FAILED and "could not be reached" in run.error

    feed.server_url = server.url
    feed.base_dn = "ou=Nobody,dc=county,dc=example"
    feed.save()
    assert "base DN does not exist" in sync(world, feed).error

    # The server goes away in the middle of a paged search.
    feed.base_dn = slapd.PEOPLE
    feed.save()

    def stop_after_first(page: int) -> None:
        server.stop()

    try:
        with pytest.raises(sources.SourceError, match=r"lost|could not be reached"):
            list(sources.read_ldap(feed, on_page=stop_after_first))
    finally:
        server.start()
    assert list(Entry.objects.order_by("id").values_list("id", "source_hash", "archived_at")) == before
    # A feed whose source vanished would archive everyone: refused above the feed's limit.
    feed.search_filter = "(uid=u1)"
    feed.save()
    run = sync(world, feed)
    assert run.status == SyncStatus.REFUSED and "would be archived as leavers" in run.error
    assert list(Entry.objects.order_by("id").values_list("id", "source_hash", "archived_at")) == before


def test_feed_settings_are_checked(world, server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as e:
        ldap_feed(world, server, server_url="http://x", base_dn="", search_filter="objectClass=person")
    assert set(e.value.field_errors) == {"server_url", "base_dn", "search_filter"}
    feed = ldap_feed(world, server)
    assert "Connected" in services.feed_test(actor=world.actor(Role.CONSORTIUM_ADMIN), feed=feed)
    with pytest.raises(Exception, match="permission"):
        services.feed_test(actor=world.actor(Role.PARTNER_OFFICER), feed=feed)
