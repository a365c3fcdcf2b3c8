"""Every change in contact routing: one function per action, in a transaction, checking the
actor (or the signed platform), writing the audit trail (never a caller's number).

Assignment is atomic: a contact is offered from inside a transaction that holds its row and
its agent's row (FOR UPDATE, skipping rows another dispatcher holds), and the agent's load is
counted under that lock — so one contact is never offered to two agents, nor an agent given
more than their capacity, however many dispatchers run at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count

from consortium.audit.services import audit_record
from consortium.citizen import services as citizen_services
from consortium.citizen.areas import outward_and_sector
from consortium.citizen.constants import OPEN_STATUSES, Channel, Demand
from consortium.citizen.models import Area, RoutingRule, Service, ServiceRequest
from consortium.citizen.schemas import RequestIn
from consortium.contacts import routing, selectors
from consortium.contacts.constants import (
    DEFAULT_CAPACITY,
    AgentState,
    ContactChannel,
    ContactStatus,
    EventKind,
    Outcome,
    RouteTo,
    Strategy,
)
from consortium.contacts.models import (
    Agent,
    Contact,
    ContactEvent,
    EscalationStep,
    Platform,
    Queue,
    QueueMember,
    ReferenceCounter,
    RoutingVersion,
    Rule,
    Waiting,
)
from consortium.contacts.schemas import (
    AgentIn,
    EventIn,
    InboundIn,
    QueueIn,
    RuleIn,
    StateIn,
    TransferIn,
    WhatIfIn,
    WrapUpIn,
)
from consortium.core.dates import LONDON, bank_holidays, now
from consortium.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from consortium.core.phones import phone_key
from consortium.core.references import next_number
from consortium.core.sealed import seal
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.models import Organisation, Person

C = ContactStatus
logger = logging.getLogger(__name__)


# --- platforms --------------------------------------------------------------------------------


def platform_create(*, actor: Actor, name: str) -> tuple[Platform, str]:
    """A platform with its key id and shared secret: the secret is shown once, kept sealed."""
    selectors.require_supervisor(actor)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        platform = Platform.objects.create(
            name=name.strip(), key_id=f"plat_{secrets.token_hex(6)}", sealed_secret=seal(secret)
        )
        audit_record(
            actor=actor, action="contacts.platform_create", obj=platform, organisation=actor.organisation
        )
    return platform, secret


def platform_revoke(*, actor: Actor, platform: Platform) -> None:
    selectors.require_supervisor(actor)
    with transaction.atomic():
        platform.active = False
        platform.save(update_fields=["active"])
        audit_record(
            actor=actor, action="contacts.platform_revoke", obj=platform, organisation=actor.organisation
        )


# --- queues, agents, rules ------------------------------------------------------------------------


def _bump() -> None:
    """Rules or queues changed: every process rebuilds its routing table at its next decision.
    The version is a fresh random number rather than a count, so a rolled-back change can
    never leave a number that an older table was cached under."""
    stamp = secrets.randbelow(2**62) + 1
    if not RoutingVersion.objects.filter(pk=1).update(number=stamp):
        RoutingVersion.objects.update_or_create(pk=1, defaults={"number": stamp})
    _compiled.clear()


def queue_save(*, actor: Actor, data: QueueIn, queue: Queue | None = None) -> Queue:
    selectors.require_supervisor(actor)
    partner = Organisation.objects.filter(pk=data.partner_id).first()
    errors: dict[str, str] = {}
    if partner is None:
        errors["partner_id"] = "Choose a partner"
    shared = list(Organisation.objects.filter(pk__in=data.shared_with_ids))
    if len(shared) != len(set(data.shared_with_ids)):
        errors["shared_with_ids"] = "Choose partners from the list"
    clash = Queue.objects.filter(code=data.code).exclude(pk=queue.pk if queue else 0).exists()
    if clash:
        errors["code"] = "Another queue has this code"
    if errors:
        raise ValidationFailed("Check the queue", field_errors=errors)
    assert partner is not None
    with transaction.atomic():
        if data.is_main:
            Queue.objects.filter(partner=partner, is_main=True).exclude(pk=queue.pk if queue else 0).update(
                is_main=False
            )
        queue = queue or Queue(partner=partner)
        queue.partner = partner
        for name in (
            "code",
            "name",
            "is_main",
            "agreement",
            "strategy",
            "target_seconds",
            "target_percent",
            "wrap_up_seconds",
            "closed_on_bank_holidays",
        ):
            setattr(queue, name, getattr(data, name))
        queue.opening_hours = {day: [span.opens, span.closes] for day, span in data.opening_hours.items()}
        queue.save()
        queue.shared_with.set(shared)
        audit_record(
            actor=actor,
            action="contacts.queue_save",
            obj=queue,
            organisation=partner,
            changes={"code": queue.code, "strategy": queue.strategy},
        )
        _bump()
    return queue


def agent_save(*, actor: Actor, data: AgentIn) -> Agent:
    """Make a partner officer an agent (or change one): skills, capacity and queues."""
    selectors.require_supervisor(actor)
    person = Person.objects.filter(pk=data.person_id, is_active=True).first()
    assignment = (
        person.role_assignments.filter(role=Role.PARTNER_OFFICER).select_related("organisation").first()
        if person
        else None
    )
    if person is None or assignment is None:
        raise ValidationFailed("Check the agent", field_errors={"person_id": "Choose a partner officer"})
    queues = {q.pk: q for q in Queue.objects.filter(pk__in=[m.queue_id for m in data.queues])}
    errors: dict[str, str] = {}
    for n, member in enumerate(data.queues, start=1):
        queue = queues.get(member.queue_id)
        if queue is None:
            errors[f"queues[{n - 1}].queue_id"] = f"Queue {n}: choose a queue from the list"
    if errors:
        raise ValidationFailed("Check the agent", field_errors=errors)
    with transaction.atomic():
        agent, _ = Agent.objects.get_or_create(person=person, defaults={"partner": assignment.organisation})
        agent.partner = assignment.organisation
        agent.skills = dict(data.skills)
        agent.capacity = {str(k): v for k, v in data.capacity.items()}
        agent.endpoint = data.endpoint.strip()
        agent.save()
        QueueMember.objects.filter(agent=agent).exclude(queue_id__in=list(queues)).delete()
        for member in data.queues:
            QueueMember.objects.update_or_create(
                agent=agent, queue_id=member.queue_id, defaults={"penalty": member.penalty}
            )
        audit_record(
            actor=actor,
            action="contacts.agent_save",
            obj=agent,
            organisation=agent.partner,
            changes={"skills": agent.skills, "queues": sorted(queues)},
        )
        _bump()
    return agent


def _rule_problems(data: RuleIn) -> dict[str, str]:
    errors: dict[str, str] = {}
    ids = {s.queue_id for s in data.steps} | ({data.queue_id} if data.queue_id else set())
    known = set(Queue.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if data.route_to == RouteTo.QUEUE and not data.queue_id:
        errors["queue_id"] = "Choose the queue the rule routes to"
    elif data.queue_id and data.queue_id not in known:
        errors["queue_id"] = "Choose a queue from the list"
    if data.route_to != RouteTo.QUEUE and data.queue_id:
        errors["queue_id"] = "Leave the queue empty: the rule routes to the partner's main queue"
    for n, step in enumerate(data.steps):
        if step.queue_id not in known:
            errors[f"steps[{n}].queue_id"] = f"Escalation step {n + 1}: choose a queue from the list"
    if data.service_id and not Service.objects.filter(pk=data.service_id).exists():
        errors["service_id"] = "Choose a service from the list"
    if data.area_partner_id and not Organisation.objects.filter(pk=data.area_partner_id).exists():
        errors["area_partner_id"] = "Choose a partner from the list"
    if data.route_to == RouteTo.REQUEST_PARTNER and data.has_open_request is False:
        errors["has_open_request"] = (
            "A rule for callers with no open request cannot route to their request's partner"
        )
    spec = routing.RuleSpec(
        rule_id=0,
        name=data.name,
        queue_id=data.queue_id,
        steps=tuple((s.after_seconds, s.queue_id) for s in data.steps),
    )
    for problem in routing.escalation_loops([spec]):
        errors.setdefault("steps", problem.split(": ", 1)[1].capitalize())
    return errors


def rule_warnings(rule: Rule) -> list[str]:
    """What a supervisor should know but may accept: a queue with nobody in it at any time it
    opens, a skill no agent of the queue has."""
    warnings = []
    queue_ids = ([rule.queue_id] if rule.queue_id else []) + [s.queue_id for s in rule.steps.all()]
    for queue in Queue.objects.filter(pk__in=queue_ids):
        members = Agent.objects.filter(memberships__queue=queue)
        if not members.exists():
            warnings.append(f"{queue.name} has no agents: contacts routed there wait until it has")
        elif rule.required_skill and not any(rule.required_skill in (a.skills or {}) for a in members):
            warnings.append(f"No agent of {queue.name} has the skill {rule.required_skill}")
        if not queue.opening_hours:
            warnings.append(f"{queue.name} has no opening hours: the rule never applies")
    return warnings


def rule_save(*, actor: Actor, data: RuleIn, rule: Rule | None = None) -> tuple[Rule, list[str]]:
    selectors.require_supervisor(actor)
    errors = _rule_problems(data)
    if errors:
        raise ValidationFailed("Check the rule", field_errors=errors)
    with transaction.atomic():
        rule = rule or Rule()
        for name in ("order", "name", "active", "menu_choice", "has_open_request", "priority_at_least"):
            setattr(rule, name, getattr(data, name))
        rule.channels = [str(c) for c in data.channels]
        rule.service_id = data.service_id
        rule.area_partner_id = data.area_partner_id
        rule.language = "" if data.language == "any" else data.language
        # "any" is stored as a marker the compiler reads (blank would mean English).
        if data.language == "any":
            rule.language = "*"
        rule.time_from, rule.time_to = data.time_from, data.time_to
        rule.route_to = data.route_to
        rule.queue_id = data.queue_id
        rule.priority = data.priority
        rule.required_skill = data.required_skill
        rule.save()
        rule.steps.all().delete()
        EscalationStep.objects.bulk_create(
            EscalationStep(rule=rule, after_seconds=s.after_seconds, queue_id=s.queue_id) for s in data.steps
        )
        audit_record(
            actor=actor,
            action="contacts.rule_save",
            obj=rule,
            organisation=actor.organisation,
            changes={
                "name": rule.name,
                "order": rule.order,
                "route_to": rule.route_to,
                "queue": rule.queue_id,
            },
        )
        _bump()
    return rule, rule_warnings(rule)


def rule_delete(*, actor: Actor, rule: Rule) -> None:
    selectors.require_supervisor(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="contacts.rule_delete",
            obj=rule,
            organisation=actor.organisation,
            changes={"name": rule.name},
        )
        rule.delete()
        _bump()


# --- the routing table, compiled ---------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    rules: tuple[routing.RuleSpec, ...]
    queues: dict[int, routing.QueueHours]
    main_queues: dict[int, int]  # partner id -> main queue id
    wrap_up: dict[int, int]  # queue id -> seconds


_compiled: dict[Any, Table] = {}


def _hours(raw: dict[str, Any]) -> dict[str, tuple[dt.time, dt.time]]:
    out = {}
    for day, (opens, closes) in raw.items():
        out[day] = (dt.time.fromisoformat(opens), dt.time.fromisoformat(closes))
    return out


def table() -> Table:
    """The rules and queues as the pure router takes them, rebuilt when any changed (the
    version row is read on every decision, one indexed row) — every process sees a change at
    its next decision."""
    version = RoutingVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0
    year = now().astimezone(LONDON).year
    key = (version, year)
    found = _compiled.get(key) if version else None
    if found is not None:
        return found
    holidays: dict[str, frozenset[dt.date]] = {}
    queues: dict[int, routing.QueueHours] = {}
    main: dict[int, int] = {}
    wrap: dict[int, int] = {}
    for q in Queue.objects.select_related("partner"):
        nation = q.partner.nation
        if nation not in holidays:
            holidays[nation] = bank_holidays(year, nation) | bank_holidays(year + 1, nation)
        queues[q.pk] = routing.QueueHours(
            q.pk,
            q.name,
            q.partner_id,
            _hours(q.opening_hours),
            holidays[nation] if q.closed_on_bank_holidays else frozenset(),
        )
        wrap[q.pk] = q.wrap_up_seconds
        if q.is_main:
            main[q.partner_id] = q.pk
    steps: dict[int, list[tuple[int, int]]] = {}
    for s in EscalationStep.objects.order_by("after_seconds", "pk"):
        steps.setdefault(s.rule_id, []).append((s.after_seconds, s.queue_id))
    specs = tuple(
        routing.RuleSpec(
            rule_id=r.pk,
            name=r.name,
            route_to=r.route_to,
            queue_id=r.queue_id,
            priority=r.priority,
            skill=r.required_skill,
            steps=tuple(steps.get(r.pk, ())),
            channels=frozenset(r.channels or ()),
            menu=r.menu_choice,
            service_id=r.service_id,
            area_partner_id=r.area_partner_id,
            language=None if r.language == "*" else r.language,
            has_open_request=r.has_open_request,
            priority_at_least=r.priority_at_least,
            time_from=r.time_from,
            time_to=r.time_to,
        )
        for r in Rule.objects.filter(active=True).order_by("order", "pk")
    )
    compiled = Table(specs, queues, main, wrap)
    _compiled.clear()
    _compiled[key] = compiled
    return compiled


# --- the facts about a contact ------------------------------------------------------------------


@dataclass
class Found:
    service: Service | None
    request: ServiceRequest | None
    area_partner_id: int | None
    preferred_agent: Agent | None


def area_partner(service: Service | None, postcode: str) -> int | None:
    """The partner that handles the service where the postcode is (citizen services' routing
    table); without a service, the partner that defines the area."""
    parts = outward_and_sector(postcode)
    if not parts:
        return None
    best: tuple[int, int, int] | None = None  # (prefix length, area id, defined by)
    for area_id, prefixes, defined_by in Area.objects.values_list("pk", "postcode_prefixes", "defined_by_id"):
        for prefix in prefixes or ():
            if prefix in parts and (best is None or len(prefix) > best[0]):
                best = (len(prefix), area_id, defined_by)
    if best is None:
        return None
    if service is None:
        return best[2]
    today = now().astimezone(LONDON).date()
    rules = [r for r in RoutingRule.objects.filter(service=service) if r.in_force(today)]
    chosen = next((r for r in rules if r.area_id == best[1]), None) or next(
        (r for r in rules if r.area_id is None), None
    )
    return chosen.handled_by_id if chosen else None


def find(data: InboundIn | WhatIfIn, caller: str = "") -> Found:
    service = (
        Service.objects.filter(code=data.service_code, active=True).first() if data.service_code else None
    )
    request = None
    if data.reference:
        request = (
            ServiceRequest.objects.filter(reference__iexact=data.reference.strip(), status__in=OPEN_STATUSES)
            .select_related("service", "assigned_to")
            .first()
        )
    key = phone_key(caller) if caller and getattr(data, "channel", "") == ContactChannel.PHONE else ""
    if request is None and key:
        request = (
            ServiceRequest.objects.filter(phone_key=key, status__in=OPEN_STATUSES, handled_by__isnull=False)
            .select_related("service", "assigned_to")
            .order_by("-confirmed_at")
            .first()
        )
    if service is None and request is not None:
        service = request.service
    preferred = None
    if request is not None and request.assigned_to_id:
        preferred = Agent.objects.filter(
            person_id=request.assigned_to_id, partner_id=request.handled_by_id
        ).first()
    return Found(service, request, area_partner(service, data.postcode), preferred)


def decide(
    data: InboundIn | WhatIfIn, at: dt.datetime, *, caller: str = "", explain: bool = False
) -> tuple[routing.Decision, Found]:
    found = find(data, caller)
    facts = routing.Facts(
        channel=data.channel,
        at=at.astimezone(LONDON),
        menu=data.menu,
        service_id=found.service.pk if found.service else None,
        area_partner_id=found.area_partner_id,
        language=data.language,
        open_request_partner_id=found.request.handled_by_id if found.request else None,
        priority=data.priority,
    )
    t = table()
    return routing.decide(facts, t.rules, t.queues, t.main_queues, explain=explain), found


def what_if(*, actor: Actor, data: WhatIfIn) -> dict[str, Any]:
    """The rules page's tool: what would happen to this contact, rule by rule (nothing saved)."""
    selectors.require_supervisor(actor)
    at = data.at or now()
    if at.tzinfo is None:
        at = at.replace(tzinfo=LONDON)
    decision, found = decide(data, at, explain=True)
    queue = Queue.objects.filter(pk=decision.queue_id).first() if decision.queue_id else None
    steps = [
        (after, Queue.objects.filter(pk=qid).values_list("name", flat=True).first())
        for after, qid in decision.steps
    ]
    return {
        "queue": queue.name if queue else None,
        "priority": decision.priority,
        "skill": decision.skill,
        "steps": [{"after_seconds": a, "queue": n} for a, n in steps],
        "trace": list(decision.trace),
        "service": found.service.name if found.service else None,
        "open_request": found.request.reference if found.request else None,
        "area_partner": Organisation.objects.filter(pk=found.area_partner_id)
        .values_list("name", flat=True)
        .first()
        if found.area_partner_id
        else None,
        "preferred_agent": str(found.preferred_agent) if found.preferred_agent else None,
        "at": at.astimezone(LONDON),
    }


