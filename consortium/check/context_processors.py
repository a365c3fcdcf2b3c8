from typing import Any

from django.http import HttpRequest


def check(request: HttpRequest) -> dict[str, Any]:
    """Whether the signed-in person may check any stream: the navigation offers "Check"."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"may_check": False}
    from consortium.check.selectors import may_check

    return {"may_check": may_check(actor)}
