"""Reads in contact routing, always for an actor: agents see what they hold and their own
partner's queues; the supervisors of the shared centre see every queue. A caller's number is
shown only to the agent holding the contact, once answered; their history only from the
agent's own partner's queues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate

from consortium.citizen.constants import OPEN_STATUSES, Demand
from consortium.citizen.models import Service, ServiceRequest
from consortium.contacts.constants import HOLDING, ContactChannel, ContactStatus, ShownState
from consortium.contacts.models import Agent, Contact, Platform, Queue, Rule, Waiting
from consortium.core.dates import LONDON, now, today_in_london
from consortium.core.errors import NotFound, PermissionDenied
from consortium.core.phones import masked
from consortium.organisations.acting import Actor
from consortium.organisations.constants import Role
from consortium.organisations.models import Organisation, Person
from consortium.organisations.permissions import Permission

C = ContactStatus


def supervises(actor: Actor) -> bool:
    return actor.has(Permission.CONTACTS_SUPERVISE)


def answers(actor: Actor) -> bool:
    return actor.has(Permission.CONTACTS_ANSWER)


def require_supervisor(actor: Actor) -> None:
    if not supervises(actor):
        raise PermissionDenied("The contact centre's supervisors keep queues, agents and routing rules.")


def require_contacts(actor: Actor) -> None:
    if not (supervises(actor) or answers(actor)):
        raise PermissionDenied("Partner officers who answer contacts, and supervisors, see contact routing.")


# --- set-up -----------------------------------------------------------------------------------


def queues_for(actor: Actor) -> QuerySet[Queue]:
    """Every queue for a supervisor; an agent's own partner's queues and those shared with it."""
    require_contacts(actor)
    qs = Queue.objects.select_related("partner").order_by("partner__name", "name")
    if supervises(actor):
        return qs
    org = actor.organisation
    return qs.filter(Q(partner=org) | Q(shared_with=org)).distinct()


def queue_get(actor: Actor, queue_id: int) -> Queue:
    queue = queues_for(actor).filter(pk=queue_id).first()
    if queue is None:
        raise NotFound("No such queue")
    return queue


def agents(actor: Actor) -> QuerySet[Agent]:
    require_supervisor(actor)
    return Agent.objects.select_related("person", "partner").prefetch_related("memberships__queue")


def agent_get(actor: Actor, agent_id: int) -> Agent:
    agent = agents(actor).filter(pk=agent_id).first()
    if agent is None:
        raise NotFound("No such agent")
    return agent


def officers(actor: Actor) -> list[tuple[int, str]]:
    """People who may be made agents: partner officers, named with their partner."""
    require_supervisor(actor)
    rows = (
        Person.objects.filter(role_assignments__role=Role.PARTNER_OFFICER, is_active=True)
        .values_list("pk", "full_name", "role_assignments__organisation__name")
        .distinct()
        .order_by("full_name")
    )
    return [(pk, f"{name} ({org})") for pk, name, org in rows]


def partners() -> list[Organisation]:
    return list(
        Organisation.objects.filter(role_assignments__role=Role.PARTNER_OFFICER).distinct().order_by("name")
    )


def rules(actor: Actor) -> QuerySet[Rule]:
    require_supervisor(actor)
    return Rule.objects.select_related("queue", "service", "area_partner").prefetch_related("steps__queue")


def rule_get(actor: Actor, rule_id: int) -> Rule:
    rule = rules(actor).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("No such rule")
    return rule


def services() -> list[Service]:
    return list(Service.objects.filter(active=True).order_by("name"))


def platforms(actor: Actor) -> QuerySet[Platform]:
    require_supervisor(actor)
    return Platform.objects.order_by("name")


# --- the agent ------------------------------------------------------------------------------


def own_agent(actor: Actor) -> Agent | None:
    if not answers(actor):
        return None
    return (
        Agent.objects.select_related("partner", "person")
        .filter(person=actor.person, partner=actor.organisation)
        .first()
    )


def require_agent(actor: Actor) -> Agent:
    agent = own_agent(actor)
    if agent is None:
        raise PermissionDenied(
            "You are not set up as an agent for this organisation: ask the contact centre's supervisor."
        )
    return agent


def occupying_q(at: dt.datetime) -> Q:
    """Contacts that occupy their agent at `at`: offered, answered, or in wrap-up until the
    queue's wrap-up time has passed (used for the agent's state, the figures and assignment)."""
    return Q(status__in=HOLDING) | Q(status=C.WRAP_UP, wrap_up_until__gt=at)


def shown_state(agent: Agent, at: dt.datetime | None = None) -> str:
    """Available, busy (holding a contact), wrap-up (just ended one), break or offline."""
    at = at or now()
    held = Contact.objects.filter(agent=agent).filter(occupying_q(at))
    statuses = set(held.values_list("status", flat=True))
    if statuses & set(HOLDING):
        return ShownState.BUSY
    if C.WRAP_UP in statuses:
        return ShownState.WRAP_UP
    return agent.state


@dataclass
class HeldContact:
    contact: Contact
    caller: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    history: list[Contact] = field(default_factory=list)


def caller_requests(contact: Contact, partner_id: int) -> list[dict[str, Any]]:
    """The caller's open requests (quoted, or found by their number): the agent's own partner's
    in full, another partner's as reference, service, status and partner only."""
    found: dict[int, ServiceRequest] = {}
    if contact.service_request_id and contact.service_request is not None:
        found[contact.service_request.pk] = contact.service_request
    from consortium.core.phones import phone_key

    key = phone_key(contact.caller) if contact.channel == ContactChannel.PHONE else ""
    if key:
        for r in (
            ServiceRequest.objects.filter(phone_key=key, status__in=OPEN_STATUSES)
            .select_related("service", "handled_by")
            .order_by("-confirmed_at")[:5]
        ):
            found.setdefault(r.pk, r)
    out = []
    for r in found.values():
        own = r.handled_by_id == partner_id
        out.append(
            {
                "id": r.pk if own else None,
                "reference": r.reference,
                "service": r.service.name,
                "status": r.get_status_display(),
                "partner": r.handled_by.name if r.handled_by else "The partnership (triage)",
                "own": own,
                "due_on": r.due_on if own else None,
                "description": r.description[:300] if own else "",
            }
        )
    return out


