"""Contact routing's pages: the agent's console (htmx polling), the supervisor's figures,
routing rules with "what would happen", queues and agents, and platforms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from consortium.citizen.constants import Demand, FailureType
from consortium.contacts import selectors, services
from consortium.contacts.constants import (
    WEEKDAYS,
    AgentState,
    ContactChannel,
    Language,
    Outcome,
    RouteTo,
    Strategy,
)
from consortium.contacts.models import Rule
from consortium.contacts.schemas import (
    AgentIn,
    PlatformIn,
    QueueIn,
    RuleIn,
    StateIn,
    TransferIn,
    WhatIfIn,
    WrapUpIn,
)
from consortium.core.dates import parse_date, today_in_london
from consortium.core.errors import ConsortiumError, ValidationFailed
from consortium.core.forms import posted, read_form, renamed
from consortium.core.views import actor_required, forbidden, form_errors, form_id
from consortium.organisations.acting import Actor

DAY_NAMES = dict(
    zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True)
)


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    assert actor is not None
    return actor


def _kept(request: HttpRequest, errors: Mapping[str, str]) -> Any:
    return request.POST if errors else {}


def _with_lists(post: Any, *names: str) -> dict[str, Any]:
    """A POST as the form shows it again: the multiple-choice fields as lists of every value."""
    values: dict[str, Any] = post.dict()
    for name in names:
        values[name] = post.getlist(name)
    return values


# --- the agent's console -------------------------------------------------------------------------


def _console_context(actor: Actor) -> dict[str, Any]:
    agent = selectors.require_agent(actor)
    queues, free_agents = selectors.transfer_targets(actor)
    held = selectors.held(actor, agent)
    return {
        "agent": agent,
        "state": selectors.shown_state(agent),
        "held": held,
        # Polling stops while the agent works a contact, so nothing they type is replaced.
        "polling": not any(h.contact.status in ("answered", "wrap_up") for h in held),
        "states": AgentState.choices,
        "outcomes": Outcome.choices,
        "demands": Demand.choices,
        "failure_types": FailureType.choices,
        "channels": ContactChannel.choices,
        "queue_options": [(q.pk, f"{q.name} ({q.partner.name})") for q in queues],
        "agent_options": [
            (a.pk, f"{a.person.full_name} ({a.partner.name})") for a in free_agents if a.pk != agent.pk
        ],
        "service_options": [(s.code, s.name) for s in selectors.services()],
    }


@actor_required
def console(request: HttpRequest) -> HttpResponse:
    """What the agent holds now, with the caller's open requests and history once answered."""
    actor = _actor(request)
    if selectors.own_agent(actor) is None:
        return forbidden(
            request,
            reason="You are not set up as an agent for this organisation: ask the contact centre's supervisor.",
        )
    errors: dict[str, str] = {}
    error_contact = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            done = _console_action(actor, request, action)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
            error_contact = request.POST.get("contact_id", "")
        else:
            messages.success(request, done)
            return redirect("contacts-console")
    context = _console_context(actor)
    context.update({"errors": errors, "form": _kept(request, errors), "error_contact": error_contact})
    return render(request, "contacts/console.html", context, status=400 if errors else 200)


def _console_action(actor: Actor, request: HttpRequest, action: str) -> str:
    post = request.POST
    if action == "state":
        state = read_form(StateIn, post, summary="Choose your state")
        services.agent_set_state(actor=actor, data=state)
        return f"You are {AgentState(state.state).label.lower()}."
    if action == "record":
        channel = post.get("channel", "")
        if channel not in ContactChannel.values:
            raise ValidationFailed(
                "Choose the channel", field_errors={"channel": "Choose how they contacted you"}
            )
        contact = services.contact_record(actor=actor, channel=channel, caller=post.get("caller", ""))
        return f"Contact {contact.reference} recorded: wrap it up when you are done."
    contact = selectors.held_contact(actor, form_id(post.get("contact_id"), "contact_id", label="a contact"))
    if action == "accept":
        services.contact_accept(actor=actor, contact=contact)
        return f"You have {contact.reference}."
    if action == "end":
        services.contact_end(actor=actor, contact=contact)
        return f"{contact.reference} ended: record what came of it."
    if action == "transfer":
        target = read_form(TransferIn, post, summary="Choose where to transfer it")
        new = services.contact_transfer(actor=actor, contact=contact, data=target)
        return f"{contact.reference} transferred as {new.reference}."
    if action == "wrap_up":
        data = read_form(WrapUpIn, post, summary="Check the wrap-up")
        wrapped = services.contact_wrap_up(actor=actor, contact=contact, data=data)
        extra = f" Service request {wrapped.service_request.reference}." if wrapped.service_request else ""
        return f"{wrapped.reference} wrapped up.{extra}"
    raise ValidationFailed("Choose an action", field_errors={"action": "Choose what to do"})


