"""Contact routing's JSON API.

- The integration API, for a telephony or chat platform: signed with the platform's shared
  secret (contacts.signing), every POST with an Idempotency-Key. A new contact gets its queue,
  priority and, when one is free, the agent to connect; the platform reports what happens.
- The agent's console and the supervisor's set-up and figures, as the pages show them."""

import datetime as dt
import hmac
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import APIKeyHeader

from consortium.contacts import selectors, services
from consortium.contacts.models import Agent, Platform, Rule
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
from consortium.contacts.signing import signature, signed_message
from consortium.core.api_errors import ERRORS
from consortium.core.errors import Unauthenticated
from consortium.core.sealed import unseal
from consortium.organisations.acting import Actor
from consortium.organisations.api_auth import actor_of

router = Router(tags=["contact routing"])


class PlatformSignature(APIKeyHeader):
    """A platform's signed request (see contacts.signing for the exact recipe)."""

    param_name = "X-Consortium-Platform"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            raise Unauthenticated(
                "Send X-Consortium-Platform with your platform's key id, and sign the request"
            )
        platform = Platform.objects.filter(key_id=key, active=True).first()
        stamp = request.headers.get("X-Consortium-Timestamp", "")
        sent = request.headers.get("X-Consortium-Signature", "")
        if platform is None:
            raise Unauthenticated("No active platform has this key id")
        if not stamp.isdigit() or not sent:
            raise Unauthenticated(
                "Send X-Consortium-Timestamp (seconds since 1970) and X-Consortium-Signature"
            )
        window = settings.CONTACTS_SIGNATURE_WINDOW_SECONDS
        if abs(time.time() - int(stamp)) > window:
            raise Unauthenticated(
                f"The timestamp is more than {window} seconds from our clock: a replayed or delayed request"
            )
        message = signed_message(
            timestamp=stamp,
            key=request.headers.get("Idempotency-Key", ""),
            method=request.method or "",
            path=request.path,
            body=request.body,
        )
        if not hmac.compare_digest(signature(unseal(platform.sealed_secret), message), sent):
            raise Unauthenticated("The signature does not match this request")
        return platform


def _platform(request: HttpRequest) -> Platform:
    platform = request.auth  # type: ignore[attr-defined]
    assert isinstance(platform, Platform)
    return platform


class AgentOut(Schema):
    id: int
    name: str
    endpoint: str


class RouteOut(Schema):
    """Where a contact is and whom to connect it to."""

    reference: str
    status: str = Field(..., description="waiting, offered, answered, wrap_up, done, abandoned, not_routed")
    queue: str | None = Field(None, description="The queue's code")
    priority: int
    agent: AgentOut | None = None
    message: str = ""


@router.post(
    "/contact-routing/inbound",
    response={200: RouteOut, **ERRORS},
    auth=PlatformSignature(),
    operation_id="contacts_inbound",
    summary="A new contact from a platform: its queue, priority and (when free) the agent",
)
def inbound(request: HttpRequest, payload: InboundIn) -> object:
    return services.contact_inbound(
        platform=_platform(request),
        key=request.headers.get("Idempotency-Key", ""),
        body=request.body,
        data=payload,
    )


@router.get(
    "/contact-routing/inbound/{reference}",
    response={200: RouteOut, **ERRORS},
    auth=PlatformSignature(),
    operation_id="contacts_poll",
    summary="Where a contact stands now (a waiting contact is offered to an agent who is free)",
)
def poll(request: HttpRequest, reference: str) -> object:
    return services.contact_poll(platform=_platform(request), reference=reference)


@router.post(
    "/contact-routing/inbound/{reference}/events",
    response={200: RouteOut, **ERRORS},
    auth=PlatformSignature(),
    operation_id="contacts_event",
    summary="What happened to a contact: answered, missed, transferred, ended or abandoned",
)
def event(request: HttpRequest, payload: EventIn, reference: str) -> object:
    return services.contact_event(
        platform=_platform(request),
        key=request.headers.get("Idempotency-Key", ""),
        body=request.body,
        reference=reference,
        data=payload,
    )


# --- the agent's console -----------------------------------------------------------------------