def held(actor: Actor, agent: Agent) -> list[HeldContact]:
    """What the agent holds now: offered, answered, or in wrap-up until they record the outcome."""
    contacts = (
        Contact.objects.filter(agent=agent, status__in=[C.OFFERED, C.ANSWERED, C.WRAP_UP])
        .select_related(
            "queue", "service", "service_request__service", "service_request__handled_by", "agent"
        )
        .order_by("offered_at")
    )
    out = []
    for c in contacts:
        answered = c.status != C.OFFERED
        item = HeldContact(contact=c, caller=c.caller if answered else masked(c.caller))
        if answered:
            item.requests = caller_requests(c, agent.partner_id)
            if c.caller:
                item.history = list(
                    Contact.objects.filter(caller=c.caller, queue__partner_id=agent.partner_id)
                    .exclude(pk=c.pk)
                    .select_related("queue")
                    .order_by("-arrived_at")[:10]
                )
        out.append(item)
    return out


def held_contact(actor: Actor, contact_id: int) -> Contact:
    agent = require_agent(actor)
    contact = (
        Contact.objects.select_related("queue", "agent", "service_request")
        .filter(pk=contact_id, agent=agent)
        .first()
    )
    if contact is None:
        raise NotFound("No such contact among yours")
    return contact


def transfer_targets(actor: Actor) -> tuple[list[Queue], list[Agent]]:
    require_agent(actor)
    return (
        list(Queue.objects.select_related("partner").order_by("partner__name", "name")),
        list(
            Agent.objects.select_related("person", "partner")
            .filter(state="available")
            .order_by("person__full_name")
        ),
    )


# --- figures ---------------------------------------------------------------------------------


@dataclass
class QueueFigures:
    queue: Queue
    waiting: int = 0
    longest_wait: int | None = None
    agents: dict[str, int] = field(default_factory=dict)
    offered: int = 0
    answered: int = 0
    in_target: int = 0
    abandoned: int = 0
    handle_total: int = 0
    handled: int = 0
    failure: int = 0
    classified: int = 0

    @property
    def in_target_percent(self) -> float | None:
        return round(100 * self.in_target / self.answered, 1) if self.answered else None

    @property
    def abandoned_percent(self) -> float | None:
        return round(100 * self.abandoned / self.offered, 1) if self.offered else None

    @property
    def average_handling(self) -> int | None:
        return round(self.handle_total / self.handled) if self.handled else None

    @property
    def failure_percent(self) -> float | None:
        return round(100 * self.failure / self.classified, 1) if self.classified else None

    @property
    def meets_target(self) -> bool | None:
        p = self.in_target_percent
        return None if p is None else p >= self.queue.target_percent


@dataclass
class Figures:
    first: dt.date
    last: dt.date
    queues: list[QueueFigures]
    by_hour: list[dict[str, Any]]
    by_day: list[dict[str, Any]]


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(first, dt.time(0), tzinfo=LONDON)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
    return start, end


