"""What waits in people and organisations: invitations sent and not yet accepted."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from consortium.core.worklist import WorkItem
from consortium.organisations.acting import Actor
from consortium.organisations.constants import InvitationStatus
from consortium.organisations.models import Invitation
from consortium.organisations.permissions import Permission


def items_for(actor: Actor) -> list[WorkItem]:
    if not (
        actor.has(Permission.INVITE_ANY)
        or actor.has(Permission.INVITE_OWN)
        or actor.has(Permission.INVITE_SUPPLIER)
    ):
        return []
    pending = Invitation.objects.filter(
        status=InvitationStatus.PENDING, invited_by=actor.person, expires_at__gt=timezone.now()
    )
    return [
        WorkItem(
            pending.count(),
            "invitation you sent not yet accepted",
            "invitations you sent not yet accepted",
            reverse("invitation-list"),
            order=90,
        )
    ]
