"""Reads of the directory, always for an actor and always through each agency's visibility
rules: a field an agency hides from the actor is neither shown, nor searched, nor sorted
on, nor filtered by — so no query, order or count can reveal it by differencing."""

from __future__ import annotations

import contextlib
import functools
import operator
import re
from dataclasses import dataclass
from typing import Any, Literal

from django.db import connection
from django.db.models import Case, Count, F, FloatField, Func, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from consortium.core.errors import NotFound, PermissionDenied
from consortium.directory import numbers
from consortium.directory.constants import (
    DEFAULT_VISIBILITY,
    VISIBILITY_FIELDS,
    JobFunction,
    Visibility,
)
from consortium.directory.models import Conflict, Entry, Feed, GroupEmail, NameWord, Policy, Selected, SyncRun
from consortium.directory.names import synonyms
from consortium.directory.schemas import SearchIn
from consortium.directory.similarity import WORD_THRESHOLD, fold, vocabulary_match_query, word_similarity
from consortium.organisations.acting import Actor
from consortium.organisations.constants import OrganisationKind
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission

# Points for each way a result matches (stated in docs/directory.md): exact e-mail and
# telephone first, then names, then the other fields.
WEIGHTS = {
    "email": 1000,
    "phone_exact": 900,
    "phone_fragment": 500,
    "name_exact": 300,
    "name_synonym": 250,
    "name_start": 200,
    "name_similar": 150,  # × word similarity (0.3 to 1)
    "job_title": 60,
    "department": 50,
    "service_types": 40,
    "job_function": 30,
    "location": 15,
}
MAX_TOKENS = 5
_PHONEISH = re.compile(r"^[+\d][\d\s().\-]*$")


def require(actor: Actor, permission: Permission) -> None:
    if not actor.has(permission):
        raise PermissionDenied("You do not have permission to do that in the directory.")


# --- visibility -------------------------------------------------------------------------------


def is_partner(organisation: Organisation) -> bool:
    """Public bodies and the consortium are partners; suppliers are only "signed in"."""
    return organisation.kind != OrganisationKind.SUPPLIER


def admits(level: str, *, viewer_org: int, entry_org: int, viewer_is_partner: bool) -> bool:
    if level == Visibility.SIGNED_IN:
        return True
    if level == Visibility.PARTNERS:
        return viewer_is_partner or viewer_org == entry_org
    return viewer_org == entry_org


def levels_of(organisation_ids: set[int] | None = None) -> dict[int, dict[str, str]]:
    """Each agency's level per field (defaults filled in)."""
    if organisation_ids is None:
        organisation_ids = set(Feed.objects.values_list("organisation_id", flat=True))
    stored = {
        p.organisation_id: p.levels for p in Policy.objects.filter(organisation_id__in=organisation_ids)
    }
    out: dict[int, dict[str, str]] = {}
    for org_id in organisation_ids:
        levels = stored.get(org_id) or {}
        out[org_id] = {f: str(levels.get(f, DEFAULT_VISIBILITY)) for f in VISIBILITY_FIELDS}
    return out


@dataclass(frozen=True)
class Sight:
    """What one actor may see: for each field, the agencies whose field they see."""

    orgs: dict[str, frozenset[int]]
    is_admin: bool

    def sees(self, field: str, organisation_id: int) -> bool:
        return organisation_id in self.orgs[field]


def sight(actor: Actor) -> Sight:
    require(actor, Permission.DIRECTORY_SEARCH)
    partner = is_partner(actor.organisation)
    levels = levels_of()
    orgs = {
        field: frozenset(
            org_id
            for org_id, lv in levels.items()
            if admits(
                lv[field], viewer_org=actor.organisation.id, entry_org=org_id, viewer_is_partner=partner
            )
        )
        for field in VISIBILITY_FIELDS
    }
    # A field is only seen on an entry that is seen at all.
    orgs = {f: ids & orgs["name"] for f, ids in orgs.items()}
    return Sight(orgs=orgs, is_admin=actor.has(Permission.DIRECTORY_ADMIN))


def _in(field: str, s: Sight) -> Q:
    return Q(organisation_id__in=sorted(s.orgs[field]))


def visible_entries(actor: Actor, s: Sight | None = None, *, archived: bool = False) -> QuerySet[Entry]:
    s = s or sight(actor)
    qs = Entry.objects.filter(_in("name", s))
    if not (archived and s.is_admin):
        qs = qs.filter(archived_at__isnull=True)
    return qs


