"""Service requests' statuses and their workflow, question types, channels and kinds of demand."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from consortium.organisations.permissions import Permission


class RequestStatus(models.TextChoices):
    # Before the citizen has confirmed their e-mail address: not yet routed, not yet visible.
    UNCONFIRMED = "unconfirmed", "Waiting for the citizen to confirm"
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    IN_PROGRESS = "in_progress", "In progress"
    ACTION_SCHEDULED = "action_scheduled", "Action scheduled"
    WAITING_FOR_CITIZEN = "waiting_for_citizen", "Waiting for the citizen"
    FIXED = "fixed", "Fixed"
    DUPLICATE = "duplicate", "Duplicate"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


S = RequestStatus
OPEN_STATUSES = frozenset({S.OPEN, S.INVESTIGATING, S.IN_PROGRESS, S.ACTION_SCHEDULED, S.WAITING_FOR_CITIZEN})
CLOSED_STATUSES = frozenset({S.FIXED, S.DUPLICATE, S.NO_FURTHER_ACTION})
# The service-level clock stops while the partner waits for the citizen.
PAUSED_STATUSES = frozenset({S.WAITING_FOR_CITIZEN})


def open311_status(status: str) -> str:
    """GeoReport v2 knows two statuses: open and closed."""
    return "closed" if status in CLOSED_STATUSES else "open"


@dataclass(frozen=True)
class RequestAction:
    label: str
    from_statuses: frozenset[str]
    to: str | None  # None: the status stays (an update, a note, an assignment, a re-route)
    permission: Permission


WORKING = frozenset(OPEN_STATUSES)
# The workflow table: services, the queue page and the request page all read it.
REQUEST_ACTIONS: dict[str, RequestAction] = {
    "investigate": RequestAction("Investigating", WORKING, S.INVESTIGATING, Permission.REQUESTS_WORK),
    "start": RequestAction("In progress", WORKING, S.IN_PROGRESS, Permission.REQUESTS_WORK),
    "schedule": RequestAction("Action scheduled", WORKING, S.ACTION_SCHEDULED, Permission.REQUESTS_WORK),
    "ask_citizen": RequestAction(
        "Waiting for the citizen", WORKING, S.WAITING_FOR_CITIZEN, Permission.REQUESTS_WORK
    ),
    "fix": RequestAction("Fixed", WORKING, S.FIXED, Permission.REQUESTS_WORK),
    "no_further_action": RequestAction(
        "No further action", WORKING, S.NO_FURTHER_ACTION, Permission.REQUESTS_WORK
    ),
    "reopen": RequestAction("Reopen", frozenset(CLOSED_STATUSES), S.OPEN, Permission.REQUESTS_WORK),
}


class Datatype(models.TextChoices):
    """Open311 attribute datatypes."""

    STRING = "string", "Short text"
    TEXT = "text", "Long text"
    NUMBER = "number", "Number"
    DATETIME = "datetime", "Date and time"
    SINGLEVALUELIST = "singlevaluelist", "Choose one"
    MULTIVALUELIST = "multivaluelist", "Choose any"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "Another system (Open311)"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    FACE_TO_FACE = "face_to_face", "Face to face"


class Demand(models.TextChoices):
    VALUE = "value", "Value demand"
    FAILURE = "failure", "Failure demand"


class FailureType(models.TextChoices):
    """Why a contact was failure demand (Vanguard's classification, as partners use it)."""

    CHASING = "chasing", "Chasing progress"
    NOT_DONE = "not_done", "Not done or not done right"
    NOT_UNDERSTOOD = "not_understood", "Did not understand what we said"
    WRONG_PLACE = "wrong_place", "Sent to the wrong place"
    REPEAT = "repeat", "Reporting again"


class UpdateKind(models.TextChoices):
    PUBLIC = "public", "Public update"
    INTERNAL = "internal", "Internal note"
    CITIZEN = "citizen", "From the citizen"
    ROUTING = "routing", "Routing"
