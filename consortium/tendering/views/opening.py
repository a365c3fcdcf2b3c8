"""A bid, read after the opening."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from consortium.core.errors import NotFound
from consortium.core.views import (
    actor_required,
)
from consortium.tendering import selectors
from consortium.tendering.sealing import content_of
from consortium.tendering.views._common import _actor


@actor_required
def tender_bid_detail(request: HttpRequest, project_id: int, bid_id: int) -> HttpResponse:
    actor = _actor(request)
    bid = selectors.bid_for_reading(actor, bid_id)
    if bid.project_id != project_id:
        raise NotFound("No such bid")
    content = content_of(bid)
    return render(
        request,
        "tendering/bid_detail.html",
        {
            "bid": bid,
            "project": bid.project,
            "content": content,
            "answers": content.answers,
            "criteria": selectors.leaf_criteria(bid.project),
        },
    )
