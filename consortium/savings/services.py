"""Every change to savings and cost sharing: proposing a saving (for one member or split among
several), evidence, the workflow's decisions, corrections, the savings the other systems
generate, the shared service's budget, members' figures, scenarios and their approval into a
locked, versioned statement, and suppliers' rebates. Each in a transaction, audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum

from consortium.audit.services import audit_record
from consortium.core.dates import now, today_in_london
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.core.money import pounds, to_penny
from consortium.core.references import next_number
from consortium.organisations.acting import Actor
from consortium.organisations.constants import OrganisationKind
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import ROLE_PERMISSIONS, Permission
from consortium.organisations.selectors import role_comes_from
from consortium.savings import apportion as ap
from consortium.savings import evidence as ev
from consortium.savings import years
from consortium.savings.constants import (
    COUNTED,
    LOCKED,
    REBATE_NEXT,
    SAVING_ACTIONS,
    Category,
    Method,
    RebateStatus,
    Recurrence,
    SavingStatus,
    ScenarioStatus,
    Source,
)
from consortium.savings.models import (
    Budget,
    BudgetLine,
    Evidence,
    MemberFigure,
    Rebate,
    RebateShare,
    Saving,
    SavingCounter,
    SavingYear,
    Scenario,
    Statement,
    StatementLine,
)
from consortium.savings.schemas import (
    ApproveIn,
    BudgetIn,
    MemberFigureIn,
    RebateUpdateIn,
    SavingDecisionIn,
    SavingIn,
    ScenarioIn,
)

ZERO = Decimal("0.00")


def _require(actor: Actor, *permissions: Permission) -> None:
    if not any(actor.has(p) for p in permissions):
        raise PermissionDenied()


def _roles_with(permission: Permission) -> list[str]:
    return [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]


def members() -> QuerySet[Organisation]:
    """The consortium's current members: public bodies with a membership that has not ended."""
    return (
        Organisation.objects.filter(memberships__left_on__isnull=True)
        .exclude(kind__in=[OrganisationKind.SUPPLIER, OrganisationKind.CONSORTIUM])
        .distinct()
        .order_by("name")
    )


def _reference(on: dt.date) -> str:
    return f"SAV-{on.year}-{next_number(SavingCounter, on.year):05d}"


def _state(saving: Saving) -> str:
    if saving.status in COUNTED and saving.superseded_by_id is None:
        return "counted"
    return "proposed" if saving.status == SavingStatus.PROPOSED else ""


def _write_years(saving: Saving) -> None:
    """The saving's parts per financial year, which every report adds up."""
    SavingYear.objects.filter(saving=saving).delete()
    state = _state(saving)
    SavingYear.objects.bulk_create(
        [
            SavingYear(
                saving=saving,
                member_id=saving.member_id,
                year=fy,
                months=n,
                amount=part,
                category=saving.category,
                method=saving.method,
                source=saving.source,
                cashable=saving.cashable,
                state=state,
            )
            for fy, n, part in years.slices(
                saving.amount,
                recurring=saving.recurrence == Recurrence.RECURRING,
                starts_on=saving.starts_on,
                months=saving.months,
            )
        ]
    )


def _new_saving(**fields: Any) -> Saving:
    recurring = fields["recurrence"] == Recurrence.RECURRING
    if not recurring:
        fields["months"] = 1
    fields["total"] = years.total(fields["amount"], recurring=recurring, months=fields["months"])
    saving = Saving.objects.create(reference=_reference(fields["starts_on"]), **fields)
    _write_years(saving)
    return saving


# --- the register -------------------------------------------------------------------------------


