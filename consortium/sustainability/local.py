"""The local economy: what "local" means for each member (its postcode districts), the share of
its spend with local, SME and voluntary-sector suppliers, and NEF's Local Multiplier 3 per
contract and supplier:

    LM3 = (R1 + R2 + R3) ÷ R1

R1 is the members' spend with the supplier under the contract in the year (from the orders);
R2 what the supplier re-spends locally on staff and its own suppliers (its survey, with
evidence); R3 what those re-spend locally — surveyed, or R2 × a stated ratio (25% unless the
consortium sets another for the survey). Every figure is shown with its inputs."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum

from consortium.audit.services import audit_record
from consortium.core.dates import now
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission
from consortium.sustainability.models import Lm3Survey, LocalArea
from consortium.sustainability.schemas import Lm3In, LocalAreaIn

ZERO = Decimal("0.00")
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")


def district_of(postcode: str) -> str:
    """A UK postcode's district (outward code): "ST16 2LH" → "ST16"."""
    text = postcode.strip().upper()
    return text.split()[0] if " " in text else text[:-3] if len(text) > 4 else text


def local_area_save(*, actor: Actor, data: LocalAreaIn) -> LocalArea:
    if not actor.has(Permission.SUSTAINABILITY_ASSESS):
        raise PermissionDenied("A member's local area is set by its own buyers and approvers.")
    districts: list[str] = []
    errors: dict[str, str] = {}
    for i, raw in enumerate(data.districts):
        d = raw.strip().upper()
        if not DISTRICT.match(d):
            errors[f"districts[{i}]"] = f"“{raw[:20]}” is not a postcode district (for example ST16 or WS11)"
        elif d not in districts:
            districts.append(d)
    if errors:
        raise ValidationFailed("Check the postcode districts", field_errors=errors)
    with transaction.atomic():
        area, _ = LocalArea.objects.update_or_create(
            member=actor.organisation, defaults={"districts": districts, "updated_by": actor.person}
        )
        audit_record(
            actor=actor,
            action="local_area.save",
            obj=area,
            organisation=actor.organisation,
            changes={"districts": districts},
        )
    return area


def local_share(actor: Actor, *, since: Any = None) -> list[dict[str, Any]]:
    """Each member's spend (its own, or every member's for the consortium) with suppliers in its
    own local districts, with SMEs and with the voluntary sector: orders through the marketplace
    and the spend files members upload."""
    from consortium.spend.mi import daily_spend_for

    by = (
        daily_spend_for(actor, since=since)
        .values("buyer_id", "supplier_id")
        .annotate(total=Sum("spend"))
        .order_by()
    )
    rows = list(by)
    # Members' uploaded spend files add their spend outside the marketplace: a line counts as
    # local, SME or voluntary by the supplier it was matched to (unmatched lines count in the
    # total only).
    from consortium.spend.models import SpendLine
    from consortium.spend.selectors import spend_file_list_for

    files = SpendLine.objects.filter(spend_file__in=spend_file_list_for(actor))
    if since is not None:
        files = files.filter(paid_on__gte=since)
    rows += [
        {"buyer_id": r["organisation_id"], "supplier_id": r["matched_supplier_id"], "total": r["total"]}
        for r in files.values("organisation_id", "matched_supplier_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ]
    suppliers = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in={r["supplier_id"] for r in rows}).only(
            "pk", "postcode", "is_sme", "is_voluntary_sector"
        )
    }
    members = dict(
        Organisation.objects.filter(pk__in={r["buyer_id"] for r in rows}).values_list("pk", "name")
    )
    areas = {a.member_id: set(a.districts) for a in LocalArea.objects.filter(member_id__in=list(members))}
    totals: dict[int, dict[str, Decimal]] = {}
    for r in rows:
        t = totals.setdefault(r["buyer_id"], {"total": ZERO, "local": ZERO, "sme": ZERO, "voluntary": ZERO})
        amount = r["total"] or ZERO
        t["total"] += amount
        s = suppliers.get(r["supplier_id"])
        if s is None:
            continue
        if district_of(s.postcode) in areas.get(r["buyer_id"], set()):
            t["local"] += amount
        if s.is_sme:
            t["sme"] += amount
        if s.is_voluntary_sector:
            t["voluntary"] += amount

    def pct(part: Decimal, whole: Decimal) -> Decimal:
        return (part / whole * 100).quantize(Decimal("0.1")) if whole else Decimal("0.0")

    return sorted(
        (
            {
                "member_id": m,
                "member": members[m],
                "districts": sorted(areas.get(m, set())),
                **{k: v.quantize(Decimal("0.01")) for k, v in t.items()},
                "local_percent": pct(t["local"], t["total"]),
                "sme_percent": pct(t["sme"], t["total"]),
                "voluntary_percent": pct(t["voluntary"], t["total"]),
            }
            for m, t in totals.items()
        ),
        key=lambda r: r["member"],
    )


