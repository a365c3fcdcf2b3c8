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
from consortium.core.money import to_penny
from consortium.organisations.models import Organisation
from consortium.organisations.orgid import org_id
from consortium.tendering.constants import VAT_RATE, BidStatus, ContractType, ProcedureCode, ProjectStatus
from consortium.tendering.cpv import cpv_description
from consortium.tendering.models import Bid, OcdsRelease, Project
from consortium.tendering.timetable import term_end

SCHEMA_DIR = Path(__file__).parent / "ocds_schema"
# The extensions every package declares; their schemas are shipped in ocds_schema/extensions.
EXTENSIONS = {
    "lots": "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "bid": "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "uk": "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/aa0e43b84dfad0cb9b839a8135e0bc4b285d32fc/extension.json",
}
# Every value published is on one basis: the whole term with every extension taken, `amount`
# excluding VAT and `amountGross` (the UK extension) including it, so award ÷ estimate means
# something.
VALUE_BASIS = (
    "Every value is for the whole term with every extension taken (the maximum value): amount "
    "excludes VAT, amountGross includes VAT at 20%."
)
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
    """The 1.1.5 release schema with the declared extensions' schemas merged in (JSON Merge
    Patch, RFC 7386, as the extension registry does)."""
    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    for name in EXTENSIONS:
        patch = json.loads((SCHEMA_DIR / "extensions" / name / "release-schema.json").read_text())
        schema = _merge_patch(schema, patch)
    return schema  # type: ignore[no-any-return]


def _merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


@cache
def _merger() -> Any:
    import ocdsmerge

    return ocdsmerge.Merger(schema=release_schema())