@actor_required
def console_panel(request: HttpRequest) -> HttpResponse:
    """The console's live part, polled by htmx every few seconds."""
    actor = _actor(request)
    if selectors.own_agent(actor) is None:
        return forbidden(request, reason="You are not set up as an agent.")
    services.agent_ready(actor=actor)
    context = _console_context(actor)
    context.update({"errors": {}, "form": {}})
    return render(request, "contacts/_held.html", context)


# --- the supervisor --------------------------------------------------------------------------------


def _day(value: str | None) -> dt.date | None:
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None


@actor_required
def supervisor(request: HttpRequest) -> HttpResponse:
    """Per queue: waiting now, longest wait, agents by state; answered within target, abandoned,
    handling time and failure demand over the period; by hour on its last day and by day."""
    actor = _actor(request)
    if not (selectors.supervises(actor) or selectors.answers(actor)):
        return forbidden(request, reason="Contact centre supervisors and partner officers see these figures.")
    first, last = _day(request.GET.get("first")), _day(request.GET.get("last"))
    figures = selectors.figures(actor, first=first, last=last)
    if request.GET.get("format") == "xlsx":
        from consortium.contacts.workbook import figures_workbook

        response = HttpResponse(
            figures_workbook(figures),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="contact-centre-{figures.last:%Y-%m-%d}.xlsx"'
        )
        return response
    return render(
        request,
        "contacts/supervisor.html",
        {
            "figures": figures,
            "chart": _hour_chart(figures),
            "supervises": selectors.supervises(actor),
            "is_agent": selectors.own_agent(actor) is not None,
            "today": today_in_london(),
        },
    )


