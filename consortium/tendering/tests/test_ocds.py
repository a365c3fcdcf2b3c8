"""OCDS: every stage's release and the compiled record validate against the official 1.1.5
schemas (copied into consortium/tendering/ocds_schema as fixtures)."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

from consortium.tendering import ocds
from consortium.tendering.models import OcdsRelease
from consortium.tendering.tests.factories import tender_at

pytestmark = pytest.mark.django_db
BASE = "https://standard.open-contracting.org/schema/1__1__5/"


def _schema(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((ocds.SCHEMA_DIR / name).read_text())  # type: ignore[no-any-return]


def _validator(name: str) -> Draft4Validator:
    release = _schema("release-schema.json")
    registry: Registry = Registry().with_resource(
        BASE + "release-schema.json", DRAFT4.create_resource(release)
    )
    return Draft4Validator(_schema(name), registry=registry, format_checker=FormatChecker())


def _errors(name: str, document: dict) -> list[str]:  # type: ignore[type-arg]
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator(name).iter_errors(document)]


def test_an_awarded_procurement_publishes_planning_tender_award_and_contract_releases(world):
    project = tender_at(world, "awarded")
    tags = [r.tag for r in OcdsRelease.objects.filter(project=project)]
    assert tags == ["planning", "planningUpdate", "tender", "award", "contract"]
    package = ocds.release_package(project)
    assert _errors("release-package-schema.json", package) == []
    for release in package["releases"]:
        assert _errors("release-schema.json", release) == []
    assert len({r["id"] for r in package["releases"]}) == 5
    # The first planning release, before any demand: no budget at all, never a budget of £0.
    first = package["releases"][0]
    assert first["planning"].get("budget") is None
    assert package["releases"][1]["planning"]["budget"]["amount"]["amount"] > 0


def test_periods_say_what_a_person_in_london_would_and_the_term_adds_up(world):
    import datetime as dt

    project = tender_at(world, "awarded")
    compiled = ocds.compiled_release(project)
    tender = compiled["tender"]
    # A day that ends something ends at 23:59:59 London time (the factory moves the deadline
    # itself to a minute ago, so its noon is not checked here).
    assert tender["enquiryPeriod"]["endDate"].endswith(("T23:59:59+00:00", "T23:59:59+01:00"))
    period = tender["contractPeriod"]
    start = dt.datetime.fromisoformat(period["startDate"]).date()
    end = dt.datetime.fromisoformat(period["endDate"]).date()
    assert period["durationInDays"] == (end - start).days + 1
    assert project.term_months == 24 and end == dt.date(
        start.year + 2, start.month, start.day
    ) - dt.timedelta(days=1)
    assert dt.datetime.fromisoformat(period["maxExtentDate"]).date() > end  # with the 12 months' extension
    contract = project.awarded_contract
    assert contract is not None and contract.end_date == end


def test_the_compiled_record_validates_and_holds_the_latest_of_each_stage(world):
    project = tender_at(world, "awarded")
    package = ocds.record_package(project)
    assert _errors("record-package-schema.json", package) == []
    compiled = package["records"][0]["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["awards"][0]["status"] == "active"
    assert compiled["contracts"][0]["awardID"] == compiled["awards"][0]["id"]
    assert compiled["tender"]["numberOfTenderers"] == 2
    assert (
        "supplier"
        in next(p for p in compiled["parties"] if p["name"] == compiled["awards"][0]["suppliers"][0]["name"])[
            "roles"
        ]
    )


@pytest.mark.parametrize("stage", ["demand", "open", "standstill"])
def test_releases_at_every_stage_validate_and_never_name_bidders_before_opening(world, stage):
    project = tender_at(world, stage)
    package = ocds.release_package(project)
    assert _errors("release-package-schema.json", package) == []
    assert _errors("record-package-schema.json", ocds.record_package(project)) == []
    text = json.dumps(package)
    if stage in ("demand", "open"):
        assert world.other_supplier.name not in text
        assert "We will meet" not in text


def test_the_bulk_downloads_hold_every_published_procurement_and_validate(world):
    from django.test import Client

    awarded = tender_at(world, "awarded")
    open_ = tender_at(world, "open", title="Cleaning materials")
    draft = tender_at(world, "draft", title="Not yet published")
    client = Client()
    releases = client.get("/open-data/releases.json").json()
    assert _errors("release-package-schema.json", releases) == []
    assert {r["ocid"] for r in releases["releases"]} == {awarded.ocid, open_.ocid}
    records = client.get("/open-data/records.json").json()
    assert _errors("record-package-schema.json", records) == []
    assert [r["ocid"] for r in records["records"]] == [awarded.ocid, open_.ocid]
    assert records["records"][0]["compiledRelease"]["ocid"] == awarded.ocid
    assert releases["publicationPolicy"].endswith("/open-data/")
    page = client.get("/open-data/").content.decode()
    assert awarded.ocid in page and draft.ocid not in page and "Open Government Licence" in page