# --- contacts arriving and the platform's events -------------------------------------------------


def _reference(at: dt.datetime) -> str:
    """The next contact reference of the year (CT-2026-0000042), in the caller's transaction."""
    year = at.astimezone(LONDON).year
    return f"CT-{year}-{next_number(ReferenceCounter, year):07d}"


def _body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _once(platform: Platform, key: str, body: bytes, kind: str, work: Any) -> dict[str, Any]:
    """Run `work` once per (platform, idempotency key): a retry returns the first answer; the
    same key with another body is refused."""
    if not key:
        raise ValidationFailed(
            "Send an Idempotency-Key header", field_errors={"Idempotency-Key": "Required on every POST"}
        )
    if len(key) > 100:
        raise ValidationFailed(
            "Idempotency-Key is too long", field_errors={"Idempotency-Key": "100 characters or fewer"}
        )
    digest = _body_hash(body)
    existing = ContactEvent.objects.filter(platform=platform, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                event = ContactEvent.objects.create(platform=platform, key=key, kind=kind, body_hash=digest)
                contact, response = work()
                event.contact = contact
                event.response = response
                event.save(update_fields=["contact", "response"])
                return response
        except IntegrityError:
            existing = ContactEvent.objects.filter(platform=platform, key=key).first()
            if existing is None:
                raise
    if existing.body_hash != digest:
        raise Conflict(
            "This Idempotency-Key was used for a different request: use a new key for a new request"
        )
    return dict(existing.response)


def contact_inbound(*, platform: Platform, key: str, body: bytes, data: InboundIn) -> dict[str, Any]:
    """A new contact: routed by the rules, waiting in its queue, offered at once if an agent is
    free. Returns what the platform needs: the reference, queue, priority and agent."""

    def work() -> tuple[Contact, dict[str, Any]]:
        at = now()
        decision, found = decide(data, at, caller=data.caller)
        contact = Contact.objects.create(
            reference=_reference(at),
            platform=platform,
            external_id=data.external_id,
            channel=data.channel,
            caller=data.caller.strip(),
            dialled=data.dialled,
            menu=data.menu,
            language=data.language,
            postcode=data.postcode.strip().upper(),
            quoted_reference=data.reference.strip(),
            service_request=found.request,
            service=found.service,
            partner_id=found.request.handled_by_id if found.request else found.area_partner_id,
            rule_id=decision.rule_id,
            queue_id=decision.queue_id,
            priority=decision.priority,
            required_skill=decision.skill,
            preferred_agent=found.preferred_agent,
            arrived_at=at,
            status=C.WAITING if decision.routed else C.NOT_ROUTED,
            next_escalation_at=at + dt.timedelta(seconds=decision.steps[0][0]) if decision.steps else None,
        )
        if decision.routed:
            Waiting.objects.create(contact=contact, queue_id=int(decision.queue_id or 0), since=at)
            _offer(contact.pk, at)
            contact.refresh_from_db()
        return contact, route_out(contact)

    return _once(platform, key, body, "inbound", work)


def route_out(contact: Contact) -> dict[str, Any]:
    """What the platform is told about a contact: where it is and whom to connect."""
    agent = contact.agent if contact.agent_id else None
    return {
        "reference": contact.reference,
        "status": contact.status,
        "queue": contact.queue.code if contact.queue_id and contact.queue else None,
        "priority": contact.priority,
        "agent": {"id": agent.pk, "name": agent.person.full_name, "endpoint": agent.endpoint}
        if agent is not None and contact.status in (C.OFFERED, C.ANSWERED)
        else None,
        "message": _message(contact),
    }


def _message(contact: Contact) -> str:
    if contact.status == C.NOT_ROUTED:
        return "No queue is open for this contact now: play the closed message."
    if contact.status == C.WAITING:
        return "Waiting in the queue: poll this contact for an agent."
    if contact.status == C.OFFERED:
        return "Connect the caller to the agent, then report answered (or missed)."
    return ""


def contact_for_platform(platform: Platform, reference: str) -> Contact:
    contact = (
        Contact.objects.select_related("queue", "agent__person")
        .filter(reference=reference, platform=platform)
        .first()
    )
    if contact is None:
        raise NotFound("No such contact from this platform")
    return contact


def contact_poll(*, platform: Platform, reference: str) -> dict[str, Any]:
    """The platform asks where a waiting contact stands: escalations due are made and an agent
    is looked for, so a polling platform needs nothing else to run."""
    contact = contact_for_platform(platform, reference)
    if contact.status == C.WAITING:
        at = now()
        escalate_due(at)
        _offer(contact.pk, at)
        contact = contact_for_platform(platform, reference)
    return route_out(contact)


def contact_event(
    *, platform: Platform, key: str, body: bytes, reference: str, data: EventIn
) -> dict[str, Any]:
    def work() -> tuple[Contact, dict[str, Any]]:
        contact = (
            Contact.objects.select_for_update(of=("self",))
            .filter(reference=reference, platform=platform)
            .first()
        )
        if contact is None:
            raise NotFound("No such contact from this platform")
        freed = _apply(contact, data, by=None)
        for agent_id in freed:
            _offer_to_agent(agent_id, now())
        contact = Contact.objects.select_related("queue", "agent__person").get(pk=contact.pk)
        return contact, route_out(contact)

    return _once(platform, key, body, data.kind, work)


def _apply(contact: Contact, data: EventIn, *, by: Actor | None) -> list[int]:
    """One event on a contact (its row locked by the caller). Returns the agents it freed."""
    at = now()
    kind = data.kind
    freed: list[int] = []
    if kind == EventKind.ANSWERED:
        if contact.status != C.OFFERED:
            raise Conflict(
                f"Contact {contact.reference} is {contact.get_status_display().lower()}: only an offered contact is answered"
            )
        contact.status = C.ANSWERED
        contact.answered_at = at
        contact.wait_seconds = max(0, int((at - contact.arrived_at).total_seconds()))
        contact.save(update_fields=["status", "answered_at", "wait_seconds"])
        audit_record(
            actor=by,
            action="contacts.answer",
            obj=contact,
            organisation=contact.agent.partner if contact.agent else None,
            changes={"agent": contact.agent_id},
        )
    elif kind == EventKind.MISSED:
        if contact.status != C.OFFERED:
            raise Conflict(f"Contact {contact.reference} is not waiting for an agent to answer")
        agent_id = contact.agent_id
        contact.status, contact.agent, contact.offered_at = C.WAITING, None, None
        contact.save(update_fields=["status", "agent", "offered_at"])
        # Asterisk's autopause: an agent who does not answer is not offered the next one.
        Agent.objects.filter(pk=agent_id or 0).update(state=AgentState.BREAK, state_since=at)
    elif kind == EventKind.ABANDONED:
        if contact.status not in (C.WAITING, C.OFFERED):
            raise Conflict(f"Contact {contact.reference} is already {contact.get_status_display().lower()}")
        if contact.agent_id:
            freed.append(contact.agent_id)
        contact.status, contact.abandoned_at = C.ABANDONED, at
        contact.save(update_fields=["status", "abandoned_at"])
        Waiting.objects.filter(contact=contact).delete()
    elif kind == EventKind.ENDED:
        if contact.status in (C.WAITING, C.OFFERED):
            return _apply(contact, EventIn.model_validate({"kind": EventKind.ABANDONED}), by=by)
        if contact.status != C.ANSWERED:
            raise Conflict(f"Contact {contact.reference} is not in progress")
        _end(contact, at)
    elif kind == EventKind.TRANSFERRED:
        target_queue = Queue.objects.filter(code=data.queue_code).first() if data.queue_code else None
        target_agent = Agent.objects.filter(pk=data.agent_id).first() if data.agent_id else None
        if target_queue is None and target_agent is None:
            raise ValidationFailed(
                "Name the queue or agent to transfer to",
                field_errors={"queue_code": "Give a queue's code or an agent's id"},
            )
        _transfer(contact, at, queue=target_queue, agent=target_agent, by=by)
    return freed


def _end(contact: Contact, at: dt.datetime) -> None:
    wrap = contact.queue.wrap_up_seconds if contact.queue else 0
    contact.status = C.WRAP_UP
    contact.ended_at = at
    contact.wrap_up_until = at + dt.timedelta(seconds=wrap)
    talk = int((at - (contact.answered_at or at)).total_seconds())
    contact.handle_seconds = talk + wrap
    contact.save(update_fields=["status", "ended_at", "wrap_up_until", "handle_seconds"])
    if contact.agent_id:
        Agent.objects.filter(pk=contact.agent_id).update(last_ended_at=at)


def _transfer(
    contact: Contact, at: dt.datetime, *, queue: Queue | None, agent: Agent | None, by: Actor | None
) -> Contact:
    if contact.status not in (C.ANSWERED, C.OFFERED):
        raise Conflict(f"Contact {contact.reference} is not with an agent: it cannot be transferred")
    target_queue = queue
    if target_queue is None and agent is not None:
        membership = agent.memberships.select_related("queue").order_by("penalty").first()
        target_queue = membership.queue if membership else None
    target_queue = target_queue or contact.queue
    new = Contact.objects.create(
        reference=_reference(at),
        platform=contact.platform,
        external_id=contact.external_id,
        channel=contact.channel,
        caller=contact.caller,
        dialled=contact.dialled,
        menu=contact.menu,
        language=contact.language,
        postcode=contact.postcode,
        quoted_reference=contact.quoted_reference,
        service_request=contact.service_request,
        service=contact.service,
        partner=target_queue.partner if target_queue else contact.partner,
        queue=target_queue,
        priority=contact.priority,
        required_skill="",
        preferred_agent=agent,
        arrived_at=at,
        transferred_from=contact,
    )
    if target_queue is not None:
        Waiting.objects.create(contact=new, queue=target_queue, since=at)
    if contact.status == C.ANSWERED:
        _end(contact, at)
        contact.outcome = Outcome.REFERRED
        contact.save(update_fields=["outcome"])
    else:
        contact.status, contact.abandoned_at = C.ABANDONED, at
        contact.save(update_fields=["status", "abandoned_at"])
    audit_record(
        actor=by,
        action="contacts.transfer",
        obj=contact,
        organisation=target_queue.partner if target_queue else None,
        changes={"to": new.reference, "queue": target_queue.code if target_queue else ""},
    )
    transaction.on_commit(lambda: _offer(new.pk, now()))
    return new


# --- assignment ------------------------------------------------------------------------------------


def _blocked(agent_id: int, channel: str, capacity: dict[str, int], at: dt.datetime) -> bool:
    """Is the agent full for this channel? Counted under the agent's row lock. A call or a visit
    takes the whole person; chats and e-mails share them up to each channel's capacity; nobody
    is offered anything while in wrap-up."""
    held = list(
        Contact.objects.filter(agent_id=agent_id)
        .filter(selectors.occupying_q(at))
        .values_list("channel", "status")
    )
    if any(status == C.WRAP_UP for _, status in held):
        return True
    whole = (ContactChannel.PHONE, ContactChannel.FACE_TO_FACE)
    if held and (channel in whole or any(ch in whole for ch, _ in held)):
        return True
    limit = int(capacity.get(channel, DEFAULT_CAPACITY.get(channel, 1)))
    return sum(1 for ch, _ in held if ch == channel) >= limit


def _candidates(contact: Contact, queue_ids: list[int], at: dt.datetime) -> list[int]:
    """Free agents of the contact's queues, best first: the case's own officer, then the lowest
    penalty, then the queue's strategy."""
    members = QueueMember.objects.filter(
        queue_id__in=queue_ids, agent__state=AgentState.AVAILABLE
    ).values_list("agent_id", "penalty", "queue_id", "agent__skills", "agent__last_ended_at")
    best: dict[int, tuple[int, dict[str, int], dt.datetime | None]] = {}
    for agent_id, penalty, _queue_id, skills, last_ended in members:
        if contact.required_skill and contact.required_skill not in (skills or {}):
            continue
        if agent_id not in best or penalty < best[agent_id][0]:
            best[agent_id] = (penalty, skills or {}, last_ended)
    queue = contact.queue
    strategy = queue.strategy if queue else Strategy.LONGEST_IDLE
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    order: list[int]
    if strategy == Strategy.FEWEST_CONTACTS:
        start = at.astimezone(LONDON).replace(hour=0, minute=0, second=0, microsecond=0)
        counts = dict(
            Contact.objects.filter(agent_id__in=list(best), answered_at__gte=start)
            .values("agent_id")
            .annotate(n=Count("pk"))
            .values_list("agent_id", "n")
        )
        order = sorted(best, key=lambda a: (best[a][0], counts.get(a, 0), best[a][2] or epoch, a))
    elif strategy == Strategy.ROUND_ROBIN:
        last = queue.last_agent_id if queue else None
        ids = sorted(best)
        after = [a for a in ids if last is not None and a > last]
        rotated = after + [a for a in ids if a not in after]
        position = {a: n for n, a in enumerate(rotated)}
        order = sorted(best, key=lambda a: (best[a][0], position[a]))
    elif strategy == Strategy.SKILLS_WEIGHTED:
        skill = contact.required_skill
        order = sorted(
            best,
            key=lambda a: (
                best[a][0],
                -int(best[a][1].get(skill, 0)) if skill else -max(best[a][1].values(), default=0),
                best[a][2] or epoch,
                a,
            ),
        )
    else:  # longest idle: whoever finished their last contact longest ago (never: first)
        order = sorted(best, key=lambda a: (best[a][0], best[a][2] or epoch, a))
    if contact.preferred_agent_id in best:
        order.remove(contact.preferred_agent_id)  # type: ignore[arg-type]
        order.insert(0, contact.preferred_agent_id)  # type: ignore[arg-type]
    return order


def _offer(contact_id: int, at: dt.datetime) -> int | None:
    """Offer a waiting contact to the best free agent, atomically. Returns the agent's id."""
    with transaction.atomic():
        contact = (
            Contact.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("queue")
            .filter(pk=contact_id, status=C.WAITING)
            .first()
        )
        if contact is None:
            return None
        queue_ids = list(Waiting.objects.filter(contact=contact).values_list("queue_id", flat=True))
        for agent_id in _candidates(contact, queue_ids, at)[:25]:
            agent = (
                Agent.objects.select_for_update(skip_locked=True)
                .filter(pk=agent_id, state=AgentState.AVAILABLE)
                .first()
            )
            if agent is None or _blocked(agent.pk, contact.channel, agent.capacity or {}, at):
                continue
            _give(contact, agent, at)
            return agent.pk
    return None


def _give(contact: Contact, agent: Agent, at: dt.datetime) -> None:
    contact.status, contact.agent, contact.offered_at = C.OFFERED, agent, at
    contact.save(update_fields=["status", "agent", "offered_at"])
    if contact.queue_id:
        Queue.objects.filter(pk=contact.queue_id).update(last_agent=agent)


def _offer_to_agent(agent_id: int, at: dt.datetime) -> int | None:
    """An agent has room: offer them the most urgent contact waiting in their queues (highest
    priority, then longest waiting). Returns the contact's id."""
    with transaction.atomic():
        agent = (
            Agent.objects.select_for_update(skip_locked=True)
            .filter(pk=agent_id, state=AgentState.AVAILABLE)
            .first()
        )
        if agent is None:
            return None
        queue_ids = list(QueueMember.objects.filter(agent=agent).values_list("queue_id", flat=True))
        waiting = (
            Waiting.objects.filter(queue_id__in=queue_ids, contact__status=C.WAITING)
            .order_by("-contact__priority", "contact__arrived_at")
            .values_list("contact_id", "contact__channel", "contact__required_skill")[:50]
        )
        for contact_id, channel, skill in waiting:
            if skill and skill not in (agent.skills or {}):
                continue
            if _blocked(agent.pk, channel, agent.capacity or {}, at):
                continue
            contact = (
                Contact.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=contact_id, status=C.WAITING)
                .first()
            )
            if contact is None:
                continue
            _give(contact, agent, at)
            return contact.pk
    return None


