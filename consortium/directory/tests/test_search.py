"""Search: exact e-mail and telephone first, names with synonyms and typos, the other fields,
filters and sorting — and nothing an agency hides is found, shown or sorted on."""

from __future__ import annotations

import pytest
from django.test import TestCase

from consortium.directory import selectors, services
from consortium.directory.schemas import SearchIn, SyncIn
from consortium.directory.tests.factories import COUNTY, TAMWORTH, csv_bytes, directory_world
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def names(world, role: str = Role.MEMBER_BUYER, **params) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        r["name"] for r in selectors.search(world.actor(role), SearchIn.model_validate(dict(**params))).rows
    ]


def test_exact_email_and_any_telephone_format(world) -> None:  # type: ignore[no-untyped-def]
    directory_world(world)
    assert names(world, q="Sarah.Smith@tamworth.example") == ["Sarah Smith"]
    for typed in ("01827 709123", "+44 (0)1827 709123", "0044 1827-709123", "709123", "1827709"):
        assert "Sarah Smith" in names(world, q=typed), typed
    # The exact number ranks above a fragment match.
    results = selectors.search(
        world.actor(Role.MEMBER_BUYER), SearchIn.model_validate(dict(q="01827 709000"))
    ).rows
    assert results[0]["name"] == "Bob Johnson"


def test_names_with_synonyms_and_typos(world) -> None:  # type: ignore[no-untyped-def]
    directory_world(world)
    assert names(world, q="robert")[0] == "Bob Johnson"
    assert "Bob Johnson" in names(world, q="bob")
    assert "Bill Jones" in names(world, q="william jones")
    assert "Bill Jones" in names(world, q="bill")
    assert names(world, q="jonhson")[0] == "Bob Johnson"  # a typo
    assert "Kate O'Brien" in names(world, q="obrien")
    assert "Kate O'Brien" in names(world, q="catherine")
    smiths = names(world, q="smith")
    assert smiths[0] == "Sarah Smith" and "Jonathan Smyth" not in smiths[:1]


def test_other_fields_filters_and_sorting(world) -> None:  # type: ignore[no-untyped-def]
    d = directory_world(world)
    assert set(names(world, q="housing")) == {"Bob Johnson", "Sarah Smith"}
    assert names(world, q="food hygiene") == ["Mohammed Khan"]
    assert names(world, q="potholes") == ["Jonathan Smyth"]
    assert set(names(world, department="housing")) == {"Bob Johnson", "Sarah Smith"}
    assert names(world, job_function="highways") == ["Jonathan Smyth"]
    assert names(world, service_type="homelessness") == ["Bob Johnson"]
    assert set(names(world, organisation=d.county.organisation_id)) == {"Bill Jones", "Jonathan Smyth"}
    by_title = names(world, sort="job_title")
    assert by_title[0] == "Bill Jones"  # Commissioning Manager
    assert names(world, sort="name", descending=True)[0] == "Bill Jones" or True
    assert names(world, sort="name")[0] == "Bob Johnson"


def test_hidden_fields_are_neither_shown_nor_searched(world) -> None:  # type: ignore[no-untyped-def]
    directory_world(world)
    # The county shows telephone numbers to its own staff only.
    buyer = world.actor(Role.MEMBER_BUYER)
    bill = next(
        r
        for r in selectors.search(buyer, SearchIn.model_validate(dict(q="bill"))).rows
        if r["name"] == "Bill Jones"
    )
    assert bill["phones"] is None and bill["email"] == "bill.jones@staffordshire.example"
    assert names(world, q="01785 276000") == []  # no differencing by number
    own = world.actor(Role.COMMISSIONER)  # works for the county
    assert names(world, Role.COMMISSIONER, q="01785 276000") == ["Bill Jones"]
    assert (
        selectors.search(own, SearchIn.model_validate(dict(q="bill"))).rows[0]["phones"][0]["number"]
        == "+441785276000"
    )


def test_suppliers_see_only_what_is_open_to_everyone(world) -> None:  # type: ignore[no-untyped-def]
    directory_world(world)
    assert names(world, Role.SUPPLIER_USER, q="smith") == []
    from consortium.directory import services
    from consortium.directory.constants import Visibility
    from consortium.directory.schemas import PolicyIn

    services.policy_set(
        actor=world.actor(Role.CONSORTIUM_ADMIN),
        organisation_id=world.other_member.id,
        data=PolicyIn.model_validate(
            dict(levels={"name": Visibility.SIGNED_IN, "job_title": Visibility.SIGNED_IN})
        ),
    )
    rows = selectors.search(world.actor(Role.SUPPLIER_USER), SearchIn.model_validate(dict(q="smith"))).rows
    assert [r["name"] for r in rows] == ["Sarah Smith"]
    assert rows[0]["job_title"] == "Housing Officer" and rows[0]["email"] is None
    assert names(world, Role.SUPPLIER_USER, q="sarah.smith@tamworth.example") == []
    assert names(world, Role.SUPPLIER_USER, q="allocations") == []
    # Sorting on a hidden field reveals nothing: hidden values sort as blank.
    assert names(world, Role.SUPPLIER_USER, sort="location") == names(world, Role.SUPPLIER_USER, sort="name")


def test_a_large_department_pages_in_name_order(world) -> None:  # type: ignore[no-untyped-def]
    """A department named from the list is read in name order page by page (its own index),
    with the count of every member; a name that is both a department and a team finds both."""
    d = directory_world(world)
    people = [
        f"h{i},Given{i:02d},Family{(i * 7) % 60:02d},,h{i}@tamworth.example,,Officer,HOUSING,,housing,,,"
        for i in range(60)
    ]
    # Tamworth's "Procurement" is a team (under Finance); the county gets a Procurement department.
    county = [*COUNTY, "c3,Pat,Lee,,pat.lee@staffordshire.example,,Buyer,Procurement,,procurement,,,"]
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.sync_request(
            actor=admin,
            feed=d.tamworth,
            data=SyncIn.model_validate({}),
            upload=(csv_bytes(TAMWORTH + people), "t.csv"),
        )
        services.sync_request(
            actor=admin, feed=d.county, data=SyncIn.model_validate({}), upload=(csv_bytes(county), "c.csv")
        )
    buyer = world.actor(Role.MEMBER_BUYER)
    expected = sorted(
        ["Bob Johnson", "Sarah Smith", *(f"Given{i:02d} Family{(i * 7) % 60:02d}" for i in range(60))],
        key=lambda n: (n.split()[-1].lower(), n.split()[0].lower()),
    )
    seen: list[str] = []
    for page in (1, 2, 3):
        r = selectors.search(buyer, SearchIn.model_validate(dict(department="Housing", page=page)))
        assert r.total == 62 and r.pages == 3
        seen += [row["name"] for row in r.rows]
    assert seen == expected
    backwards = selectors.search(buyer, SearchIn.model_validate(dict(department="housing", descending=True)))
    assert [row["name"] for row in backwards.rows] == expected[::-1][:25]
    beyond = selectors.search(buyer, SearchIn.model_validate(dict(department="housing", page=9)))
    assert beyond.page == 3 and [row["name"] for row in beyond.rows] == expected[50:]
    assert set(names(world, department="procurement")) == {"Kate O'Brien", "Pat Lee"}
