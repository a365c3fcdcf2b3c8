"""The joined-up directory's JSON API: search, people, the selection with its exports and
group e-mails, each agency's visibility, and (for the directory's admins) feeds and syncs."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile

from consortium.core.api_errors import ERRORS
from consortium.core.errors import ValidationFailed
from consortium.directory import selectors, services, sources
from consortium.directory.models import Feed, GroupEmail, SyncRun
from consortium.directory.schemas import EmailIn, FeedIn, PolicyIn, SearchIn, SelectIn, SyncIn
from consortium.organisations.api_auth import actor_of

router = Router(tags=["directory"])


class PhoneOut(Schema):
    number: str
    shown: str


class PersonOut(Schema):
    """A person as the caller may see them: a field the agency hides from the caller is null."""

    id: int
    name: str
    given_name: str
    family_name: str
    preferred_name: str
    organisation: str
    organisation_id: int
    email: str | None
    phones: list[PhoneOut] | None
    job_title: str | None
    department: str | None
    team: str | None
    job_function: str | None
    service_types: list[str] | None
    location: str | None
    manager_id: int | None
    archived: bool
    score: float


class SearchOut(Schema):
    results: list[PersonOut]
    total: int
    page: int
    pages: int
    per_page: int
    understood_as: str
    kind: str


class PersonDetailOut(Schema):
    person: PersonOut
    manager: PersonOut | None
    reports: list[PersonOut]


class SelectionOut(Schema):
    count: int
    people: list[PersonOut]


class PolicyOut(Schema):
    organisation_id: int
    levels: dict[str, str]


class FeedOut(Schema):
    id: int
    organisation_id: int
    name: str
    kind: str
    server_url: str
    security: str
    bind_dn: str
    has_password: bool
    base_dn: str
    search_filter: str
    page_size: int
    attribute_map: dict[str, str]
    schedule: str
    max_archive_percent: int
    active: bool
    last_synced_at: dt.datetime | None


class ProblemOut(Schema):
    row: str
    column: str
    message: str


class RunOut(Schema):
    id: int
    feed_id: int
    status: str
    trigger: str
    mode: str
    rows_read: int
    added: int
    changed: int
    unchanged: int
    archived: int
    refused: int
    conflicts: int
    problems: list[ProblemOut]
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ConflictOut(Schema):
    id: int
    email: str
    feed_id: int
    external_id: str
    existing_id: int | None
    detail: str
    created_at: dt.datetime


class EmailOut(Schema):
    id: int
    subject: str
    mode: str
    status: str
    total: int
    sent: int
    skipped: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _feed(f: Feed) -> dict[str, Any]:
    return {
        **{k: getattr(f, k) for k in FeedOut.model_fields if hasattr(f, k) and k != "has_password"},
        "has_password": bool(f.sealed_password),
    }


@router.get("/directory/people", response={200: SearchOut, **ERRORS}, operation_id="directory_search")
def search(request: HttpRequest, params: Query[SearchIn]) -> object:
    """Search by name (synonyms and typos too), e-mail, telephone (any format or a fragment) or
    any words; filter by organisation, department, job title, function and service type."""
    found = selectors.search(actor_of(request), params)
    return {
        "results": found.rows,
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "per_page": found.per_page,
        "understood_as": found.words,
        "kind": found.kind,
    }


@router.get(
    "/directory/people/{entry_id}", response={200: PersonDetailOut, **ERRORS}, operation_id="directory_person"
)
def person(request: HttpRequest, entry_id: int) -> object:
    row, manager, reports = selectors.entry(actor_of(request), entry_id)
    return {"person": row, "manager": manager, "reports": reports}


@router.get(
    "/directory/selection", response={200: SelectionOut, **ERRORS}, operation_id="directory_selection"
)
def selection(request: HttpRequest) -> object:
    people = selectors.selection(actor_of(request))
    return {"count": len(people), "people": people}


@router.post("/directory/selection", response={200: SelectionOut, **ERRORS}, operation_id="directory_select")
def select(request: HttpRequest, payload: SelectIn) -> object:
    """Add people to your selection (kept across searches and pages; at most 500)."""
    actor = actor_of(request)
    services.select(actor=actor, entry_ids=payload.entry_ids)
    people = selectors.selection(actor)
    return {"count": len(people), "people": people}


@router.post(
    "/directory/selection/remove", response={200: SelectionOut, **ERRORS}, operation_id="directory_unselect"
)
def unselect(request: HttpRequest, payload: SelectIn) -> object:
    actor = actor_of(request)
    services.unselect(actor=actor, entry_ids=payload.entry_ids)
    people = selectors.selection(actor)
    return {"count": len(people), "people": people}


@router.delete("/directory/selection", response={204: None, **ERRORS}, operation_id="directory_clear")
def clear(request: HttpRequest) -> Status:
    services.unselect(actor=actor_of(request))
    return Status(204, None)


@router.get(
    "/directory/selection.csv",
    response=ERRORS,
    operation_id="directory_export_csv",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        services.export_csv(actor=actor_of(request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="directory-selection.csv"'
    return response


@router.get(
    "/directory/selection.vcf",
    response=ERRORS,
    operation_id="directory_export_vcard",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"text/vcard": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_vcard(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        services.export_vcard(actor=actor_of(request)), content_type="text/vcard; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="directory-selection.vcf"'
    return response


@router.post("/directory/emails", response={202: EmailOut, **ERRORS}, operation_id="directory_email")
def email(request: HttpRequest, payload: EmailIn) -> Status:
    """E-mail everyone in your selection whose e-mail you may see, in batches, in the
    background; at most 250 people a message and 500 a day (configurable)."""
    return Status(202, services.email_create(actor=actor_of(request), data=payload))


@router.get("/directory/emails", response={200: list[EmailOut], **ERRORS}, operation_id="directory_emails")
def emails(request: HttpRequest) -> list[GroupEmail]:
    return list(selectors.group_emails(actor_of(request))[:50])


@router.get(
    "/directory/emails/{email_id}",
    response={200: EmailOut, **ERRORS},
    operation_id="directory_email_progress",
)
def email_progress(request: HttpRequest, email_id: int) -> GroupEmail:
    return selectors.group_email(actor_of(request), email_id)


@router.get(
    "/directory/visibility/{organisation_id}",
    response={200: PolicyOut, **ERRORS},
    operation_id="directory_visibility",
)
def visibility(request: HttpRequest, organisation_id: int) -> object:
    return {
        "organisation_id": organisation_id,
        "levels": selectors.policy(actor_of(request), organisation_id),
    }


@router.put(
    "/directory/visibility/{organisation_id}",
    response={200: PolicyOut, **ERRORS},
    operation_id="directory_visibility_set",
)
def visibility_set(request: HttpRequest, organisation_id: int, payload: PolicyIn) -> object:
    """Who may see each field of an agency's entries: own organisation, partners, or
    everyone signed in (the directory is never public)."""
    actor = actor_of(request)
    services.policy_set(actor=actor, organisation_id=organisation_id, data=payload)
    return {"organisation_id": organisation_id, "levels": selectors.policy(actor, organisation_id)}


@router.get("/directory/feeds", response={200: list[FeedOut], **ERRORS}, operation_id="directory_feeds")
def feeds(request: HttpRequest) -> list[dict[str, Any]]:
    return [_feed(f) for f in selectors.feeds(actor_of(request))]


@router.post("/directory/feeds", response={201: FeedOut, **ERRORS}, operation_id="directory_feed_create")
def feed_create(request: HttpRequest, payload: FeedIn) -> Status:
    """An agency's feed: an LDAP directory (password stored encrypted) or uploaded files."""
    return Status(201, _feed(services.feed_save(actor=actor_of(request), data=payload)))