def escalate_due(at: dt.datetime | None = None, limit: int = 500) -> int:
    """Widen waiting contacts whose next escalation step has come: each may now also be
    answered from the step's queue. Returns how many were widened."""
    at = at or now()
    steps_of = {spec.rule_id: spec.steps for spec in table().rules}
    done = 0
    with transaction.atomic():
        due = list(
            Contact.objects.select_for_update(skip_locked=True)
            .filter(status=C.WAITING, next_escalation_at__lte=at)
            .only("pk", "rule_id", "arrived_at")[:limit]
        )
        for contact in due:
            waited = (at - contact.arrived_at).total_seconds()
            steps = steps_of.get(contact.rule_id or 0, ())
            upcoming = None
            for after, queue_id in steps:
                if after <= waited:
                    Waiting.objects.get_or_create(contact=contact, queue_id=queue_id, defaults={"since": at})
                elif upcoming is None:
                    upcoming = after
            Contact.objects.filter(pk=contact.pk).update(
                next_escalation_at=contact.arrived_at + dt.timedelta(seconds=upcoming) if upcoming else None
            )
            done += 1
    return done


def dispatch_waiting(at: dt.datetime | None = None, limit: int = 200) -> int:
    """Offer waiting contacts to free agents (the tick behind a platform that polls)."""
    at = at or now()
    escalate_due(at)
    offered = 0
    for contact_id in (
        Contact.objects.filter(status=C.WAITING)
        .order_by("-priority", "arrived_at")
        .values_list("pk", flat=True)[:limit]
    ):
        if _offer(contact_id, at):
            offered += 1
    return offered


