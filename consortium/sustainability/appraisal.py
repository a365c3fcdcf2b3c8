"""Supplier sustainability appraisal: a supplier answers the questions once, with evidence; the
consortium scores them; the result is valid for a year, shown on the marketplace beside the
supplier's items, and read by anyone who would otherwise ask again.

A new submission replaces the current one (the old is kept, not current) and needs scoring
again; the score is the points the consortium awarded out of the points available, as a %."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from consortium.audit.services import audit_record
from consortium.core.dates import now, today_in_london
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.organisations.acting import Actor
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission
from consortium.sustainability.constants import APPRAISAL_QUESTIONS, APPRAISAL_VALID_MONTHS
from consortium.sustainability.models import Appraisal

QUESTIONS = {str(q["code"]): q for q in APPRAISAL_QUESTIONS}


def questions_for(supplier: Organisation) -> dict[str, dict[str, object]]:
    """The questions a supplier is asked: every common one, and those of the categories it
    sells in (by its catalogue items)."""
    from consortium.catalogue.models import CatalogueItem

    sells = set(CatalogueItem.objects.filter(supplier=supplier).values_list("category", flat=True).distinct())
    return {
        code: q
        for code, q in QUESTIONS.items()
        if not q.get("categories") or sells & set(q["categories"])  # type: ignore[call-overload]
    }


def available(codes: Any) -> int:
    return sum(int(QUESTIONS[c]["points"]) for c in codes if c in QUESTIONS)  # type: ignore[call-overload]


def _asked(appraisal: Appraisal) -> list[str]:
    """The codes asked of an appraisal (an older one, before category questions: the common set)."""
    return list(appraisal.asked) or [c for c, q in QUESTIONS.items() if not q.get("categories")]


def _checked_answers(
    answers: dict[str, str], evidence: dict[str, str], asked: dict[str, dict[str, object]] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    asked = QUESTIONS if asked is None else asked
    unknown = set(answers) - set(asked)
    for code in sorted(unknown):
        errors[code] = f"“{code[:30]}” is not a question of the appraisal"
    this_year = today_in_london().year
    for code, q in asked.items():
        raw = str(answers.get(code, "")).strip()
        if not raw:
            if not q.get("optional"):
                errors[code] = f"Answer: {q['text']}"
            continue
        kind = q["kind"]
        if kind == "yes_no":
            if raw.lower() not in ("yes", "no"):
                errors[code] = "Answer yes or no"
                continue
            clean[code] = raw.lower() == "yes"
        elif kind == "year":
            if not raw.isdigit() or not 1990 <= int(raw) <= 2100:
                errors[code] = "Enter a year, for example 2040"
                continue
            clean[code] = int(raw)
        else:
            try:
                value = Decimal(raw.replace(",", ""))
            except ArithmeticError:
                errors[code] = "Enter a number"
                continue
            if not value.is_finite() or not 0 <= value <= int(q.get("max", 10**9)):  # type: ignore[call-overload]
                errors[code] = f"Enter a number from 0 to {int(q.get('max', 10**9)):,}"  # type: ignore[call-overload]
                continue
            clean[code] = str(value)
        if clean.get(code) is True and int(q["points"]) and not str(evidence.get(code, "")).strip():  # type: ignore[call-overload]
            errors[f"{code}_evidence"] = "Say what shows it: a certificate number, a link, a document"
    if clean.get("crp") and "crp_baseline_year" in clean and clean["crp_baseline_year"] > this_year:
        errors["crp_baseline_year"] = "The baseline year cannot be in the future"
    return clean, errors


def submit(*, actor: Actor, answers: dict[str, str], evidence: dict[str, str]) -> Appraisal:
    if not (actor.organisation.is_supplier and actor.has(Permission.CATALOGUE_KEEP)):
        raise PermissionDenied("The appraisal is answered by the supplier's own people.")
    asked = questions_for(actor.organisation)
    clean, errors = _checked_answers(answers, evidence, asked)
    if errors:
        raise ValidationFailed("Check the appraisal", field_errors=errors)
    submitted = now()
    today = today_in_london()
    month = today.month - 1 + APPRAISAL_VALID_MONTHS
    expires = dt.date(today.year + month // 12, month % 12 + 1, min(today.day, 28))
    with transaction.atomic():
        Appraisal.objects.select_for_update().filter(supplier=actor.organisation, current=True).update(
            current=False
        )
        appraisal = Appraisal.objects.create(
            supplier=actor.organisation,
            answers=clean,
            asked=sorted(asked),
            evidence={k: str(v).strip()[:1000] for k, v in evidence.items() if k in asked and str(v).strip()},
            submitted_by=actor.person,
            submitted_at=submitted,
            expires_on=expires,
        )
        audit_record(
            actor=actor,
            action="appraisal.submit",
            obj=appraisal,
            organisation=actor.organisation,
            changes={"answers": clean, "expires_on": str(expires)},
        )
    return appraisal


def suggested_points(appraisal: Appraisal) -> dict[str, int]:
    """What the answers would earn before the consortium has checked the evidence."""
    a = appraisal.answers
    out: dict[str, int] = {}
    for code, q in QUESTIONS.items():
        most = int(q["points"])  # type: ignore[call-overload]
        if not most or code not in _asked(appraisal):
            continue
        value = a.get(code)
        if q["kind"] == "yes_no":
            out[code] = most if value is True else 0
        elif code == "net_zero_year":
            out[code] = (
                most
                if isinstance(value, int) and value <= 2040
                else most // 2
                if isinstance(value, int) and value <= 2050
                else 0
            )
        elif code in ("local_staff_percent", "local_food_percent"):
            out[code] = min(most, int(Decimal(str(value or 0)) / 10))
        else:
            out[code] = min(most, int(Decimal(str(value or 0))))
    return out


def score(*, actor: Actor, appraisal_id: int, points: dict[str, int]) -> Appraisal:
    if not actor.has(Permission.SUSTAINABILITY_OVERSEE):
        raise PermissionDenied("Appraisals are scored by the consortium.")
    with transaction.atomic():
        appraisal = Appraisal.objects.select_for_update().filter(pk=appraisal_id).first()
        if appraisal is None:
            raise NotFound("There is no such appraisal")
        scored_codes = [c for c in _asked(appraisal) if int(QUESTIONS[c]["points"])]  # type: ignore[call-overload]
        errors = {
            f"points_{c}": f"Award 0 to {QUESTIONS[c]['points']} points"
            for c in scored_codes
            if not 0 <= int(points.get(c, -1)) <= int(QUESTIONS[c]["points"])  # type: ignore[call-overload]
        }
        if errors:
            raise ValidationFailed("Check the points", field_errors=errors)
        if not appraisal.current:
            raise Conflict("The supplier has submitted a newer appraisal: score that one.")
        awarded = {c: int(points[c]) for c in scored_codes}
        appraisal.points = awarded
        most = available(scored_codes) or 1
        appraisal.score_percent = (Decimal(sum(awarded.values())) / most * 100).quantize(Decimal("0.1"))
        appraisal.scored_by, appraisal.scored_at = actor.person, now()
        appraisal.save()
        audit_record(
            actor=actor,
            action="appraisal.score",
            obj=appraisal,
            organisation=appraisal.supplier,
            changes={"points": awarded, "score_percent": str(appraisal.score_percent)},
        )
    return appraisal


def appraisals(actor: Actor) -> QuerySet[Appraisal]:
    """The consortium sees every appraisal; a supplier its own. (Buyers see the current score
    beside the supplier's items on the marketplace: `summary`.)"""
    qs = Appraisal.objects.select_related("supplier")
    if actor.has(Permission.SUSTAINABILITY_OVERSEE):
        return qs
    if actor.organisation.is_supplier:
        return qs.filter(supplier=actor.organisation)
    raise PermissionDenied("Appraisals are the suppliers' own and the consortium's.")


def summary(supplier: Organisation) -> dict[str, Any] | None:
    """The supplier's current, scored, unexpired appraisal in a line, for the marketplace."""
    a = Appraisal.objects.filter(supplier=supplier, current=True, score_percent__isnull=False).first()
    if a is None:
        return None
    answers = a.answers
    return {
        "score_percent": a.score_percent,
        "scored_at": a.scored_at,
        "expires_on": a.expires_on,
        "expired": a.expires_on < today_in_london(),
        "ems": answers.get("ems"),
        "crp": answers.get("crp"),
        "net_zero_year": answers.get("net_zero_year"),
        "living_wage": answers.get("living_wage"),
    }


def intensities(supplier_ids: Any) -> dict[int, Decimal]:
    """kgCO2e per £ from each supplier's own carbon reduction plan — (scope 1 + 2 + 3) ÷ turnover
    in the baseline year — where its current appraisal is scored, unexpired and gives both."""
    out: dict[int, Decimal] = {}
    for a in Appraisal.objects.filter(
        supplier_id__in=supplier_ids,
        current=True,
        score_percent__isnull=False,
        expires_on__gte=today_in_london(),
    ):
        answers = a.answers
        try:
            turnover = Decimal(str(answers.get("turnover") or 0))
            tonnes = sum(
                (Decimal(str(answers.get(k) or 0)) for k in ("scope1", "scope2", "scope3")), Decimal(0)
            )
        except ArithmeticError:
            continue
        if answers.get("crp") is True and turnover > 0:
            out[a.supplier_id] = (tonnes * 1000 / turnover).quantize(Decimal("0.0001"))
    return out


def reused_answer(supplier: Organisation, code: str) -> str:
    """A question's answer from the supplier's current, unexpired appraisal, worded for a bid."""
    q = QUESTIONS.get(code)
    a = Appraisal.objects.filter(supplier=supplier, current=True, expires_on__gte=today_in_london()).first()
    if q is None or a is None or code not in a.answers:
        return ""
    value = a.answers[code]
    shown = "Yes" if value is True else "No" if value is False else str(value)
    evidence = a.evidence.get(code, "")
    scored = f"; scored {a.score_percent}% by the consortium" if a.score_percent is not None else ""
    return (
        f"From our sustainability appraisal (submitted {a.submitted_at:%-d %B %Y}, valid until "
        f"{a.expires_on:%-d %B %Y}{scored}). {q['text']} {shown}."
        + (f" Evidence: {evidence}" if evidence else "")
    )
