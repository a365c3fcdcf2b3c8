"""The UK notices as documents: what each says, fixed when it is published.

Each notice's content is the information the Procurement Act 2023 and the Procurement
Regulations 2024 (SI 2024/692) ask of it, as far as the procurement holds it: the contracting
authority information every notice carries, then what the notice type adds — for a tender
notice (reg. 18, and reg. 20 for a framework) the subject-matter, lots, estimated value,
procedure, timetable and award criteria; for a contract award notice (s.50) the award
decision, suppliers, values and standstill; for a contract details notice (reg. 32) the
contract's identifiers, suppliers with their status, value, dates and signing; for a
procurement termination notice (s.55) the decision. Stored with the notice (never rebuilt),
shown as a page and as a PDF, and linked from the OCDS releases.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from consortium.core.dates import LONDON
from consortium.core.money import to_penny
from consortium.organisations.models import Organisation
from consortium.organisations.orgid import org_id
from consortium.tendering.constants import VAT_RATE, BidStatus
from consortium.tendering.cpv import cpv_description
from consortium.tendering.models import Bid, Project
from consortium.tendering.timetable import term_end

Row = tuple[str, str]
LEGAL_BASIS = {
    "UK2": "Procurement Act 2023, section 17",
    "UK3": "Procurement Act 2023, section 18",
    "UK4": "Procurement Act 2023, section 21; Procurement Regulations 2024, regulations 18 and 20",
    "UK5": "Procurement Act 2023, section 44",
    "UK6": "Procurement Act 2023, section 50",
    "UK7": "Procurement Act 2023, section 53; Procurement Regulations 2024, regulation 32",
    "UK9": "Procurement Act 2023, section 71",
    "UK10": "Procurement Act 2023, section 75",
    "UK11": "Procurement Act 2023, section 80",
    "UK12": "Procurement Act 2023, section 55",
}


def _pounds(amount: Decimal) -> str:
    return f"£{to_penny(amount):,.2f}"


def _net_gross(net: Decimal) -> str:
    return f"{_pounds(net)} excluding VAT ({_pounds(net * (1 + VAT_RATE))} including VAT)"


def _identifier(org: Organisation) -> str:
    found = org_id(org)
    return f"{found[0]}-{found[1]}" if found else "None recorded"


def _address(org: Organisation) -> str:
    parts = [org.address_line_1, org.address_line_2, org.town, org.postcode]
    return ", ".join(p for p in parts if p) or "None recorded"


def _authority(project: Project) -> list[Row]:
    org = project.run_by
    return [
        ("Name", org.name),
        ("Identifier", _identifier(org)),
        ("Address", _address(org)),
        ("Contact", f"{settings.OCDS_CONTACT_NAME}, {settings.OCDS_CONTACT_EMAIL}"),
        ("Acting for", _members(project) or "The consortium's members"),
    ]


def _members(project: Project) -> str:
    names = Organisation.objects.filter(
        pk__in=project.lots.filter(demand__will_use=True).values("demand__member")
    ).order_by("name")
    return "; ".join(m.name for m in names)


def _subject(project: Project) -> list[Row]:
    codes = [f"{c} {cpv_description(str(c)) or ''}".strip() for c in project.cpv_codes or []]
    return [
        ("Title", project.title),
        ("Procurement reference", project.reference),
        ("Unique identifier (OCDS)", project.ocid),
        ("Description", project.description or project.title),
        ("Main category", project.get_contract_type_display()),
        ("CPV codes", "; ".join(codes) or "None given"),
    ]


def _estimate(project: Project) -> Decimal:
    from consortium.tendering.selectors import aggregate_demand

    years = Decimal(project.term_months + project.extension_months) / 12
    return aggregate_demand(project).annual_value * years


def _lots(project: Project) -> list[Row]:
    from consortium.tendering.selectors import aggregate_demand

    years = Decimal(project.term_months + project.extension_months) / 12
    by_lot = {row["lot"].number: row["annual_value"] for row in aggregate_demand(project).by_lot}
    rows = []
    for lot in project.lots.prefetch_related("items"):
        items = "; ".join(
            f"{i.description} ({i.quantity:,.0f} {i.unit} a year)" if i.quantity else i.description
            for i in lot.items.all()
        )
        value = by_lot.get(lot.number, Decimal(0)) * years
        rows.append(
            (
                f"Lot {lot.number}: {lot.title}",
                f"{lot.specification or lot.title} Items: {items}. Estimated value "
                + (_net_gross(value) if value else "not yet known")
                + ".",
            )
        )
    return rows


def _criteria(project: Project) -> str:
    from consortium.tendering.selectors import criteria_check, leaf_criteria

    check = criteria_check(project)
    return "; ".join(
        f"{c.number} {c.title}: {check.weights.get(c.pk, 0):.2f}%" for c in leaf_criteria(project)
    )


def _term(project: Project) -> str:
    text = f"{project.term_months} months"
    if project.extension_months:
        text += f", extendable by up to {project.extension_months} months"
    if project.contract_starts_on:
        text += f", from {project.contract_starts_on:%-d %B %Y}"
    return text


def _winners(project: Project) -> list[Bid]:
    return list(
        Bid.objects.filter(project=project, status=BidStatus.SUBMITTED, is_winner=True)
        .select_related("supplier", "lot")
        .order_by("lot__number")
    )


def _supplier_rows(bid: Bid, years: Decimal) -> list[Row]:
    s = bid.supplier
    status = [label for flag, label in ((s.is_sme, "SME"), (s.is_voluntary_sector, "VCSE")) if flag]
    return [
        (f"Lot {bid.lot.number}: supplier", s.name),
        (f"Lot {bid.lot.number}: supplier identifier", _identifier(s)),
        (f"Lot {bid.lot.number}: supplier address", _address(s)),
        (f"Lot {bid.lot.number}: supplier is", ", ".join(status) or "Neither an SME nor a VCSE"),
        (f"Lot {bid.lot.number}: value over the term with extensions", _net_gross(bid.price * years)),
    ]


def notice_body(project: Project, code: str) -> dict[str, Any]:
    """The notice's content as sections of (label, value) rows, as published."""
    years = Decimal(project.term_months + project.extension_months) / 12
    sections: list[dict[str, Any]] = [
        {"heading": "Contracting authority", "rows": _authority(project)},
        {"heading": "The procurement", "rows": _subject(project)},
    ]
    procedure = project.procedure.get_code_display() if project.procedure else "Not yet set"
    estimate = _estimate(project)
    if code in ("UK2", "UK3", "UK4", "UK5"):
        rows: list[Row] = [
            (
                "Estimated value over the term with extensions",
                _net_gross(estimate) if estimate else "Not yet known",
            ),
            ("Procedure", procedure),
            ("Term", _term(project)),
            ("Lots", f"{project.lots.count()}; a supplier may bid for any or all of them"),
        ]
        if code == "UK3" and project.publication_on:
            rows.append(("Tender notice expected on", f"{project.publication_on:%-d %B %Y}"))
        if code in ("UK4", "UK5") and project.tender_deadline:
            rows += [
                (
                    "Tenders must be submitted by",
                    f"{project.tender_deadline.astimezone(LONDON):%-d %B %Y, %H:%M} (London)",
                ),
                (
                    "How tenders are submitted",
                    f"Electronically, at {settings.SITE_URL.rstrip('/')}/tenders/{project.pk}/",
                ),
            ]
            if project.clarification_deadline:
                rows.append(("Clarification questions close", f"{project.clarification_deadline:%-d %B %Y}"))
            if project.award_decision_on:
                rows.append(("Award decision expected on", f"{project.award_decision_on:%-d %B %Y}"))
            rows += [
                ("Award criteria", _criteria(project) or "Not yet set"),
                ("Price evaluation", project.price_basis),
                (
                    "Framework",
                    "A framework with one supplier per lot; the consortium's members named above may call off from it; no fees are charged to suppliers",
                ),
            ]
        if code == "UK5":
            rows.append(
                ("Why the contract is awarded directly", project.without_demand_reason or "Not recorded")
            )
            rows.append(
                ("Suppliers invited", "; ".join(s.name for s in project.invited_suppliers.order_by("name")))
            )
        sections.append({"heading": "What is procured, and how", "rows": rows})
        sections.append({"heading": "Lots", "rows": _lots(project)})
        amendments = list(project.amendments.all()) if code == "UK4" else []
        if amendments:
            sections.append(
                {
                    "heading": "Changes to the tender since it was first published",
                    "rows": [
                        (
                            f"Amendment {a.number}, {a.made_at.astimezone(LONDON):%-d %B %Y}",
                            f"{a.description} Why: {a.rationale}",
                        )
                        for a in amendments
                    ],
                }
            )
    if code in ("UK6", "UK7"):
        submitted = Bid.objects.filter(project=project, status=BidStatus.SUBMITTED).select_related("supplier")
        rows = [
            ("Procedure", procedure),
            (
                "Award decision made on",
                f"{project.award_decision_on:%-d %B %Y}" if project.award_decision_on else "Not recorded",
            ),
            ("Tenders received", str(submitted.count())),
            ("Tenders from SMEs", str(sum(1 for b in submitted if b.supplier.is_sme))),
        ]
        if code == "UK6" and project.standstill_ends_on:
            rows.append(("Standstill period ends", f"{project.standstill_ends_on:%-d %B %Y} at 23:59"))
        contract = project.awarded_contract
        if code == "UK7" and contract is not None:
            rows += [
                ("Contract reference", contract.reference),
                (
                    "Contract signed on",
                    f"{project.contract_signed_on:%-d %B %Y}"
                    if project.contract_signed_on
                    else "Not recorded",
                ),
                ("Contract starts", f"{contract.start_date:%-d %B %Y}"),
                ("Contract ends", f"{contract.end_date:%-d %B %Y}"),
                (
                    "Latest end with every extension",
                    f"{term_end(contract.start_date, project.term_months + project.extension_months):%-d %B %Y}",
                ),
            ]
        winners = _winners(project)
        total = sum((b.price for b in winners), Decimal(0)) * years
        rows.append(("Total value over the term with extensions", _net_gross(total) if total else "None"))
        sections.append({"heading": "The award" if code == "UK6" else "The contract", "rows": rows})
        sections.append(
            {"heading": "Suppliers", "rows": [r for b in winners for r in _supplier_rows(b, years)]}
        )
    if code in ("UK9", "UK10", "UK11") and project.awarded_contract is not None:
        contract = project.awarded_contract
        rows = [
            ("Contract reference", contract.reference),
            ("Suppliers", "; ".join(f"Lot {b.lot.number}: {b.supplier.name}" for b in _winners(project))),
            ("Contract runs", f"{contract.start_date:%-d %B %Y} to {contract.end_date:%-d %B %Y}"),
        ]
        if code == "UK9":
            latest = project.assessments.order_by("-id").first()
            if latest is not None:
                rows += [
                    ("Key performance indicator", latest.kpi),
                    ("Period assessed to", f"{latest.period_end:%-d %B %Y}"),
                    ("Rating", latest.get_rating_display()),
                    ("Notes", latest.notes or "None"),
                ]
        if code == "UK10":
            change = project.variations.order_by("-number").first()
            if change is not None:
                rows += [
                    ("Change", f"Variation {change.number}: {change.description}"),
                    ("Why, and the ground for it", change.rationale),
                    (
                        f"Lot {change.lot_number}: change in value a year",
                        f"{'+' if change.annual_value_change >= 0 else '−'}{_pounds(abs(change.annual_value_change))} excluding VAT",
                    ),
                    ("End date", f"{change.end_before:%-d %B %Y} → {change.end_after:%-d %B %Y}"),
                ]
        if code == "UK11":
            rows += [
                ("Terminated on", f"{project.terminated_on:%-d %B %Y}" if project.terminated_on else ""),
                ("Reason", project.termination_reason),
            ]
        sections.append({"heading": "The contract", "rows": rows})
    if code == "UK12":
        sections.append(
            {
                "heading": "The decision",
                "rows": [
                    ("Decision", "The contracting authority has decided not to award a contract."),
                    ("Reason", project.cancellation_reason or "Not recorded"),
                ],
            }
        )
    return {"legal_basis": LEGAL_BASIS.get(code, "Procurement Act 2023"), "sections": sections}