def saving_propose(*, actor: Actor, data: SavingIn, files: Sequence[ev.Upload] = ()) -> list[Saving]:
    """A saving typed by a member's officer (for their own organisation) or by the consortium's
    category managers (for any members: split equally, to the penny, when several are named)."""
    _require(actor, Permission.SAVINGS_RECORD, Permission.SAVINGS_VALIDATE)
    for_anyone = actor.has(Permission.SAVINGS_VALIDATE)
    ids = list(dict.fromkeys(data.members))
    if not for_anyone and ids != [actor.organisation.pk]:
        raise PermissionDenied("You can record savings for your own organisation only.")
    found = {o.pk: o for o in members().filter(pk__in=ids)}
    if len(found) != len(ids):
        raise ValidationFailed(
            "Choose members of the consortium", field_errors={"members": "Choose members of the consortium"}
        )
    old: Saving | None = None
    if data.corrects_id is not None:
        old = _visible(actor).filter(pk=data.corrects_id).first()
        if old is None:
            raise ValidationFailed("There is no such saving", field_errors={"corrects_id": "No such saving"})
        if old.status not in LOCKED or old.superseded_by_id is not None:
            raise ValidationFailed(
                "Only a validated saving that has not been corrected already can be corrected",
                field_errors={"corrects_id": "Correct a validated saving; change a proposed one instead"},
            )
        if ids != [old.member_id]:
            raise ValidationFailed(
                "A correction is for the same member as the saving it corrects",
                field_errors={"members": "Choose the member of the saving you are correcting"},
            )
    checked = ev.check(list(files))
    ordered = [found[i] for i in ids]
    recurring = data.recurrence == Recurrence.RECURRING
    if len(ordered) == 1:
        amounts = [data.amount]
    else:
        shares = ap.apportion(
            data.amount,
            {"equal": Decimal(100)},
            [ap.Member(str(o.pk), {"equal": Decimal(1)}) for o in ordered],
        )
        amounts = [s.charge for s in shares]
    if any(a <= 0 for a in amounts):
        raise ValidationFailed(
            "The amount is too small to share among so many members",
            field_errors={"amount": "Too small to share among the members named"},
        )
    group = uuid.uuid4()
    made = []
    with transaction.atomic():
        for member, amount in zip(ordered, amounts, strict=True):
            saving = _new_saving(
                member=member,
                title=data.title.strip(),
                category=data.category,
                source=data.source,
                method=data.method,
                cashable=data.cashable,
                recurrence=data.recurrence,
                amount=amount,
                starts_on=data.starts_on,
                months=data.months if recurring else 1,
                baseline=data.baseline.strip(),
                notes=data.notes.strip(),
                group=group,
                corrects=old,
                proposed_by=actor.person,
            )
            _keep(saving, checked, actor)
            audit_record(
                actor=actor,
                action="saving.correct" if old else "saving.propose",
                obj=saving,
                organisation=member,
                changes={
                    "reference": saving.reference,
                    "amount": str(saving.amount),
                    "total": str(saving.total),
                    "corrects": old.reference if old else "",
                    "evidence": len(checked),
                },
            )
            made.append(saving)
    return made


def _keep(saving: Saving, checked: list[tuple[ev.Upload, str]], actor: Actor) -> None:
    """Store checked evidence files against a saving, typed by what they were found to be."""
    Evidence.objects.bulk_create(
        [
            Evidence(
                saving=saving,
                name=upload.name,
                content_type=kind,
                content=upload.content,
                size=len(upload.content),
                added_by=actor.person,
            )
            for upload, kind in checked
        ]
    )


def _visible(actor: Actor) -> QuerySet[Saving]:
    if actor.has(Permission.SAVINGS_VIEW_ALL):
        return Saving.objects.all()
    if actor.has(Permission.SAVINGS_RECORD):
        return Saving.objects.filter(member=actor.organisation)
    raise PermissionDenied("Savings are for members and the consortium.")


def evidence_add(*, actor: Actor, saving_id: int, files: Sequence[ev.Upload]) -> Saving:
    """More evidence for a proposed saving (a validated one is locked: correct it instead)."""
    _require(actor, Permission.SAVINGS_RECORD, Permission.SAVINGS_VALIDATE)
    checked = ev.check(list(files))
    if not checked:
        raise ValidationFailed("Choose a file", field_errors={"evidence": "Choose a file"})
    with transaction.atomic():
        saving = _visible(actor).select_for_update().filter(pk=saving_id).first()
        if saving is None:
            raise NotFound("There is no such saving")
        if saving.status != SavingStatus.PROPOSED:
            raise Conflict("Evidence can be added while a saving is proposed; a validated one is locked.")
        _keep(saving, checked, actor)
        audit_record(
            actor=actor,
            action="saving.evidence",
            obj=saving,
            organisation=saving.member,
            changes={"files": [u.name for u, _ in checked]},
        )
    return saving


