"""Errors raised by services and selectors, mapped to one shape by the API and pages."""

from __future__ import annotations


class ConsortiumError(Exception):
    """Base for errors a user can act on. `title` is short; `detail` explains."""

    status_code = 400
    title = "There is a problem"

    def __init__(self, detail: str = "", *, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.field_errors = field_errors or {}


class ValidationFailed(ConsortiumError):
    status_code = 422
    title = "There is a problem with what you sent"


class PermissionDenied(ConsortiumError):
    status_code = 403
    title = "You do not have permission to do that"


class NotFound(ConsortiumError):
    status_code = 404
    title = "Not found"


class Conflict(ConsortiumError):
    status_code = 409
    title = "That conflicts with the current state"


class TooManyAttempts(ConsortiumError):
    status_code = 429
    title = "Too many attempts"


class Unauthenticated(ConsortiumError):
    status_code = 401
    title = "Not signed"
