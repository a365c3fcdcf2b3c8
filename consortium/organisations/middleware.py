from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from consortium.organisations.acting import actor_for

ACTING_ORGANISATION_SESSION_KEY = "acting_organisation_id"


class ActingOrganisationMiddleware:
    """Sets `request.actor`: the signed-in person in the organisation they chose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            chosen = request.session.get(ACTING_ORGANISATION_SESSION_KEY)
            actor = actor_for(user, chosen) if chosen else None
            if actor is None:
                actor = actor_for(user)
            request.actor = actor  # type: ignore[attr-defined]
        return self.get_response(request)
