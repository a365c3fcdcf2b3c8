"""Contact routing's vocabulary: channels, agents' states, distribution strategies, a
contact's life and the events a telephony or chat platform reports."""

from __future__ import annotations

from django.db import models


class ContactChannel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    CHAT = "chat", "Web chat"
    FACE_TO_FACE = "face_to_face", "Face to face"
    WEB_FORM = "web_form", "Web form"


# Concurrency per channel when an agent's profile says nothing (Amazon Connect's defaults,
# roughly: one voice call, a few chats, a few e-mails).
DEFAULT_CAPACITY: dict[str, int] = {
    ContactChannel.PHONE: 1,
    ContactChannel.EMAIL: 2,
    ContactChannel.CHAT: 3,
    ContactChannel.FACE_TO_FACE: 1,
    ContactChannel.WEB_FORM: 2,
}


class AgentState(models.TextChoices):
    """What an agent sets. "Busy" and "wrap-up" are derived from the contacts they hold."""

    AVAILABLE = "available", "Available"
    BREAK = "break", "On a break"
    OFFLINE = "offline", "Offline"


class ShownState(models.TextChoices):
    AVAILABLE = "available", "Available"
    BUSY = "busy", "Busy"
    WRAP_UP = "wrap_up", "Wrap-up"
    BREAK = "break", "On a break"
    OFFLINE = "offline", "Offline"


class Strategy(models.TextChoices):
    """How a queue chooses among its free agents (after penalties: a lower penalty first)."""

    LONGEST_IDLE = "longest_idle", "Longest idle (Asterisk's leastrecent)"
    FEWEST_CONTACTS = "fewest_contacts", "Fewest contacts today (fewestcalls)"
    ROUND_ROBIN = "round_robin", "Round robin with memory (rrmemory)"
    SKILLS_WEIGHTED = "skills_weighted", "Highest skill level first"


class ContactStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered to an agent"
    ANSWERED = "answered", "Answered"
    WRAP_UP = "wrap_up", "Wrap-up"
    DONE = "done", "Done"
    ABANDONED = "abandoned", "Abandoned"
    # No rule matched, or every queue it could go to is closed: the platform plays its message.
    NOT_ROUTED = "not_routed", "Closed or not routed"


# Contacts that hold an agent's capacity (wrap-up only until the queue's wrap-up time passes).
HOLDING = frozenset({ContactStatus.OFFERED, ContactStatus.ANSWERED})
FINISHED = frozenset({ContactStatus.DONE, ContactStatus.ABANDONED, ContactStatus.NOT_ROUTED})


class EventKind(models.TextChoices):
    """What a platform reports about a contact (POST .../events)."""

    ANSWERED = "answered", "Answered"
    MISSED = "missed", "Not answered by the agent (ring, no answer)"
    TRANSFERRED = "transferred", "Transferred"
    ENDED = "ended", "Ended"
    ABANDONED = "abandoned", "Abandoned by the caller"


class Language(models.TextChoices):
    ENGLISH = "", "English"
    WELSH = "cy", "Welsh"
    BSL = "bsl", "British Sign Language (interpreter)"


class RouteTo(models.TextChoices):
    QUEUE = "queue", "A queue"
    # The partner that handles the caller's open request: its main queue, and its officer first.
    REQUEST_PARTNER = "request_partner", "The partner handling the caller's open request"
    AREA_PARTNER = "area_partner", "The partner handling the service in the caller's area"


class Outcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved on first contact"
    REQUEST_CREATED = "request_created", "Service request created"
    REQUEST_UPDATED = "request_updated", "Service request updated"
    REFERRED = "referred", "Referred elsewhere"
    NO_ACTION = "no_action", "No action needed"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