# --- search -----------------------------------------------------------------------------------


_FTS_SQL = {
    "entries": "SELECT rowid FROM directory_entry_fts WHERE directory_entry_fts MATCH %s",
    "names": "SELECT rowid FROM directory_nameword_fts WHERE directory_nameword_fts MATCH %s",
}


def _fts(match: str, index: Literal["entries", "names"] = "entries") -> Q:
    """Rows whose FTS5 (trigram) index matches: SQLite's stand-in for pg_trgm's GIN index."""
    # The statement is one of two constants; the match text is a parameter.
    return Q(id__in=RawSQL(_FTS_SQL[index], [match]))  # noqa: S611


def _other_text(text: str) -> Q:
    """Entries whose other fields hold `text`, as the trigram index narrows them first:
    other_text holds job title, department, team, service types, function and location."""
    folded = fold(text)
    q = Q(other_text__contains=folded)
    if connection.vendor == "sqlite" and len(folded) >= 3:
        q &= _fts(f"other_text : {_phrase(folded)}")
    return q


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


MAX_NAME_WORDS = 40


def name_words(token: str) -> dict[str, float]:
    """The name words a search word stands for, with their points: itself, its other forms
    (Bob → robert, rob …), names starting with it, and names like it (a typo) — found in the
    name vocabulary, a few thousand words, not by comparing every entry."""
    found: dict[str, float] = {}
    forms = synonyms(token)
    for w in NameWord.objects.filter(word__in=[token, *sorted(forms)]).values_list("word", flat=True):
        found[w] = WEIGHTS["name_exact"] if w == token else WEIGHTS["name_synonym"]
    for w in (
        NameWord.objects.filter(word__startswith=token).order_by("word").values_list("word", flat=True)[:20]
    ):
        found.setdefault(w, WEIGHTS["name_start"])
    if len(token) >= 3:
        if connection.vendor == "postgresql":
            similar = list(
                NameWord.objects.filter(word__word_similar=token)
                .annotate(
                    sim=Func(
                        Value(token), F("word"), function="strict_word_similarity", output_field=FloatField()
                    )
                )
                .order_by("-sim", "word")
                .values_list("word", "sim")[:MAX_NAME_WORDS]
            )
        else:
            match = vocabulary_match_query(token)
            candidates = NameWord.objects.filter(_fts(match, "names")).values_list("word", flat=True)
            scored = ((w, word_similarity(token, w)) for w in candidates)
            similar = sorted(((w, x) for w, x in scored if x >= WORD_THRESHOLD), key=lambda p: (-p[1], p[0]))
        for w, sim in similar[:MAX_NAME_WORDS]:
            found.setdefault(w, WEIGHTS["name_similar"] * float(sim))
    best = sorted(found.items(), key=lambda p: -p[1])[:MAX_NAME_WORDS]
    return dict(best)


def _token(token: str, s: Sight) -> tuple[Q, Any]:
    """(the condition one word of the search must meet, its points)."""
    pg = connection.vendor == "postgresql"
    words = name_words(token)
    name_q = Q()
    for w in words:
        name_q |= Q(name_text__contains=f" {w} ")
    if not words:
        name_q = Q(pk__in=[])
    field_qs = {
        "job_title": Q(job_title__icontains=token),
        "department": Q(department__icontains=token) | Q(team__icontains=token),
        "service_types": Q(service_text__contains=token),
        "job_function": Q(job_function__in=[v for v, label in JobFunction.choices if token in fold(label)]),
        "location": Q(location__icontains=token),
    }
    # Other fields are searched for words of three letters or more (a trigram index's reach),
    # and only when some entry has the word in one (an index probe): a name search then ranks
    # on names alone instead of testing each field of thousands of Smiths.
    long_enough = len(token) >= 3 and Entry.objects.filter(_other_text(token)).exists()
    other_q = Q(pk__in=[])
    if long_enough:
        other_q = Q()
        for field, q in field_qs.items():
            other_q |= q & _in(field, s)
        other_q &= Q(other_text__contains=token)
    if pg:
        condition = name_q | other_q
    else:
        parts = [f"name_text : {_phrase(' ' + w + ' ')}" for w in words]
        if long_enough:
            parts.append(f"other_text : {_phrase(token)}")
        condition = (
            (_fts(" OR ".join(f"({p})" for p in parts)) & (name_q | other_q)) if parts else Q(pk__in=[])
        )
    whens = [
        When(Q(name_text__contains=f" {w} "), then=Value(float(points)))
        for w, points in sorted(words.items(), key=lambda p: -p[1])
    ]
    score: Any = Case(*whens, default=Value(0.0), output_field=FloatField()) if whens else Value(0.0)
    if long_enough:
        for field, q in field_qs.items():
            score = score + Case(
                When(q & _in(field, s), then=Value(float(WEIGHTS[field]))),
                default=Value(0.0),
                output_field=FloatField(),
            )
    return condition, score


