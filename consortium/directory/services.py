"""Every change in the directory: one function per action, in a transaction, checking the
actor, writing the audit trail (counts, never the people's details)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Sum

from consortium.audit.services import audit_record
from consortium.core.dates import now
from consortium.core.errors import NotFound, ValidationFailed
from consortium.core.files import csv_text
from consortium.core.sealed import seal
from consortium.directory import records, selectors, sources
from consortium.directory.constants import (
    DEFAULT_FILE_MAP,
    DEFAULT_LDAP_MAP,
    VISIBILITY_FIELDS,
    FeedKind,
    SendMode,
    SendStatus,
    SyncMode,
    SyncStatus,
    Visibility,
)
from consortium.directory.models import Conflict, Entry, Feed, GroupEmail, NameWord, Policy, Selected, SyncRun
from consortium.directory.schemas import EmailIn, FeedIn, PolicyIn, SyncIn
from consortium.directory.similarity import fold
from consortium.organisations.acting import Actor
from consortium.organisations.constants import OrganisationKind
from consortium.organisations.models import Organisation, Person
from consortium.organisations.permissions import Permission

logger = logging.getLogger(__name__)
MAX_SELECTION = 500


def _settings(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- feeds ------------------------------------------------------------------------------------


def _check_feed(data: FeedIn) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.kind == FeedKind.LDAP:
        url = data.server_url.strip().lower()
        if not url.startswith(("ldap://", "ldaps://")) or len(url) < 10:
            errors["server_url"] = "Enter the server address, like ldaps://ldap.example.gov.uk"
        if not data.base_dn.strip():
            errors["base_dn"] = "Enter the base DN to search under, like ou=People,dc=example,dc=gov,dc=uk"
        f = data.search_filter.strip()
        if not (f.startswith("(") and f.endswith(")") and f.count("(") == f.count(")")):
            errors["search_filter"] = "Enter an LDAP filter in brackets, like (objectClass=person)"
    return errors


@transaction.atomic
def feed_save(*, actor: Actor, data: FeedIn, feed: Feed | None = None) -> Feed:
    selectors.require(actor, Permission.DIRECTORY_ADMIN)
    errors = _check_feed(data)
    org = Organisation.objects.filter(id=data.organisation_id).first()
    if org is None or org.kind == OrganisationKind.SUPPLIER:
        errors["organisation_id"] = "Choose a partner organisation"
    if errors:
        raise ValidationFailed("Check the feed's details", field_errors=errors)
    assert org is not None
    mapping = data.attribute_map or dict(DEFAULT_LDAP_MAP if data.kind == FeedKind.LDAP else DEFAULT_FILE_MAP)
    if not mapping.get("given_name") or not mapping.get("family_name"):
        raise ValidationFailed(
            "Map the names", field_errors={"attribute_map": "Map both the given name and the family name"}
        )
    creating = feed is None
    if feed is None:
        feed = Feed(kind=data.kind)
    elif feed.kind != data.kind:
        raise ValidationFailed("A feed keeps its kind", field_errors={"kind": "A feed's kind cannot change"})
    if feed.pk and feed.organisation_id != org.id and feed.entries.exists():
        raise ValidationFailed(
            "The feed has entries",
            field_errors={"organisation_id": "A feed with entries keeps its organisation"},
        )
    feed.organisation = org
    for name in ("name", "server_url", "security", "bind_dn", "base_dn", "search_filter", "page_size"):
        setattr(
            feed,
            name,
            getattr(data, name).strip() if isinstance(getattr(data, name), str) else getattr(data, name),
        )
    feed.attribute_map = mapping
    feed.schedule = data.schedule
    feed.max_archive_percent = data.max_archive_percent
    feed.active = data.active
    if data.password:
        feed.sealed_password = seal(data.password)
    feed.save()
    audit_record(
        actor=actor,
        action="directory.feed_created" if creating else "directory.feed_changed",
        obj=feed,
        organisation=org,
        changes={"kind": feed.kind, "server_url": feed.server_url, "password_changed": bool(data.password)},
    )
    return feed


def feed_test(*, actor: Actor, feed: Feed) -> str:
    """Connect and bind as the feed would, and say how it went in plain words."""
    selectors.require(actor, Permission.DIRECTORY_ADMIN)
    if feed.kind != FeedKind.LDAP:
        raise ValidationFailed("Only an LDAP feed connects to a server")
    try:
        conn = sources.connect(feed)
    except sources.SourceError as e:
        raise ValidationFailed(str(e)) from None
    conn.unbind()
    return "Connected to the directory server and signed in with the bind DN."


# --- syncs ------------------------------------------------------------------------------------


@transaction.atomic
def sync_request(
    *,
    actor: Actor | None,
    feed: Feed,
    data: SyncIn,
    trigger: str = "manual",
    upload: tuple[bytes, str] | None = None,
) -> SyncRun:
    """Queue a sync (an LDAP read, or an uploaded file); the background task applies it."""
    if actor is not None:
        selectors.require(actor, Permission.DIRECTORY_ADMIN)
    if not feed.active:
        raise ValidationFailed("The feed is switched off: switch it on to sync it")
    if feed.kind == FeedKind.FILE and upload is None:
        raise ValidationFailed(
            "Choose a file", field_errors={"file": "Choose the CSV or .xlsx file to upload"}
        )
    if feed.kind == FeedKind.LDAP and upload is not None:
        raise ValidationFailed("This feed reads its LDAP directory: it takes no file")
    if upload is not None:
        content, _name = upload
        if len(content) > sources.MAX_FILE_BYTES:
            raise ValidationFailed(
                "The file is too large", field_errors={"file": "The file must be smaller than 20 MB"}
            )
        if not content:
            raise ValidationFailed("The file is empty", field_errors={"file": "The chosen file is empty"})
    busy = feed.runs.filter(status__in=[SyncStatus.QUEUED, SyncStatus.RUNNING]).exists()
    if busy:
        raise ValidationFailed("A sync of this feed is already queued or running: wait for it to finish")
    run = SyncRun.objects.create(
        feed=feed,
        started_by=actor.person if actor else None,
        trigger="upload" if upload else trigger,
        mode=data.mode,
        allow_mass_archive=data.allow_mass_archive,
        file_name=(upload[1][:200] if upload else ""),
        file_content=(upload[0] if upload else None),
    )
    audit_record(
        actor=actor,
        action="directory.sync_queued",
        obj=run,
        organisation=feed.organisation,
        changes={"feed": feed.id, "mode": data.mode, "file": run.file_name},
    )
    from consortium.directory.tasks import sync_feed

    run_id = run.id
    transaction.on_commit(lambda: sync_feed.enqueue(run_id=run_id))
    return run


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _finish(run: SyncRun, status: str, **fields: Any) -> SyncRun:
    for k, v in fields.items():
        setattr(run, k, v)
    run.status = status
    run.finished_at = now()
    run.file_content = None  # the upload has been read: do not keep people's details twice
    run.save()
    return run


def sync_run(run_id: int) -> SyncRun:
    """Read the feed, check every row, and apply the differences in one transaction. A
    source that cannot be read, or (all or nothing) any bad row, changes nothing."""
    claimed = SyncRun.objects.filter(id=run_id, status=SyncStatus.QUEUED).update(status=SyncStatus.RUNNING)
    run = SyncRun.objects.select_related("feed", "feed__organisation").get(id=run_id)
    if not claimed:
        return run  # already run (a retried task) or being run
    feed = run.feed
    try:
        if feed.kind == FeedKind.FILE:
            got = sources.read_file(bytes(run.file_content or b""), run.file_name, feed.attribute_map)
            raws, columns = got.rows, got.columns
        else:
            raws = list(sources.read_ldap(feed))
            columns = sources.ldap_columns(feed)
    except sources.SourceError as e:
        return _finish(run, SyncStatus.FAILED, error=str(e))
    except Exception as e:
        logger.exception("Directory sync %s failed", run_id)
        return _finish(
            run, SyncStatus.FAILED, error=f"The sync stopped with an unexpected error ({type(e).__name__})"
        )
    run.rows_read = len(raws)
    try:
        return _apply(run, feed, raws, columns)
    except _Refused as r:
        return _finish(run, SyncStatus.REFUSED, error=r.message)


def _apply(run: SyncRun, feed: Feed, raws: list[sources.Raw], columns: dict[str, str]) -> SyncRun:
    people: list[records.Person] = []
    problems: list[records.Problem] = []
    held_keys: set[str] = set()  # people in the source we could not take: not leavers
    seen_keys: dict[str, str] = {}
    # The feed's entries, read once: (external id, id, source digest, archived at, e-mail).
    # Records the source gives exactly as last time are not checked again (a re-sync of
    # 50,000 people with 1% changed reads 500 closely). A feed syncs one run at a time
    # (sync_request refuses a second), so nothing changes these rows meanwhile.
    existing = {
        row[0]: row
        for row in Entry.objects.filter(feed=feed).values_list(
            "external_id", "id", "source_hash", "archived_at", "email"
        )
    }
    unchanged: dict[str, tuple[str, str]] = {}  # key -> (where, e-mail)
    for where, raw, external in raws:
        digest = records.raw_digest(raw)
        key = records.source_key(raw, external)
        last = existing.get(key)
        if last is not None and last[2] == digest and last[3] is None and key not in seen_keys:
            seen_keys[key] = where
            unchanged[key] = (where, last[4])
            continue
        checked = records.check(raw, where=where, columns=columns, external_id=external)
        if isinstance(checked, list):
            problems.extend(checked)
            key = external or (raw.get("external_id") or [""])[0] or (raw.get("email") or [""])[0].lower()
            if key:
                held_keys.add(key)
            continue
        if checked.external_id in seen_keys:
            problems.append(
                records.Problem(
                    where,
                    columns.get("external_id", "id"),
                    f"has the same id as {seen_keys[checked.external_id]}",
                )
            )
            continue
        seen_keys[checked.external_id] = where
        checked.source_digest = digest
        people.append(checked)
    refused_rows = len({p.row for p in problems})
    if problems and run.mode == SyncMode.ALL_OR_NOTHING:
        return _finish(
            run,
            SyncStatus.REFUSED,
            refused=refused_rows,
            problems=[p.as_dict() for p in problems[:1000]],
            error=f"{refused_rows} row(s) are wrong, so nothing was changed. Correct them, or sync again "
            "choosing to apply the valid rows.",
        )
    # The same e-mail twice in this source, or already held by another feed's active entry.
    conflicts: list[tuple[records.Person, Entry | None, str]] = []
    by_email: dict[str, str] = {email: where for where, email in unchanged.values() if email}
    taken = {
        e.email: e
        for e in Entry.objects.select_related("feed")
        .filter(email__in=[p.email for p in people if p.email], archived_at__isnull=True)
        .exclude(feed=feed)
    }
    kept: list[records.Person] = []
    for p in people:
        if p.email and p.email in by_email:
            conflicts.append((p, None, f"{p.where} has the same e-mail as {by_email[p.email]}"))
            held_keys.add(p.external_id)
            continue
        if p.email and p.email in taken:
            other = taken[p.email]
            conflicts.append(
                (
                    p,
                    other,
                    f"{p.where} has the e-mail of {other.display_name} from the feed “{other.feed.name}”",
                )
            )
            held_keys.add(p.external_id)
            continue
        if p.email:
            by_email[p.email] = p.where
        kept.append(p)
    with transaction.atomic():
        stamp = now()
        to_add = [p for p in kept if p.external_id not in existing]
        to_change = [
            p
            for p in kept
            if p.external_id in existing
            and (existing[p.external_id][2] != p.digest() or existing[p.external_id][3] is not None)
        ]
        same = len(unchanged) + len(kept) - len(to_add) - len(to_change)
        present = {p.external_id for p in kept} | held_keys | set(unchanged)
        leavers = [row[1] for key, row in existing.items() if key not in present and row[3] is None]
        active = sum(1 for row in existing.values() if row[3] is None)
        if active and leavers and not run.allow_mass_archive:
            share = 100 * len(leavers) / active
            if share > feed.max_archive_percent:
                raise _Refused(
                    f"{len(leavers):,} of {active:,} people ({share:.0f}%) would be archived as leavers, more than "
                    f"this feed's limit of {feed.max_archive_percent}%. If they have left, sync again allowing "
                    "many leavers; otherwise check the feed's filter and base."
                )
        Entry.objects.bulk_create(
            [
                Entry(
                    feed=feed,
                    organisation_id=feed.organisation_id,
                    external_id=p.external_id,
                    source_hash=p.digest(),
                    **p.values(),  # type: ignore[arg-type]
                    **records.search_columns(p.values()),
                )
                for p in to_add
            ],
            batch_size=1000,
        )
        _update_rows(
            [
                (
                    existing[p.external_id][1],
                    {
                        **p.values(),
                        **records.search_columns(p.values()),
                        "source_hash": p.digest(),
                        "archived_at": None,
                        "updated_at": stamp,
                    },
                )
                for p in to_change
            ]
        )
        if leavers:
            for start in range(0, len(leavers), 500):
                Entry.objects.filter(id__in=leavers[start : start + 500]).update(
                    archived_at=stamp, updated_at=stamp
                )
            # A leaver leaves every selection too.
            for start in range(0, len(leavers), 500):
                Selected.objects.filter(entry_id__in=leavers[start : start + 500]).delete()
        if to_add or to_change or leavers:
            # Who manages whom changes only with the entries themselves.
            _link_managers(feed)
        remember_names(kept)
        # Conflicts: keep those still there, close those gone, open new ones.
        open_rows = {
            (c.email, c.external_id): c for c in Conflict.objects.filter(feed=feed, resolved_at__isnull=True)
        }
        still: set[tuple[str, str]] = set()
        new_rows = []
        for p, clash, detail in conflicts:
            k = (p.email, p.external_id)
            still.add(k)
            if k not in open_rows:
                new_rows.append(
                    Conflict(
                        email=p.email,
                        feed=feed,
                        external_id=p.external_id[:500],
                        existing=clash,
                        run=run,
                        detail=detail[:500],
                    )
                )
        Conflict.objects.bulk_create(new_rows)
        gone = [c.id for k, c in open_rows.items() if k not in still]
        Conflict.objects.filter(id__in=gone).update(resolved_at=stamp)
        feed.last_synced_at = stamp
        feed.save(update_fields=["last_synced_at"])
        audit_record(
            actor=None,
            action="directory.synced",
            obj=run,
            organisation=feed.organisation,
            changes={
                "feed": feed.id,
                "added": len(to_add),
                "changed": len(to_change),
                "archived": len(leavers),
                "refused": refused_rows,
                "conflicts": len(conflicts),
                "started_by": run.started_by_id,
            },
        )
        return _finish(
            run,
            SyncStatus.APPLIED,
            added=len(to_add),
            changed=len(to_change),
            unchanged=same,
            archived=len(leavers),
            refused=refused_rows,
            conflicts=len(conflicts),
            problems=[p.as_dict() for p in problems[:1000]],
        )


_UPDATED = [
    "given_name",
    "family_name",
    "preferred_name",
    "email",
    "phones",
    "job_title",
    "department",
    "team",
    "job_function",
    "service_types",
    "location",
    "manager_ref",
    "name_text",
    "phone_digits",
    "other_text",
    "service_text",
    "source_hash",
    "archived_at",
    "updated_at",
]


def _update_rows(rows: list[tuple[int, dict[str, Any]]]) -> None:
    """UPDATE many entries, one statement executed many times (pipelined by psycopg)."""
    if not rows:
        return
    meta = Entry._meta
    qn = connection.ops.quote_name
    fields: list[Any] = [meta.get_field(n) for n in _UPDATED]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    # Names come from the model's own metadata; every value is a parameter.
    sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE id = %s"  # noqa: S608
    params = [[f.get_db_prep_save(values[f.name], connection) for f in fields] + [pk] for pk, values in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def remember_names(people: Iterable[records.Person]) -> None:
    """Add the words of these people's names to the name vocabulary (selectors.name_words)."""
    seen: set[str] = set()
    for p in people:
        seen.update(fold(f"{p.given_name} {p.preferred_name} {p.family_name}").split())
    seen = {w for w in seen if len(w) <= 100}
    known = set()
    ordered = sorted(seen)
    for start in range(0, len(ordered), 1000):
        known |= set(
            NameWord.objects.filter(word__in=ordered[start : start + 1000]).values_list("word", flat=True)
        )
    NameWord.objects.bulk_create([NameWord(word=w) for w in ordered if w not in known], ignore_conflicts=True)