# --- the agent's console -------------------------------------------------------------------------


def agent_set_state(*, actor: Actor, data: StateIn) -> Agent:
    agent = selectors.require_agent(actor)
    at = now()
    with transaction.atomic():
        Agent.objects.filter(pk=agent.pk).update(state=data.state, state_since=at)
        audit_record(
            actor=actor,
            action="contacts.agent_state",
            obj=agent,
            organisation=actor.organisation,
            changes={"state": data.state},
        )
    if data.state == AgentState.AVAILABLE:
        _fill(agent.pk, at)
    agent.refresh_from_db()
    return agent


def agent_ready(*, actor: Actor) -> None:
    """The console asks for work: escalations that have fallen due are made, and the agent, if
    available and with room, is offered what waits in their queues — so e-mails and chats from
    a platform that does not poll still reach a free agent within the console's poll."""
    agent = selectors.require_agent(actor)
    if agent.state == AgentState.AVAILABLE:
        at = now()
        escalate_due(at)
        _fill(agent.pk, at)


def _fill(agent_id: int, at: dt.datetime) -> None:
    """Offer an agent contacts until they are full (chats and e-mails come several at a time)."""
    for _ in range(10):
        if _offer_to_agent(agent_id, at) is None:
            return


def contact_accept(*, actor: Actor, contact: Contact) -> Contact:
    """The agent takes an offered contact (a chat or e-mail from the console; a call when the
    console answers it)."""
    with transaction.atomic():
        locked = (
            Contact.objects.select_for_update(of=("self",))
            .select_related("agent__partner")
            .get(pk=contact.pk)
        )
        if locked.agent is None or locked.agent.person_id != actor.person.pk:
            raise PermissionDenied("This contact is not offered to you")
        _apply(locked, EventIn.model_validate({"kind": EventKind.ANSWERED}), by=actor)
    return locked


