"""Pages: the citizen's way in (no account) and the partner officer's queue and request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from consortium.citizen import selectors, services
from consortium.citizen.constants import OPEN_STATUSES, Datatype, RequestStatus
from consortium.citizen.models import Service
from consortium.citizen.schemas import (
    AreaIn,
    AssignIn,
    CitizenUpdateIn,
    MergeIn,
    RequestIn,
    RerouteIn,
    RoutingRuleIn,
    ServiceIn,
    ServiceLevelIn,
    UpdateIn,
)
from consortium.core.clients import client_ip
from consortium.core.dates import today_in_london
from consortium.core.errors import ConsortiumError, ValidationFailed
from consortium.core.forms import posted, read_form, renamed
from consortium.core.ratelimit import allow
from consortium.core.views import actor_required, forbidden, form_errors, form_id
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission

S = RequestStatus
QUESTION_ROWS = 5  # blank question rows on the service form


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


# --- the citizen ----------------------------------------------------------------------------


def report_start(request: HttpRequest) -> HttpResponse:
    """Choose what to report: search, or browse the services by group."""
    query = request.GET.get("q", "").strip()[:100]
    services_ = selectors.service_search(query) if query else list(selectors.public_services())
    groups: dict[str, list[Service]] = {}
    for s in services_:
        groups.setdefault(s.group or "Other", []).append(s)
    return render(request, "citizen/report_start.html", {"groups": sorted(groups.items()), "query": query})


def _answers(post: Mapping[str, Any], service: Service) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    getlist = getattr(post, "getlist", None)
    for q in service.questions.all():
        name = f"attribute[{q.code}]"
        if q.datatype == Datatype.MULTIVALUELIST and getlist is not None:
            answers[q.code] = [v for v in getlist(name) if v]
        else:
            value = str(post.get(name, "")).strip()
            if value:
                answers[q.code] = value
    return answers


def report_form(request: HttpRequest, code: str) -> HttpResponse:
    """The service's questions, where, what, and the citizen's e-mail address."""
    service = selectors.public_service(code)
    errors: dict[str, str] = {}
    if request.method == "POST":
        limit = getattr(settings, "CITIZEN_INTAKE_RATE", 20)
        if not allow(f"intake:{client_ip(request)}", limit=limit, window_seconds=3600):
            errors = {"__all__": "Too many reports from your connection in the last hour. Try again later."}
        else:
            fields = posted(request.POST, "description", "address", "postcode", "lat", "long", "email")
            fields |= posted(request.POST, "first_name", "last_name", "phone")
            answers = _answers(request.POST, service)
            try:
                try:
                    data = read_form(
                        RequestIn,
                        {**fields, "service_code": service.code, "attributes": answers},
                        raw=True,
                        where=lambda loc: (
                            (f"attribute[{loc[1]}]", "")
                            if loc[:1] == ("attributes",) and len(loc) > 1
                            else renamed({"lat": "postcode", "long": "postcode"})(loc)
                        ),
                        summary="Check your report",
                    )
                except ValidationFailed as exc:
                    # Every problem at once: the answers' too, not only the schema's.
                    raise ValidationFailed(
                        exc.detail, field_errors=services.answer_problems(service, answers) | exc.field_errors
                    ) from None
                from consortium.citizen.photos import MAX_PHOTO_BYTES

                uploads = request.FILES.getlist("photos")
                services.request_submit(data=data, photos=[f.read(MAX_PHOTO_BYTES + 1) for f in uploads[:4]])
            except ConsortiumError as exc:
                errors = form_errors(exc)
            else:
                request.session["citizen_email"] = data.email
                return redirect("citizen-check-email")
    return render(
        request,
        "citizen/report_form.html",
        {
            "service": service,
            "questions": list(service.questions.all()),
            "errors": errors,
            "form": request.POST,
            "map_tiles": settings.MAP_TILE_URL,
            "map_attribution": settings.MAP_ATTRIBUTION,
        },
        status=400 if errors else 200,
    )


def check_email(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/check_email.html", {"email": request.session.get("citizen_email", "")})


def confirm(request: HttpRequest, secret: str) -> HttpResponse:
    """The link in the confirmation e-mail: confirms once, then shows the tracking page's link."""
    try:
        confirmed = services.request_confirm(secret=secret)
    except ConsortiumError as exc:
        return render(request, "citizen/link_invalid.html", {"reason": exc.detail}, status=404)
    if confirmed.status == S.UNCONFIRMED:
        # Kept, but not yet numbered and routed: the task worker finishes it and e-mails them.
        return render(request, "citizen/confirm_pending.html", status=202)
    return redirect(services.tracking_path(confirmed) + "?confirmed=1")


