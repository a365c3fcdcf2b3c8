"""The contracts pages: setting up a contract, adding lots and making it live."""

from __future__ import annotations

from consortium.contracts.models import Contract
from consortium.organisations.constants import Role


def test_a_category_manager_sets_up_a_contract_adds_a_lot_and_makes_it_live(world, signed_in):
    client = signed_in(Role.CATEGORY_MANAGER)
    response = client.post(
        "/contracts/new/",
        {
            "reference": "CBC-CLEAN-02",
            "title": "Cleaning materials",
            "kind": "framework",
            "scope": "local",
            "access": "kinds",
            "access_kinds": ["school"],
            "start_date": "2026-01-01",
            "end_date": "2029-12-31",
            "extension_months": "12",
            "rebate_percent": "1",
            "cpv_codes": "39830000 33760000",
        },
    )
    contract = Contract.objects.get(reference="CBC-CLEAN-02")
    assert response.status_code == 302
    assert contract.cpv_codes == ["39830000", "33760000"]
    assert contract.access_kinds == ",school,"
    response = client.post(
        f"/contracts/{contract.pk}/",
        {"number": "1", "title": "Washroom", "suppliers": [str(world.supplier.pk)]},
    )
    assert response.status_code == 302
    response = client.post(f"/contracts/{contract.pk}/status/", {"action": "make_live"})
    contract.refresh_from_db()
    assert contract.status == "live"
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "Washroom" in page and world.supplier.name in page


def test_bad_contract_details_are_shown_against_their_fields(world, signed_in):
    response = signed_in(Role.CATEGORY_MANAGER).post(
        "/contracts/new/", {"reference": "", "title": "X", "scope": "local", "start_date": "soon"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#start_date"' in page
    assert not Contract.objects.exists()


def test_a_lot_without_suppliers_is_refused(world, signed_in, market):
    contract_id = market.lot.contract_id
    response = signed_in(Role.CATEGORY_MANAGER).post(
        f"/contracts/{contract_id}/", {"number": "7", "title": "Empty"}
    )
    assert response.status_code == 400
    assert "Choose the suppliers awarded this lot" in response.content.decode()


def test_a_buyer_cannot_change_a_contract(world, signed_in, market):
    client = signed_in(Role.MEMBER_BUYER)
    contract_id = market.lot.contract_id
    assert client.post(f"/contracts/{contract_id}/", {"number": "7", "title": "X"}).status_code == 403
    assert client.post(f"/contracts/{contract_id}/status/", {"action": "expire"}).status_code == 403
    assert "Set up a contract" not in client.get("/contracts/").content.decode()