def contact_end(*, actor: Actor, contact: Contact) -> Contact:
    with transaction.atomic():
        locked = Contact.objects.select_for_update(of=("self",)).select_related("queue").get(pk=contact.pk)
        if (
            locked.agent_id != contact.agent_id
            or locked.agent is None
            or locked.agent.person_id != actor.person.pk
        ):
            raise PermissionDenied("This contact is not yours")
        _apply(locked, EventIn.model_validate({"kind": EventKind.ENDED}), by=actor)
    return locked


def contact_transfer(*, actor: Actor, contact: Contact, data: TransferIn) -> Contact:
    queue = Queue.objects.filter(pk=data.queue_id).first() if data.queue_id else None
    agent = Agent.objects.filter(pk=data.agent_id).first() if data.agent_id else None
    if queue is None and agent is None:
        raise ValidationFailed(
            "Choose where to transfer it", field_errors={"queue_id": "Choose a queue or an agent"}
        )
    with transaction.atomic():
        locked = (
            Contact.objects.select_for_update(of=("self",))
            .select_related("queue", "agent")
            .get(pk=contact.pk)
        )
        if locked.agent is None or locked.agent.person_id != actor.person.pk:
            raise PermissionDenied("This contact is not yours")
        new = _transfer(locked, now(), queue=queue, agent=agent, by=actor)
    return new