def saving_decide(*, actor: Actor, saving_id: int, data: SavingDecisionIn) -> Saving:
    action = SAVING_ACTIONS[data.action]
    _require(actor, action.permission)
    with transaction.atomic():
        saving = _visible(actor).select_for_update().filter(pk=saving_id).first()
        if saving is None:
            raise NotFound("There is no such saving")
        if saving.status not in action.from_statuses:
            raise Conflict(
                f"A saving that is {saving.get_status_display().lower()} cannot be "
                f"{'marked as reported' if data.action == 'report' else data.action + 'ed'}."
            )
        if action.not_the_proposer and saving.proposed_by_id == actor.person.pk:
            raise PermissionDenied("Another person must validate or reject a saving you proposed.")
        if (
            action.not_the_proposer
            and saving.proposed_by is not None
            and role_comes_from(
                actor.person, actor.organisation, _roles_with(action.permission), saving.proposed_by
            )
        ):
            # Otherwise whoever may grant roles could validate their own proposal from a
            # second account they gave the category manager role.
            raise PermissionDenied(
                "Your role here was granted by the person who proposed this saving: another validator must decide it."
            )
        if action.proposer_only and saving.proposed_by_id != actor.person.pk:
            raise PermissionDenied("Only the person who proposed a saving can withdraw it.")
        if data.action == "validate" and saving.source == Source.MANUAL and not saving.evidence.exists():
            raise ValidationFailed(
                "Attach evidence before validating a manual saving",
                field_errors={"evidence": "A manual saving needs evidence"},
            )
        if data.action == "reject" and not data.note.strip():
            raise ValidationFailed("Say why it is rejected", field_errors={"note": "Say why it is rejected"})
        saving.status = action.to
        if data.action in ("validate", "reject"):
            saving.decided_by = actor.person
            saving.decided_at = now()
            saving.decision_note = data.note.strip()
        saving.save()
        SavingYear.objects.filter(saving=saving).update(state=_state(saving))
        if data.action == "validate" and saving.corrects_id:
            old = Saving.objects.select_for_update().get(pk=saving.corrects_id)
            if old.superseded_by_id is not None:
                raise Conflict("The saving this corrects has been corrected already.")
            old.superseded_by = saving
            old.save(update_fields=["superseded_by", "modified_at"])
            SavingYear.objects.filter(saving=old).update(state="")
        audit_record(
            actor=actor,
            action=f"saving.{data.action}",
            obj=saving,
            organisation=saving.member,
            changes={"reference": saving.reference, "total": str(saving.total), "note": data.note.strip()},
        )
    return saving


# --- generated by the systems that know them ----------------------------------------------------


def _generated(key: str, *, amount: Decimal, **fields: Any) -> Saving | None:
    """Create (or, while still proposed, refresh) the saving a system generates under `key`.
    Idempotent: the key is unique, so running a generator twice makes each saving once."""
    amount = to_penny(amount)
    with transaction.atomic():
        existing = Saving.objects.select_for_update().filter(source_key=key).first()
        if existing is not None:
            if existing.status != SavingStatus.PROPOSED:
                return existing  # locked: a changed figure is a person's correction
            if amount <= 0:
                existing.status = SavingStatus.WITHDRAWN
                existing.save(update_fields=["status", "modified_at"])
                SavingYear.objects.filter(saving=existing).update(state="")
                return existing
            recurring = fields["recurrence"] == Recurrence.RECURRING
            months = fields["months"] if recurring else 1
            if (existing.amount, existing.starts_on, existing.months) != (
                amount,
                fields["starts_on"],
                months,
            ):
                existing.amount, existing.starts_on, existing.months = amount, fields["starts_on"], months
                existing.total = years.total(amount, recurring=recurring, months=months)
                existing.baseline = fields.get("baseline", existing.baseline)
                existing.save()
                _write_years(existing)
                audit_record(
                    actor=None,
                    action="saving.regenerate",
                    obj=existing,
                    organisation=existing.member,
                    changes={"amount": str(amount)},
                )
            return existing
        if amount <= 0:
            return None
        try:
            with transaction.atomic():
                saving = _new_saving(source_key=key, amount=amount, **fields)
        except IntegrityError:
            return Saving.objects.get(source_key=key)  # made by a concurrent run
        audit_record(
            actor=None,
            action="saving.generate",
            obj=saving,
            organisation=saving.member,
            changes={"reference": saving.reference, "source": key, "total": str(saving.total)},
        )
        return saving


