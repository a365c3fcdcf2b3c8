"""What waits in shared citizen services: the partner's new, overdue and own requests, and
the partnership's triage queue."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from consortium.citizen.constants import OPEN_STATUSES
from consortium.citizen.models import ServiceRequest
from consortium.citizen.selectors import overdue_q
from consortium.core.worklist import WorkItem
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission


def items_for(actor: Actor) -> list[WorkItem]:
    items: list[WorkItem] = []
    queue = reverse("citizen-queue")
    if actor.has(Permission.REQUESTS_WORK):
        counts = ServiceRequest.objects.filter(
            handled_by=actor.organisation, status__in=OPEN_STATUSES
        ).aggregate(
            overdue=Count("pk", filter=overdue_q()),
            unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
            assigned=Count("pk", filter=Q(assigned_to=actor.person)),
        )
        overdue, unassigned, assigned = counts["overdue"], counts["unassigned"], counts["assigned"]
        if overdue:
            items.append(
                WorkItem(
                    overdue, "service request overdue", "service requests overdue", f"{queue}?due=overdue"
                )
            )
        if unassigned:
            items.append(
                WorkItem(
                    unassigned,
                    "service request for nobody yet",
                    "service requests for nobody yet",
                    f"{queue}?assigned=nobody",
                )
            )
        if assigned:
            items.append(
                WorkItem(
                    assigned,
                    "service request assigned to you",
                    "service requests assigned to you",
                    f"{queue}?assigned=me",
                )
            )
    if actor.has(Permission.REQUESTS_OVERSEE):
        triage = ServiceRequest.objects.filter(handled_by__isnull=True, status__in=OPEN_STATUSES).count()
        if triage:
            items.append(
                WorkItem(
                    triage,
                    "service request in triage",
                    "service requests in triage",
                    f"{queue}?status=triage",
                )
            )
    return items
