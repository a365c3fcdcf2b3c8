from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.hashers import make_password

from consortium.organisations.constants import OrganisationKind, Role
from consortium.organisations.models import Membership, Organisation, Person, RoleAssignment

TEST_PASSWORD = "correct-horse-battery-staple"
# Hash once: Argon2 is slow on purpose, and most tests never sign in with a password.
_HASHED = make_password(TEST_PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test District Council {n}")
    kind = OrganisationKind.DISTRICT_COUNCIL
    town = "Stafford"
    postcode = "ST16 2LH"


class ConsortiumFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Test Consortium {n}")
    kind = OrganisationKind.CONSORTIUM


class SchoolFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Test Primary School {n}")
    kind = OrganisationKind.SCHOOL


class SupplierFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Test Supplies Ltd {n}")
    kind = OrganisationKind.SUPPLIER
    is_sme = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    consortium = factory.SubFactory(ConsortiumFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    joined_on = dt.date(2024, 4, 1)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = _HASHED


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER_BUYER