def saving_from_placement(placement: Any) -> Saving | None:
    """A care placement's negotiated saving: the weekly reduction × the weeks in a year, recurring
    for a year from the placement's start (no client is named)."""
    from django.conf import settings

    weeks = settings.CARE_WEEKS_PER_YEAR
    asked = placement.weekly_cost + placement.weekly_saving
    return _generated(
        f"care:placement:{placement.pk}",
        amount=placement.annual_saving,
        member_id=placement.council_id,
        title=f"Care placement at {placement.home.name}: negotiated £{placement.weekly_saving:,.2f} a week",
        category=Category.SOCIAL_CARE,
        source=Source.CARE,
        method=Method.NEGOTIATED,
        cashable=True,
        recurrence=Recurrence.RECURRING,
        starts_on=placement.start_date,
        months=12,
        baseline=f"£{asked:,.2f} a week asked, £{placement.weekly_cost:,.2f} agreed, × {weeks} weeks",
    )


def savings_from_award(project: Any) -> list[Saving]:
    """A concluded procurement's saving per lot — the members' pre-tender estimate of the annual
    cost less the winning schedule's price — shared among the members in proportion to the
    demand each registered, recurring for the contract's term."""
    from consortium.tendering.constants import ContractType
    from consortium.tendering.models import Bid, DemandReturn

    made: list[Saving] = []
    category = {ContractType.SERVICES: Category.SERVICES, ContractType.WORKS: Category.WORKS}.get(
        project.contract_type, Category.GOODS
    )
    contract = project.awarded_contract
    starts_on = contract.start_date if contract else (project.contract_starts_on or today_in_london())
    for lot in project.lots.all():
        winning = Bid.objects.filter(lot=lot, is_winner=True).order_by("rank", "price").first()
        if winning is None:
            continue
        estimates: dict[int, Decimal] = {}
        for d in DemandReturn.objects.filter(lot=lot, will_use=True):
            if d.annual_value is not None:
                estimates[d.member_id] = d.annual_value
            elif d.estimated_quantity and lot.estimated_unit_price is not None:
                estimates[d.member_id] = to_penny(d.estimated_quantity * lot.estimated_unit_price)
        estimate = sum(estimates.values(), Decimal(0))
        quantity = sum((line.quantity for line in winning.price_lines.all()), Decimal(0))
        if lot.estimated_unit_price and quantity > 0:
            # The schedule prices its own quantities, not the members' demand: compare unit
            # prices (the schedule's average against the estimate) and apply that to the demand.
            awarded_unit = winning.price / quantity
            saving = to_penny(estimate * (1 - awarded_unit / lot.estimated_unit_price))
            measured = (
                f"Pre-tender estimate {pounds(lot.estimated_unit_price)} a {lot.unit}, awarded at "
                f"{pounds(awarded_unit)} a {lot.unit}"
            )
        else:
            saving = to_penny(estimate - winning.price)
            measured = f"Pre-tender estimate {pounds(estimate)} a year for the lot, awarded at {pounds(winning.price)}"
        if estimate <= 0 or saving <= 0:
            continue
        shares = ap.apportion(
            saving,
            {"demand": Decimal(100)},
            [ap.Member(str(pk), {"demand": value}) for pk, value in sorted(estimates.items())],
        )
        for share in shares:
            s = _generated(
                f"tender:{project.reference}:lot:{lot.number}:member:{share.key}",
                amount=share.charge,
                member_id=int(share.key),
                title=f"{project.reference} lot {lot.number}: {lot.title}"[:200],
                category=category,
                source=Source.TENDER,
                method=Method.PRE_TENDER_ESTIMATE,
                cashable=True,
                recurrence=Recurrence.RECURRING,
                starts_on=starts_on,
                months=min(max(project.term_months, 1), 120),
                baseline=f"{measured}; this member's demand {pounds(estimates[int(share.key)])} a year"[:300],
            )
            if s is not None:
                made.append(s)
    return made


