from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from consortium.care.models import CareLevel, Negotiation, Placement, PriceMenu
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def test_commissioner_records_needs_and_sees_every_home(world, care, signed_in):
    client = signed_in(Role.COMMISSIONER)
    bad = client.post("/care/assessments/new/", {"client_reference": "", "daytime_hours": "many"})
    assert bad.status_code == 400
    for field in ("client_reference", "level", "daytime_hours"):
        assert f'href="#{field}"'.encode() in bad.content
    moderate = CareLevel.objects.get(name="Moderate")
    response = client.post(
        "/care/assessments/new/",
        {
            "client_reference": "1235",
            "level": moderate.pk,
            "weekly_budget": "700",
            "accommodation_type": "own_bedroom_shared_living",
            "daytime_hours": "50",
            "daytime_ratio": "3",
            "night_sleeping_nights": "7",
            "night_sleeping_ratio": "3",
            "one_to_one_hours": "14",
            "one_to_one_grade": "domiciliary",
            "specialist_hours": "7",
            "life_skills_hours": "10",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Cherrytrees" in page and "£883.00" in page and "over by £183.00" in page
    assert "highest quarter" in page or "above maximum" in page


def test_negotiation_page_records_agreed_prices_and_places(world, care, signed_in):
    client = signed_in(Role.COMMISSIONER)
    opened = client.post(f"/care/assessments/{care.john_smith.pk}/", {"menu_id": care.cherrytrees_menu.pk})
    assert opened.status_code == 302
    negotiation = Negotiation.objects.get(assessment=care.john_smith)
    lines = {line.element: line for line in negotiation.lines.all()}
    form = {"action": "save"}
    for _element, line in lines.items():
        form[f"price_{line.pk}"] = str(line.agreed_unit_price)
        form[f"quantity_{line.pk}"] = str(line.agreed_quantity)
    form[f"price_{lines['accommodation_own_bedroom_shared_living'].pk}"] = "346.00"
    form[f"quantity_{lines['night_sleeping_cover'].pk}"] = "0"
    form[f"quantity_{lines['one_to_one_support'].pk}"] = "13"
    saved = client.post(f"/care/negotiations/{negotiation.pk}/", form)
    assert saved.status_code == 302
    page = client.get(f"/care/negotiations/{negotiation.pk}/").content.decode()
    assert "£685.00" in page and "£198.00" in page
    bad = client.post(f"/care/negotiations/{negotiation.pk}/", {"action": "place", "start_date": ""})
    assert bad.status_code == 400 and b'href="#start_date"' in bad.content
    # Placing is checked and confirmed first: the page says what happens and places no one.
    check = client.post(
        f"/care/negotiations/{negotiation.pk}/", {"action": "place", "start_date": "2026-12-07"}
    )
    assert check.status_code == 200 and b"Confirm the placement" in check.content
    assert (
        b"No other home can be chosen" in check.content
        and b'name="start_date" value="2026-12-07"' in check.content
    )
    assert not Placement.objects.filter(negotiation=negotiation).exists()
    placed = client.post(
        f"/care/negotiations/{negotiation.pk}/",
        {"action": "place", "start_date": "2026-12-07", "confirmed": "yes"},
    )
    assert placed.status_code == 302
    page = client.get(f"/care/negotiations/{negotiation.pk}/").content.decode()
    assert "£10,296.00 a year" in page
    # The comparison now shows the placement, with no Negotiate buttons.
    comparison = client.get(f"/care/assessments/{negotiation.assessment_id}/").content.decode()
    assert "Placed at Cherrytrees" in comparison and ">Negotiate<" not in comparison
    again = client.post(f"/care/assessments/{negotiation.assessment_id}/", {"menu_id": negotiation.menu_id})
    assert again.status_code == 400 and b"already placed" in again.content
    assert client.post(f"/care/assessments/{negotiation.assessment_id}/", {"menu_id": "x"}).status_code == 400
    workbook = client.get(f"/care/negotiations/{negotiation.pk}/workbook.xlsx")
    wb = load_workbook(io.BytesIO(workbook.content))
    assert wb["About Client"]["B1"].value == "1234"
    # Once agreed, the budget is checked against the agreed total, not the quote.
    about = wb["About Client"]
    assert about["A17"].value == "Agreed total (£ a week)"
    assert about["B17"].value.startswith("='Home Negotiation'!G") and about["B18"].data_type == "f"


def test_provider_submits_a_menu_on_the_page(world, care, signed_in):
    client = signed_in(Role.SUPPLIER_USER)
    high = CareLevel.objects.get(name="High")
    bad = client.post(
        "/care/menus/new/",
        {
            "home_name": "Cherrytrees",
            "highest_level": high.pk,
            "effective_from": "2026-12-01",
            "price_life_skills_development": "seven",
        },
    )
    assert bad.status_code == 400 and b'href="#price_life_skills_development"' in bad.content
    ok = client.post(
        "/care/menus/new/",
        {
            "home_name": "Cherrytrees",
            "highest_level": high.pk,
            "effective_from": "2026-12-01",
            "price_life_skills_development": "7.25",
            "price_daytime_shared_support": "3.20",
            "ratio_daytime_shared_support": "3",
        },
    )
    assert ok.status_code == 302
    menu = PriceMenu.objects.get(home__name="Cherrytrees", effective_from="2026-12-01")
    assert menu.items.count() == 2


def test_benchmarks_and_reports_pages(world, care, signed_in):
    page = signed_in(Role.CATEGORY_MANAGER).get("/care/benchmarks/").content.decode()
    assert "<svg" in page and "Accommodation: own bedroom in shared living" in page
    stoke = Client()
    stoke.force_login(care.other_commissioner.person)
    report = stoke.get("/care/reports/").content.decode()
    assert "Stoke-on-Trent City Council" in report and "Care Provider 0" in report
    # Another council sees neither Stoke's placements nor its providers' rates by name.
    elsewhere = signed_in(Role.COMMISSIONER).get("/care/reports/").content.decode()
    assert "Stoke-on-Trent City Council" not in elsewhere and "Care Provider 0" not in elsewhere
    admin_report = signed_in(Role.CONSORTIUM_ADMIN).get("/care/reports/").content.decode()
    assert "Stoke-on-Trent City Council" in admin_report
    assert "Care Provider 0" not in admin_report  # councils' named rates are theirs alone
