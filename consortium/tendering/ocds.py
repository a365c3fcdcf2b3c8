"""Open Contracting Data Standard 1.1: a release per stage (planning, tender, award,
contract), stored as published and never changed, and a record per procurement compiled
from them (merged by the `ocdsmerge` library under the 1.1.5 release schema's rules).

What a release says is public: nothing here reads a bid's content; tenderers are named only
once the bids have been opened.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from consortium.core.dates import LONDON, now
from consortium.organisations.models import Organisation
from consortium.tendering.constants import BidStatus, ContractType, ProcedureCode, ProjectStatus
from consortium.tendering.models import Bid, OcdsRelease, Project
from consortium.tendering.timetable import term_end

SCHEMA_DIR = Path(__file__).parent / "ocds_schema"
METHOD: dict[str, str] = {
    ProcedureCode.OPEN: "open",
    ProcedureCode.COMPETITIVE_FLEXIBLE: "selective",
    ProcedureCode.DIRECT_AWARD: "direct",
    ProcedureCode.CALL_OFF: "selective",
    ProcedureCode.QUOTATION: "limited",
}
TENDER_STATUS: dict[str, str] = {
    ProjectStatus.DRAFT: "planning",
    ProjectStatus.DEMAND: "planning",
    ProjectStatus.PREPARATION: "planned",
    ProjectStatus.OPEN: "active",
    ProjectStatus.EVALUATION: "active",
    ProjectStatus.STANDSTILL: "complete",
    ProjectStatus.AWARDED: "complete",
    ProjectStatus.CANCELLED: "cancelled",
}


@cache
def release_schema() -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / "release-schema.json").read_text())  # type: ignore[no-any-return]


@cache
def _merger() -> Any:
    import ocdsmerge

    return ocdsmerge.Merger(schema=release_schema())


def _money(amount: Decimal | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    return {"amount": float(amount), "currency": "GBP"}


def _time(value: Any) -> str | None:
    """An instant as it was; a day as its start in Europe/London (with the offset then)."""
    if value is None:
        return None
    if hasattr(value, "hour"):
        return str(value.isoformat())
    return dt.datetime.combine(value, dt.time(0), tzinfo=LONDON).isoformat()


def _end_of(day: dt.date | None) -> str | None:
    """A day that ends something (a clarification deadline, standstill, a contract) ends at
    23:59:59 in Europe/London."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LONDON).isoformat()


def _party_id(org: Organisation) -> str:
    scheme = org.identifier_scheme
    return f"{scheme}-{org.identifier}" if scheme and org.identifier else f"CBC-ORG-{org.pk}"


def _ref(org: Organisation) -> dict[str, str]:
    return {"id": _party_id(org), "name": org.name}