def savings_from_orders(*, before: dt.date | None = None) -> int:
    """Each member's marketplace saving per month — what its order lines would have cost at the
    baseline (previous) prices less what they cost — for every complete month. Returns how many
    savings were created or refreshed."""
    from django.db.models.functions import TruncMonth

    from consortium.spend.models import DailySpend

    first_of_this_month = (before or today_in_london()).replace(day=1)
    rows = (
        DailySpend.objects.filter(day__lt=first_of_this_month)
        .annotate(month=TruncMonth("day"))
        .values("buyer_id", "month")
        .annotate(baseline=Sum("baseline"), spend=Sum("spend_with_baseline"))
        .order_by()
    )
    count = 0
    for r in rows:
        month = r["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        if isinstance(month, str):
            month = dt.date.fromisoformat(month[:10])
        at_baseline: Decimal = r["baseline"] or ZERO
        paid: Decimal = r["spend"] or ZERO
        saved = to_penny(at_baseline - paid)
        s = _generated(
            f"orders:{r['buyer_id']}:{month:%Y-%m}",
            amount=saved,
            member_id=r["buyer_id"],
            title=f"Marketplace orders, {month:%B %Y}: below the previous prices",
            category=Category.GOODS,
            source=Source.MARKETPLACE,
            method=Method.PREVIOUS_PRICE,
            cashable=True,
            recurrence=Recurrence.ONE_OFF,
            starts_on=month,
            months=1,
            baseline=f"{pounds(at_baseline)} at the previous prices, {pounds(paid)} paid",
        )
        count += s is not None
    return count


def generate_all(*, before: dt.date | None = None) -> dict[str, int]:
    """Every generated saving, made or refreshed: after a bulk load, and nightly for the month
    just ended. Safe to run at any time and any number of times."""
    from consortium.care.models import Placement
    from consortium.tendering.constants import ProjectStatus
    from consortium.tendering.models import Project

    placements = sum(saving_from_placement(p) is not None for p in Placement.objects.select_related("home"))
    awards = sum(
        len(savings_from_award(p))
        for p in Project.objects.filter(status=ProjectStatus.AWARDED).select_related("awarded_contract")
    )
    orders = savings_from_orders(before=before)
    return {"placements": placements, "awards": awards, "orders": orders}


# --- cost sharing -------------------------------------------------------------------------------


def budget_save(*, actor: Actor, data: BudgetIn) -> Budget:
    _require(actor, Permission.COSTS_SHARE)
    names = [line.name.strip() for line in data.lines]
    errors = {
        f"lines[{i}].name": f"Budget line {i + 1} has the same name as another"
        for i, name in enumerate(names)
        if name.lower() in {n.lower() for n in names[:i]}
    }
    if errors:
        raise ValidationFailed("Give each budget line its own name", field_errors=errors)
    with transaction.atomic():
        budget, created = Budget.objects.select_for_update().get_or_create(year=data.year)
        budget.notes = data.notes.strip()
        budget.save()
        budget.lines.all().delete()
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(budget=budget, name=n, amount=line.amount)
                for n, line in zip(names, data.lines, strict=True)
            ]
        )
        audit_record(
            actor=actor,
            action="budget.create" if created else "budget.update",
            obj=budget,
            organisation=actor.organisation,
            changes={"year": years.label(data.year), "total": str(sum(line.amount for line in data.lines))},
        )
    return budget


def figure_save(*, actor: Actor, data: MemberFigureIn) -> MemberFigure:
    _require(actor, Permission.COSTS_SHARE)
    member = members().filter(pk=data.member_id).first()
    if member is None:
        raise ValidationFailed(
            "Choose a member of the consortium", field_errors={"member_id": "Choose a member"}
        )
    with transaction.atomic():
        figure, _ = MemberFigure.objects.update_or_create(
            member=member,
            key=data.key,
            year=data.year,
            defaults={"value": data.value, "source": data.source.strip()},
        )
        audit_record(
            actor=actor,
            action="member_figure.save",
            obj=figure,
            organisation=member,
            changes={"key": data.key, "year": data.year, "value": str(data.value), "source": data.source},
        )
    return figure


