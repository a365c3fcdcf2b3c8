from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from consortium.audit import selectors
from consortium.audit.labels import ACTION_LABELS
from consortium.core.files import csv_response
from consortium.core.views import actor_required
from consortium.organisations.acting import Actor


@actor_required
def activity(request: HttpRequest) -> HttpResponse:
    """What has happened in the actor's organisation (everything, for an admin): changes by
    default, reads of records when asked for, filtered by kind of action, a page at a time."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    action = request.GET.get("action") or ""
    include_reads = request.GET.get("reads") == "1"
    events = selectors.audit_event_list_for(
        actor, action=action if action in ACTION_LABELS else None, include_reads=include_reads
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("action", action), ("reads", "1" if include_reads else "")) if v})
    return render(
        request,
        "audit/activity.html",
        {
            "page": page,
            "heading": "Activity",
            "csv_query": f"?{query}" if query else "",
            "filter_query": query,
            "actions": sorted(ACTION_LABELS.items(), key=lambda kv: kv[1]),
            "action": action,
            "include_reads": include_reads,
            "filters": True,
        },
    )


@actor_required
def activity_for_object(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    events = selectors.audit_event_list_for(actor, object_type=object_type[:100], object_id=object_id[:64])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/activity.html",
        {
            "page": page,
            "heading": f"Activity on {object_type.split('.')[-1]} {object_id}",
            "csv_query": "?" + urlencode({"object_type": object_type, "object_id": object_id}),
        },
    )


@actor_required
def activity_csv(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    events = selectors.audit_event_list_for(
        actor,
        object_type=(request.GET.get("object_type") or "")[:100] or None,
        object_id=(request.GET.get("object_id") or "")[:64] or None,
        action=request.GET.get("action") if request.GET.get("action") in ACTION_LABELS else None,
    )[:50_000]
    return csv_response(selectors.audit_events_as_csv(events), "activity.csv")