def contact_wrap_up(*, actor: Actor, contact: Contact, data: WrapUpIn) -> Contact:
    """What came of the contact, classified as value or failure demand; a service request
    created from it (taken on the caller's behalf) or the note added to theirs."""
    if data.demand == Demand.VALUE and data.failure_type:
        raise ValidationFailed(
            "Value demand has no failure type",
            field_errors={"failure_type": "Leave it empty for value demand"},
        )
    if data.demand == Demand.FAILURE and not data.failure_type:
        raise ValidationFailed(
            "Say what kind of failure demand",
            field_errors={"failure_type": "Choose the kind of failure demand"},
        )
    at = now()
    with transaction.atomic():
        locked = (
            Contact.objects.select_for_update(of=("self",))
            .select_related("queue", "agent__partner")
            .get(pk=contact.pk)
        )
        if locked.agent is None or locked.agent.person_id != actor.person.pk:
            raise PermissionDenied("This contact is not yours")
        if locked.status == C.ANSWERED:
            _end(locked, at)
        if locked.status != C.WRAP_UP:
            raise Conflict(
                f"Contact {locked.reference} is {locked.get_status_display().lower()}: only an answered contact is wrapped up"
            )
        if data.outcome == Outcome.REQUEST_CREATED:
            request = _take_request(actor, locked, data)
            locked.service_request = request
        elif data.outcome == Outcome.REQUEST_UPDATED:
            request = _record_on_request(actor, locked, data)
            locked.service_request = request
        locked.status = C.DONE
        locked.wrapped_at = at
        locked.outcome = data.outcome
        locked.demand = data.demand
        locked.failure_type = data.failure_type or ""
        locked.notes = data.notes.strip()
        if locked.answered_at:
            locked.handle_seconds = max(0, int((at - locked.answered_at).total_seconds()))
        locked.save()
        audit_record(
            actor=actor,
            action="contacts.wrap_up",
            obj=locked,
            organisation=actor.organisation,
            changes={
                "outcome": data.outcome,
                "demand": data.demand,
                "request": locked.service_request.reference if locked.service_request else "",
            },
        )
    agent_id = locked.agent_id
    transaction.on_commit(lambda: _fill(agent_id, now()) if agent_id else None)
    return locked