class RequestBriefOut(Schema):
    id: int | None
    reference: str | None
    service: str
    status: str
    partner: str
    own: bool


class HistoryOut(Schema):
    reference: str
    channel: str
    arrived_at: dt.datetime
    outcome: str
    demand: str


class HeldOut(Schema):
    id: int
    reference: str
    channel: str
    status: str
    queue: str | None
    priority: int
    arrived_at: dt.datetime
    offered_at: dt.datetime | None
    answered_at: dt.datetime | None
    caller: str = Field(..., description="Masked until the agent answers")
    quoted_reference: str
    requests: list[RequestBriefOut] = []
    history: list[HistoryOut] = []


class ConsoleOut(Schema):
    agent_id: int
    partner: str
    state: str = Field(..., description="available, busy, wrap_up, break or offline")
    contacts: list[HeldOut]


def _console(actor: Actor) -> ConsoleOut:
    agent = selectors.require_agent(actor)
    held = selectors.held(actor, agent)
    return ConsoleOut(
        agent_id=agent.pk,
        partner=agent.partner.name,
        state=selectors.shown_state(agent),
        contacts=[
            HeldOut(
                id=h.contact.pk,
                reference=h.contact.reference,
                channel=h.contact.channel,
                status=h.contact.status,
                queue=h.contact.queue.name if h.contact.queue else None,
                priority=h.contact.priority,
                arrived_at=h.contact.arrived_at,
                offered_at=h.contact.offered_at,
                answered_at=h.contact.answered_at,
                caller=h.caller,
                quoted_reference=h.contact.quoted_reference,
                requests=[RequestBriefOut(**r) for r in h.requests],
                history=[
                    HistoryOut(
                        reference=c.reference,
                        channel=c.channel,
                        arrived_at=c.arrived_at,
                        outcome=c.outcome,
                        demand=c.demand,
                    )
                    for c in h.history
                ],
            )
            for h in held
        ],
    )


@router.get("/contact-routing/console", response={200: ConsoleOut, **ERRORS}, operation_id="contacts_console")
def console(request: HttpRequest) -> object:
    return _console(actor_of(request))


@router.put(
    "/contact-routing/console/state", response={200: ConsoleOut, **ERRORS}, operation_id="contacts_state"
)
def set_state(request: HttpRequest, payload: StateIn) -> object:
    actor = actor_of(request)
    services.agent_set_state(actor=actor, data=payload)
    return _console(actor)


@router.post(
    "/contact-routing/contacts/{contact_id}/accept",
    response={200: ConsoleOut, **ERRORS},
    operation_id="contacts_accept",
)
def accept(request: HttpRequest, contact_id: int) -> object:
    actor = actor_of(request)
    services.contact_accept(actor=actor, contact=selectors.held_contact(actor, contact_id))
    return _console(actor)


@router.post(
    "/contact-routing/contacts/{contact_id}/end",
    response={200: ConsoleOut, **ERRORS},
    operation_id="contacts_end",
)
def end(request: HttpRequest, contact_id: int) -> object:
    actor = actor_of(request)
    services.contact_end(actor=actor, contact=selectors.held_contact(actor, contact_id))
    return _console(actor)


@router.post(
    "/contact-routing/contacts/{contact_id}/transfer",
    response={200: ConsoleOut, **ERRORS},
    operation_id="contacts_transfer",
)
def transfer(request: HttpRequest, payload: TransferIn, contact_id: int) -> object:
    actor = actor_of(request)
    services.contact_transfer(actor=actor, contact=selectors.held_contact(actor, contact_id), data=payload)
    return _console(actor)


class WrappedOut(Schema):
    reference: str
    outcome: str
    demand: str
    failure_type: str
    service_request: str | None


@router.post(
    "/contact-routing/contacts/{contact_id}/wrap-up",
    response={200: WrappedOut, **ERRORS},
    operation_id="contacts_wrap_up",
)
def wrap_up(request: HttpRequest, payload: WrapUpIn, contact_id: int) -> object:
    actor = actor_of(request)
    contact = services.contact_wrap_up(
        actor=actor, contact=selectors.held_contact(actor, contact_id), data=payload
    )
    return WrappedOut(
        reference=contact.reference,
        outcome=contact.outcome,
        demand=contact.demand,
        failure_type=contact.failure_type,
        service_request=contact.service_request.reference if contact.service_request else None,
    )