def _link_managers(feed: Feed) -> None:
    """Point each entry at its manager: the entry whose id (an LDAP DN) or e-mail the source gave."""
    rows = list(
        Entry.objects.filter(feed=feed).values_list("id", "external_id", "email", "manager_ref", "manager_id")
    )
    by_key: dict[str, int] = {}
    for pk, ext, email, _ref, _m in rows:
        by_key[ext.lower()] = pk
        if email:
            by_key.setdefault(email, pk)
    changes = []
    for pk, _ext, _email, ref, current in rows:
        wanted = by_key.get(ref.lower()) if ref else None
        if wanted == pk:
            wanted = None
        if wanted != current:
            changes.append([wanted, pk])
    if changes:
        table = connection.ops.quote_name(Entry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET manager_id = %s WHERE id = %s", changes)  # noqa: S608


def conflict_resolve(*, actor: Actor, conflict_id: int) -> Conflict:
    """Mark a conflict dealt with (the source was corrected, or the admins chose to leave it)."""
    with transaction.atomic():
        found = selectors.conflicts(actor).select_for_update(of=("self",)).filter(id=conflict_id).first()
        if found is None:
            raise NotFound("There is no such open conflict.")
        c = found
        c.resolved_at = now()
        c.save(update_fields=["resolved_at"])
        audit_record(
            actor=actor, action="directory.conflict_resolved", obj=c, organisation=c.feed.organisation
        )
        return c


def due_feeds(at: dt.datetime | None = None) -> list[Feed]:
    """Scheduled LDAP feeds whose last sync is older than their schedule."""
    at = at or now()
    due = []
    for f in Feed.objects.filter(active=True, kind=FeedKind.LDAP).exclude(schedule="off"):
        gap = dt.timedelta(hours=1) if f.schedule == "hourly" else dt.timedelta(days=1)
        if f.last_synced_at is None or at - f.last_synced_at >= gap - dt.timedelta(minutes=5):
            due.append(f)
    return due


# --- visibility -------------------------------------------------------------------------------


@transaction.atomic
def policy_set(*, actor: Actor, organisation_id: int, data: PolicyIn) -> Policy:
    current = selectors.policy(actor, organisation_id)
    levels = {f: str(data.levels.get(f, current[f])) for f in VISIBILITY_FIELDS}  # type: ignore[call-overload]
    policy, _ = Policy.objects.select_for_update().get_or_create(organisation_id=organisation_id)
    changed = {f: [current[f], levels[f]] for f in VISIBILITY_FIELDS if current[f] != levels[f]}
    policy.levels = levels
    policy.save()
    audit_record(
        actor=actor,
        action="directory.visibility_set",
        obj=policy,
        organisation=policy.organisation,
        changes=changed,
    )
    if changed and actor.organisation.id != organisation_id:
        _tell_agency(policy.organisation, actor, changed)
    return policy


def _tell_agency(organisation: Organisation, actor: Actor, changed: dict[str, list[str]]) -> None:
    """An agency's partner officers hear at once when someone outside it changes who sees its
    people's details (the consortium's admins may; the agency should know)."""
    from consortium.core.email import send_email_on_commit
    from consortium.organisations.constants import Role
    from consortium.organisations.selectors import notification_emails

    labels = dict(Visibility.choices)
    lines = "\n".join(
        f"- {VISIBILITY_FIELDS[f]}: {labels.get(old, old)} → {labels.get(new, new)}"
        for f, (old, new) in changed.items()
    )
    for address in notification_emails([organisation.pk], [Role.PARTNER_OFFICER]):
        send_email_on_commit(
            to=address,
            subject=f"Who sees {organisation.name}'s people in the directory has changed",
            body=(
                f"{actor.person.full_name} ({actor.person.email}, {actor.organisation.name}) changed who may see "
                f"{organisation.name}'s people in the joined-up directory:\n\n{lines}\n\nIf this is not what "
                "your organisation wants, change it back under Directory → Who sees what, and tell the consortium.\n"
            ),
        )


# --- selection --------------------------------------------------------------------------------


@transaction.atomic
def select(*, actor: Actor, entry_ids: Iterable[int]) -> int:
    """Add people the actor can see to their selection; the selection's size is returned."""
    selectors.require(actor, Permission.DIRECTORY_SELECT)
    wanted = set(entry_ids)
    visible = set(selectors.visible_entries(actor).filter(id__in=wanted).values_list("id", flat=True))
    if wanted - visible:
        raise NotFound("Some of those people are not in the directory.")
    have = set(Selected.objects.filter(person=actor.person).values_list("entry_id", flat=True))
    new = visible - have
    if len(have) + len(new) > MAX_SELECTION:
        raise ValidationFailed(
            f"A selection holds at most {MAX_SELECTION} people: e-mail or export these first"
        )
    Selected.objects.bulk_create(
        [Selected(person=actor.person, entry_id=i) for i in sorted(new)], ignore_conflicts=True
    )
    return len(have) + len(new)


@transaction.atomic
def unselect(*, actor: Actor, entry_ids: Iterable[int] | None = None) -> int:
    """Take people out of the selection (all of them when no ids are given)."""
    selectors.require(actor, Permission.DIRECTORY_SELECT)
    qs = Selected.objects.filter(person=actor.person)
    if entry_ids is not None:
        qs.filter(entry_id__in=list(entry_ids)).delete()
    else:
        qs.delete()
    return Selected.objects.filter(person=actor.person).count()


# --- export -----------------------------------------------------------------------------------


def _audit_export(actor: Actor, kind: str, count: int) -> None:
    audit_record(
        actor=actor,
        action=f"directory.exported_{kind}",
        obj=actor.person,
        organisation=actor.organisation,
        changes={"people": count},
    )


@transaction.atomic
def export_csv(*, actor: Actor) -> str:
    rows = selectors.selection(actor)
    _audit_export(actor, "csv", len(rows))
    header = [
        "Given name", "Family name", "Preferred name", "Organisation", "Department", "Team", "Job title",
        "Job function", "Service types", "E-mail", "Telephone", "Location",
    ]  # fmt: skip
    return csv_text(
        header,
        (
            [
                r["given_name"],
                r["family_name"],
                r["preferred_name"],
                r["organisation"],
                r["department"] or "",
                r["team"] or "",
                r["job_title"] or "",
                r["job_function"] or "",
                "; ".join(r["service_types"] or []),
                r["email"] or "",
                "; ".join(p["shown"] for p in (r["phones"] or [])),
                r["location"] or "",
            ]
            for r in rows
        ),
    )


def _v(text: str) -> str:
    """A vCard text value, escaped (RFC 6350 §3.4)."""
    return (
        text.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 6350 §3.2)."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode()) > 75:
            out.append(current)
            current = " " + ch
        else:
            current += ch
    out.append(current)
    return "\r\n".join(out)


@transaction.atomic
def export_vcard(*, actor: Actor) -> str:
    rows = selectors.selection(actor)
    _audit_export(actor, "vcard", len(rows))
    cards = []
    for r in rows:
        lines = [
            "BEGIN:VCARD",
            "VERSION:4.0",
            f"FN:{_v(r['name'])}",
            f"N:{_v(r['family_name'])};{_v(r['given_name'])};;;",
        ]
        if r["preferred_name"]:
            lines.append(f"NICKNAME:{_v(r['preferred_name'])}")
        org = [_v(r["organisation"])] + [_v(x) for x in (r["department"], r["team"]) if x]
        lines.append("ORG:" + ";".join(org))
        if r["job_title"]:
            lines.append(f"TITLE:{_v(r['job_title'])}")
        if r["email"]:
            lines.append(f"EMAIL;TYPE=work:{_v(r['email'])}")
        for p in r["phones"] or []:
            lines.append(f"TEL;TYPE=work,voice;VALUE=uri:tel:{p['number']}")
        if r["location"]:
            lines.append(f"NOTE:{_v('Location: ' + r['location'])}")
        lines.append("END:VCARD")
        cards.append("\r\n".join(_fold(line) for line in lines))
    return "\r\n".join(cards) + ("\r\n" if cards else "")


# --- group e-mail -----------------------------------------------------------------------------


def recipients_of(actor: Actor) -> tuple[list[int], int]:
    """(ids of the selected people the actor may e-mail, how many selected have no e-mail the
    actor may see): group e-mail reaches only addresses the actor could read."""
    rows = selectors.selection(actor)
    ids = [r["id"] for r in rows if r["email"]]
    return ids, len(rows) - len(ids)


def email_limits(actor: Actor) -> tuple[int, int, int]:
    """(most recipients in one message, the daily limit, recipients already used today)."""
    since = now() - dt.timedelta(hours=24)
    used = (
        GroupEmail.objects.filter(sender=actor.person, created_at__gte=since).aggregate(n=Sum("total"))["n"]
        or 0
    )
    return (
        _settings("DIRECTORY_EMAIL_MAX_RECIPIENTS", 250),
        _settings("DIRECTORY_EMAIL_DAILY_LIMIT", 500),
        int(used),
    )


@transaction.atomic
def email_create(*, actor: Actor, data: EmailIn) -> GroupEmail:
    selectors.require(actor, Permission.DIRECTORY_SELECT)
    # One sender at a time: the daily count is read and raised under the person's lock.
    Person.objects.select_for_update().filter(pk=actor.person.pk).first()
    ids, skipped = recipients_of(actor)
    if not ids:
        raise ValidationFailed("Select people whose e-mail you can see before writing to them")
    most, daily, used = email_limits(actor)
    if len(ids) > most:
        raise ValidationFailed(
            f"One message may go to at most {most} people; {len(ids)} are selected. Take some out of the selection."
        )
    if used + len(ids) > daily:
        raise ValidationFailed(
            f"You may e-mail at most {daily} people in 24 hours; you have e-mailed {used}, so {max(0, daily - used)} "
            "more are left."
        )
    msg = GroupEmail.objects.create(
        sender=actor.person,
        organisation=actor.organisation,
        subject=data.subject,
        body=data.body,
        mode=data.mode,
        recipients=ids,
        total=len(ids),
        skipped=0,
    )
    audit_record(
        actor=actor,
        action="directory.group_email",
        obj=msg,
        organisation=actor.organisation,
        changes={"recipients": len(ids), "without_visible_email": skipped, "mode": data.mode},
    )
    from consortium.directory.tasks import send_group_email

    msg_id = msg.id
    transaction.on_commit(lambda: send_group_email.enqueue(email_id=msg_id))
    return msg


def email_send(email_id: int) -> GroupEmail:
    """Send a group e-mail in batches, recording progress after each so a retried task goes
    on where it stopped rather than sending twice."""
    msg = GroupEmail.objects.select_related("sender", "organisation").get(id=email_id)
    if msg.status in (SendStatus.SENT, SendStatus.FAILED):
        return msg
    GroupEmail.objects.filter(id=email_id).update(status=SendStatus.SENDING)
    batch = max(1, _settings("DIRECTORY_EMAIL_BATCH", 50))
    footer = (
        f"\n\n--\nSent by {msg.sender.full_name} ({msg.organisation.name}) to people chosen from the "
        "Consortium joined-up directory. Reply to write to them."
    )
    ids = list(msg.recipients)
    done = msg.sent + msg.skipped
    try:
        with get_connection() as conn:
            while done < len(ids):
                chunk = ids[done : done + batch]
                addresses = dict(
                    Entry.objects.filter(id__in=chunk, archived_at__isnull=True)
                    .exclude(email="")
                    .values_list("id", "email")
                )
                to = [addresses[i] for i in chunk if i in addresses]
                if msg.mode == SendMode.BCC:
                    messages = (
                        [
                            EmailMessage(
                                msg.subject,
                                msg.body + footer,
                                settings.DEFAULT_FROM_EMAIL,
                                [msg.sender.email],
                                bcc=to,
                                reply_to=[msg.sender.email],
                            )
                        ]
                        if to
                        else []
                    )
                else:
                    messages = [
                        EmailMessage(
                            msg.subject,
                            msg.body + footer,
                            settings.DEFAULT_FROM_EMAIL,
                            [a],
                            reply_to=[msg.sender.email],
                        )
                        for a in to
                    ]
                conn.send_messages(messages)
                done += len(chunk)
                GroupEmail.objects.filter(id=email_id).update(
                    sent=msg.sent + len(to), skipped=msg.skipped + (len(chunk) - len(to))
                )
                msg.sent += len(to)
                msg.skipped += len(chunk) - len(to)
    except Exception as e:
        logger.exception("Group e-mail %s stopped", email_id)
        GroupEmail.objects.filter(id=email_id).update(
            status=SendStatus.FAILED,
            error=f"The mail server refused or failed ({type(e).__name__})",
            finished_at=now(),
        )
        msg.refresh_from_db()
        return msg
    GroupEmail.objects.filter(id=email_id).update(status=SendStatus.SENT, finished_at=now())
    msg.refresh_from_db()
    return msg