def _hour_chart(figures: selectors.Figures) -> str:
    """Offered and answered by hour as vertical bars (SVG; the table beside it has the figures)."""
    hours = figures.by_hour
    if not any(h["figures"].offered for h in hours):
        return ""
    peak = max(h["figures"].offered for h in hours)
    width, height, bar = 640, 180, 640 // max(len(hours), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 30}" role="img" '
        'aria-labelledby="hour-chart-title" class="app-chart"><title id="hour-chart-title">'
        "Contacts offered (dark) and answered (light) by hour of arrival</title>"
    ]
    for n, h in enumerate(hours):
        f = h["figures"]
        x = n * bar
        offered = height * f.offered / peak
        answered = height * f.answered / peak
        parts.append(
            f'<rect x="{x + 2}" y="{height - offered:.1f}" width="{bar - 4}" height="{offered:.1f}" fill="#1d70b8"/>'
        )
        parts.append(
            f'<rect x="{x + 6}" y="{height - answered:.1f}" width="{bar - 12}" height="{answered:.1f}" fill="#5694ca"/>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height + 16}" text-anchor="middle" font-size="11">{h["label"][:2]}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --- routing rules -------------------------------------------------------------------------------


def _rule_data(post: Any) -> dict[str, Any]:
    data = posted(
        post,
        "order",
        "name",
        "menu_choice",
        "service_id",
        "area_partner_id",
        "priority_at_least",
        "time_from",
        "time_to",
        "route_to",
        "queue_id",
        "priority",
        "required_skill",
    )
    data["active"] = post.get("active", "yes") != "no"
    data["language"] = post.get("language", "any")
    data["channels"] = [c for c in post.getlist("channels") if c]
    open_request = post.get("has_open_request", "")
    data["has_open_request"] = {"yes": True, "no": False}.get(open_request)
    steps = []
    for n in (1, 2, 3):
        after, queue = post.get(f"step_after_{n}", "").strip(), post.get(f"step_queue_{n}", "").strip()
        if after or queue:
            steps.append({"after_seconds": after or None, "queue_id": queue or None})
    data["steps"] = steps
    return data


RULE_FIELDS = renamed(
    {f"steps[{n}].after_seconds": f"step_after_{n + 1}" for n in range(3)}
    | {f"steps[{n}].queue_id": f"step_queue_{n + 1}" for n in range(3)}
)


def _rule_form_context(actor: Actor) -> dict[str, Any]:
    queues = list(selectors.queues_for(actor))
    return {
        "queue_options": [(q.pk, f"{q.name} ({q.partner.name})") for q in queues],
        "service_options": [(s.pk, s.name) for s in selectors.services()],
        "service_codes": [(s.code, s.name) for s in selectors.services()],
        "partner_options": [(p.pk, p.name) for p in selectors.partners()],
        "channel_options": ContactChannel.choices,
        "language_options": [("any", "Any language"), *Language.choices],
        "route_options": RouteTo.choices,
        "language_options_contact": Language.choices,
        "yes_no": [("yes", "Yes"), ("no", "No")],
        "open_request_options": [("yes", "Yes"), ("no", "No")],
    }


def _step_rows(form: Any) -> list[dict[str, Any]]:
    return [
        {
            "n": n,
            "after_name": f"step_after_{n}",
            "queue_name": f"step_queue_{n}",
            "after": form.get(f"step_after_{n}", "") if form else "",
            "queue": form.get(f"step_queue_{n}", "") if form else "",
        }
        for n in (1, 2, 3)
    ]


def _rule_form_values(rule: Rule) -> dict[str, Any]:
    values: dict[str, Any] = {
        "order": rule.order,
        "name": rule.name,
        "active": "yes" if rule.active else "no",
        "channels": rule.channels,
        "menu_choice": rule.menu_choice,
        "service_id": rule.service_id or "",
        "area_partner_id": rule.area_partner_id or "",
        "language": "any" if rule.language == "*" else rule.language,
        "has_open_request": ""
        if rule.has_open_request is None
        else ("yes" if rule.has_open_request else "no"),
        "priority_at_least": rule.priority_at_least if rule.priority_at_least is not None else "",
        "time_from": rule.time_from.strftime("%H:%M") if rule.time_from else "",
        "time_to": rule.time_to.strftime("%H:%M") if rule.time_to else "",
        "route_to": rule.route_to,
        "queue_id": rule.queue_id or "",
        "priority": rule.priority,
        "required_skill": rule.required_skill,
    }
    for n, step in enumerate(rule.steps.all()[:3], start=1):
        values[f"step_after_{n}"] = step.after_seconds
        values[f"step_queue_{n}"] = step.queue_id
    return values


@actor_required
def rules(request: HttpRequest) -> HttpResponse:
    """The routing rules in order, a form to add one, and "what would happen to this contact"."""
    actor = _actor(request)
    if not selectors.supervises(actor):
        return forbidden(request, reason="The contact centre's supervisors keep the routing rules.")
    errors: dict[str, str] = {}
    answer = None
    form_name = request.POST.get("form", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            if form_name == "what_if":
                data = read_form(WhatIfIn, request.POST, summary="Check the contact to try")
                answer = services.what_if(actor=actor, data=data)
            else:
                rule_in = read_form(
                    RuleIn, _rule_data(request.POST), where=RULE_FIELDS, summary="Check the rule", raw=True
                )
                rule, warnings = services.rule_save(actor=actor, data=rule_in)
                messages.success(request, f"Rule “{rule.name}” saved.")
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("contacts-rules")
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
    context = _rule_form_context(actor)
    rule_list = list(selectors.rules(actor))
    what_if = form_name == "what_if"
    rule_form = _with_lists(request.POST, "channels") if errors and not what_if else {}
    context.update(
        {
            "rules": [(r, services.rule_warnings(r)) for r in rule_list],
            "errors": errors,
            "rule_errors": {} if what_if else errors,
            "wf_errors": errors if what_if else {},
            "form_name": form_name,
            "form": rule_form,
            "wf": request.POST if what_if else {},
            "step_rows": _step_rows(rule_form),
            "answer": answer,
            "next_order": (max((r.order for r in rule_list), default=0) // 10 + 1) * 10,
        }
    )
    return render(request, "contacts/rules.html", context, status=400 if errors else 200)


@actor_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    actor = _actor(request)
    if not selectors.supervises(actor):
        return forbidden(request, reason="The contact centre's supervisors keep the routing rules.")
    rule = selectors.rule_get(actor, rule_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                services.rule_delete(actor=actor, rule=rule)
                messages.success(request, f"Rule “{rule.name}” deleted.")
                return redirect("contacts-rules")
            rule_in = read_form(
                RuleIn, _rule_data(request.POST), where=RULE_FIELDS, summary="Check the rule", raw=True
            )
            rule, warnings = services.rule_save(actor=actor, data=rule_in, rule=rule)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, f"Rule “{rule.name}” saved.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("contacts-rules")
    context = _rule_form_context(actor)
    form = _with_lists(request.POST, "channels") if errors else _rule_form_values(rule)
    context.update(
        {
            "rule": rule,
            "errors": errors,
            "rule_errors": errors,
            "form": form,
            "step_rows": _step_rows(form),
            "next_order": rule.order,
        }
    )
    return render(request, "contacts/rule_edit.html", context, status=400 if errors else 200)


# --- queues and agents -------------------------------------------------------------------------------


def _queue_data(post: Any) -> dict[str, Any]:
    data = posted(
        post,
        "code",
        "name",
        "partner_id",
        "agreement",
        "strategy",
        "target_seconds",
        "target_percent",
        "wrap_up_seconds",
    )
    data["is_main"] = post.get("is_main") == "yes"
    data["closed_on_bank_holidays"] = post.get("closed_on_bank_holidays", "yes") != "no"
    data["shared_with_ids"] = [v for v in post.getlist("shared_with_ids") if v]
    hours = {}
    for day in WEEKDAYS:
        opens, closes = post.get(f"opens_{day}", "").strip(), post.get(f"closes_{day}", "").strip()
        if opens or closes:
            hours[day] = {"opens": opens, "closes": closes}
    data["opening_hours"] = hours
    return data


QUEUE_FIELDS = renamed(
    {f"opening_hours.{d}.opens": f"opens_{d}" for d in WEEKDAYS}
    | {f"opening_hours.{d}.closes": f"closes_{d}" for d in WEEKDAYS}
    | {"opening_hours": "opens_mon"}
)


def _queue_form_values(queue: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": queue.code,
        "name": queue.name,
        "partner_id": queue.partner_id,
        "is_main": "yes" if queue.is_main else "",
        "agreement": queue.agreement,
        "strategy": queue.strategy,
        "target_seconds": queue.target_seconds,
        "target_percent": queue.target_percent,
        "wrap_up_seconds": queue.wrap_up_seconds,
        "closed_on_bank_holidays": "yes" if queue.closed_on_bank_holidays else "no",
        "shared_with_ids": [str(p) for p in queue.shared_with.values_list("pk", flat=True)],
    }
    for day, (opens, closes) in (queue.opening_hours or {}).items():
        values[f"opens_{day}"], values[f"closes_{day}"] = opens, closes
    return values


def _agent_data(post: Any) -> dict[str, Any]:
    data = posted(post, "person_id", "endpoint")
    skills: dict[str, Any] = {}
    for part in post.get("skills", "").replace(";", ",").split(","):
        if part.strip():
            name, _, level = part.partition(":")
            skills[name.strip().lower()] = level.strip() or "1"
    data["skills"] = skills
    data["capacity"] = {
        c: post.get(f"capacity_{c}") for c in ContactChannel.values if post.get(f"capacity_{c}", "").strip()
    }
    data["queues"] = [
        {"queue_id": q, "penalty": post.get(f"penalty_{q}", "0").strip() or "0"}
        for q in post.getlist("queue_ids")
        if q
    ]
    return data


def _setup_context(actor: Actor) -> dict[str, Any]:
    queues = list(selectors.queues_for(actor).prefetch_related("shared_with"))
    return {
        "queues": queues,
        "agents": list(selectors.agents(actor)),
        "partner_options": [(p.pk, p.name) for p in selectors.partners()],
        "strategy_options": Strategy.choices,
        "officer_options": selectors.officers(actor),
        "queue_options": [(q.pk, f"{q.name} ({q.partner.name})") for q in queues],
        "channels": ContactChannel.choices,
        "yes_no": [("yes", "Yes"), ("no", "No")],
    }


def _hour_rows(form: Any) -> list[dict[str, Any]]:
    return [
        {
            "label": DAY_NAMES[d],
            "opens_name": f"opens_{d}",
            "closes_name": f"closes_{d}",
            "opens": form.get(f"opens_{d}", "") if form else "",
            "closes": form.get(f"closes_{d}", "") if form else "",
        }
        for d in WEEKDAYS
    ]


@actor_required
def setup(request: HttpRequest) -> HttpResponse:
    """Queues (opening hours, target, strategy, sharing by agreement) and agents (skills,
    capacity per channel, queues with penalties)."""
    actor = _actor(request)
    if not selectors.supervises(actor):
        return forbidden(request, reason="The contact centre's supervisors keep queues and agents.")
    errors: dict[str, str] = {}
    form_name = request.POST.get("form", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            if form_name == "agent":
                agent = services.agent_save(
                    actor=actor,
                    data=read_form(AgentIn, _agent_data(request.POST), summary="Check the agent", raw=True),
                )
                done = f"{agent.person.full_name} is an agent of {agent.partner.name}."
            else:
                queue = services.queue_save(
                    actor=actor,
                    data=read_form(
                        QueueIn,
                        _queue_data(request.POST),
                        where=QUEUE_FIELDS,
                        summary="Check the queue",
                        raw=True,
                    ),
                )
                done = f"Queue {queue.name} saved."
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, done)
            return redirect("contacts-setup")
    context = _setup_context(actor)
    form: Any = _with_lists(request.POST, "shared_with_ids", "queue_ids") if errors else {}
    queue_form = form if form_name != "agent" else {}
    if not form and not errors:
        # A new queue starts open on weekdays, 9 to 5.
        queue_form = {
            f"{edge}_{d}": t for d in WEEKDAYS[:5] for edge, t in (("opens", "09:00"), ("closes", "17:00"))
        }
    context.update(
        {"errors": errors, "form_name": form_name, "form": form, "hour_rows": _hour_rows(queue_form)}
    )
    return render(request, "contacts/setup.html", context, status=400 if errors else 200)


@actor_required
def queue_edit(request: HttpRequest, queue_id: int) -> HttpResponse:
    actor = _actor(request)
    if not selectors.supervises(actor):
        return forbidden(request, reason="The contact centre's supervisors keep queues and agents.")
    queue = selectors.queue_get(actor, queue_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            queue = services.queue_save(
                actor=actor,
                data=read_form(
                    QueueIn,
                    _queue_data(request.POST),
                    where=QUEUE_FIELDS,
                    summary="Check the queue",
                    raw=True,
                ),
                queue=queue,
            )
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, f"Queue {queue.name} saved.")
            return redirect("contacts-setup")
    context = _setup_context(actor)
    form = _with_lists(request.POST, "shared_with_ids", "queue_ids") if errors else _queue_form_values(queue)
    context.update({"queue": queue, "errors": errors, "form": form, "hour_rows": _hour_rows(form)})
    return render(request, "contacts/queue_edit.html", context, status=400 if errors else 200)


@actor_required
def platforms(request: HttpRequest) -> HttpResponse:
    """Telephony and chat platforms allowed to call the integration API: the shared secret is
    shown once, when the platform is added."""
    actor = _actor(request)
    if not selectors.supervises(actor):
        return forbidden(request, reason="The contact centre's supervisors connect platforms.")
    errors: dict[str, str] = {}
    created = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                platform = (
                    selectors.platforms(actor)
                    .filter(pk=form_id(request.POST.get("platform_id"), "platform_id"))
                    .first()
                )
                if platform is None:
                    raise ValidationFailed(
                        "Choose a platform", field_errors={"platform_id": "No such platform"}
                    )
                services.platform_revoke(actor=actor, platform=platform)
                messages.success(request, f"{platform.name} can no longer call the API.")
                return redirect("contacts-platforms")
            data = read_form(PlatformIn, request.POST, summary="Name the platform")
            created = services.platform_create(actor=actor, name=data.name)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
    return render(
        request,
        "contacts/platforms.html",
        {
            "platforms": selectors.platforms(actor),
            "created": created,
            "errors": errors,
            "form": _kept(request, errors),
        },
        status=400 if errors else 200,
    )