def _sort_key(field: str, s: Sight) -> Any:
    """A column to sort on, blank where the actor may not see it (so the order reveals nothing)."""
    return Case(When(_in(field, s), then=Lower(field)), default=Value(""))


@dataclass
class Results:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    per_page: int
    words: str  # the search as understood, echoed to the reader
    kind: str  # "email", "telephone", "words" or ""


def search(actor: Actor, params: SearchIn) -> Results:
    s = sight(actor)
    qs = visible_entries(actor, s, archived=params.archived)
    if params.organisation:
        qs = qs.filter(organisation_id=params.organisation)

    by_unit = False  # a department or team named: its index gives the page in name order
    if params.department.strip():
        wanted = params.department.strip().lower()
        units = [
            Q(**{f"{unit}__lower": wanted})
            for unit in ("department", "team")
            if Entry.objects.filter(**{f"{unit}__lower": wanted}).exists()
        ]
        if units:
            # A department or team by its name, as the list offers them. Most names are one
            # or the other; one that is both reads both indexes.
            qs = qs.filter(_in("department", s) & functools.reduce(operator.or_, units))
            by_unit = len(units) == 1
        else:
            qs = qs.filter(_in("department", s) & _other_text(wanted)).filter(
                Q(department__icontains=wanted) | Q(team__icontains=wanted)
            )
    if params.job_title.strip():
        qs = qs.filter(
            _in("job_title", s)
            & _other_text(params.job_title)
            & Q(job_title__icontains=params.job_title.strip())
        )
    if params.job_function:
        qs = qs.filter(_in("job_function", s) & Q(job_function=params.job_function))
    if params.service_type.strip():
        qs = qs.filter(
            _in("service_types", s)
            & _other_text(params.service_type)
            & Q(service_text__contains=f"|{fold(params.service_type)}|")
        )
    q = params.q.strip()
    kind = ""
    score: Any = Value(0)
    words_echo = ""
    if q:
        digits = numbers.query_digits(q)
        if "@" in q and " " not in q:
            kind, words_echo = "email", q.lower()
            qs = qs.filter(_in("email", s) & Q(email=q.lower()))
            score = Value(WEIGHTS["email"])
        elif _PHONEISH.match(q) and len(digits) >= 4:
            kind, words_echo = "telephone", q
            exact = ""
            with contextlib.suppress(ValueError):
                exact = numbers.search_digits(numbers.normalise(q)[0]).split()[0]
            qs = qs.filter(_in("phones", s) & Q(phone_digits__contains=digits))
            if connection.vendor == "sqlite" and len(digits) >= 3:
                qs = qs.filter(_fts(f"phone_digits : {_phrase(digits)}"))
            score = Case(
                When(
                    Q(phone_digits__contains=exact) if exact else Q(pk=None),
                    then=Value(WEIGHTS["phone_exact"]),
                ),
                default=Value(WEIGHTS["phone_fragment"]),
                output_field=IntegerField(),
            )
        else:
            tokens = [t for t in fold(q).split() if t][:MAX_TOKENS]
            kind, words_echo = ("words", " ".join(tokens)) if tokens else ("", "")
            total_score: Any = None
            for token in tokens:
                condition, token_score = _token(token, s)
                qs = qs.filter(condition)
                total_score = token_score if total_score is None else total_score + token_score
            if total_score is not None:
                score = total_score
    qs = qs.annotate(score=score)
    per_page = params.per_page
    sort = params.sort if (params.sort != "relevance" or q) else "name"
    names: list[Any] = [Lower("family_name"), Lower("given_name"), F("id")]
    if sort == "relevance":
        order: list[Any] = [F("score").desc(), *(n.asc() for n in names)]
    else:
        first = {"name": [], "organisation": [Lower("organisation__name")]}.get(
            sort, [_sort_key(sort, s)] if s.orgs.get(sort) else []
        )
        keys = [*first, *names]
        order = [k.desc() if params.descending else k.asc() for k in keys]

    def rows(found: list[tuple[int, float]]) -> list[Entry]:
        by_id = Entry.objects.select_related("organisation").in_bulk([i for i, _ in found])
        for i, points in found:
            if i in by_id:
                by_id[i].score = points  # type: ignore[attr-defined]
        return [by_id[i] for i, _ in found if i in by_id]

    def window(page: int) -> tuple[list[Entry], int]:
        # One narrow query gives the page's ids and the count of every match (reading the
        # matches once, where a count and a page would read them twice).
        counted = qs.annotate(full_count=Window(Count("id"))).order_by(*order)
        found = list(
            counted.values_list("id", "full_count", "score")[(page - 1) * per_page : page * per_page]
        )
        return rows([(i, points) for i, _, points in found]), (found[0][1] if found else 0)

    def walk(page: int) -> tuple[list[Entry], int]:
        # A department of thousands in name order: the page walks the department's index and
        # stops after it, and the count reads the index alone, where one query with the count
        # beside each row would read and sort every member.
        total = qs.count()
        found = list(qs.order_by(*order).values_list("id", "score")[(page - 1) * per_page : page * per_page])
        return rows(found), total

    read = walk if (by_unit and not q and sort == "name") else window
    page = params.page
    chunk, total = read(page)
    if not chunk:
        total = qs.count()
        if total and page > 1:
            page = max(1, -(-total // per_page))
            chunk, total = read(page)
    pages = max(1, -(-total // per_page))
    return Results(
        rows=[shown(e, s) for e in chunk],
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
        words=words_echo,
        kind=kind,
    )


def shown(entry: Entry, s: Sight) -> dict[str, Any]:
    """An entry as the actor may see it: hidden fields are None (not blank, so a reader can
    tell "not shown to you" from "not known")."""
    org = entry.organisation_id

    def f(field: str, value: Any) -> Any:
        return value if s.sees(field, org) else None

    return {
        "id": entry.id,
        "name": entry.display_name,
        "given_name": entry.given_name,
        "family_name": entry.family_name,
        "preferred_name": entry.preferred_name,
        "organisation": entry.organisation.name,
        "organisation_id": org,
        "email": f("email", entry.email),
        "phones": f("phones", [{"number": p["number"], "shown": p["shown"]} for p in entry.phones]),
        "job_title": f("job_title", entry.job_title),
        "department": f("department", entry.department),
        "team": f("department", entry.team),
        "job_function": f("job_function", entry.get_job_function_display() if entry.job_function else ""),
        "service_types": f("service_types", list(entry.service_types)),
        "location": f("location", entry.location),
        "manager_id": f("manager", entry.manager_id),
        "archived": entry.archived_at is not None,
        "score": round(float(getattr(entry, "score", 0) or 0), 1),
    }


def entry(actor: Actor, entry_id: int) -> tuple[dict[str, Any], dict[str, Any] | None, list[dict[str, Any]]]:
    """One person as the actor sees them, with their manager and reports where visible."""
    s = sight(actor)
    found = (
        visible_entries(actor, s, archived=True).select_related("organisation").filter(id=entry_id).first()
    )
    if found is None or (found.archived_at is not None and not s.is_admin):
        raise NotFound("There is no such person in the directory.")
    row = shown(found, s)
    manager = None
    if row["manager_id"] and found.manager_id is not None:
        m = visible_entries(actor, s).select_related("organisation").filter(id=found.manager_id).first()
        manager = shown(m, s) if m else None
    reports: list[dict[str, Any]] = []
    if s.sees("manager", found.organisation_id):
        reports = [
            shown(r, s)
            for r in visible_entries(actor, s).select_related("organisation").filter(manager=found)[:50]
        ]
    return row, manager, reports


def organisations(actor: Actor) -> list[Organisation]:
    """The agencies whose people the actor can find, for the filter."""
    s = sight(actor)
    return list(Organisation.objects.filter(id__in=s.orgs["name"]).order_by("name"))


def about_me(actor: Actor) -> list[tuple[Entry, list[tuple[str, str, str]]]]:
    """What the directory holds about the actor (entries with their e-mail), each field with
    its value and who may see it."""
    email = actor.person.email.lower()
    out = []
    for e in Entry.objects.filter(email=email).select_related("organisation", "feed", "manager"):
        levels = levels_of({e.organisation_id})[e.organisation_id]
        label = dict(Visibility.choices)
        values = {
            "name": e.display_name,
            "email": e.email,
            "phones": ", ".join(p["shown"] for p in e.phones),
            "job_title": e.job_title,
            "department": " / ".join(x for x in (e.department, e.team) if x),
            "job_function": e.get_job_function_display() if e.job_function else "",
            "service_types": ", ".join(e.service_types),
            "location": e.location,
            "manager": e.manager.display_name if e.manager else "",
        }
        out.append(
            (e, [(VISIBILITY_FIELDS[f], values[f] or "—", label[levels[f]]) for f in VISIBILITY_FIELDS])
        )
    return out


# --- selection, export ------------------------------------------------------------------------


def selection(actor: Actor) -> list[dict[str, Any]]:
    """The actor's selection, as they may see it now (visibility may have changed since)."""
    require(actor, Permission.DIRECTORY_SELECT)
    s = sight(actor)
    ids = Selected.objects.filter(person=actor.person).values_list("entry_id", flat=True)
    entries = (
        visible_entries(actor, s)
        .select_related("organisation")
        .filter(id__in=ids)
        .order_by(Lower("family_name"), Lower("given_name"), "id")
    )
    return [shown(e, s) for e in entries]


def selected_ids(actor: Actor) -> set[int]:
    if not actor.has(Permission.DIRECTORY_SELECT):
        return set()
    return set(Selected.objects.filter(person=actor.person).values_list("entry_id", flat=True))


# --- administration ---------------------------------------------------------------------------


def feeds(actor: Actor) -> QuerySet[Feed]:
    require(actor, Permission.DIRECTORY_ADMIN)
    return Feed.objects.select_related("organisation").all()


def feed(actor: Actor, feed_id: int) -> Feed:
    found = feeds(actor).filter(id=feed_id).first()
    if found is None:
        raise NotFound("There is no such feed.")
    return found


def runs(actor: Actor, feed_id: int | None = None) -> QuerySet[SyncRun]:
    require(actor, Permission.DIRECTORY_ADMIN)
    qs = SyncRun.objects.select_related("feed", "feed__organisation").defer("file_content")
    return qs.filter(feed_id=feed_id) if feed_id else qs


def run(actor: Actor, run_id: int) -> SyncRun:
    found = runs(actor).filter(id=run_id).first()
    if found is None:
        raise NotFound("There is no such sync.")
    return found


def conflicts(actor: Actor, *, open_only: bool = True) -> QuerySet[Conflict]:
    require(actor, Permission.DIRECTORY_ADMIN)
    qs = Conflict.objects.select_related("feed", "existing", "existing__feed", "existing__organisation")
    return qs.filter(resolved_at__isnull=True) if open_only else qs


def policy_organisations(actor: Actor) -> list[Organisation]:
    """Agencies whose visibility the actor may set."""
    if actor.has(Permission.DIRECTORY_ADMIN):
        ids = set(Feed.objects.values_list("organisation_id", flat=True)) | {actor.organisation.id}
        return list(Organisation.objects.filter(id__in=ids).exclude(kind=OrganisationKind.SUPPLIER))
    if actor.has(Permission.DIRECTORY_PRIVACY_OWN):
        return [actor.organisation]
    raise PermissionDenied("You may not set who sees your organisation's directory entries.")


def policy(actor: Actor, organisation_id: int) -> dict[str, str]:
    if organisation_id not in {o.id for o in policy_organisations(actor)}:
        raise PermissionDenied("You may not set who sees that organisation's directory entries.")
    return levels_of({organisation_id})[organisation_id]


def group_emails(actor: Actor) -> QuerySet[GroupEmail]:
    require(actor, Permission.DIRECTORY_SELECT)
    return GroupEmail.objects.filter(sender=actor.person).defer("recipients")


def group_email(actor: Actor, email_id: int) -> GroupEmail:
    found = group_emails(actor).filter(id=email_id).first()
    if found is None:
        raise NotFound("There is no such message.")
    return found