def scenario_save(*, actor: Actor, year: int, data: ScenarioIn, scenario_id: int | None = None) -> Scenario:
    from consortium.savings import selectors

    _require(actor, Permission.COSTS_SHARE)
    budget = Budget.objects.filter(year=year).first()
    if budget is None:
        raise NotFound(f"There is no budget for {years.label(year)}")
    with transaction.atomic():
        if scenario_id is None:
            scenario = Scenario(budget=budget, created_by=actor.person)
        else:
            found = Scenario.objects.select_for_update().filter(pk=scenario_id, budget=budget).first()
            if found is None:
                raise NotFound("There is no such scenario")
            if found.status != ScenarioStatus.DRAFT:
                raise Conflict("An approved scenario is locked: copy it into a new draft to change it.")
            scenario = found
        if Scenario.objects.filter(budget=budget, name=data.name.strip()).exclude(pk=scenario.pk).exists():
            raise ValidationFailed(
                "Another scenario for this year has that name", field_errors={"name": "Choose another name"}
            )
        scenario.name = data.name.strip()
        scenario.weights = {str(k): str(v) for k, v in data.weights.items() if v}
        scenario.limits = {
            str(kind): {
                "floor": str(lim.floor) if lim.floor is not None else None,
                "cap": str(lim.cap) if lim.cap is not None else None,
            }
            for kind, lim in data.limits.items()
            if lim.floor is not None or lim.cap is not None
        }
        # Refused now, with the reason, rather than when someone comes to approve it.
        selectors.shares_for(budget, scenario)
        scenario.save()
        audit_record(
            actor=actor,
            action="scenario.create" if scenario_id is None else "scenario.update",
            obj=scenario,
            organisation=actor.organisation,
            changes={"name": scenario.name, "weights": scenario.weights, "limits": scenario.limits},
        )
    return scenario


def scenario_approve(*, actor: Actor, scenario_id: int, data: ApproveIn) -> Statement:
    """The scenario's shares become the year's statement: locked, a new version if one was
    approved before (which needs a reason), the old version kept."""
    from consortium.savings import selectors

    _require(actor, Permission.COSTS_SHARE)
    with transaction.atomic():
        scenario = (
            Scenario.objects.select_for_update().select_related("budget").filter(pk=scenario_id).first()
        )
        if scenario is None:
            raise NotFound("There is no such scenario")
        if scenario.status != ScenarioStatus.DRAFT:
            raise Conflict("This scenario has been approved already.")
        budget = Budget.objects.select_for_update().get(pk=scenario.budget_id)
        current = Statement.objects.filter(budget=budget, current=True).first()
        if current is not None and not data.reason.strip():
            raise ValidationFailed(
                f"Say why version {current.version} is being replaced",
                field_errors={"reason": "Say why the approved statement is being replaced"},
            )
        total, shares = selectors.shares_for(budget, scenario)
        if current is not None:
            Statement.objects.filter(pk=current.pk).update(current=False)
            Scenario.objects.filter(pk=current.scenario_id).update(status=ScenarioStatus.SUPERSEDED)
        version = (current.version if current else 0) + 1
        statement = Statement.objects.create(
            budget=budget,
            scenario=scenario,
            version=version,
            total=total,
            weights=scenario.weights,
            limits=scenario.limits,
            approved_by=actor.person,
            reason=data.reason.strip(),
            current=True,
        )
        StatementLine.objects.bulk_create(
            [
                StatementLine(statement=statement, member_id=s.member_id, charge=s.charge, figures=s.figures)
                for s in shares
            ]
        )
        scenario.status = ScenarioStatus.APPROVED
        scenario.save(update_fields=["status", "modified_at"])
        audit_record(
            actor=actor,
            action="statement.approve",
            obj=statement,
            organisation=actor.organisation,
            changes={
                "year": years.label(budget.year),
                "version": version,
                "scenario": scenario.name,
                "total": str(total),
                "reason": data.reason.strip(),
            },
        )
    return statement


