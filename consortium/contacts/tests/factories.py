"""A small contact centre on top of the shared test world and the citizen-services world:
the member's main queue (its partner officer is the agent), a switchboard another partner
runs and shares with the member by agreement, a platform, and three rules."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from django.test import Client

from consortium.citizen.tests.factories import Citizen, citizen_world
from consortium.contacts import services
from consortium.contacts.models import Agent, Platform, Queue, Rule
from consortium.contacts.schemas import AgentIn, QueueIn, RuleIn, StateIn
from consortium.contacts.signing import headers
from consortium.organisations.constants import Role

ALWAYS = {
    day: {"opens": "00:00", "closes": "23:59"} for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}


@dataclass
class Centre:
    citizen: Citizen
    main: Queue
    switchboard: Queue
    agent: Agent
    platform: Platform
    secret: str
    rules: list[Rule]


def queue_in(**values: Any) -> QueueIn:
    data: dict[str, Any] = {"opening_hours": ALWAYS, "closed_on_bank_holidays": False, "target_seconds": 20}
    data.update(values)
    return QueueIn.model_validate(data)


_SECRETS: dict[int, str] = {}


def centre(world) -> Centre:  # type: ignore[no-untyped-def]
    """Idempotent: the same centre each time it is asked for in a test."""
    c = citizen_world(world)
    existing = Queue.objects.filter(code="member-main").first()
    if existing is not None:
        platform = Platform.objects.get(name="Test telephony")
        return Centre(
            c,
            existing,
            Queue.objects.get(code="switchboard"),
            Agent.objects.get(person=world.people[Role.PARTNER_OFFICER]),
            platform,
            _SECRETS.get(platform.pk, ""),
            list(Rule.objects.order_by("order")),
        )
    admin = world.actor(Role.CONSORTIUM_ADMIN)
    main = services.queue_save(
        actor=admin,
        data=queue_in(
            code="member-main", name="Member's contact team", partner_id=world.member.pk, is_main=True
        ),
    )
    switchboard = services.queue_save(
        actor=admin,
        data=queue_in(
            code="switchboard",
            name="Shared switchboard",
            partner_id=world.other_member.pk,
            shared_with_ids=[world.member.pk],
            agreement="Switchboard agreement 2026",
        ),
    )
    agent = services.agent_save(
        actor=admin,
        data=AgentIn.model_validate(
            {
                "person_id": world.people[Role.PARTNER_OFFICER].pk,
                "skills": {"bins": 4},
                "capacity": {"phone": 1, "chat": 2},
                "endpoint": "sip:officer@member.example",
                "queues": [{"queue_id": main.pk, "penalty": 0}, {"queue_id": switchboard.pk, "penalty": 1}],
            }
        ),
    )
    rules = [
        services.rule_save(
            actor=admin,
            data=RuleIn.model_validate(
                {
                    "order": 10,
                    "name": "Callers with an open request",
                    "has_open_request": True,
                    "route_to": "request_partner",
                    "priority": 5,
                }
            ),
        )[0],
        services.rule_save(
            actor=admin,
            data=RuleIn.model_validate(
                {"order": 20, "name": "Bins", "menu_choice": "1", "queue_id": main.pk}
            ),
        )[0],
        services.rule_save(
            actor=admin,
            data=RuleIn.model_validate(
                {
                    "order": 90,
                    "name": "Everything else",
                    "queue_id": switchboard.pk,
                    "steps": [{"after_seconds": 30, "queue_id": main.pk}],
                }
            ),
        )[0],
    ]
    platform, secret = services.platform_create(actor=admin, name="Test telephony")
    _SECRETS[platform.pk] = secret
    services.agent_set_state(actor=world.actor(Role.PARTNER_OFFICER), data=StateIn(state="available"))
    agent.refresh_from_db()
    return Centre(c, main, switchboard, agent, platform, secret, rules)


def held_by_officer(c: Centre, status: str = "answered") -> int:
    """A contact the partner officer holds (offered or answered), made directly."""
    from consortium.contacts.models import Contact
    from consortium.core.dates import now

    at = now()
    contact = Contact.objects.create(
        reference=f"CT-H-{Contact.objects.count() + 1}-{time.time_ns() % 10**9}",
        channel="chat",
        queue=c.main,
        agent=c.agent,
        status=status,
        arrived_at=at,
        offered_at=at,
        answered_at=at if status == "answered" else None,
    )
    return contact.pk


class PlatformClient:
    """Calls the integration API as a signed platform would."""

    def __init__(self, centre: Centre, client: Client | None = None) -> None:
        self.centre = centre
        self.client = client or Client()
        self.n = 0

    def _headers(
        self, method: str, path: str, body: bytes, key: str, stamp: int | None = None
    ) -> dict[str, str]:
        return headers(
            key_id=self.centre.platform.key_id,
            secret=self.centre.secret,
            timestamp=stamp if stamp is not None else int(time.time()),
            method=method,
            path=path,
            body=body,
            idempotency_key=key,
        )

    def post(self, path: str, payload: dict[str, Any], key: str | None = None, stamp: int | None = None):  # type: ignore[no-untyped-def]
        self.n += 1
        key = key if key is not None else f"k-{self.n}-{time.time_ns()}"
        body = json.dumps(payload).encode()
        h = self._headers("POST", path, body, key, stamp)
        return self.client.post(path, body, content_type="application/json", headers=h)

    def get(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=self._headers("GET", path, b"", ""))

    def inbound(self, **payload: Any):  # type: ignore[no-untyped-def]
        payload.setdefault("channel", "phone")
        return self.post("/api/v1/contact-routing/inbound", payload)

    def event(self, reference: str, kind: str, **extra: Any):  # type: ignore[no-untyped-def]
        return self.post(f"/api/v1/contact-routing/inbound/{reference}/events", {"kind": kind, **extra})