# --- the supervisor ------------------------------------------------------------------------------


class FiguresQuery(Schema):
    first: dt.date | None = Field(None, description="First day (default: 13 days before the last)")
    last: dt.date | None = Field(None, description="Last day (default: today)")


class QueueFiguresOut(Schema):
    queue: str
    name: str
    partner: str
    waiting: int
    longest_wait_seconds: int | None
    agents: dict[str, int]
    offered: int
    answered: int
    answered_in_target_percent: float | None
    target: str
    abandoned_percent: float | None
    average_handling_seconds: int | None
    failure_demand_percent: float | None


class PeriodOut(Schema):
    label: str
    offered: int
    answered: int
    answered_in_target_percent: float | None
    abandoned_percent: float | None
    average_handling_seconds: int | None


class FiguresOut(Schema):
    first: dt.date
    last: dt.date
    queues: list[QueueFiguresOut]
    by_hour_on_last_day: list[PeriodOut]
    by_day: list[PeriodOut]


def _period(label: str, f: selectors.QueueFigures) -> PeriodOut:
    return PeriodOut(
        label=label,
        offered=f.offered,
        answered=f.answered,
        answered_in_target_percent=f.in_target_percent,
        abandoned_percent=f.abandoned_percent,
        average_handling_seconds=f.average_handling,
    )


@router.get("/contact-routing/figures", response={200: FiguresOut, **ERRORS}, operation_id="contacts_figures")
def figures(request: HttpRequest, filters: Query[FiguresQuery]) -> object:
    f = selectors.figures(actor_of(request), first=filters.first, last=filters.last)
    return FiguresOut(
        first=f.first,
        last=f.last,
        queues=[
            QueueFiguresOut(
                queue=q.queue.code,
                name=q.queue.name,
                partner=q.queue.partner.name,
                waiting=q.waiting,
                longest_wait_seconds=q.longest_wait,
                agents=q.agents,
                offered=q.offered,
                answered=q.answered,
                answered_in_target_percent=q.in_target_percent,
                target=f"{q.queue.target_percent}% in {q.queue.target_seconds} s",
                abandoned_percent=q.abandoned_percent,
                average_handling_seconds=q.average_handling,
                failure_demand_percent=q.failure_percent,
            )
            for q in f.queues
        ],
        by_hour_on_last_day=[_period(str(h["label"]), h["figures"]) for h in f.by_hour],
        by_day=[_period(h["label"].isoformat(), h["figures"]) for h in f.by_day],
    )


class QueueOut(Schema):
    id: int
    code: str
    name: str
    partner_id: int
    is_main: bool
    agreement: str
    strategy: str
    target_seconds: int
    target_percent: int
    wrap_up_seconds: int
    opening_hours: dict[str, list[str]]
    closed_on_bank_holidays: bool


@router.get(
    "/contact-routing/queues", response={200: list[QueueOut], **ERRORS}, operation_id="contacts_queue_list"
)
def queue_list(request: HttpRequest) -> object:
    return list(selectors.queues_for(actor_of(request)))


@router.post(
    "/contact-routing/queues", response={201: QueueOut, **ERRORS}, operation_id="contacts_queue_create"
)
def queue_create(request: HttpRequest, payload: QueueIn) -> object:
    return 201, services.queue_save(actor=actor_of(request), data=payload)


@router.put(
    "/contact-routing/queues/{queue_id}",
    response={200: QueueOut, **ERRORS},
    operation_id="contacts_queue_update",
)
def queue_update(request: HttpRequest, payload: QueueIn, queue_id: int) -> object:
    actor = actor_of(request)
    selectors.require_supervisor(actor)
    return services.queue_save(actor=actor, data=payload, queue=selectors.queue_get(actor, queue_id))


class MemberOut(Schema):
    queue_id: int
    penalty: int