def _party(org: Organisation, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {"id": _party_id(org), "name": org.name, "roles": roles}
    if org.identifier_scheme and org.identifier:
        party["identifier"] = {"scheme": org.identifier_scheme, "id": org.identifier, "legalName": org.name}
    if getattr(org, "town", ""):
        party["address"] = {"locality": org.town, "countryName": "United Kingdom"}
    return {k: v for k, v in party.items() if v}


def _lot_items(project: Project) -> list[dict[str, Any]]:
    cpv = (project.cpv_codes or [None])[0]
    items = []
    for lot in project.lots.all():
        item: dict[str, Any] = {"id": f"lot-{lot.number}", "description": f"Lot {lot.number}: {lot.title}"}
        if cpv:
            item["classification"] = {"scheme": "CPV", "id": str(cpv), "description": project.title}
        items.append(item)
    return items


def _clean(value: Any) -> Any:
    """Drop empty values: OCDS publishes what is known, not nulls."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_clean(v) for v in value if v not in (None, "", [], {})]
    return value


def build_release(project: Project, tag: str) -> dict[str, Any]:
    from consortium.tendering.selectors import aggregate_demand, criteria_check, leaf_criteria

    aggregate = aggregate_demand(project)
    members = list(Organisation.objects.filter(pk__in=project.lots.values("demand__member")).order_by("name"))
    parties = {_party_id(project.run_by): _party(project.run_by, ["buyer", "procuringEntity"])}
    for m in members:
        parties.setdefault(_party_id(m), _party(m, ["buyer"]))
    submitted = list(
        Bid.objects.filter(project=project, status=BidStatus.SUBMITTED).select_related("supplier", "lot")
    )
    opened = project.opened_at is not None
    if opened:
        for b in submitted:
            roles = ["tenderer"] + (["supplier"] if b.is_winner and project.award_approved_at else [])
            existing = parties.get(_party_id(b.supplier))
            if existing:
                existing["roles"] = sorted(set(existing["roles"]) | set(roles))
            else:
                parties[_party_id(b.supplier)] = _party(b.supplier, roles)
    category = "services" if project.contract_type == ContractType.LIGHT_TOUCH else project.contract_type
    check = criteria_check(project)
    criteria_text = "; ".join(
        f"{c.number} {c.title} ({check.weights.get(c.pk, 0):.2f}%)" for c in leaf_criteria(project)
    )
    tender: dict[str, Any] = {
        "id": project.reference,
        "title": project.title,
        "description": project.description,
        "status": TENDER_STATUS[project.status],
        "procuringEntity": _ref(project.run_by),
        "items": _lot_items(project),
        "value": _money(aggregate.value_over_term_incl_vat) if aggregate.value_over_term_incl_vat else None,
        "mainProcurementCategory": category,
        "procurementMethod": METHOD.get(project.procedure.code) if project.procedure else None,
        "procurementMethodDetails": project.procedure.get_code_display() if project.procedure else None,
        "awardCriteria": "ratedCriteria" if criteria_text else None,
        "awardCriteriaDetails": (
            f"{criteria_text}. Price: {project.get_price_method_display()}"
            + (
                f" at a discount rate of {project.discount_rate}%"
                if project.price_method == "whole_life_cost"
                else ""
            )
            if criteria_text
            else None
        ),
        "submissionMethod": ["electronicSubmission"] if project.tender_deadline else None,
        "tenderPeriod": {
            "startDate": _time(project.publication_on),
            "endDate": _time(project.tender_deadline),
        }
        if project.tender_deadline
        else None,
        "enquiryPeriod": {
            "startDate": _time(project.publication_on),
            "endDate": _end_of(project.clarification_deadline),
        }
        if project.clarification_deadline
        else None,
        "hasEnquiries": project.clarifications.exists() if not tag.startswith("planning") else None,
        "awardPeriod": {
            "startDate": _time(project.award_decision_on),
            "endDate": _end_of(project.standstill_ends_on),
        }
        if project.award_decision_on
        else None,
        "contractPeriod": _contract_period(project),
    }
    if opened:
        tender["numberOfTenderers"] = len({b.supplier_id for b in submitted})
        tender["tenderers"] = [_ref(o) for o in {b.supplier_id: b.supplier for b in submitted}.values()]
    release: dict[str, Any] = {
        "ocid": project.ocid,
        "id": "",  # set by publish()
        "date": _time(now()),
        "tag": [tag],
        "initiationType": "tender",
        "language": "en",
        "parties": list(parties.values()),
        "buyer": _ref(project.run_by),
        "planning": {
            "rationale": (
                f"Aggregated demand of {aggregate.members_using} members: {aggregate.regime}."
                if aggregate.value_over_term_incl_vat
                else "Members are invited to register their demand; the budget follows from it."
            ),
            # No budget until members have said what they need: never a budget of £0.
            "budget": {
                "description": "Estimated value over the term with extensions, including VAT",
                "amount": _money(aggregate.value_over_term_incl_vat),
            }
            if aggregate.value_over_term_incl_vat
            else None,
        },
        "tender": tender,
    }
    if project.award_approved_at is not None:
        contract = project.awarded_contract
        awards, contracts = [], []
        for b in submitted:
            if not b.is_winner:
                continue
            award_id = f"{project.reference}-lot-{b.lot.number}"
            awards.append(
                {
                    "id": award_id,
                    "title": f"Lot {b.lot.number}: {b.lot.title}",
                    "status": "active" if contract else "pending",
                    "date": _time(project.award_approved_at),
                    "value": _money(b.price),
                    "suppliers": [_ref(b.supplier)],
                    "items": [i for i in _lot_items(project) if i["id"] == f"lot-{b.lot.number}"],
                }
            )
            if contract is not None:
                contracts.append(
                    {
                        "id": f"{contract.reference}-lot-{b.lot.number}",
                        "awardID": award_id,
                        "title": f"{contract.title}, lot {b.lot.number}",
                        "status": "active",
                        "period": {
                            "startDate": _time(contract.start_date),
                            "endDate": _time(contract.end_date),
                        },
                        "value": _money(b.price),
                        "dateSigned": _time(contract.created_at),
                    }
                )
        release["awards"] = awards
        if contracts:
            release["contracts"] = contracts
    return _clean(release)  # type: ignore[no-any-return]


def _contract_period(project: Project) -> dict[str, Any] | None:
    """The term from its start, its length in days, and the furthest it can run with every
    extension taken."""
    start = project.contract_starts_on
    if start is None:
        return None
    end = term_end(start, project.term_months)
    return {
        "startDate": _time(start),
        "endDate": _end_of(end),
        "durationInDays": (end - start).days + 1,
        "maxExtentDate": _end_of(term_end(start, project.term_months + project.extension_months)),
    }


def publish(project: Project, tag: str) -> OcdsRelease:
    """Store the release for this stage as published. A second planning release updates the
    first (tag planningUpdate)."""
    if tag == "planning" and OcdsRelease.objects.filter(project=project, tag__startswith="planning").exists():
        tag = "planningUpdate"
    release = build_release(project, tag)
    n = OcdsRelease.objects.filter(project=project).count() + 1
    release["id"] = f"{project.ocid}-{n:02d}-{tag}"
    return OcdsRelease.objects.create(
        project=project, release_id=release["id"], date=now(), tag=tag, body=release
    )


LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def _package_meta(path: str) -> dict[str, Any]:
    base = settings.SITE_URL.rstrip("/")
    return {
        "uri": f"{base}{path}",
        "publishedDate": _time(now()),
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME},
        "license": LICENCE,
        "publicationPolicy": f"{base}/open-data/",
        "version": "1.1",
    }


def published() -> Any:
    """Every procurement with at least one published release, oldest first."""
    return Project.objects.filter(releases__isnull=False).distinct().order_by("id")


def bulk_release_package() -> dict[str, Any]:
    """Every release of every published procurement, in one package: the bulk download."""
    releases = [r.body for r in OcdsRelease.objects.order_by("project_id", "date", "id").only("body")]
    return {**_package_meta("/open-data/releases.json"), "releases": releases}


def bulk_record_package() -> dict[str, Any]:
    """One record per published procurement, each with its releases and compiled release."""
    by_project: dict[int, list[dict[str, Any]]] = {}
    for project_id, body in OcdsRelease.objects.order_by("project_id", "date", "id").values_list(
        "project_id", "body"
    ):
        by_project.setdefault(project_id, []).append(body)
    records = [_record(releases[0]["ocid"], releases) for releases in by_project.values()]
    return {**_package_meta("/open-data/records.json"), "records": records}


def releases_of(project: Project) -> list[dict[str, Any]]:
    return [r.body for r in project.releases.order_by("date", "id")]


def release_package(project: Project) -> dict[str, Any]:
    return {**_package_meta(f"/tenders/{project.pk}/ocds/releases.json"), "releases": releases_of(project)}


def compiled_release(project: Project) -> dict[str, Any]:
    releases = releases_of(project)
    if not releases:
        return {}
    return dict(_merger().create_compiled_release(releases))


def _record(ocid: str, releases: list[dict[str, Any]]) -> dict[str, Any]:
    """A record: the releases as published, and the release compiled from them."""
    record: dict[str, Any] = {"ocid": ocid, "releases": releases}
    if releases:
        record["compiledRelease"] = dict(_merger().create_compiled_release(releases))
    return record


def record_package(project: Project) -> dict[str, Any]:
    # The releases are read once, for both the record and its compiled release.
    record = _record(project.ocid, releases_of(project))
    return {**_package_meta(f"/tenders/{project.pk}/ocds/record.json"), "records": [record]}
