from __future__ import annotations

import functools
import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from consortium.core.request_context import new_request_id, reset_request_id, set_request_id


class RequestIdMiddleware:
    """Gives every request an id, returned as X-Request-ID and kept in the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


# A NUL character is never meaningful in text a person sends, and PostgreSQL
# cannot store it: refuse it at the door, with a message, rather than fail later.
_NUL_MARKERS = (b"\x00", b"%00", b"\\u0000")


class RefuseNulCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
        suspect = any(m in query for m in _NUL_MARKERS) or "\x00" in request.path
        content_type = request.META.get("CONTENT_TYPE", "")
        if (
            not suspect
            and not content_type.startswith("multipart/")
            and request.method
            in (
                "POST",
                "PUT",
                "PATCH",
            )
        ):
            suspect = any(m in request.body for m in _NUL_MARKERS)
        if suspect:
            body = {
                "title": "There is a problem with what you sent",
                "detail": "Text cannot contain the NUL character (code 0). Remove it and send again.",
                "errors": [],
            }
            if request.path.startswith("/api/"):
                return JsonResponse(body, status=400)
            return HttpResponse(body["detail"], status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


# Scripts and styles only from our own files: no inline script, no eval, nothing framed.
# The admin and the API's interactive docs ship inline styles and scripts of their own,
# so those paths (staff-only and documentation) are allowed them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_RELAXED_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_RELAXED_PREFIXES = ("/admin/", "/api/v1/docs")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(_RELAXED_PREFIXES)
            policy = _RELAXED_POLICY if relaxed else CONTENT_SECURITY_POLICY
            tiles = _tile_origin(getattr(settings, "MAP_TILE_URL", ""))
            if tiles:
                # The report map's tiles come from the tile server the deployment configures.
                policy = policy.replace("img-src 'self' data:", f"img-src 'self' data: {tiles}")
            response["Content-Security-Policy"] = policy
        return response


@functools.cache
def _tile_origin(url: str) -> str:
    from urllib.parse import urlsplit

    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return ""
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return f"{parts.scheme}://{host}"


_API_TITLES = {
    400: "There is a problem with what you sent",
    401: "Sign in or send a token",
    403: "You do not have permission to do that",
    404: "Not found",
    405: "That method is not allowed here",
    413: "What you sent is too large",
}


class ApiErrorShapeMiddleware:
    """Every failure under /api/ has the API's one error shape, including those the API's own
    handlers never see: an unknown path, a wrong method, a CSRF refusal, an unreadable body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith("/api/")
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        detail = {
            404: f"There is nothing at {request.path}. The API's operations are listed at /api/v1/docs.",
            405: f"{request.method} is not allowed on {request.path}."
            + (f" Allowed: {response['Allow']}." if response.has_header("Allow") else ""),
        }.get(status, "The request was refused.")
        shaped = HttpResponse(
            json.dumps(
                {"title": _API_TITLES.get(status, "The request failed"), "detail": detail, "errors": []}
            ),
            status=status,
            content_type="application/json",
        )
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
