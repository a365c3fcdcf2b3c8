from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from consortium.core.errors import ConsortiumError

View = Callable[..., HttpResponse]


def actor_required(view: View) -> View:
    """Pages for signed-in people who hold a role; others sign in or are refused."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "actor", None) is None:
            return forbidden(request, reason="You do not hold a role in any organisation yet.")
        try:
            return view(request, *args, **kwargs)
        except ConsortiumError as exc:
            if exc.status_code == 404:
                raise Http404(exc.detail) from exc
            if exc.status_code == 403:
                return forbidden(request, reason=exc.detail)
            raise

    return wrapped


def uploaded_file(request: HttpRequest, *, max_bytes: int, field: str = "file") -> tuple[bytes, str]:
    """The uploaded file's content (read up to one byte past the limit, so the service
    can refuse an oversized file) and name; a missing file is a field error."""
    from consortium.core.errors import ValidationFailed

    upload = request.FILES.get(field)
    if upload is None:
        raise ValidationFailed("Choose a file", field_errors={field: "Choose the file to upload"})
    return upload.read(max_bytes + 1), upload.name or ""


def form_id(value: str | None, field: str, *, label: str = "one from the list") -> int:
    """A record id sent by a form (a hidden field or a list): anything but a whole number is a
    field error naming the field, never a server error."""
    from consortium.core.errors import ValidationFailed

    text = (value or "").strip()
    if not text.isdigit() or len(text) > 18:
        # Ids travel in hidden fields or lists: the message stands alone, with nothing to link to.
        raise ValidationFailed(f"Choose {label} from the page and try again")
    return int(text)


def date_field(value: str | None, field: str, errors: dict[str, str]) -> dt.date:
    """A form's date as people type it (15/12/2026, 5 Jan 2027, 2026-12-15); a bad one is
    added to `errors` under its field."""
    from consortium.core.dates import parse_date

    try:
        return parse_date(value)
    except ValueError as e:
        errors[field] = str(e)
        return dt.date.min


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    consequences: list[str],
    button: str,
    back_url: str,
    details: list[tuple[str, str]] | None = None,
    warning: bool = False,
) -> HttpResponse | None:
    """Check-and-confirm for an irreversible step taken from a page.

    The first POST is answered with a page that states what will happen and carries the
    form's values on as hidden fields; only the POST from that page (confirmed=yes) goes
    on, when this returns None. The API needs no such step: a client states its intent."""
    if request.POST.get("confirmed") == "yes":
        return None
    carried = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "confirmed")
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "consequences": consequences,
            "button": button,
            "back_url": back_url,
            "details": details or [],
            "carried": carried,
            "warning": warning,
        },
    )


def form_errors(exc: ConsortiumError) -> dict[str, str]:
    """Errors for the error summary and the fields: field errors, or the detail on its own."""
    return dict(exc.field_errors) or {"__all__": exc.detail}


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request the service could not read at all (a broken multipart body, too many fields)."""
    detail = (
        "What was sent could not be read. If you were uploading a file, choose it again and "
        "send the form once more."
    )
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"title": "There is a problem with what you sent", "detail": detail, "errors": []}, status=400
        )
    return render(request, "400.html", {"detail": detail}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None, reason: str = "") -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may be in them or in the database.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)


@actor_required
def demo_mailbox(request: HttpRequest) -> HttpResponse:
    """The e-mails the demo has sent, read from the mail folder. Demo mode only."""
    if not settings.DEMO_MODE:
        raise Http404("The demo mailbox is only in the demo")
    folder = settings.EMAIL_FILE_PATH
    messages = []
    if folder.exists():
        for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)[:50]:
            for chunk in path.read_text(errors="replace").split("-" * 79):
                chunk = chunk.strip()
                if not chunk:
                    continue
                msg = email.message_from_string(chunk, policy=email.policy.default)
                body = msg.get_body(preferencelist=("plain",))
                messages.append(
                    {
                        "to": msg.get("To", ""),
                        "subject": msg.get("Subject", ""),
                        "date": msg.get("Date", ""),
                        "body": body.get_content() if body else "",
                    }
                )
    return render(request, "core/demo_mailbox.html", {"messages_sent": messages})