# --- rebates ------------------------------------------------------------------------------------


def _quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    year, q = int(quarter[:4]), int(quarter[-1])
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def rebates_raise(*, actor: Actor, before: dt.date | None = None) -> int:
    """A rebate statement per supplier for each complete quarter from the orders' MI; ones
    still outstanding are refreshed, sent or received ones are left as they are."""
    from consortium.spend import mi

    _require(actor, Permission.SAVINGS_VALIDATE)
    if not actor.organisation.is_consortium:
        raise PermissionDenied("Rebates are the consortium's.")
    today = before or today_in_london()
    this_quarter = f"{today.year} Q{(today.month - 1) // 3 + 1}"
    names = dict(Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).values_list("name", "pk"))
    count = 0
    with transaction.atomic():
        for row in mi.rebates(actor):
            if row["quarter"] >= this_quarter or row["rebate"] <= 0:
                continue
            supplier_id = names.get(row["supplier"])
            if supplier_id is None:
                continue
            rebate, created = Rebate.objects.get_or_create(
                supplier_id=supplier_id,
                quarter=row["quarter"],
                defaults={"spend": row["spend"], "due": row["rebate"]},
            )
            if (
                not created
                and rebate.status == RebateStatus.OUTSTANDING
                and ((rebate.spend, rebate.due) != (row["spend"], row["rebate"]))
            ):
                rebate.spend, rebate.due = row["spend"], row["rebate"]
                rebate.save(update_fields=["spend", "due", "modified_at"])
            count += created
            if created:
                audit_record(
                    actor=actor,
                    action="rebate.raise",
                    obj=rebate,
                    organisation=actor.organisation,
                    changes={"quarter": rebate.quarter, "due": str(rebate.due)},
                )
    return count


def rebate_update(*, actor: Actor, rebate_id: int, data: RebateUpdateIn) -> Rebate:
    """Statement sent, or money received (and, if asked, shared among the members in proportion
    to their spend with the supplier that quarter)."""
    from consortium.spend.models import DailySpend

    _require(actor, Permission.SAVINGS_VALIDATE)
    if not actor.organisation.is_consortium:
        raise PermissionDenied("Rebates are the consortium's.")
    with transaction.atomic():
        rebate = Rebate.objects.select_for_update().filter(pk=rebate_id).first()
        if rebate is None:
            raise NotFound("There is no such rebate")
        if REBATE_NEXT.get(rebate.status) != data.status:
            raise Conflict(
                f"A rebate that is {rebate.get_status_display().lower()} cannot become "
                f"{RebateStatus(data.status).label.lower()}."
            )
        if data.status == RebateStatus.SENT:
            rebate.sent_on = data.on
        else:
            if data.received is None or data.received <= 0:
                raise ValidationFailed(
                    "Enter the amount received", field_errors={"received": "Enter the amount received"}
                )
            rebate.received, rebate.received_on = data.received, data.on
            if data.distribute:
                start, end = _quarter_bounds(rebate.quarter)
                spend = dict(
                    DailySpend.objects.filter(supplier_id=rebate.supplier_id, day__gte=start, day__lte=end)
                    .values("buyer_id")
                    .annotate(total=Sum("spend"))
                    .order_by()
                    .values_list("buyer_id", "total")
                )
                spend = {k: v for k, v in spend.items() if v and v > 0}
                if spend:
                    shares = ap.apportion(
                        data.received,
                        {"spend": Decimal(100)},
                        [ap.Member(str(k), {"spend": v}) for k, v in sorted(spend.items())],
                    )
                    RebateShare.objects.bulk_create(
                        [
                            RebateShare(
                                rebate=rebate,
                                member_id=int(s.key),
                                year=years.financial_year(data.on),
                                amount=s.charge,
                            )
                            for s in shares
                            if s.charge > 0
                        ]
                    )
                    rebate.distributed = True
        rebate.status = data.status
        rebate.save()
        audit_record(
            actor=actor,
            action=f"rebate.{data.status}",
            obj=rebate,
            organisation=actor.organisation,
            changes={"quarter": rebate.quarter, "received": str(rebate.received or ""), "on": str(data.on)},
        )
    return rebate
