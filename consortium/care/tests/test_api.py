from __future__ import annotations

import io
import json
from decimal import Decimal as D

import pytest
from django.test import Client
from openpyxl import load_workbook

from consortium.care.models import PriceMenu
from consortium.care.workbooks import menu_template
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def _api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(client: Client, path: str, body: dict) -> object:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_john_smith_end_to_end_through_the_api(world, care, token_for):
    api = _api(token_for(Role.COMMISSIONER))
    created = _post(
        api,
        "/api/v1/care/assessments",
        {
            "client_reference": "JS-1",
            "level": "Moderate",
            "weekly_budget": "700.00",
            "accommodation_type": "own_bedroom_shared_living",
            "daytime_hours": "50",
            "daytime_ratio": 3,
            "night_sleeping_nights": "7",
            "night_sleeping_ratio": 3,
            "one_to_one_hours": "14",
            "one_to_one_grade": "domiciliary",
            "specialist_hours": "7",
            "life_skills_hours": "10",
        },
    )
    assert created.status_code == 201, created.content
    assessment_id = created.json()["id"]
    page = api.get(f"/api/v1/care/assessments/{assessment_id}/quotes?limit=100").json()
    assert page["count"] == 6
    cherry = next(q for q in page["items"] if q["home_name"] == "Cherrytrees")
    assert [D(line["total"]) for line in cherry["lines"]] == [
        D("446.00"),
        D("157.00"),
        D("91.00"),
        D("98.00"),
        D("21.00"),
        D("70.00"),
    ]
    assert D(cherry["total"]) == D("883.00")
    assert cherry["budget_status"] == "over by £183.00"
    assert cherry["lines"][0]["above_upper_quartile"] is True
    opened = _post(
        api, "/api/v1/care/negotiations", {"assessment_id": assessment_id, "menu_id": cherry["menu_id"]}
    )
    assert opened.status_code == 201, opened.content
    negotiation = opened.json()
    by_element = {line["element"]: line for line in negotiation["lines"]}
    agreed = _post(
        api,
        f"/api/v1/care/negotiations/{negotiation['id']}/agreed",
        {
            "lines": [
                {
                    "line_id": by_element["accommodation_own_bedroom_shared_living"]["id"],
                    "agreed_unit_price": "346.00",
                    "agreed_quantity": "1",
                },
                {
                    "line_id": by_element["night_sleeping_cover"]["id"],
                    "agreed_unit_price": "13.00",
                    "agreed_quantity": "0",
                    "note": "Night cover from the council's own team",
                },
                {
                    "line_id": by_element["one_to_one_support"]["id"],
                    "agreed_unit_price": "7.00",
                    "agreed_quantity": "13",
                },
            ]
        },
    )
    assert agreed.status_code == 200, agreed.content
    assert D(agreed.json()["agreed_total"]) == D("685.00")
    assert D(agreed.json()["weekly_saving"]) == D("198.00")
    placed = _post(
        api, f"/api/v1/care/negotiations/{negotiation['id']}/placement", {"start_date": "2026-12-07"}
    )
    assert placed.status_code == 201, placed.content
    body = placed.json()
    assert (D(body["weekly_cost"]), D(body["weekly_saving"]), D(body["annual_saving"])) == (
        D("685.00"),
        D("198.00"),
        D("10296.00"),
    )
    again = _post(
        api, f"/api/v1/care/negotiations/{negotiation['id']}/placement", {"start_date": "2026-12-07"}
    )
    assert again.json()["id"] == body["id"]  # idempotent
    workbook = api.get(f"/api/v1/care/negotiations/{negotiation['id']}/workbook.xlsx")
    assert workbook.status_code == 200
    wb = load_workbook(io.BytesIO(workbook.content))
    assert wb.sheetnames == ["About Client", "Home Fees", "Home Negotiation"]
    fees = wb["Home Fees"]
    assert fees["F8"].value == "=ROUND(C8*D8,2)"
    assert str(fees["F14"].value).startswith("=SUM(")
    assert wb["Home Negotiation"]["G17"].value == "=G15*G16"


def test_menu_upload_reports_cells_and_stores_nothing(world, care, token_for):
    api = _api(token_for(Role.SUPPLIER_USER))
    wb = load_workbook(io.BytesIO(menu_template()))
    ws = wb["Home Fees"]
    ws["B1"], ws["B2"], ws["B3"] = "Brand New Home", "Extreme", "next week"
    ws["F7"], ws["F8"] = "lots", 250
    out = io.BytesIO()
    wb.save(out)
    before = PriceMenu.objects.count()
    response = api.post("/api/v1/care/menus/upload", {"file": _upload(out.getvalue())})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"Home Fees!B3"}  # the date is checked before the level and prices
    ws["B3"] = "2026-12-01"
    out = io.BytesIO()
    wb.save(out)
    response = api.post("/api/v1/care/menus/upload", {"file": _upload(out.getvalue())})
    assert {e["field"] for e in response.json()["errors"]} == {"Home Fees!B2"}
    ws["B2"] = "High"
    out = io.BytesIO()
    wb.save(out)
    response = api.post("/api/v1/care/menus/upload", {"file": _upload(out.getvalue())})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"Home Fees!F7"}
    assert "Enter the price in pounds" in response.json()["errors"][0]["message"]
    assert PriceMenu.objects.count() == before
    assert not PriceMenu.objects.filter(home__name="Brand New Home").exists()
    ws["F7"] = 400
    out = io.BytesIO()
    wb.save(out)
    response = api.post("/api/v1/care/menus/upload", {"file": _upload(out.getvalue())})
    assert response.status_code == 201, response.content
    assert response.json()["items"] == 2
    not_excel = api.post("/api/v1/care/menus/upload", {"file": _upload(b"not a workbook")})
    assert not_excel.status_code == 422 and not_excel.json()["errors"][0]["field"] == "file"


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("fees.xlsx", content)


def test_benchmarks_api_hides_thin_statistics(world, care, token_for, settings):
    api = _api(token_for(Role.CATEGORY_MANAGER))
    rows = api.get("/api/v1/care/benchmarks").json()
    accommodation = next(r for r in rows if r["element"] == "accommodation_own_bedroom_shared_living")
    assert accommodation["shown"] and accommodation["providers"] == 5
    settings.CARE_BENCHMARK_MIN_PROVIDERS = 10
    rows = api.get("/api/v1/care/benchmarks").json()
    assert all(not r["shown"] and r["median"] is None for r in rows)
