"""The pages and the API: recording a saving keeps what was typed when something is wrong,
the workflow's buttons follow the table, exports are safe to open, the PDF statement is a PDF,
evidence is always a download, and cost sharing runs from the page."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from consortium.organisations.constants import Role
from consortium.savings.models import Saving, Statement

pytestmark = pytest.mark.django_db


def test_recording_a_saving_on_the_page_keeps_input_on_error_then_validates(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    buyer = signed_in(Role.MEMBER_BUYER)
    form = {
        "title": '=HYPERLINK("http://evil")',
        "category": "goods",
        "source": "manual",
        "method": "previous_price",
        "cashable": "yes",
        "recurrence": "recurring",
        "amount": "not money",
        "starts_on": "31/02/2026",
        "months": "12",
    }
    page = buyer.post("/savings/new/", form)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Amount must be a number" in html and "real date" in html
    assert "HYPERLINK" in html and 'value="12"' in html  # what was typed is kept
    form.update(amount="£2,400.00", starts_on="1/4/2026")
    evidence = io.BytesIO(b"%PDF-1.4 the old contract")
    evidence.name = "old-contract.pdf"
    done = buyer.post("/savings/new/", {**form, "evidence": evidence})
    assert done.status_code == 302
    saving = Saving.objects.get()
    assert (saving.member, saving.amount, saving.total, saving.proposed_by) == (
        world.member,
        D("2400.00"),
        D("2400.00"),
        world.people[Role.MEMBER_BUYER],
    )
    detail = buyer.get(f"/savings/{saving.pk}/").content.decode()
    assert "Validate" not in detail and "Withdraw" in detail  # the proposer's own buttons
    download = buyer.get(f"/savings/{saving.pk}/evidence/{saving.evidence.get().pk}/")
    assert (
        download["Content-Disposition"].startswith("attachment")
        and download["Content-Type"] == "application/pdf"
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    cm = signed_in(Role.CATEGORY_MANAGER)
    assert "Validate" in cm.get(f"/savings/{saving.pk}/").content.decode()
    refused = cm.post(f"/savings/{saving.pk}/", {"action": "reject", "note": ""})
    assert refused.status_code == 400 and "Say why it is rejected" in refused.content.decode()
    assert cm.post(f"/savings/{saving.pk}/", {"action": "validate"}).status_code == 302
    saving.refresh_from_db()
    assert saving.status == "validated"
    # The report's workbook neutralises the formula a title could carry; the PDF is a PDF.
    wb = load_workbook(io.BytesIO(buyer.get("/savings/report/?group_by=member&format=xlsx").content))
    assert wb.active["A2"].value == "Moorside Primary School" and wb.active["B2"].value == 2400
    pdf = buyer.get("/savings/statement/2026.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_a_member_officer_records_for_its_own_organisation_only(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    buyer = signed_in(Role.MEMBER_BUYER)
    form = {
        "members": [str(world.other_member.pk)],
        "title": "Paper",
        "category": "goods",
        "source": "manual",
        "method": "previous_price",
        "cashable": "yes",
        "recurrence": "one_off",
        "amount": "10",
        "starts_on": "1/4/2026",
    }
    assert buyer.post("/savings/new/", form).status_code == 302
    assert Saving.objects.get().member == world.member  # a member's officer records for its own only


def test_the_api_proposes_decides_and_reports(world, token_for, client) -> None:  # type: ignore[no-untyped-def]
    def call(role, method, path, body=None):  # type: ignore[no-untyped-def]
        import json

        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        return getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {token_for(role)}", **kwargs)

    made = call(
        Role.CATEGORY_MANAGER,
        "post",
        "/api/v1/savings",
        {
            "members": [world.member.pk, world.other_member.pk],
            "title": "Shared legal service",
            "category": "professional",
            "source": "project",
            "method": "process",
            "recurrence": "recurring",
            "amount": "200000",
            "months": 12,
            "starts_on": "2026-04-01",
            "cashable": False,
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert [s["amount"] for s in body] == ["100000.00", "100000.00"] or [
        float(s["amount"]) for s in body
    ] == [
        100000.0,
        100000.0,
    ]
    bad = call(Role.CATEGORY_MANAGER, "post", "/api/v1/savings", {"members": [], "title": ""})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} >= {"members", "title"}
    for s in body:
        assert (
            call(
                Role.CONSORTIUM_ADMIN, "post", f"/api/v1/savings/{s['id']}/decision", {"action": "validate"}
            ).status_code
            == 200
        )
    report = call(Role.MEMBER_BUYER, "get", "/api/v1/savings/report?group_by=cashable").json()
    assert report["rows"][0]["label"] == "Non-cashable" and D(str(report["total"])) == D("100000.00")
    listed = call(Role.MEMBER_BUYER, "get", "/api/v1/savings").json()
    assert (listed["count"] == 1 and listed["items"][0]["years"] == {"2026-27": "100000.00"}) or listed[
        "items"
    ][0]["years"] == {"2026-27": 100000.0}


def test_cost_sharing_from_the_page(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(Role.CONSORTIUM_ADMIN)
    saved = admin.post(
        "/savings/costs/",
        {
            "form": "budget",
            "year": "2026",
            "line_name": ["Core team", "", "Systems"],
            "line_amount": ["350000", "", "x"],
        },
    )
    assert saved.status_code == 400 and "must be a number" in saved.content.decode()
    admin.post(
        "/savings/costs/",
        {"form": "budget", "year": "2026", "line_name": ["Core team"], "line_amount": ["350000"]},
    )
    bad = admin.post(
        "/savings/costs/?year=2026",
        {"form": "scenario", "year": "2026", "name": "Half", "weight_equal": "50"},
    )
    assert (
        bad.status_code == 400
        and "add up to 100%" in bad.content.decode()
        and 'value="50"' in bad.content.decode()
    )
    admin.post(
        "/savings/costs/?year=2026",
        {"form": "scenario", "year": "2026", "name": "Equal", "weight_equal": "100"},
    )
    page = admin.get("/savings/costs/?year=2026").content.decode()
    assert "£116,666.67" in page and "£116,666.66" in page  # exact, adding up to £350,000
    from consortium.savings.models import Scenario

    s = Scenario.objects.get()
    assert (
        admin.post(
            "/savings/costs/?year=2026", {"form": "approve", "year": "2026", "scenario_id": s.pk}
        ).status_code
        == 302
    )
    assert Statement.objects.get().version == 1
    member_page = signed_in(Role.MEMBER_BUYER).get("/savings/costs/?year=2026").content.decode()
    assert "Your contribution" in member_page and "Tamworth" not in member_page
    assert signed_in(Role.MEMBER_BUYER).post("/savings/costs/", {"form": "budget"}).status_code == 403
