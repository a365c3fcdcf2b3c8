from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from consortium.organisations.acting import organisations_of


def acting(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    switchable = organisations_of(user) if actor is not None and user is not None else []
    return {
        "actor": actor,
        "switchable_organisations": switchable,
        "demo_mode": settings.DEMO_MODE,
    }