def track(request: HttpRequest, signed: str) -> HttpResponse:
    """The citizen's tracking page: status, due date, public updates; add information."""
    try:
        tracked = selectors.request_for_tracking(signed)
    except ConsortiumError as exc:
        return render(request, "citizen/link_invalid.html", {"reason": exc.detail}, status=404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not allow(f"track:{tracked.pk}", limit=20, window_seconds=3600):
            errors = {"__all__": "Too many additions in the last hour. Try again later."}
        else:
            try:
                data = read_form(CitizenUpdateIn, request.POST, summary="Check what you added")
                services.citizen_add(request=tracked, text=data.text)
            except ConsortiumError as exc:
                errors = form_errors(exc)
            else:
                messages.success(request, "Thank you: we have added it to your report.")
                return redirect(request.path)
    return render(
        request,
        "citizen/track.html",
        {
            "tracked": tracked,
            "signed": signed,
            "updates": selectors.public_updates(tracked),
            "is_open": tracked.status in OPEN_STATUSES,
            "just_confirmed": request.GET.get("confirmed") == "1",
            "errors": errors,
            "form": request.POST,
        },
        status=400 if errors else 200,
    )


# --- the partner officer ---------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 18 else None


@actor_required
def queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not (selectors.works_requests(actor) or selectors.oversees(actor)):
        return forbidden(request, reason="Partner officers work on their partner's service requests.")
    g = request.GET
    filters = selectors.QueueFilters(
        service=_int(g.get("service")),
        area=_int(g.get("area")),
        status=g.get("status", "open") if "status" in g else "open",
        due=g.get("due", ""),
        assigned=g.get("assigned", ""),
    )
    reference = g.get("reference", "").strip()
    if reference:
        try:
            found = selectors.request_by_reference(actor, reference)
        except ConsortiumError:
            messages.error(request, f"No request {reference[:20]} for you.")
        else:
            return redirect("citizen-request", request_id=found.pk)
    page = Paginator(selectors.queue_for(actor, filters), 50).get_page(g.get("page"))
    query = {k: v for k, v in g.items() if k != "page" and v}
    return render(
        request,
        "citizen/queue.html",
        {
            "page": page,
            "requests": page,
            "count": page.paginator.count,
            "filters": filters,
            "services": selectors.services_in_queue(actor),
            "areas": selectors.areas(),
            "query": urlencode(query),
            "today": today_in_london(),
            "oversees": selectors.oversees(actor),
            "statuses": [("open", "Open"), ("closed", "Closed"), ("triage", "In triage"), ("", "All")],
        },
    )


@actor_required
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = _actor(request)
    if not (selectors.works_requests(actor) or selectors.oversees(actor)):
        return forbidden(request, reason="Partner officers work on their partner's service requests.")
    item = selectors.request_get_for(actor, request_id)
    errors: dict[str, str] = {}
    form_name = request.POST.get("form", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            if form_name == "assign":
                data = read_form(
                    AssignIn,
                    {"person_id": request.POST.get("person_id") or None},
                    raw=True,
                    summary="Choose a colleague",
                )
                services.request_assign(
                    actor=actor, request=item, person=selectors.colleague_by_id(actor, data.person_id)
                )
                done = "Assignment saved."
            elif form_name == "merge":
                merge = read_form(MergeIn, request.POST, summary="Check the reference")
                try:
                    into = selectors.request_by_reference(actor, merge.into_reference)
                except ConsortiumError:
                    raise ValidationFailed(
                        "Check the reference", field_errors={"into_reference": "No such request of yours"}
                    ) from None
                services.request_merge(actor=actor, request=item, into=into)
                done = f"Merged into {into.reference}."
            elif form_name == "reroute":
                reroute = read_form(RerouteIn, request.POST, summary="Check where it goes")
                services.request_reroute(
                    actor=actor,
                    request=item,
                    partner=selectors.partner_by_id(actor, reroute.partner_id),
                    reason=reroute.reason,
                )
                done = "Passed on: the citizen keeps the same reference."
            else:
                update = read_form(UpdateIn, request.POST, summary="Check the update")
                services.request_update(actor=actor, request=item, data=update)
                done = "Update saved."
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, done)
            return redirect("citizen-request", request_id=item.pk)
    return render(
        request,
        "citizen/request_detail.html",
        {
            "item": item,
            "history": selectors.history(actor, item),
            "actions": services.request_actions_for(actor, item),
            "colleagues": selectors.colleagues(actor) if item.handled_by_id == actor.organisation.pk else [],
            "partners": selectors.partners(actor),
            "handles": item.handled_by_id == actor.organisation.pk,
            "oversees": selectors.oversees(actor),
            "errors": errors,
            "form": request.POST,
            "form_name": form_name,
            "today": today_in_london(),
        },
        status=400 if errors else 200,
    )


@actor_required
def request_photo(request: HttpRequest, request_id: int, photo_id: int) -> HttpResponse:
    """A citizen's photo, for the partner handling the request (the read is audited)."""
    actor = _actor(request)
    if not (selectors.works_requests(actor) or selectors.oversees(actor)):
        return forbidden(request, reason="Partner officers work on their partner's service requests.")
    item = selectors.request_get_for(actor, request_id)
    photo = item.photos.filter(pk=photo_id).first()
    if photo is None:
        from django.http import Http404

        raise Http404("No such photo")
    response = HttpResponse(bytes(photo.content), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@actor_required
def service_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not (actor.has(Permission.SERVICES_DEFINE) or selectors.oversees(actor)):
        return forbidden(request, reason="Partner officers keep their partner's services.")
    return render(
        request,
        "citizen/service_list.html",
        {
            "services": selectors.own_services(actor),
            "can_define": actor.has(Permission.SERVICES_DEFINE),
            "oversees": selectors.oversees(actor),
        },
    )


def _question_rows(post: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[int]]:
    """Question rows posted as question_<n>, code_<n>, datatype_<n>, required_<n>, values_<n>."""
    rows, numbers = [], []
    for n in range(1, QUESTION_ROWS + 1):
        given = posted(post, f"code_{n}", f"question_{n}", f"datatype_{n}", f"values_{n}")
        if not given.get(f"question_{n}") and not given.get(f"code_{n}"):
            continue
        values = [
            {"key": line.split("=", 1)[0].strip(), "name": line.split("=", 1)[-1].strip()}
            for line in str(given.get(f"values_{n}", "")).splitlines()
            if line.strip()
        ]
        rows.append(
            {
                "code": given.get(f"code_{n}", ""),
                "question": given.get(f"question_{n}", ""),
                "datatype": given.get(f"datatype_{n}", Datatype.STRING),
                "required": post.get(f"required_{n}") == "yes",
                "order": n,
                "values": values,
            }
        )
        numbers.append(n)
    return rows, numbers


def _service_form(request: HttpRequest, service: Service | None) -> HttpResponse:
    actor = _actor(request)
    if not actor.has(Permission.SERVICES_DEFINE):
        return forbidden(request, reason="Partner officers define their partner's services.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        rows, numbers = _question_rows(request.POST)
        fields = posted(
            request.POST,
            "code",
            "name",
            "group",
            "description",
            "keywords",
            "urgent_warning",
            "target_working_days",
        )
        fields["is_public"] = request.POST.get("is_public") == "yes"

        def where(loc: tuple[int | str, ...]) -> tuple[str, str]:
            if (
                loc[:1] == ("questions",)
                and len(loc) > 1
                and isinstance(loc[1], int)
                and loc[1] < len(numbers)
            ):
                n = numbers[loc[1]]
                field = next((p for p in loc[2:] if isinstance(p, str)), "question")
                return f"{field}_{n}", f"Question {n}: "
            return renamed({})(loc)

        try:
            data = read_form(
                ServiceIn, {**fields, "questions": rows}, raw=True, where=where, summary="Check the service"
            )
            saved = services.service_save(actor=actor, data=data, service=service)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = {}
            for key, message in form_errors(exc).items():
                if key.startswith("questions["):
                    index = int(key.split("[", 1)[1].split("]", 1)[0])
                    field = key.rsplit(".", 1)[-1]
                    key = f"{field}_{numbers[index]}" if index < len(numbers) else "__all__"
                errors[key] = message
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("citizen-services")
    initial: dict[str, Any] = dict(request.POST.items()) if request.method == "POST" else {}
    if not initial and service is not None:
        initial = {
            "code": service.code,
            "name": service.name,
            "group": service.group,
            "description": service.description,
            "keywords": service.keywords,
            "urgent_warning": service.urgent_warning,
            "target_working_days": service.target_working_days,
            "is_public": "yes" if service.is_public else "",
        }
        for n, q in enumerate(service.questions.all(), start=1):
            initial |= {
                f"code_{n}": q.code,
                f"question_{n}": q.question,
                f"datatype_{n}": q.datatype,
                f"required_{n}": "yes" if q.required else "",
                f"values_{n}": "\n".join(f"{v['key']}={v['name']}" for v in q.values),
            }
    elif not initial:
        initial = {"is_public": "yes", "target_working_days": "10"}
    return render(
        request,
        "citizen/service_form.html",
        {
            "service": service,
            "errors": errors,
            "form": initial,
            "rows": range(1, QUESTION_ROWS + 1),
            "datatypes": Datatype.choices,
        },
        status=400 if errors else 200,
    )


@actor_required
def service_new(request: HttpRequest) -> HttpResponse:
    return _service_form(request, None)


@actor_required
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    actor = _actor(request)
    if not actor.has(Permission.SERVICES_DEFINE):
        return forbidden(request, reason="Partner officers define their partner's services.")
    return _service_form(request, selectors.own_service(actor, service_id))


@actor_required
def mi(request: HttpRequest) -> HttpResponse:
    """Volumes, service levels, end-to-end time and failure demand per partner and service."""
    actor = _actor(request)
    if not (selectors.works_requests(actor) or selectors.oversees(actor)):
        return forbidden(request, reason="Partner officers and the partnership's admins see these figures.")
    import datetime as dt

    end = today_in_london()
    start = end - dt.timedelta(days=365)
    rows = selectors.service_figures(actor, start=start, end=end)
    if request.GET.get("format") == "xlsx":
        return _figures_workbook(rows, start, end)
    return render(
        request,
        "citizen/mi.html",
        {"rows": rows, "start": start, "end": end, "chart": _failure_chart(rows)},
    )


FIGURE_COLUMNS = [
    ("partner", "Partner"),
    ("service", "Service"),
    ("received", "Received"),
    ("closed", "Closed"),
    ("within_target_share", "Closed within target (%)"),
    ("median_days", "Median end-to-end (working days)"),
    ("p85_days", "85th percentile end-to-end (working days)"),
    ("contacts", "Citizen contacts"),
    ("failure_share", "Failure demand (%)"),
]


def _figures_workbook(rows: list[selectors.ServiceFigures], start: Any, end: Any) -> HttpResponse:
    from openpyxl import Workbook

    from consortium.core.files import tidy_table, workbook_bytes

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Service requests"
    ws.append([f"Requests confirmed from {start:%d %B %Y} to {end:%d %B %Y}"])
    ws.append([heading for _key, heading in FIGURE_COLUMNS])
    for row in rows:
        ws.append([getattr(row, key) for key, _heading in FIGURE_COLUMNS])
    ws.append(["Total", "", sum(r.received for r in rows), sum(r.closed for r in rows)])
    tidy_table(ws, header_row=2)
    response = HttpResponse(
        workbook_bytes(wb), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="service-requests-{end:%Y-%m-%d}.xlsx"'
    return response


def _failure_chart(rows: list[selectors.ServiceFigures]) -> str:
    """Failure demand % per partner and service as horizontal bars (SVG, the table beside it)."""
    from django.utils.html import escape

    shown = [r for r in rows if r.failure_share is not None][:30]
    if not shown:
        return ""
    bar, label_width, width = 22, 330, 640
    height = bar * len(shown) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="failure-chart-title" class="app-chart"><title id="failure-chart-title">'
        "Failure demand as a share of citizens' contacts, by partner and service</title>"
    ]
    for n, r in enumerate(shown):
        y = 10 + n * bar
        share = r.failure_share or 0.0
        length = (width - label_width - 60) * share / 100
        label = escape(f"{r.partner[:28]} · {r.service[:22]}")
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12">{label}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{bar - 8}" fill="#d4351c"/>'
        )
        parts.append(f'<text x="{label_width + length + 4:.1f}" y="{y + 15}" font-size="12">{share}%</text>')
    parts.append("</svg>")
    return "".join(parts)


@require_POST
@actor_required
def open311_key(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        client, key = services.open311_client_create(actor=actor, name=request.POST.get("name", ""))
    except ValidationFailed as exc:
        messages.error(request, exc.field_errors.get("name", exc.detail))
        return redirect("citizen-services")
    return render(request, "citizen/open311_key.html", {"client": client, "key": key})


@actor_required
def service_levels(request: HttpRequest) -> HttpResponse:
    """The partner's own targets for the services it publishes or handles by agreement: in
    working days, or in working hours within its working day."""
    actor = _actor(request)
    can_set = actor.has(Permission.SERVICES_DEFINE)
    if not (can_set or selectors.works_requests(actor) or selectors.oversees(actor)):
        return forbidden(request, reason="Partner officers see their partner's service levels.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                level = selectors.service_level_get(
                    actor, form_id(request.POST.get("level_id"), "level_id", label="a service level")
                )
                services.service_level_remove(actor=actor, level=level)
                done = f"{level.service.name} is back to its service's own target."
            else:
                data = read_form(ServiceLevelIn, request.POST, summary="Check the service level")
                level = services.service_level_save(
                    actor=actor, service=selectors.handled_service_by_id(actor, data.service_id), data=data
                )
                done = f"Service level for {level.service.name} saved: it applies to requests confirmed from now."
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, done)
            return redirect("citizen-service-levels")
    return render(
        request,
        "citizen/service_levels.html",
        {
            "levels": selectors.service_levels(actor),
            "can_set": can_set,
            "service_options": [(s.pk, s.name) for s in selectors.handled_services(actor)] if can_set else [],
            "errors": errors,
            "form": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


MAX_BOUNDARY_BYTES = 2 * 1024 * 1024


@actor_required
def routing(request: HttpRequest) -> HttpResponse:
    """The partnership's areas (postcodes or an uploaded GeoJSON boundary) and agreements."""
    actor = _actor(request)
    if not selectors.oversees(actor):
        return forbidden(request, reason="The partnership's admins keep areas and routing agreements.")
    errors: dict[str, str] = {}
    form_name = request.POST.get("form", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            if form_name == "area":
                prefixes = [
                    p
                    for p in request.POST.get("postcode_prefixes", "").replace(",", "\n").splitlines()
                    if p.strip()
                ]
                fields = posted(request.POST, "code", "name", "defined_by_id")
                area = read_form(
                    AreaIn, {**fields, "postcode_prefixes": prefixes}, raw=True, summary="Check the area"
                )
                boundary = None
                upload = request.FILES.get("boundary")
                if upload is not None:
                    content = upload.read(MAX_BOUNDARY_BYTES + 1)
                    if len(content) > MAX_BOUNDARY_BYTES:
                        raise ValidationFailed(
                            "The boundary file is too big",
                            field_errors={"boundary": "The file must be 2 MB or smaller"},
                        )
                    try:
                        boundary = content.decode("utf-8")
                    except UnicodeDecodeError:
                        raise ValidationFailed(
                            "Check the boundary file",
                            field_errors={"boundary": "The file must be GeoJSON text"},
                        ) from None
                services.area_save(
                    actor=actor,
                    code=area.code,
                    name=area.name,
                    defined_by=selectors.partner_by_id(actor, area.defined_by_id),
                    postcode_prefixes=area.postcode_prefixes,
                    boundary=boundary,
                )
                done = f"Area {area.name} saved."
            else:
                rule = read_form(RoutingRuleIn, request.POST, summary="Check the agreement")
                services.routing_rule_add(
                    actor=actor,
                    service=selectors.service_by_id(actor, rule.service_id),
                    area=selectors.area_by_id(actor, rule.area_id),
                    handled_by=selectors.partner_by_id(actor, rule.handled_by_id),
                    valid_from=rule.valid_from,
                    valid_to=rule.valid_to,
                    agreement=rule.agreement,
                )
                done = "Agreement saved: new requests are routed by it."
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
            if "partner_id" in errors:
                errors["defined_by_id" if form_name == "area" else "handled_by_id"] = errors.pop("partner_id")
        else:
            messages.success(request, done)
            return redirect("citizen-routing")
    return render(
        request,
        "citizen/routing.html",
        {**selectors.routing_page(actor), "errors": errors, "form": request.POST, "form_name": form_name},
        status=400 if errors else 200,
    )
