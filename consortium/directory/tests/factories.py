"""A small joined-up directory on the shared test world: Tamworth's people from a CSV feed,
Staffordshire's from another (its telephone numbers shown to its own staff only), and the
school's (the member) with one entry for the school's own buyer."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import TestCase

from consortium.directory import services
from consortium.directory.constants import FeedKind, Visibility
from consortium.directory.models import Entry, Feed
from consortium.directory.schemas import FeedIn, PolicyIn, SyncIn
from consortium.organisations.constants import Role

HEADER = "id,given_name,family_name,preferred_name,email,telephone,job_title,department,team,job_function,service_types,location,manager"
TAMWORTH = [
    "t1,Robert,Johnson,Bob,bob.johnson@tamworth.example,01827 709000,Head of Housing,Housing,,housing,Housing;Homelessness,Marmion House,",
    "t2,Sarah,Smith,,sarah.smith@tamworth.example,01827 709123,Housing Officer,Housing,Allocations,housing,Housing,Marmion House,t1",
    "t3,Mohammed,Khan,,m.khan@tamworth.example,+44 1827 709456,Environmental Health Officer,Environment,Food safety,environmental_health,Food hygiene,Marmion House,",
    "t4,Catherine,O'Brien,Kate,kate.obrien@tamworth.example,07700 900123,Procurement Manager,Finance,Procurement,procurement,Procurement,Marmion House,",
]
COUNTY = [
    "c1,William,Jones,Bill,bill.jones@staffordshire.example,01785 276000,Commissioning Manager,Adult Social Care,Commissioning,adult_social_care,Care homes,Staffordshire Place,",
    "c2,Jonathan,Smyth,,jon.smyth@staffordshire.example,01785 276111,Highways Engineer,Highways,,highways,Potholes;Street lighting,Staffordshire Place,",
]


def csv_bytes(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@dataclass
class Directory:
    tamworth: Feed
    county: Feed

    def entry(self, email: str) -> Entry:
        return Entry.objects.get(email=email)


def directory_world(world) -> Directory:  # type: ignore[no-untyped-def]
    """Idempotent: the same directory each time it is asked for in a test."""
    existing = Feed.objects.filter(name="Tamworth staff").first()
    if existing is not None:
        return Directory(existing, Feed.objects.get(name="County staff"))
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    tamworth = services.feed_save(
        actor=admin,
        data=FeedIn.model_validate(
            dict(organisation_id=world.other_member.id, name="Tamworth staff", kind=FeedKind.FILE)
        ),
    )
    county = services.feed_save(
        actor=admin,
        data=FeedIn.model_validate(
            dict(organisation_id=world.care_council.id, name="County staff", kind=FeedKind.FILE)
        ),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.sync_request(
            actor=admin, feed=tamworth, data=SyncIn.model_validate({}), upload=(csv_bytes(TAMWORTH), "t.csv")
        )
        services.sync_request(
            actor=admin, feed=county, data=SyncIn.model_validate({}), upload=(csv_bytes(COUNTY), "c.csv")
        )
    services.policy_set(
        actor=admin,
        organisation_id=world.care_council.id,
        data=PolicyIn.model_validate(dict(levels={"phones": Visibility.OWN})),
    )
    return Directory(tamworth, county)
