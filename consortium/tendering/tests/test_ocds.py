"""OCDS: every stage's release and the compiled record validate against the official 1.1.5
schemas with the declared extensions' schemas merged in (all shipped in
consortium/tendering/ocds_schema), and an independent tool (ocdskit) compiles the releases to
the same record."""

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
    # The release schema with the lots, bid and UK extensions merged in: what we declare.
    release = ocds.release_schema() if name != "core" else _schema("release-schema.json")
    registry: Registry = Registry().with_resource(
        BASE + "release-schema.json", DRAFT4.create_resource(release)
    )
    return Draft4Validator(_schema(name), registry=registry, format_checker=FormatChecker())


def _errors(name: str, document: dict) -> list[str]:  # type: ignore[type-arg]
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator(name).iter_errors(document)]


def test_an_awarded_procurement_publishes_planning_tender_award_and_contract_releases(world):
    project = tender_at(world, "awarded")
    tags = [r.tag for r in OcdsRelease.objects.filter(project=project)]
    assert tags == ["planning", "planningUpdate", "tender", "award", "awardUpdate,contract"]
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


def test_a_consumer_gets_lots_items_values_on_one_basis_identified_parties_and_bid_statistics(world):
    from decimal import Decimal

    from consortium.tendering import services
    from consortium.tendering.constants import VAT_RATE

    project = tender_at(world, "awarded")
    package = ocds.record_package(project)
    assert package["extensions"] == list(ocds.EXTENSIONS.values())
    for name in ocds.EXTENSIONS:  # every declared extension's schema is shipped
        assert (ocds.SCHEMA_DIR / "extensions" / name / "extension.json").exists()
    compiled = package["records"][0]["compiledRelease"]
    tender = compiled["tender"]
    # Lots, and items from the priced schedule with their real CPV description and quantity.
    assert [lot["id"] for lot in tender["lots"]] == ["lot-1"]
    item = tender["items"][0]
    assert item["relatedLot"] == "lot-1" and item["quantity"] == 4000 and item["unit"]["name"] == "ream"
    assert item["classification"] == {"scheme": "CPV", "id": "30192000", "description": "Office supplies"}
    award = compiled["awards"][0]
    assert award["relatedLots"] == ["lot-1"]
    # One basis: the whole term with extensions, net and gross, so award ÷ estimate is meaningful.
    years = Decimal(project.term_months + project.extension_months) / 12
    winner = project.bids.get(is_winner=True)
    assert Decimal(str(award["value"]["amount"])) == (winner.price * years).quantize(Decimal("0.01"))
    assert Decimal(str(award["value"]["amountGross"])) == (winner.price * years * (1 + VAT_RATE)).quantize(
        Decimal("0.01")
    )
    estimate = Decimal(str(tender["value"]["amount"]))
    assert Decimal("0.1") < Decimal(str(award["value"]["amount"])) / estimate < Decimal(10)
    assert compiled["contracts"][0]["value"] == award["value"]
    # Parties carry org-id.guide identifiers, postcodes; the consortium has a contact point.
    by_name = {p["name"]: p for p in compiled["parties"]}
    school = by_name["Moorside Primary School"]
    assert school["identifier"]["scheme"] == "GB-EDU" and school["id"] == "GB-EDU-124301"
    council = by_name["Tamworth Borough Council"]
    assert council["identifier"] == {"scheme": "GB-LAE", "id": "TAW", "legalName": "Tamworth Borough Council"}
    buyer = by_name[project.run_by.name]
    assert "contactPoint" in buyer and "buyer" in buyer["roles"]
    # The bids extension: bids per lot, from SMEs, once opened.
    stats = {(s["measure"], s.get("relatedLot")): s["value"] for s in compiled["bids"]["statistics"]}
    assert (
        stats[("bids", "lot-1")] == 2 and stats[("smeBids", "lot-1")] == 1 and stats[("bidders", None)] == 2
    )
    # dateSigned is the day entered at conclusion; notices are documents with their UK type.
    assert compiled["contracts"][0]["dateSigned"].startswith(str(project.contract_signed_on))
    notice_types = [d["noticeType"] for d in tender["documents"]]
    assert notice_types == ["UK4", "UK6", "UK7"]
    assert all(
        d["url"].endswith(f"/tenders/{project.pk}/notices/{d['id'][7:]}/") for d in tender["documents"]
    )
    assert services  # imported for the clarification test below


def test_an_answered_clarification_publishes_a_tender_update_with_enquiries(world):
    from consortium.organisations.constants import Role
    from consortium.tendering import services

    project = tender_at(world, "open")
    question = services.clarification_ask(
        actor=world.actor(Role.SUPPLIER_USER), project=project, question="Is 75gsm acceptable?"
    )
    services.clarification_answer(
        actor=world.actor(Role.CATEGORY_MANAGER), clarification=question, answer="No"
    )
    last = project.releases.order_by("-id").first()
    assert last is not None and last.body["tag"] == ["tenderUpdate"]
    assert last.body["tender"]["hasEnquiries"] is True
    assert _errors("release-schema.json", last.body) == []


def test_ocdskit_compiles_our_releases_to_the_record_we_publish(world):
    """An independent implementation (ocdskit, the Open Contracting Partnership's tool) merges
    the release package to the same compiled release, offline, with the declared extensions."""
    from ocdskit.combine import merge

    project = tender_at(world, "awarded")
    package = json.loads(json.dumps(ocds.release_package(project)))
    theirs = list(merge([package], schema=ocds.release_schema()))
    ours = ocds.record_package(project)["records"][0]["compiledRelease"]
    assert len(theirs) == 1
    assert json.loads(json.dumps(theirs[0])) == json.loads(json.dumps(ours))


def test_notices_are_documents_with_the_content_their_type_requires(world):
    from django.test import Client

    project = tender_at(world, "awarded")
    client = Client()
    tender_notice, award_notice, details_notice = project.notices.order_by("id")
    page = client.get(f"/tenders/{project.pk}/notices/{tender_notice.pk}/").content.decode()
    for text in (
        "UK4 Tender notice",
        "regulations 18 and 20",
        "Tenders must be submitted by",
        "Award criteria",
        "Lot 1: Paper",
    ):
        assert text in page, text
    award = client.get(f"/tenders/{project.pk}/notices/{award_notice.pk}/").content.decode()
    winner = project.bids.get(is_winner=True).supplier
    assert "Standstill period ends" in award and winner.name in award
    details = client.get(f"/tenders/{project.pk}/notices/{details_notice.pk}/").content.decode()
    assert "Contract signed on" in details and "regulation 32" in details
    pdf = client.get(f"/tenders/{project.pk}/notices/{details_notice.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    listed = client.get(f"/api/v1/tenders/{project.pk}/notices").json()
    assert [n["code"] for n in listed] == ["UK4", "UK6", "UK7"] and listed[2]["sections"]
    # Another procurement's notice, or an unpublished one, is not found.
    draft = tender_at(world, "draft", title="Unpublished")
    assert client.get(f"/tenders/{draft.pk}/notices/{tender_notice.pk}/").status_code == 404
