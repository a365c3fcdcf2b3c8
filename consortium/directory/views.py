"""The joined-up directory's pages: search as you type (htmx), a person, the selection with
its exports and group e-mail, what the directory shows about me, each agency's visibility,
and the admins' feeds, syncs and conflicts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from consortium.core.errors import ConsortiumError, ValidationFailed
from consortium.core.forms import read_form
from consortium.core.views import actor_required, confirmation_page, form_errors, form_id, uploaded_file
from consortium.directory import selectors, services, sources
from consortium.directory.constants import (
    SORTS,
    TARGET_FIELDS,
    VISIBILITY_FIELDS,
    FeedKind,
    JobFunction,
    LdapSecurity,
    Schedule,
    SendMode,
    SyncMode,
    Visibility,
)
from consortium.directory.schemas import EmailIn, FeedIn, PolicyIn, SearchIn, SyncIn
from consortium.organisations.acting import Actor
from consortium.organisations.constants import OrganisationKind
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    assert actor is not None
    return actor


@actor_required
def search(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require(actor, Permission.DIRECTORY_SEARCH)
    errors: dict[str, str] = {}
    params = SearchIn.model_validate({})
    try:
        params = read_form(SearchIn, request.GET, summary="Check your search")
    except ValidationFailed as exc:
        errors = form_errors(exc)
    results = selectors.search(actor, params)
    query = {k: v for k, v in request.GET.items() if k not in ("page", "sort", "descending") and v}
    context = {
        "params": params,
        "form": request.GET,
        "errors": errors,
        "results": results,
        "organisations": [(o.id, o.name) for o in selectors.organisations(actor)],
        "functions": JobFunction.choices,
        "sorts": SORTS,
        "query": urlencode(query),
        "page_query": urlencode(
            {**query, "sort": params.sort, "descending": "true" if params.descending else ""}
        ),
        "selected": selectors.selected_ids(actor),
        "can_select": actor.has(Permission.DIRECTORY_SELECT),
        "is_admin": actor.has(Permission.DIRECTORY_ADMIN),
        "next": request.get_full_path(),
    }
    template = "directory/_results.html" if request.headers.get("HX-Request") else "directory/search.html"
    return render(request, template, context, status=400 if errors else 200)


@actor_required
def person(request: HttpRequest, entry_id: int) -> HttpResponse:
    actor = _actor(request)
    row, manager, reports = selectors.entry(actor, entry_id)
    return render(
        request,
        "directory/person.html",
        {
            "person": row,
            "manager": manager,
            "reports": reports,
            "selected": selectors.selected_ids(actor),
            "can_select": actor.has(Permission.DIRECTORY_SELECT),
        },
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@actor_required
def selection(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require(actor, Permission.DIRECTORY_SELECT)
    if request.method == "POST":
        action = request.POST.get("action", "")
        back = _safe_next(request, reverse("directory-selection"))
        try:
            ids = [form_id(v, "entry_id", label="people") for v in request.POST.getlist("entry_id")]
            if action == "clear":
                services.unselect(actor=actor)
                messages.success(request, "Your selection is empty.")
            elif not ids:
                raise ValidationFailed("Choose at least one person")
            elif action == "remove":
                count = services.unselect(actor=actor, entry_ids=ids)
                messages.success(request, f"Taken out. {count} selected.")
            else:
                count = services.select(actor=actor, entry_ids=ids)
                messages.success(request, f"Added. {count} selected.")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            messages.error(request, exc.detail)
        return redirect(back)
    people = selectors.selection(actor)
    most, daily, used = services.email_limits(actor)
    return render(
        request,
        "directory/selection.html",
        {
            "people": people,
            "most": most,
            "daily": daily,
            "used": used,
            "with_email": sum(1 for p in people if p["email"]),
        },
    )


@actor_required
def export(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _actor(request)
    if kind not in ("csv", "vcf"):
        from django.http import Http404

        raise Http404("Export as .csv or .vcf")
    if kind == "csv":
        response = HttpResponse(services.export_csv(actor=actor), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="directory-selection.csv"'
    else:
        response = HttpResponse(services.export_vcard(actor=actor), content_type="text/vcard; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="directory-selection.vcf"'
    return response


@actor_required
def email(request: HttpRequest) -> HttpResponse:
    """Write to the selection: a confirmation page states how many people will get it."""
    actor = _actor(request)
    selectors.require(actor, Permission.DIRECTORY_SELECT)
    errors: dict[str, str] = {}
    ids, without = services.recipients_of(actor)
    most, daily, used = services.email_limits(actor)
    if request.method == "POST":
        try:
            data = read_form(EmailIn, request.POST, summary="Check your message")
            confirm = confirmation_page(
                request,
                title=f"Send this message to {len(ids)} people?",
                consequences=[
                    f"“{data.subject}” goes to {len(ids)} people, "
                    + (
                        "each in their own e-mail."
                        if data.mode == SendMode.INDIVIDUAL
                        else "in Bcc, in batches."
                    ),
                    f"{without} selected people have no e-mail you may see and will not get it."
                    if without
                    else "Everyone selected has an e-mail address you may see.",
                    f"Replies come to {actor.person.email}. You can e-mail {max(0, daily - used)} more people today.",
                ],
                button="Send message",
                back_url=reverse("directory-email"),
            )
            if confirm is not None:
                return confirm
            msg = services.email_create(actor=actor, data=data)
            return redirect("directory-email-progress", email_id=msg.id)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
    return render(
        request,
        "directory/email.html",
        {
            "errors": errors,
            "form": request.POST if errors else {},
            "count": len(ids),
            "without": without,
            "most": most,
            "left": max(0, daily - used),
            "modes": SendMode.choices,
            "sent": selectors.group_emails(actor)[:10],
        },
        status=400 if errors else 200,
    )


@actor_required
def email_progress(request: HttpRequest, email_id: int) -> HttpResponse:
    msg = selectors.group_email(_actor(request), email_id)
    template = (
        "directory/_progress.html" if request.headers.get("HX-Request") else "directory/email_progress.html"
    )
    return render(request, template, {"msg": msg})


@actor_required
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/me.html", {"entries": selectors.about_me(_actor(request))})


@actor_required
def visibility(request: HttpRequest, organisation_id: int | None = None) -> HttpResponse:
    actor = _actor(request)
    orgs = selectors.policy_organisations(actor)
    if organisation_id is None:
        organisation_id = actor.organisation.id if actor.organisation in orgs else orgs[0].id
    levels = selectors.policy(actor, organisation_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = read_form(
                PolicyIn,
                {"levels": {f: request.POST[f] for f in VISIBILITY_FIELDS if request.POST.get(f)}},
                raw=True,
                summary="Choose who may see each field",
            )
            services.policy_set(actor=actor, organisation_id=organisation_id, data=data)
            messages.success(request, "Saved: the directory shows each field as you chose.")
            return redirect("directory-visibility-of", organisation_id=organisation_id)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
    org = Organisation.objects.get(id=organisation_id)
    return render(
        request,
        "directory/visibility.html",
        {
            "organisation": org,
            "organisations": orgs,
            "fields": [
                (f, label, request.POST.get(f, levels[f]) if errors else levels[f])
                for f, label in VISIBILITY_FIELDS.items()
            ],
            "choices": Visibility.choices,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- administration ---------------------------------------------------------------------------


def _map_text(mapping: dict[str, str]) -> str:
    return "\n".join(f"{k} = {v}" for k, v in mapping.items())


def _feed_values(post: Any) -> dict[str, Any]:
    mapping: dict[str, str] = {}
    bad = []
    for n, line in enumerate((post.get("attribute_map") or "").splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            bad.append(n)
            continue
        k, v = line.split("=", 1)
        mapping[k.strip()] = v.strip()
    if bad:
        raise ValidationFailed(
            "Check the attribute map",
            field_errors={"attribute_map": f"Line {bad[0]} needs the form “field = attribute”"},
        )
    values = {k: post.get(k, "") for k in FeedIn.model_fields if k not in ("attribute_map", "active")}
    values["attribute_map"] = mapping
    values["active"] = post.get("active") == "yes" or "name" not in post
    return {k: v for k, v in values.items() if v != "" or k in ("password", "name")}


def _feed_context(actor: Actor) -> dict[str, Any]:
    orgs = Organisation.objects.exclude(kind=OrganisationKind.SUPPLIER).order_by("name")
    return {
        "organisations": [(o.id, o.name) for o in orgs],
        "kinds": FeedKind.choices,
        "securities": LdapSecurity.choices,
        "schedules": Schedule.choices,
        "targets": TARGET_FIELDS,
        "modes": SyncMode.choices,
    }


@actor_required
def feeds(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    feed_list = list(selectors.feeds(actor))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = read_form(FeedIn, _feed_values(request.POST), raw=True, summary="Check the feed's details")
            feed = services.feed_save(actor=actor, data=data)
            messages.success(request, f"{feed.name} added.")
            return redirect("directory-feed", feed_id=feed.id)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
    return render(
        request,
        "directory/feeds.html",
        {
            "feeds": feed_list,
            "runs": selectors.runs(actor)[:10],
            "open_conflicts": selectors.conflicts(actor).count(),
            "errors": errors,
            "form": request.POST
            if errors
            else {"search_filter": "(objectClass=person)", "page_size": 500, "max_archive_percent": 20},
            **_feed_context(actor),
        },
        status=400 if errors else 200,
    )


@actor_required
def feed(request: HttpRequest, feed_id: int) -> HttpResponse:
    actor = _actor(request)
    the_feed = selectors.feed(actor, feed_id)
    errors: dict[str, str] = {}
    action = request.POST.get("action", "") if request.method == "POST" else ""
    try:
        if action == "save":
            data = read_form(FeedIn, _feed_values(request.POST), raw=True, summary="Check the feed's details")
            services.feed_save(actor=actor, data=data, feed=the_feed)
            messages.success(request, "Feed saved.")
            return redirect("directory-feed", feed_id=feed_id)
        if action == "test":
            messages.success(request, services.feed_test(actor=actor, feed=the_feed))
            return redirect("directory-feed", feed_id=feed_id)
        if action == "sync":
            sync_in = read_form(SyncIn, request.POST, summary="Choose how to sync")
            upload = (
                uploaded_file(request, max_bytes=sources.MAX_FILE_BYTES)
                if the_feed.kind == FeedKind.FILE
                else None
            )
            run = services.sync_request(actor=actor, feed=the_feed, data=sync_in, upload=upload)
            messages.success(request, "Sync queued: this page shows its report when it has run.")
            return redirect("directory-run", run_id=run.id)
    except ConsortiumError as exc:
        if exc.status_code == 403:
            raise
        errors = form_errors(exc)
    form = (
        request.POST
        if (errors and action == "save")
        else {
            **{
                k: getattr(the_feed, k)
                for k in (
                    "name",
                    "server_url",
                    "security",
                    "bind_dn",
                    "base_dn",
                    "search_filter",
                    "page_size",
                    "schedule",
                    "max_archive_percent",
                )
            },
            "organisation_id": the_feed.organisation_id,
            "kind": the_feed.kind,
            "attribute_map": _map_text(the_feed.attribute_map),
            "active": "yes" if the_feed.active else "",
        }
    )
    return render(
        request,
        "directory/feed.html",
        {
            "feed": the_feed,
            "runs": selectors.runs(actor, feed_id)[:20],
            "errors": errors,
            "form": form,
            **_feed_context(actor),
        },
        status=400 if errors else 200,
    )


@actor_required
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    the_run = selectors.run(_actor(request), run_id)
    return render(request, "directory/run.html", {"run": the_run})


@actor_required
def conflicts(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if request.method == "POST":
        try:
            services.conflict_resolve(
                actor=actor, conflict_id=form_id(request.POST.get("conflict_id"), "conflict_id")
            )
            messages.success(request, "Marked as dealt with.")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            messages.error(request, exc.detail)
        return redirect("directory-conflicts")
    return render(request, "directory/conflicts.html", {"conflicts": selectors.conflicts(actor)[:200]})
