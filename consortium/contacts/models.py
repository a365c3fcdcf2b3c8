"""Contact routing: the platforms that call us, the queues and agents of each partner, the
routing rules (as data) and every contact with its events."""

from __future__ import annotations

from django.db import models

from consortium.citizen.constants import Demand, FailureType
from consortium.contacts.constants import (
    AgentState,
    ContactChannel,
    ContactStatus,
    EventKind,
    Language,
    Outcome,
    RouteTo,
    Strategy,
)


class Platform(models.Model):
    """A telephony or chat platform allowed to call the integration API: it signs each
    request with its shared secret (HMAC-SHA256). The secret is kept sealed (core.sealed)."""

    name = models.CharField(max_length=200)
    key_id = models.SlugField(max_length=40, unique=True)
    sealed_secret = models.TextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Queue(models.Model):
    """A partner's queue (or a switchboard shared by agreement), with its opening hours, its
    service target (e.g. 80% answered within 20 s), its wrap-up time and how it picks agents."""

    partner = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="contact_queues"
    )
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    # The partner's queue for calls about its own cases ("the request's partner").
    is_main = models.BooleanField(default=False)
    # Partners whose officers may also work this queue, by agreement (a shared switchboard).
    shared_with = models.ManyToManyField("organisations.Organisation", blank=True, related_name="+")
    agreement = models.CharField(max_length=200, blank=True)
    strategy = models.CharField(max_length=20, choices=Strategy.choices, default=Strategy.LONGEST_IDLE)
    target_seconds = models.PositiveIntegerField(default=20)
    target_percent = models.PositiveSmallIntegerField(default=80)
    wrap_up_seconds = models.PositiveIntegerField(default=30)
    # {"mon": ["08:30", "17:00"], ...}: a day missing is closed.
    opening_hours = models.JSONField(default=dict)
    closed_on_bank_holidays = models.BooleanField(default=True)
    # Round robin with memory: the agent offered last.
    last_agent = models.ForeignKey(
        "Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["partner__name", "name"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """A partner officer who answers contacts: skills with levels, a capacity per channel and
    the state they set (busy and wrap-up follow from the contacts they hold)."""

    person = models.OneToOneField("organisations.Person", on_delete=models.CASCADE, related_name="agent")
    partner = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="agents")
    skills = models.JSONField(default=dict, blank=True, help_text='{"welsh": 5, "bsl": 3}')
    capacity = models.JSONField(default=dict, blank=True, help_text='{"phone": 1, "chat": 3}')
    state = models.CharField(max_length=20, choices=AgentState.choices, default=AgentState.OFFLINE)
    state_since = models.DateTimeField(auto_now_add=True)
    # When their last contact ended: "longest idle" offers the one idle longest.
    last_ended_at = models.DateTimeField(null=True, blank=True)
    queues: models.ManyToManyField[Queue, QueueMember] = models.ManyToManyField(
        Queue, through="QueueMember", related_name="agents"
    )
    # Where the platform connects a call: an extension or SIP address.
    endpoint = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["person__full_name"]

    def __str__(self) -> str:
        return str(self.person)


class QueueMember(models.Model):
    """An agent in a queue with a penalty: a lower penalty is offered first (Asterisk's)."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="members")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="memberships")
    penalty = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["queue", "penalty", "agent"]
        constraints = [models.UniqueConstraint(fields=["queue", "agent"], name="contacts_member_once")]

    def __str__(self) -> str:
        return f"{self.agent} in {self.queue}"


class Rule(models.Model):
    """One routing rule: conditions (all given ones must hold) and a result. The first active
    rule in order whose conditions hold and whose queue is open decides."""

    order = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    channels = models.JSONField(default=list, blank=True, help_text="Any of these; empty: any channel")
    menu_choice = models.CharField(max_length=20, blank=True, help_text="The IVR choice, e.g. 2 or 2.1")
    service = models.ForeignKey(
        "citizen.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="contact_rules"
    )
    area_partner = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The caller's postcode is in an area this partner handles the service in",
    )
    language = models.CharField(max_length=10, choices=Language.choices, blank=True)
    # None: either way; True: the caller has an open request; False: they have none.
    has_open_request = models.BooleanField(null=True, blank=True)
    priority_at_least = models.PositiveSmallIntegerField(null=True, blank=True)
    time_from = models.TimeField(null=True, blank=True)
    time_to = models.TimeField(null=True, blank=True)
    route_to = models.CharField(max_length=20, choices=RouteTo.choices, default=RouteTo.QUEUE)
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="rules")
    priority = models.PositiveSmallIntegerField(default=0, help_text="Higher is answered first")
    required_skill = models.CharField(max_length=40, blank=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    """After waiting this long, the contact may also be answered from another queue."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="steps")
    after_seconds = models.PositiveIntegerField()
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["after_seconds", "pk"]

    def __str__(self) -> str:
        return f"after {self.after_seconds} s: {self.queue}"


class RoutingVersion(models.Model):
    """One row, numbered up whenever rules or queues change: each process rebuilds its
    compiled routing table when the number it holds is old."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.number)


class ReferenceCounter(models.Model):
    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Contact(models.Model):
    """One call, e-mail, chat or visit: who, about what, where it went and what came of it."""

    reference = models.CharField(max_length=20, unique=True)
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.SET_NULL)
    external_id = models.CharField(max_length=100, blank=True, help_text="The platform's own id")
    channel = models.CharField(max_length=20, choices=ContactChannel.choices)
    # The caller's number or address: shown only to the agent holding the contact, once
    # answered (contacts.selectors.held).
    caller = models.CharField(max_length=254, blank=True)
    dialled = models.CharField(max_length=40, blank=True)
    menu = models.CharField(max_length=40, blank=True, help_text="Menu choices, dotted: 2.1")
    language = models.CharField(max_length=10, choices=Language.choices, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    quoted_reference = models.CharField(max_length=20, blank=True)
    service_request = models.ForeignKey(
        "citizen.ServiceRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    service = models.ForeignKey("citizen.Service", null=True, blank=True, on_delete=models.SET_NULL)
    partner = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts")
    # The queues it may be answered from now (its own, then each escalation step's as it falls due).
    queues: models.ManyToManyField[Queue, Waiting] = models.ManyToManyField(
        Queue, through="Waiting", related_name="+"
    )
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(default=0)
    required_skill = models.CharField(max_length=40, blank=True)
    # The officer who owns the caller's case: offered first when free.
    preferred_agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=ContactStatus.choices, default=ContactStatus.WAITING)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    arrived_at = models.DateTimeField()
    offered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    wrap_up_until = models.DateTimeField(null=True, blank=True)
    wrapped_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)
    # Seconds from arrival to answer, and from answer to the end of wrap-up: the figures.
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    handle_seconds = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    notes = models.TextField(max_length=4000, blank=True)
    demand = models.CharField(max_length=10, choices=Demand.choices, blank=True)
    failure_type = models.CharField(max_length=20, choices=FailureType.choices, blank=True)
    transferred_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-arrived_at"]
        indexes = [
            models.Index(fields=["queue", "arrived_at"], name="contacts_queue_time_idx"),
            models.Index(fields=["arrived_at"], name="contacts_time_idx"),
            models.Index(fields=["agent", "status"], name="contacts_agent_status_idx"),
            models.Index(fields=["status", "next_escalation_at"], name="contacts_escalation_idx"),
            models.Index(fields=["caller", "arrived_at"], name="contacts_caller_idx"),
        ]

    def __str__(self) -> str:
        return self.reference


class Waiting(models.Model):
    """A waiting contact may be answered from this queue (since `since`)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="waiting")
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="waiting")
    since = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "queue"], name="contacts_waiting_once")]

    def __str__(self) -> str:
        return f"{self.contact} in {self.queue}"


class ContactEvent(models.Model):
    """An event a platform reported, kept under its idempotency key: a retry gets the same
    answer and changes nothing."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=100)
    contact = models.ForeignKey(Contact, null=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=[("inbound", "Inbound"), *EventKind.choices])
    at = models.DateTimeField(auto_now_add=True)
    body_hash = models.CharField(max_length=64)
    response = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["platform", "key"], name="contacts_event_key_once")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.key})"