def _money(amount: Decimal | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    return {"amount": float(amount), "currency": "GBP"}


def _value(net: Decimal | None) -> dict[str, Any] | None:
    """A value on the publication's one basis: net and gross of VAT (VALUE_BASIS)."""
    if not net:
        return None
    return {
        "amount": float(to_penny(net)),
        "amountGross": float(to_penny(net * (1 + VAT_RATE))),
        "currency": "GBP",
    }


def _term_years(project: Project) -> Decimal:
    return Decimal(project.term_months + project.extension_months) / 12


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
    found = org_id(org)
    return f"{found[0]}-{found[1]}" if found else f"{settings.OCDS_OCID_PREFIX}-org-{org.pk}"


def _ref(org: Organisation) -> dict[str, str]:
    return {"id": _party_id(org), "name": org.name}


def _party(org: Organisation, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {"id": _party_id(org), "name": org.name, "roles": roles}
    found = org_id(org)
    if found:
        party["identifier"] = {"scheme": found[0], "id": found[1], "legalName": org.name}
    party["address"] = {
        "streetAddress": ", ".join(x for x in (org.address_line_1, org.address_line_2) if x),
        "locality": org.town,
        "postalCode": org.postcode,
        "countryName": "United Kingdom",
    }
    if org.kind == "consortium":
        party["contactPoint"] = {
            "name": settings.OCDS_CONTACT_NAME,
            "email": settings.OCDS_CONTACT_EMAIL,
            "url": settings.SITE_URL,
        }
    return party


def _classification(code: str) -> dict[str, Any]:
    return {"scheme": "CPV", "id": code, "description": cpv_description(code)}


def _items(project: Project, lot_number: int | None = None) -> list[dict[str, Any]]:
    """One item per line of each lot's schedule, with its CPV code (the item's own, else the
    procurement's first), every other CPV code of the procurement, its quantity and unit."""
    codes = [str(c) for c in project.cpv_codes or []]
    items = []
    for lot in project.lots.all():
        if lot_number is not None and lot.number != lot_number:
            continue
        for item in lot.items.all():
            main = item.cpv_code or (codes[0] if codes else "")
            items.append(
                {
                    "id": f"lot-{lot.number}-item-{item.number}",
                    "description": item.description,
                    "classification": _classification(main) if main else None,
                    "additionalClassifications": [_classification(c) for c in codes if c != main],
                    "quantity": float(item.quantity) if item.quantity is not None else None,
                    "unit": {"name": item.unit},
                    "relatedLot": f"lot-{lot.number}",
                }
            )
    return items


def _lots(project: Project, by_lot: dict[int, Decimal]) -> list[dict[str, Any]]:
    years = _term_years(project)
    return [
        {
            "id": f"lot-{lot.number}",
            "title": lot.title,
            "description": lot.specification,
            "status": TENDER_STATUS[project.status],
            "value": _value(by_lot.get(lot.number, Decimal(0)) * years),
        }
        for lot in project.lots.all()
    ]


def _bid_statistics(project: Project, submitted: list[Bid]) -> list[dict[str, Any]]:
    """Per lot and in all: bids received, bids from SMEs, bidders (for red-flag indicators
    such as single bidding)."""
    rows: list[tuple[str, int, str | None]] = []
    lots = sorted({b.lot.number for b in submitted} | {lot.number for lot in project.lots.all()})
    for n in lots:
        of_lot = [b for b in submitted if b.lot.number == n]
        rows += [
            ("bids", len(of_lot), f"lot-{n}"),
            ("smeBids", sum(1 for b in of_lot if b.supplier.is_sme), f"lot-{n}"),
            ("electronicBids", len(of_lot), f"lot-{n}"),
        ]
    rows += [
        ("bids", len(submitted), None),
        ("smeBids", sum(1 for b in submitted if b.supplier.is_sme), None),
        ("bidders", len({b.supplier_id for b in submitted}), None),
    ]
    date = _time(project.opened_at)
    return [
        {"id": str(i), "measure": measure, "value": value, "date": date, "relatedLot": lot}
        for i, (measure, value, lot) in enumerate(rows, start=1)
    ]


# Each UK notice's OCDS document type (the core codelist, or the UK extension's additions).
NOTICE_DOCUMENT_TYPE = {
    "UK2": "marketEngagementNotice",
    "UK3": "plannedProcurementNotice",
    "UK4": "tenderNotice",
    "UK5": "tenderNotice",
    "UK6": "awardNotice",
    "UK7": "contractNotice",
    "UK9": "implementationNotice",
    "UK10": "contractNotice",
    "UK11": "contractTerminationNotice",
    "UK12": "tenderCancellationNotice",
}


def _tender_documents(project: Project) -> list[dict[str, Any]]:
    """The tender's own documents, once published: each with where to download it."""
    if project.status in (ProjectStatus.DRAFT, ProjectStatus.DEMAND, ProjectStatus.PREPARATION):
        return []
    base = settings.SITE_URL.rstrip("/")
    return [
        {
            "id": f"document-{d.pk}",
            "documentType": "biddingDocuments",
            "title": d.title,
            "description": f"{d.file_name}, added by amendment {d.amendment.number}"
            if d.amendment
            else d.file_name,
            "url": f"{base}/tenders/{project.pk}/documents/{d.pk}/",
            "datePublished": _time(max(d.uploaded_at, _start(project.publication_on) or d.uploaded_at)),
            "format": d.content_type,
            "language": "en",
        }
        for d in project.documents.select_related("amendment")
    ]


def _start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LONDON) if day else None


def _notices(project: Project) -> list[dict[str, Any]]:
    """The UK notices as documents: each links its own page, its type in the UK extension."""
    base = settings.SITE_URL.rstrip("/")
    return [
        {
            "id": f"notice-{n.pk}",
            "documentType": NOTICE_DOCUMENT_TYPE.get(n.notice_type.code, "tenderNotice"),
            "noticeType": n.notice_type.code,
            "title": f"{n.notice_type.code} {n.notice_type.name}",
            "description": n.summary,
            "url": f"{base}/tenders/{project.pk}/notices/{n.pk}/",
            "datePublished": _time(n.published_at),
            "format": "text/html",
            "language": "en",
        }
        for n in project.notices.select_related("notice_type")
    ]


def _clean(value: Any) -> Any:
    """Drop empty values: OCDS publishes what is known, not nulls."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_clean(v) for v in value if v not in (None, "", [], {})]
    return value


def build_release(project: Project, tags: list[str]) -> dict[str, Any]:
    from consortium.tendering.selectors import aggregate_demand, criteria_check, leaf_criteria

    aggregate = aggregate_demand(project)
    by_lot = {row["lot"].number: row["annual_value"] for row in aggregate.by_lot}
    years = _term_years(project)
    estimate = aggregate.annual_value * years
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
    planning = tags[0].startswith("planning")
    tender: dict[str, Any] = {
        "id": project.reference,
        "title": project.title,
        "description": project.description,
        "status": TENDER_STATUS[project.status],
        "procuringEntity": _ref(project.run_by),
        "items": _items(project),
        "lots": _lots(project, by_lot),
        "value": _value(estimate),
        "aboveThreshold": aggregate.above_threshold if estimate else None,
        "mainProcurementCategory": category,
        "procurementMethod": METHOD.get(project.procedure.code) if project.procedure else None,
        "procurementMethodDetails": project.procedure.get_code_display() if project.procedure else None,
        "procurementMethodRationale": project.without_demand_reason or None,
        "awardCriteria": "ratedCriteria" if criteria_text else None,
        "awardCriteriaDetails": f"{criteria_text}. Price compared: {project.price_basis}."
        if criteria_text
        else None,
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
        "hasEnquiries": project.clarifications.exclude(answered_at=None).exists() if not planning else None,
        "awardPeriod": {
            "startDate": _time(project.award_decision_on),
            "endDate": _end_of(project.standstill_ends_on),
        }
        if project.award_decision_on
        else None,
        "contractPeriod": _contract_period(project),
        "documents": _notices(project) + _tender_documents(project),
        "amendments": [
            {
                "id": str(a.number),
                "date": _time(a.made_at),
                "rationale": a.rationale,
                "description": a.description
                + (
                    f" The tender deadline moved from {a.deadline_before.astimezone(LONDON):%-d %B %Y %H:%M} "
                    f"to {a.deadline_after.astimezone(LONDON):%-d %B %Y %H:%M} (London)."
                    if a.deadline_after != a.deadline_before
                    else ""
                ),
            }
            for a in project.amendments.all()
        ],
    }
    if opened:
        tender["numberOfTenderers"] = len({b.supplier_id for b in submitted})
        tender["tenderers"] = [_ref(o) for o in {b.supplier_id: b.supplier for b in submitted}.values()]
    release: dict[str, Any] = {
        "ocid": project.ocid,
        "id": "",  # set by publish()
        "date": _time(now()),
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "parties": list(parties.values()),
        "buyer": _ref(project.run_by),
        "planning": {
            "rationale": (
                f"Aggregated demand of {aggregate.members_using} members: {aggregate.regime}."
                if estimate
                else project.without_demand_reason
                or "Members are invited to register their demand; the budget follows from it."
            ),
            # No budget until members have said what they need: never a budget of £0.
            "budget": {
                "description": f"Members' aggregated demand. {VALUE_BASIS}",
                "amount": _value(estimate),
            }
            if estimate
            else None,
        },
        "tender": tender,
    }
    if opened:
        release["bids"] = {"statistics": _bid_statistics(project, submitted)}
    if project.award_approved_at is not None:
        contract = project.awarded_contract
        awards, contracts = [], []
        for b in submitted:
            if not b.is_winner:
                continue
            award_id = f"{project.reference}-lot-{b.lot.number}"
            value = _value(b.price * years)
            awards.append(
                {
                    "id": award_id,
                    "title": f"Lot {b.lot.number}: {b.lot.title}",
                    "status": "active" if contract else "pending",
                    "date": _time(project.award_approved_at),
                    "value": value,
                    "suppliers": [_ref(b.supplier)],
                    "items": _items(project, b.lot.number),
                    "relatedLots": [f"lot-{b.lot.number}"],
                    "standstillPeriod": {
                        "startDate": _time(project.award_decision_on),
                        "endDate": _end_of(project.standstill_ends_on),
                    }
                    if project.standstill_ends_on
                    else None,
                    "aboveThreshold": aggregate.above_threshold,
                }
            )
            if contract is not None:
                variations = [v for v in project.variations.all() if v.lot_number == b.lot.number]
                changed = b.price + sum((v.annual_value_change for v in variations), Decimal(0))
                contracts.append(
                    {
                        "id": f"{contract.reference}-lot-{b.lot.number}",
                        "awardID": award_id,
                        "title": f"{contract.title}, lot {b.lot.number}",
                        "status": "terminated" if project.terminated_on else "active",
                        "period": {
                            "startDate": _time(contract.start_date),
                            "endDate": _end_of(contract.end_date),
                            "maxExtentDate": _end_of(
                                term_end(contract.start_date, project.term_months + project.extension_months)
                            ),
                        },
                        "value": _value(changed * years),
                        "items": _items(project, b.lot.number),
                        "dateSigned": _time(project.contract_signed_on or contract.created_at),
                        "amendments": [
                            {
                                "id": str(v.number),
                                "date": _time(v.made_at),
                                "rationale": v.rationale,
                                "description": v.description,
                            }
                            for v in project.variations.all()
                        ],
                        "implementation": {"milestones": _milestones(project)},
                    }
                )
        release["awards"] = awards
        if contracts:
            release["contracts"] = contracts
    return _clean(release)  # type: ignore[no-any-return]


def _milestones(project: Project) -> list[dict[str, Any]]:
    """The contract's milestones and its KPI assessments, as OCDS implementation milestones."""
    rows: list[dict[str, Any]] = [
        {
            "id": f"milestone-{m.number}",
            "title": m.title,
            "description": m.description,
            "type": "delivery",
            "dueDate": _end_of(m.due_on),
            "dateMet": _time(m.met_on),
            "status": m.status,
        }
        for m in project.milestones.all()
    ]
    rows += [
        {
            "id": f"assessment-{a.pk}",
            "title": f"Key performance indicator: {a.kpi}",
            "description": f"{a.get_rating_display()} for the period to {a.period_end:%-d %B %Y}. {a.notes}".strip(),
            "type": "reporting",
            "dueDate": _end_of(a.period_end),
            "dateMet": _time(a.assessed_at),
            "status": "met",
        }
        for a in project.assessments.all()
    ]
    return rows


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


def publish(project: Project, *tags: str) -> OcdsRelease:
    """Store the release for this stage as published. A second planning release updates the
    first (tag planningUpdate)."""
    tag_list = list(tags)
    if (
        tag_list == ["planning"]
        and OcdsRelease.objects.filter(project=project, tag__startswith="planning").exists()
    ):
        tag_list = ["planningUpdate"]
    release = build_release(project, tag_list)
    n = OcdsRelease.objects.filter(project=project).count() + 1
    release["id"] = f"{project.ocid}-{n:02d}-{'-'.join(tag_list)}"
    return OcdsRelease.objects.create(
        project=project, release_id=release["id"], date=now(), tag=",".join(tag_list), body=release
    )


LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def _package_meta(path: str) -> dict[str, Any]:
    base = settings.SITE_URL.rstrip("/")
    publisher: dict[str, Any] = {"name": settings.OCDS_PUBLISHER_NAME, "uri": f"{base}/open-data/"}
    consortium = Organisation.objects.filter(kind="consortium").order_by("pk").first()
    found = org_id(consortium) if consortium else None
    if found:
        publisher |= {"scheme": found[0], "uid": found[1]}
    return {
        "uri": f"{base}{path}",
        "version": "1.1",
        "extensions": list(EXTENSIONS.values()),
        "publishedDate": _time(now()),
        "publisher": publisher,
        "license": LICENCE,
        "publicationPolicy": f"{base}/open-data/",
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
