"""Shared citizen services: each partner's services, the areas and agreements that route a
request to the partner that handles it, and the requests themselves with their history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from consortium.citizen.clock import Due, is_overdue
from consortium.citizen.constants import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Channel,
    Datatype,
    Demand,
    FailureType,
    RequestStatus,
    UpdateKind,
)
from consortium.core.dates import now


class Service(models.Model):
    """A service a partner offers citizens (Open311's "service"): what to report, what to ask."""

    partner = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="citizen_services"
    )
    code = models.SlugField(max_length=40, unique=True, help_text="Open311 service_code")
    name = models.CharField(max_length=200)
    group = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    keywords = models.CharField(max_length=300, blank=True, help_text="Comma-separated, for search")
    urgent_warning = models.CharField(
        max_length=300, blank=True, help_text="Shown before the form, e.g. 'Danger to life? Phone 999'"
    )
    is_public = models.BooleanField(default=True, help_text="Offered to citizens on the web and Open311")
    target_working_days = models.PositiveSmallIntegerField(
        default=10, help_text="Service level: working days from confirmation to completion"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class ServiceQuestion(models.Model):
    """One question a service asks (Open311's attribute)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40)
    question = models.CharField(max_length=300, help_text="Open311 attribute description")
    datatype = models.CharField(max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=1)
    # [{"key": "general", "name": "General waste"}, ...] for list datatypes
    values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="citizen_question_code_unique")
        ]

    def __str__(self) -> str:
        return self.question


class Area(models.Model):
    """A district, ward or any area a partner defines: by postcode districts or sectors
    (WS11, ST16 2) and/or a GeoJSON polygon, so a request can be placed in it."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    defined_by = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="citizen_areas"
    )
    postcode_prefixes = models.JSONField(default=list, blank=True, help_text="Outward codes or sectors")
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON Polygon or MultiPolygon (WGS84)")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Who handles a service in an area, from when to when: the agreement behind the routing
    (a district may handle a county service in its area). No area: everywhere else."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="routing_rules")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="routing_rules"
    )
    handled_by = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="citizen_routing_rules"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    agreement = models.CharField(max_length=200, blank=True, help_text="The agreement it rests on")

    class Meta:
        ordering = ["service", "area", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.service} in {self.area or 'everywhere'}: {self.handled_by}"

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class ServiceLevel(models.Model):
    """The target a handling partner works to for a service: in working days, or in working
    hours within its opening hours. Without one, the service's own target in working days."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="levels")
    partner = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="citizen_service_levels"
    )
    target_working_days = models.PositiveSmallIntegerField(default=10)
    target_working_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="When set, the target is in working hours, not days"
    )
    day_starts = models.TimeField(default=dt.time(9))
    day_ends = models.TimeField(default=dt.time(17))
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service__name", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "partner"], name="citizen_level_once_per_partner"),
            models.CheckConstraint(
                condition=models.Q(day_ends__gt=models.F("day_starts")), name="citizen_level_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} by {self.partner}"


class ReferenceCounter(models.Model):
    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Open311Client(models.Model):
    """An application allowed to POST requests through Open311, with its own api_key."""

    name = models.CharField(max_length=200)
    key_prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=128, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ServiceRequest(models.Model):
    """A citizen's request: one reference across partners, whoever handles it."""

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    token = models.CharField(max_length=40, unique=True, help_text="Open311 token, given before a reference")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests")
    status = models.CharField(max_length=30, choices=RequestStatus.choices, default=RequestStatus.UNCONFIRMED)
    # None while in triage: no agreement matched, or the place is near a boundary.
    handled_by = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="citizen_requests",
    )
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests")
    assigned_to = models.ForeignKey(
        "organisations.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citizen_requests",
    )
    description = models.TextField(max_length=4000)
    answers = models.JSONField(default=dict, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # The citizen: minimal, and every read of it by an officer is audited.
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # The number as digits in one form (core.phones), so a caller is matched however it was typed.
    phone_key = models.CharField(max_length=20, blank=True, db_index=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    client = models.ForeignKey(Open311Client, null=True, blank=True, on_delete=models.SET_NULL)
    confirmation_hash = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    # The citizen's click on the confirmation link, kept even if numbering and routing fail
    # then (the task worker finishes the confirmation), so a submission is never lost.
    confirm_requested_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the "your reference is …" e-mail went; until then the task worker keeps trying.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    # A target in working hours is due at an instant (on due_on); in days, by the end of due_on.
    due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Fixed when the request closes (cleared if it reopens): end-to-end working days and
    # whether it was done within target, so the figures read the same whenever they are read.
    days_taken = models.PositiveIntegerField(null=True, blank=True)
    met_target = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # While the partner waits for the citizen the service-level clock stops: from here.
    paused_at = models.DateTimeField(null=True, blank=True)
    # "Was it done?" is asked a few days after a request is fixed, once.
    questionnaire_sent_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["handled_by", "status", "due_on"], name="citizen_queue_idx"),
            # The partner's open queue, soonest due first: read in order, never sorted.
            models.Index(
                fields=["handled_by", "due_on", "submitted_at", "id"],
                name="citizen_open_queue_idx",
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
            ),
            models.Index(fields=["service", "confirmed_at"], name="citizen_service_time_idx"),
            models.Index(fields=["status", "submitted_at"], name="citizen_status_time_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"unconfirmed request {self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def location(self) -> str:
        parts = [p for p in (self.address, self.postcode) if p]
        if parts:
            return ", ".join(parts)
        if self.lat is not None and self.long is not None:
            return f"{self.lat}, {self.long}"
        return ""

    @property
    def due(self) -> Due | None:
        return Due(on=self.due_on, at=self.due_at) if self.due_on else None

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and is_overdue(self.due, now())

    def point(self) -> tuple[Decimal, Decimal] | None:
        return (self.lat, self.long) if self.lat is not None and self.long is not None else None


class RequestPhoto(models.Model):
    """A citizen's photo, as re-encoded on upload (citizen.photos): seen by the handling partner."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="photos")
    content = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Photo for {self.request}"


class RequestUpdate(models.Model):
    """Everything that happened to a request: public updates, internal notes, the citizen's
    own additions, routing — each contact classified as value or failure demand."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=UpdateKind.choices)
    status = models.CharField(max_length=30, choices=RequestStatus.choices, blank=True)
    text = models.TextField(max_length=4000, blank=True)
    by = models.ForeignKey("organisations.Person", null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    demand = models.CharField(max_length=10, choices=Demand.choices, blank=True)
    failure_type = models.CharField(max_length=20, choices=FailureType.choices, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.request}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "status": self.status, "text": self.text, "at": self.at}
