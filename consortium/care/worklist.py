"""What waits in care price benchmarking: the council's clients not yet placed."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse

from consortium.care.access import is_commissioner
from consortium.care.models import NeedsAssessment, Placement
from consortium.core.worklist import WorkItem
from consortium.organisations.acting import Actor


def items_for(actor: Actor) -> list[WorkItem]:
    if not is_commissioner(actor):
        return []
    waiting = NeedsAssessment.objects.filter(council=actor.organisation).exclude(
        Exists(Placement.objects.filter(negotiation__assessment=OuterRef("pk")))
    )
    return [
        WorkItem(
            waiting.count(), "client not yet placed", "clients not yet placed", reverse("care-home"), order=20
        )
    ]