@router.put(
    "/directory/feeds/{feed_id}", response={200: FeedOut, **ERRORS}, operation_id="directory_feed_update"
)
def feed_update(request: HttpRequest, feed_id: int, payload: FeedIn) -> object:
    actor = actor_of(request)
    return _feed(services.feed_save(actor=actor, data=payload, feed=selectors.feed(actor, feed_id)))


@router.post(
    "/directory/feeds/{feed_id}/sync", response={202: RunOut, **ERRORS}, operation_id="directory_feed_sync"
)
def feed_sync(request: HttpRequest, feed_id: int, payload: SyncIn) -> Status:
    """Sync an LDAP feed now (in the background); the run reports what changed."""
    actor = actor_of(request)
    return Status(202, services.sync_request(actor=actor, feed=selectors.feed(actor, feed_id), data=payload))


@router.post(
    "/directory/feeds/{feed_id}/upload",
    response={202: RunOut, **ERRORS},
    operation_id="directory_feed_upload",
)
def feed_upload(
    request: HttpRequest, feed_id: int, file: File[UploadedFile], payload: Form[SyncIn]
) -> Status:
    """Upload a file feed's CSV or .xlsx (header row; columns as the feed's map names them)."""
    actor = actor_of(request)
    feed = selectors.feed(actor, feed_id)
    content = file.read(sources.MAX_FILE_BYTES + 1)
    if len(content) > sources.MAX_FILE_BYTES:
        raise ValidationFailed(
            "The file is too large", field_errors={"file": "The file must be smaller than 20 MB"}
        )
    return Status(
        202,
        services.sync_request(
            actor=actor, feed=feed, data=payload, upload=(content, file.name or "upload.csv")
        ),
    )


@router.get("/directory/syncs", response={200: list[RunOut], **ERRORS}, operation_id="directory_syncs")
def syncs(request: HttpRequest) -> list[SyncRun]:
    return list(selectors.runs(actor_of(request))[:100])


@router.get("/directory/syncs/{run_id}", response={200: RunOut, **ERRORS}, operation_id="directory_sync")
def sync(request: HttpRequest, run_id: int) -> SyncRun:
    return selectors.run(actor_of(request), run_id)


@router.get(
    "/directory/conflicts", response={200: list[ConflictOut], **ERRORS}, operation_id="directory_conflicts"
)
def conflicts(request: HttpRequest) -> list[Any]:
    return list(selectors.conflicts(actor_of(request))[:200])


@router.post(
    "/directory/conflicts/{conflict_id}/resolve",
    response={200: ConflictOut, **ERRORS},
    operation_id="directory_conflict_resolve",
)
def conflict_resolve(request: HttpRequest, conflict_id: int) -> object:
    return services.conflict_resolve(actor=actor_of(request), conflict_id=conflict_id)
