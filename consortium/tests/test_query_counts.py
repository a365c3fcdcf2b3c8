"""No list endpoint runs a query per item: each is called for one item and for a hundred, and
both must take the same number of queries (an N+1 would add one or more per extra item)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from consortium.tests.test_authorisation import (
    API_CASES,
    CA,
    MB,
    ROLES,
    SU,
    _operations,
    _order,
    _price_change,
    _spend_file,
)

pytestmark = pytest.mark.django_db


def _list_operations() -> list[str]:
    from consortium.api import api

    schema = api.get_openapi_schema()
    listed = set()
    for methods in schema["paths"].values():
        get = methods.get("get")
        if get and any(p["name"] == "limit" for p in get.get("parameters", [])):
            listed.add(get["operationId"])
    return sorted(listed)


@pytest.fixture
def plenty(world, care, market):  # type: ignore[no-untyped-def]
    """At least three of everything a list shows, so an extra query per item would show."""
    from consortium.organisations.services import api_token_create, invitation_create
    from consortium.tendering.tests.factories import tender_at

    for n in range(3):
        _order(world)
        _price_change(world)
        _spend_file(world)
        invitation_create(
            actor=world.actor(CA),
            email=f"more{n}@example.org",
            role="member_buyer",
            organisation=world.member,
        )
        for role in (CA, MB, SU):
            api_token_create(actor=world.actor(role), name=f"more {n}")
    for title in ("Paper", "Furniture", "Cleaning"):
        tender_at(world, "open", title=title)
    return world


def test_every_list_endpoint_pages_and_takes_the_same_queries_for_one_item_as_for_many(
    plenty, world, care, market, token_for
):
    assert {op for op, _, _ in _operations()} >= set(_list_operations())
    client = Client()
    checked: list[str] = []
    failures: list[str] = []
    for operation_id in _list_operations():
        case = API_CASES[operation_id]
        for role in ROLES:
            if case.status_for(role) != 200:
                continue
            path, _ = case.build(world, role)
            auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(role)}"}
            sep = "&" if "?" in path else "?"
            client.get(f"{path}{sep}limit=1", **auth)  # warm caches (search's, the token's)
            counts = []
            sizes = []
            for limit in (1, 100):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(f"{path}{sep}limit={limit}", **auth)
                assert response.status_code == 200, (operation_id, role, response.content[:200])
                body = response.json()
                assert set(body) >= {"items", "count"}, operation_id
                counts.append(len(queries))
                sizes.append(len(body["items"]))
            if sizes[1] < 3:
                continue  # nothing to compare for this role: try the next
            checked.append(operation_id)
            # A page may add a constant query or so (a lookup for what is on it); a query per item
            # adds one for every extra item.
            if counts[1] - counts[0] > 1:
                failures.append(
                    f"{operation_id} as {role}: {counts[0]} queries for 1 item, {counts[1]} for {sizes[1]}"
                )
            break  # one role with several items is enough per endpoint
    print(f"compared {len(checked)} of {len(_list_operations())} list endpoints: {checked}")
    assert len(checked) >= 15
    assert not failures, "\n".join(failures)
