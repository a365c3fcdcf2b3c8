"""One error shape for every API failure: a title, a detail, and per-field errors."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from consortium.core.errors import ConsortiumError
from consortium.core.forms import human_message

logger = logging.getLogger(__name__)


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    title: str
    detail: str
    errors: list[FieldError] = []


# Every operation declares the one error shape for each way it can fail.
ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _respond(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request, {"title": title, "detail": detail, "errors": errors or []}, status=status
    )


def _field_name(loc: list[Any]) -> str:
    # ninja reports ["body", "payload", "email"] or ["query", "limit"]: keep what a user named.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form", "cookie")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ConsortiumError)
    def consortium_error(request: HttpRequest, exc: ConsortiumError) -> HttpResponse:
        errors = [{"field": f, "message": m} for f, m in exc.field_errors.items()]
        return _respond(api, request, exc.status_code, exc.title, exc.detail, errors)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        # Worded as the pages word them (core.forms), from the same schema limits.
        errors = []
        for e in exc.errors:
            loc = list(e.get("loc", []))
            field = _field_name(loc)
            label = str(loc[-1]) if loc else "value"
            if e.get("type") != "extra_forbidden":
                label = label.replace("_", " ")
            errors.append({"field": field, "message": human_message(e, label)})
        return _respond(
            api,
            request,
            422,
            "There is a problem with what you sent",
            "Some fields are missing or not valid: see errors.",
            errors,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _respond(
            api,
            request,
            401,
            "Sign in required",
            "Sign in, or send a valid personal API token as 'Authorization: Bearer <token>'.",
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _respond(api, request, exc.status_code, "Request refused", str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _respond(api, request, 404, "Not found", str(exc) or "Not found")

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return _respond(api, request, 403, "You do not have permission to do that", str(exc))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error", exc_info=exc)
        return _respond(
            api,
            request,
            500,
            "Sorry, there is a problem with the service",
            f"Quote request id {getattr(request, 'request_id', '')} if you contact support.",
        )
