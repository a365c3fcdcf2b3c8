from typing import Any

from django.http import HttpRequest


def check(request: HttpRequest) -> dict[str, Any]:
    """The streams the signed-in person may check: the navigation offers "Check", and each
    system's figures page links to its own stream ("Check this") only for those who may."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"may_check": False, "checkable": frozenset()}
    from consortium.check.selectors import streams

    keys = frozenset(s.key for s, _ in streams(actor))
    return {"may_check": bool(keys), "checkable": keys}
