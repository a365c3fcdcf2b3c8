"""The assessment summary each bidder is sent with the award."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from consortium.core.views import (
    actor_required,
)
from consortium.tendering import selectors
from consortium.tendering.views._common import _actor


@actor_required
def tender_summary(request: HttpRequest, project_id: int, bid_id: int) -> HttpResponse:
    actor = _actor(request)
    bid = selectors.bid_for_summary(actor, project_id, bid_id)
    rows = selectors.assessment_summary(actor, bid)
    return render(request, "tendering/summary.html", {"bid": bid, "project": bid.project, "rows": rows})