def figures(actor: Actor, *, first: dt.date | None = None, last: dt.date | None = None) -> Figures:
    """Per queue: waiting now, longest wait and agents by state (live); over the period,
    offered, answered within the queue's target, abandoned, average handling and the share of
    failure demand; and the same by hour today and by day across the period."""
    queue_list = list(queues_for(actor))
    last = last or today_in_london()
    first = first or last - dt.timedelta(days=13)
    if first > last:
        first, last = last, first
    start, end = _bounds(first, last)
    ids = [q.pk for q in queue_list]
    per_queue = {q.pk: QueueFigures(queue=q) for q in queue_list}
    at = now()
    for row in (
        Waiting.objects.filter(queue_id__in=ids, contact__status=C.WAITING)
        .values("queue_id")
        .annotate(n=Count("pk"), oldest=Min("contact__arrived_at"))
    ):
        f = per_queue[row["queue_id"]]
        f.waiting = row["n"]
        f.longest_wait = int((at - row["oldest"]).total_seconds()) if row["oldest"] else None
    members = Agent.objects.filter(memberships__queue_id__in=ids).select_related("partner").distinct()
    member_queues: dict[int, list[int]] = {}
    for agent_id, queue_id in Agent.queues.through.objects.filter(queue_id__in=ids).values_list(
        "agent_id", "queue_id"
    ):
        member_queues.setdefault(agent_id, []).append(queue_id)
    busy = dict(
        Contact.objects.filter(agent__in=members).filter(occupying_q(at)).values_list("agent_id", "status")
    )
    for agent in members:
        status = busy.get(agent.pk)
        shown = (
            ShownState.BUSY
            if status in HOLDING
            else ShownState.WRAP_UP
            if status == C.WRAP_UP
            else agent.state
        )
        for queue_id in member_queues.get(agent.pk, []):
            counts = per_queue[queue_id].agents
            counts[shown] = counts.get(shown, 0) + 1
    period = Contact.objects.filter(queue_id__in=ids, arrived_at__gte=start, arrived_at__lt=end)
    sums = _sums()
    for row in period.values("queue_id").annotate(**sums):
        _fill(per_queue[row["queue_id"]], row)
    today_start, today_end = _bounds(last, last)
    by_hour = []
    hours = {
        row["hour"]: row
        for row in period.filter(arrived_at__gte=today_start, arrived_at__lt=today_end)
        .annotate(hour=ExtractHour("arrived_at", tzinfo=LONDON))
        .values("hour")
        .annotate(**sums)
    }
    for hour in range(24):
        in_hour = hours.get(hour)
        if in_hour is None and not (7 <= hour <= 19):
            continue
        f = QueueFigures(queue=Queue(name="all"))
        if in_hour:
            _fill(f, in_hour)
        by_hour.append({"label": f"{hour:02d}:00", "figures": f})
    days = {
        row["day"]: row
        for row in period.annotate(day=TruncDate("arrived_at", tzinfo=LONDON)).values("day").annotate(**sums)
    }
    by_day = []
    day = first
    while day <= last:
        f = QueueFigures(queue=Queue(name="all"))
        if day in days:
            _fill(f, days[day])
        by_day.append({"label": day, "figures": f})
        day += dt.timedelta(days=1)
    return Figures(first=first, last=last, queues=list(per_queue.values()), by_hour=by_hour, by_day=by_day)


def _sums() -> dict[str, Any]:
    from django.db.models import F, Sum

    return {
        "n_offered": Count("pk", filter=~Q(status=C.NOT_ROUTED)),
        "n_answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "n_in_target": Count(
            "pk", filter=Q(answered_at__isnull=False, wait_seconds__lte=F("queue__target_seconds"))
        ),
        "n_abandoned": Count("pk", filter=Q(status=C.ABANDONED)),
        "handle_total": Sum("handle_seconds"),
        "n_handled": Count("handle_seconds"),
        "n_failure": Count("pk", filter=Q(demand=Demand.FAILURE)),
        "n_classified": Count("pk", filter=~Q(demand="")),
    }


def _fill(f: QueueFigures, row: dict[str, Any]) -> None:
    f.offered = row["n_offered"]
    f.answered = row["n_answered"]
    f.in_target = row["n_in_target"]
    f.abandoned = row["n_abandoned"]
    f.handle_total = row["handle_total"] or 0
    f.handled = row["n_handled"]
    f.failure = row["n_failure"]
    f.classified = row["n_classified"]