class AgentSetupOut(Schema):
    id: int
    person_id: int
    name: str
    partner_id: int
    skills: dict[str, int]
    capacity: dict[str, int]
    endpoint: str
    state: str
    queues: list[MemberOut]

    @staticmethod
    def resolve_name(obj: Agent) -> str:
        return obj.person.full_name

    @staticmethod
    def resolve_queues(obj: Agent) -> list[dict[str, int]]:
        return [{"queue_id": m.queue_id, "penalty": m.penalty} for m in obj.memberships.all()]


@router.get(
    "/contact-routing/agents",
    response={200: list[AgentSetupOut], **ERRORS},
    operation_id="contacts_agent_list",
)
def agent_list(request: HttpRequest) -> object:
    return list(selectors.agents(actor_of(request)))


@router.put(
    "/contact-routing/agents", response={200: AgentSetupOut, **ERRORS}, operation_id="contacts_agent_save"
)
def agent_save(request: HttpRequest, payload: AgentIn) -> object:
    actor = actor_of(request)
    agent = services.agent_save(actor=actor, data=payload)
    return selectors.agent_get(actor, agent.pk)


class StepOut(Schema):
    after_seconds: int
    queue_id: int


class RuleOut(Schema):
    id: int
    order: int
    name: str
    active: bool
    channels: list[str]
    menu_choice: str
    service_id: int | None
    area_partner_id: int | None
    language: str = Field(..., description='"any", "" (English), "cy" or "bsl"')
    has_open_request: bool | None
    priority_at_least: int | None
    time_from: dt.time | None
    time_to: dt.time | None
    route_to: str
    queue_id: int | None
    priority: int
    required_skill: str
    steps: list[StepOut]
    warnings: list[str] = []

    @staticmethod
    def resolve_language(obj: Rule) -> str:
        return "any" if obj.language == "*" else obj.language

    @staticmethod
    def resolve_steps(obj: Rule) -> list[dict[str, int]]:
        return [{"after_seconds": s.after_seconds, "queue_id": s.queue_id} for s in obj.steps.all()]


@router.get(
    "/contact-routing/rules", response={200: list[RuleOut], **ERRORS}, operation_id="contacts_rule_list"
)
def rule_list(request: HttpRequest) -> object:
    return list(selectors.rules(actor_of(request)))


def _rule_out(rule: Rule, warnings: list[str]) -> RuleOut:
    out = RuleOut.from_orm(rule)
    out.warnings = warnings
    return out


@router.post("/contact-routing/rules", response={201: RuleOut, **ERRORS}, operation_id="contacts_rule_create")
def rule_create(request: HttpRequest, payload: RuleIn) -> object:
    rule, warnings = services.rule_save(actor=actor_of(request), data=payload)
    return 201, _rule_out(rule, warnings)


@router.put(
    "/contact-routing/rules/{rule_id}", response={200: RuleOut, **ERRORS}, operation_id="contacts_rule_update"
)
def rule_update(request: HttpRequest, payload: RuleIn, rule_id: int) -> object:
    actor = actor_of(request)
    rule, warnings = services.rule_save(actor=actor, data=payload, rule=selectors.rule_get(actor, rule_id))
    return _rule_out(rule, warnings)


@router.delete(
    "/contact-routing/rules/{rule_id}", response={204: None, **ERRORS}, operation_id="contacts_rule_delete"
)
def rule_delete(request: HttpRequest, rule_id: int) -> object:
    actor = actor_of(request)
    services.rule_delete(actor=actor, rule=selectors.rule_get(actor, rule_id))
    return 204, None


class StepWhatIfOut(Schema):
    after_seconds: int
    queue: str | None


class WhatIfOut(Schema):
    queue: str | None
    priority: int
    skill: str
    steps: list[StepWhatIfOut]
    trace: list[str]
    service: str | None
    open_request: str | None
    area_partner: str | None
    preferred_agent: str | None
    at: dt.datetime


@router.post("/contact-routing/what-if", response={200: WhatIfOut, **ERRORS}, operation_id="contacts_what_if")
def what_if(request: HttpRequest, payload: WhatIfIn) -> object:
    return services.what_if(actor=actor_of(request), data=payload)
