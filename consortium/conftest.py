"""Fixtures shared by every app's tests: a small consortium with one person per role."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from consortium.organisations.acting import Actor, actor_for
from consortium.organisations.constants import OrganisationKind, Role
from consortium.organisations.models import Organisation, Person
from consortium.organisations.tests.factories import (
    ConsortiumFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    SupplierFactory,
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM in
# the same thread is still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class World:
    """A consortium, two members, a supplier, and one person per role.

    `people[role]` acts for the organisation where that role belongs;
    `other_member` and `other_supplier` are the ones they must not see into.
    """

    consortium: Organisation
    member: Organisation
    other_member: Organisation
    supplier: Organisation
    other_supplier: Organisation
    people: dict[str, Person]
    outsider: Person  # a person in other_member, with a role there
    # Care is commissioned by councils with adult social care duties: the commissioner's home.
    care_council: Organisation

    def actor(self, role: str) -> Actor:
        person = self.people[role]
        actor = actor_for(person, self.organisation_for(role).pk)
        assert actor is not None
        return actor

    def organisation_for(self, role: str) -> Organisation:
        return home_organisation(role, self.consortium, self.member, self.supplier, self.care_council)


def home_organisation(
    role: str,
    consortium: Organisation,
    member: Organisation,
    supplier: Organisation,
    care_council: Organisation,
) -> Organisation:
    if role in (Role.CONSORTIUM_ADMIN, Role.CATEGORY_MANAGER):
        return consortium
    if role == Role.SUPPLIER_USER:
        return supplier
    if role == Role.COMMISSIONER:
        return care_council
    return member


ROLES = [r.value for r in Role]


@pytest.fixture(autouse=True)
def empty_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache: SQLite reuses ids after a rollback, so a value
    cached by one test could otherwise answer for another's rows."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def world(db: None) -> World:
    consortium = ConsortiumFactory(name="Central Buying Consortium")
    member = SchoolFactory(name="Moorside Primary School", identifier="124301")
    other_member = OrganisationFactory(name="Tamworth Borough Council", identifier="E07000199")
    supplier = SupplierFactory(name="Midlands Office Supplies Ltd")
    other_supplier = SupplierFactory(name="National Stationery Group plc", is_sme=False)
    care_council = OrganisationFactory(
        name="Staffordshire County Council", identifier="E10000028", kind=OrganisationKind.COUNTY_COUNCIL
    )
    for org in (member, other_member, care_council):
        MembershipFactory(consortium=consortium, organisation=org)
    people: dict[str, Person] = {}
    for role in ROLES:
        person = PersonFactory(email=f"{role}@example.org", full_name=role.replace("_", " ").title())
        RoleAssignmentFactory(
            person=person,
            organisation=home_organisation(role, consortium, member, supplier, care_council),
            role=role,
        )
        people[role] = person
    outsider = PersonFactory(email="outsider@example.org", full_name="Other Buyer")
    RoleAssignmentFactory(person=outsider, organisation=other_member, role=Role.MEMBER_BUYER)
    other_supplier_person = PersonFactory(email="rival@example.org", full_name="Rival Supplier")
    RoleAssignmentFactory(person=other_supplier_person, organisation=other_supplier, role=Role.SUPPLIER_USER)
    return World(consortium, member, other_member, supplier, other_supplier, people, outsider, care_council)


@pytest.fixture
def signed_in(world: World):  # type: ignore[no-untyped-def]
    """signed_in(role) -> a test client signed in as that role's person."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(world.people[role])
        return client

    return make


@pytest.fixture
def token_for(world: World):  # type: ignore[no-untyped-def]
    """token_for(role) -> a bearer token acting as that role's person."""
    from consortium.organisations.services import api_token_create

    cache: dict[str, str] = {}

    def make(role: str) -> str:
        if role not in cache:
            _, raw = api_token_create(actor=world.actor(role), name=f"test {role}")
            cache[role] = raw
        return cache[role]

    return make


@pytest.fixture
def care(world: World):  # type: ignore[no-untyped-def]
    """The care market of `consortium.care.tests.factories`, on top of the world."""
    from consortium.care.tests.factories import build_care_world

    return build_care_world(world)


@pytest.fixture
def market(world: World):  # type: ignore[no-untyped-def]
    """The marketplace of `consortium.orders.tests.factories`, on top of the world."""
    from consortium.orders.tests.factories import build_market

    return build_market(world)