def round_one(contract_id: int, supplier_id: int, year: int) -> Decimal:
    """R1: the members' spend with the supplier under the contract in the financial year."""
    from consortium.spend.models import DailySpend

    total = DailySpend.objects.filter(
        contract_id=contract_id,
        supplier_id=supplier_id,
        day__gte=dt.date(year, 4, 1),
        day__lte=dt.date(year + 1, 3, 31),
    ).aggregate(t=Sum("spend"))["t"]
    return (total or ZERO).quantize(Decimal("0.01"))


def figures(survey: Lm3Survey) -> dict[str, Any]:
    r1 = round_one(survey.contract_id, survey.supplier_id, survey.year)
    r2 = survey.r2_staff + survey.r2_suppliers
    surveyed = survey.r3_amount is not None
    r3 = (
        survey.r3_amount if survey.r3_amount is not None else (r2 * survey.r3_ratio).quantize(Decimal("0.01"))
    )
    return {
        "id": survey.pk,
        "contract": survey.contract.reference,
        "supplier": survey.supplier.name,
        "year": survey.year,
        "r1": r1,
        "r2": r2,
        "r3": r3,
        "r3_surveyed": surveyed,
        "r3_ratio": survey.r3_ratio,
        "lm3": ((r1 + r2 + r3) / r1).quantize(Decimal("0.01")) if r1 else None,
        "status": survey.status,
        "evidence": survey.evidence,
    }


def lm3_submit(*, actor: Actor, data: Lm3In) -> Lm3Survey:
    """A supplier answers for a contract it holds; it may change its answers until published."""
    from consortium.contracts.models import Contract

    if not (actor.organisation.is_supplier and actor.has(Permission.CATALOGUE_KEEP)):
        raise PermissionDenied("LM3 surveys are answered by the supplier.")
    contract = (
        Contract.objects.filter(pk=data.contract_id, lots__suppliers=actor.organisation).distinct().first()
    )
    if contract is None:
        raise ValidationFailed(
            "Choose a contract your organisation holds",
            field_errors={"contract_id": "Choose one of your contracts"},
        )
    with transaction.atomic():
        survey = (
            Lm3Survey.objects.select_for_update()
            .filter(contract=contract, supplier=actor.organisation, year=data.year)
            .first()
        )
        if survey is not None and survey.status == "published":
            raise Conflict("This survey has been published: ask the consortium to correct it.")
        fields = {
            "r2_staff": data.r2_staff,
            "r2_suppliers": data.r2_suppliers,
            "r3_amount": data.r3_amount,
            "evidence": data.evidence.strip(),
            "submitted_by": actor.person,
            "status": "submitted",
        }
        if survey is None:
            survey = Lm3Survey.objects.create(
                contract=contract, supplier=actor.organisation, year=data.year, **fields
            )
        else:
            for k, v in fields.items():
                setattr(survey, k, v)
            survey.save()
        audit_record(
            actor=actor,
            action="lm3.submit",
            obj=survey,
            organisation=actor.organisation,
            changes={k: str(v) for k, v in fields.items() if k != "submitted_by"},
        )
    return survey


def lm3_publish(*, actor: Actor, survey_id: int) -> Lm3Survey:
    if not actor.has(Permission.SUSTAINABILITY_OVERSEE):
        raise PermissionDenied("LM3 figures are published by the consortium.")
    with transaction.atomic():
        survey = (
            Lm3Survey.objects.select_for_update()
            .select_related("contract", "supplier")
            .filter(pk=survey_id)
            .first()
        )
        if survey is None:
            raise NotFound("There is no such survey")
        if survey.status == "published":
            raise Conflict("This survey has been published already.")
        survey.status, survey.published_by, survey.published_at = "published", actor.person, now()
        survey.save()
        audit_record(
            actor=actor,
            action="lm3.publish",
            obj=survey,
            organisation=actor.organisation,
            changes={k: str(v) for k, v in figures(survey).items() if k in ("r1", "r2", "r3", "lm3")},
        )
    return survey


def surveys(actor: Actor) -> QuerySet[Lm3Survey]:
    """The consortium sees every survey; a supplier its own; members the published ones."""
    qs = Lm3Survey.objects.select_related("contract", "supplier")
    if actor.has(Permission.SUSTAINABILITY_OVERSEE):
        return qs
    if actor.organisation.is_supplier:
        return qs.filter(supplier=actor.organisation)
    return qs.filter(Q(status="published"))