_CHANNEL: dict[str, str] = {
    ContactChannel.PHONE: Channel.PHONE,
    ContactChannel.EMAIL: Channel.EMAIL,
    ContactChannel.FACE_TO_FACE: Channel.FACE_TO_FACE,
    ContactChannel.CHAT: Channel.WEB,
    ContactChannel.WEB_FORM: Channel.WEB,
}


def _take_request(actor: Actor, contact: Contact, data: WrapUpIn) -> ServiceRequest:
    errors = {}
    if not data.service_code:
        errors["service_code"] = "Choose the service"
    if not data.description.strip():
        errors["description"] = "Enter what the caller reports"
    if not data.email.strip():
        errors["email"] = "Enter the caller's email address, so they get their reference"
    if errors:
        raise ValidationFailed("Check the request", field_errors=errors)
    request, _secret = citizen_services.request_take(
        actor=actor,
        data=RequestIn.model_validate(
            {
                "service_code": data.service_code,
                "description": data.description,
                "postcode": data.postcode,
                "address": data.address,
                "email": data.email,
                "attributes": data.attributes,
                "phone": contact.caller if contact.channel == ContactChannel.PHONE else "",
            }
        ),
        channel=_CHANNEL.get(contact.channel, Channel.PHONE),
        demand=data.demand,
    )
    return request


