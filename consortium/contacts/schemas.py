"""What the integration API, the agent's console and the supervisor's pages take in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from ninja import Field
from pydantic import field_validator

from consortium.citizen.constants import Demand, FailureType
from consortium.contacts.constants import (
    WEEKDAYS,
    AgentState,
    ContactChannel,
    EventKind,
    Language,
    Outcome,
    RouteTo,
    Strategy,
)
from consortium.core.schemas import StrictIn

_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class InboundIn(StrictIn):
    """A new contact, as a telephony or chat platform reports it."""

    channel: ContactChannel = Field(..., title="Channel")
    caller: str = Field("", max_length=254, title="Caller's number or address")
    dialled: str = Field("", max_length=40, title="Number dialled")
    menu: str = Field("", max_length=40, pattern=r"^(\d{1,3}(\.\d{1,3}){0,5})?$", title="Menu choices")
    reference: str = Field("", max_length=20, title="Reference the caller entered")
    postcode: str = Field("", max_length=10, title="Postcode")
    language: Language = Field(Language.ENGLISH, title="Language")
    priority: int = Field(0, ge=0, le=9, title="Priority")
    service_code: str = Field("", max_length=40, title="Service")
    external_id: str = Field("", max_length=100, title="The platform's id for the contact")


class EventIn(StrictIn):
    kind: EventKind = Field(..., title="Event")
    # For a transfer: to another queue, or to a named agent.
    queue_code: str = Field("", max_length=40, title="Queue")
    agent_id: int | None = Field(None, ge=1, le=2**62, title="Agent")


class StateIn(StrictIn):
    state: AgentState = Field(..., title="Your state")


class TransferIn(StrictIn):
    queue_id: int | None = Field(None, ge=1, le=2**62, title="Queue")
    agent_id: int | None = Field(None, ge=1, le=2**62, title="Agent")


class WrapUpIn(StrictIn):
    """What came of a contact; optionally a service request created or updated from it."""

    outcome: Outcome = Field(..., title="Outcome")
    demand: Demand = Field(..., title="Value or failure demand")
    failure_type: FailureType | None = Field(None, title="Kind of failure demand")
    notes: str = Field("", max_length=4000, title="Notes")
    # request_updated: the note goes onto this request (the caller's, quoted or found).
    request_reference: str = Field("", max_length=20, title="Service request")
    # request_created: the citizen's request taken on their behalf.
    service_code: str = Field("", max_length=40, title="Service")
    description: str = Field("", max_length=4000, title="What the caller reports")
    postcode: str = Field("", max_length=10, title="Postcode")
    address: str = Field("", max_length=300, title="Address")
    email: str = Field("", max_length=254, title="Caller's email address")
    attributes: dict[str, str | list[str]] = Field(default_factory=dict, max_length=30, title="Answers")


class OpeningIn(StrictIn):
    opens: str = Field(..., pattern=_HOURS.pattern, title="Opens")
    closes: str = Field(..., pattern=_HOURS.pattern, title="Closes")


class QueueIn(StrictIn):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$", title="Code")
    name: str = Field(..., min_length=1, max_length=200, title="Name")
    partner_id: int = Field(..., ge=1, le=2**62, title="Partner")
    is_main: bool = Field(False, title="Main queue for the partner's own cases")
    shared_with_ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(
        default_factory=list, max_length=50, title="Shared with"
    )
    agreement: str = Field("", max_length=200, title="Agreement")
    strategy: Strategy = Field(Strategy.LONGEST_IDLE, title="Distribution")
    target_seconds: int = Field(20, ge=1, le=86400, title="Answer within (seconds)")
    target_percent: int = Field(80, ge=1, le=100, title="Target share answered in time (%)")
    wrap_up_seconds: int = Field(30, ge=0, le=3600, title="Wrap-up time (seconds)")
    opening_hours: dict[str, OpeningIn] = Field(default_factory=dict, title="Opening hours")
    closed_on_bank_holidays: bool = Field(True, title="Closed on bank holidays")

    @field_validator("opening_hours")
    @classmethod
    def _days(cls, value: dict[str, OpeningIn]) -> dict[str, OpeningIn]:
        for day, span in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"{day} is not a day: use mon, tue, wed, thu, fri, sat or sun")
            if span.closes <= span.opens:
                raise ValueError(f"On {day} the queue must close after it opens")
        return value


class MemberIn(StrictIn):
    queue_id: int = Field(..., ge=1, le=2**62, title="Queue")
    penalty: int = Field(0, ge=0, le=9, title="Penalty")


class AgentIn(StrictIn):
    person_id: int = Field(..., ge=1, le=2**62, title="Officer")
    skills: dict[str, int] = Field(default_factory=dict, max_length=30, title="Skills")
    capacity: dict[ContactChannel, int] = Field(default_factory=dict, title="Capacity per channel")
    endpoint: str = Field("", max_length=200, title="Extension or SIP address")
    queues: list[MemberIn] = Field(default_factory=list, max_length=50, title="Queues")

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: dict[str, int]) -> dict[str, int]:
        for name, level in value.items():
            if not re.fullmatch(r"[a-z0-9_-]{1,40}", name):
                raise ValueError(f"Skill {name!r}: use lower-case letters, digits, - or _")
            if not 1 <= level <= 5:
                raise ValueError(f"Skill {name}: a level from 1 to 5")
        return value

    @field_validator("capacity")
    @classmethod
    def _capacity(cls, value: dict[str, int]) -> dict[str, int]:
        for channel, n in value.items():
            if not 0 <= n <= 20:
                raise ValueError(f"Capacity for {channel}: from 0 to 20")
        return value


class StepIn(StrictIn):
    after_seconds: int = Field(..., ge=1, le=86400, title="After (seconds)")
    queue_id: int = Field(..., ge=1, le=2**62, title="Widen to queue")


class RuleIn(StrictIn):
    order: int = Field(..., ge=1, le=100000, title="Order")
    name: str = Field(..., min_length=1, max_length=200, title="Name")
    active: bool = Field(True, title="Active")
    channels: list[ContactChannel] = Field(default_factory=list, max_length=5, title="Channels")
    menu_choice: str = Field("", max_length=20, pattern=r"^(\d{1,3}(\.\d{1,3}){0,5})?$", title="Menu choice")
    service_id: int | None = Field(None, ge=1, le=2**62, title="Service")
    area_partner_id: int | None = Field(None, ge=1, le=2**62, title="Area handled by")
    # "any" for no condition; "" for English.
    language: str = Field("any", pattern=r"^(any||cy|bsl)$", title="Language")
    has_open_request: bool | None = Field(None, title="Caller has an open request")
    priority_at_least: int | None = Field(None, ge=0, le=9, title="Priority at least")
    time_from: dt.time | None = Field(None, title="From")
    time_to: dt.time | None = Field(None, title="To")
    route_to: RouteTo = Field(RouteTo.QUEUE, title="Route to")
    queue_id: int | None = Field(None, ge=1, le=2**62, title="Queue")
    priority: int = Field(0, ge=0, le=9, title="Priority given")
    required_skill: str = Field("", max_length=40, pattern=r"^[a-z0-9_-]*$", title="Skill needed")
    steps: list[StepIn] = Field(default_factory=list, max_length=10, title="Escalation steps")

    @field_validator("time_from", "time_to")
    @classmethod
    def _local(cls, value: dt.time | None) -> dt.time | None:
        # Times of day are London's: an offset would mean something else in summer and winter.
        if value is not None and value.tzinfo is not None:
            raise ValueError("Give a time of day without a time zone, like 17:30 (London time)")
        return value


class WhatIfIn(StrictIn):
    """A contact to try the rules on, without making it."""

    channel: ContactChannel = Field(ContactChannel.PHONE, title="Channel")
    menu: str = Field("", max_length=40, pattern=r"^(\d{1,3}(\.\d{1,3}){0,5})?$", title="Menu choices")
    reference: str = Field("", max_length=20, title="Reference quoted")
    postcode: str = Field("", max_length=10, title="Postcode")
    language: Language = Field(Language.ENGLISH, title="Language")
    priority: int = Field(0, ge=0, le=9, title="Priority")
    service_code: str = Field("", max_length=40, title="Service")
    at: dt.datetime | None = Field(None, title="When")


class PlatformIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=200, title="Name")
