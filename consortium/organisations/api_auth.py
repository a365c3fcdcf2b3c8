"""API authentication: the page session (with CSRF) or a personal bearer token.

Either way the request gets `request.actor` — the person, the organisation
they act for, and their roles there.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth


class ActorSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated:
            return getattr(request, "actor", None)
        return None


class ActorBearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from consortium.organisations.services import api_token_authenticate

        actor = api_token_authenticate(token)
        if actor is not None:
            request.actor = actor  # type: ignore[attr-defined]
        return actor


def actor_of(request: HttpRequest) -> Any:
    """The actor that authenticated this API request."""
    return request.auth  # type: ignore[attr-defined]