def _record_on_request(actor: Actor, contact: Contact, data: WrapUpIn) -> ServiceRequest:
    reference = data.request_reference.strip() or (
        contact.service_request.reference if contact.service_request else ""
    )
    request = ServiceRequest.objects.filter(reference__iexact=reference).first() if reference else None
    # Only the caller's own request (quoted or found) or one of the agent's own partner: an
    # agent cannot write onto, or probe for, another partner's requests by typing references.
    if (
        request is not None
        and request.pk != contact.service_request_id
        and request.handled_by_id != actor.organisation.pk
    ):
        request = None
    if request is None:
        raise ValidationFailed(
            "Name the service request",
            field_errors={"request_reference": "Enter the request's reference, like SR-2026-000123"},
        )
    citizen_services.contact_record(
        actor=actor,
        request=request,
        text=data.notes.strip() or contact.get_outcome_display() or "Contact from the citizen",
        channel=_CHANNEL.get(contact.channel, Channel.PHONE),
        demand=data.demand,
        failure_type=data.failure_type or "",
    )
    return request


def contact_record(*, actor: Actor, channel: str, caller: str) -> Contact:
    """A contact that did not come through a platform (a visit, a letter handed in): the agent
    records it as answered by themselves, to wrap it up like any other."""
    agent = selectors.require_agent(actor)
    at = now()
    queue = Queue.objects.filter(members__agent=agent).order_by("members__penalty").first()
    with transaction.atomic():
        contact = Contact.objects.create(
            reference=_reference(at),
            channel=channel,
            caller=caller.strip()[:254],
            queue=queue,
            partner=agent.partner,
            status=C.ANSWERED,
            agent=agent,
            arrived_at=at,
            offered_at=at,
            answered_at=at,
            wait_seconds=0,
        )
        audit_record(
            actor=actor,
            action="contacts.record",
            obj=contact,
            organisation=actor.organisation,
            changes={"channel": channel},
        )
    return contact
