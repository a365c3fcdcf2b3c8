"""One person as a feed gives them (an LDAP entry or a file row), checked and made into the
values an entry holds — or the problems, each naming the row and the column or attribute."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from consortium.directory import numbers
from consortium.directory.constants import JobFunction
from consortium.directory.similarity import fold

MAX_TEXT = {
    "given_name": 100,
    "family_name": 100,
    "preferred_name": 100,
    "job_title": 200,
    "department": 200,
    "team": 200,
    "location": 200,
    "manager": 500,
    "external_id": 500,
}
MAX_PHONES = 5
MAX_SERVICE_TYPES = 10
_FUNCTION_BY_WORD = {fold(label): value for value, label in JobFunction.choices} | {
    fold(value): value for value in JobFunction.values
}


@dataclass
class Problem:
    row: str  # "Row 7" or the LDAP DN
    column: str  # the source column or attribute
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Person:
    """A checked record: the entry's values, its key in the source and a digest of them."""

    external_id: str
    given_name: str
    family_name: str
    preferred_name: str = ""
    email: str = ""
    phones: list[dict[str, str]] = field(default_factory=list)
    job_title: str = ""
    department: str = ""
    team: str = ""
    job_function: str = ""
    service_types: list[str] = field(default_factory=list)
    location: str = ""
    manager_ref: str = ""
    where: str = ""
    source_digest: str = ""  # raw_digest of what the source said

    def values(self) -> dict[str, object]:
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "preferred_name": self.preferred_name,
            "email": self.email,
            "phones": self.phones,
            "job_title": self.job_title,
            "department": self.department,
            "team": self.team,
            "job_function": self.job_function,
            "service_types": self.service_types,
            "location": self.location,
            "manager_ref": self.manager_ref,
        }

    def digest(self) -> str:
        return (
            self.source_digest
            or hashlib.sha256(json.dumps(self.values(), sort_keys=True).encode()).hexdigest()
        )


def raw_digest(raw: dict[str, list[str]]) -> str:
    """A digest of a record exactly as the source gave it: a re-sync skips checking every
    record whose digest is the one stored, so only what changed is read closely."""
    return hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()


def source_key(raw: dict[str, list[str]], external_id: str) -> str:
    """The id `check` will give the record (the source's id, else its e-mail), before checking."""
    return external_id or _one(raw.get("external_id", [])) or _one(raw.get("email", [])).lower()


def search_columns(values: dict[str, object]) -> dict[str, str]:
    """The lower-case search columns of an entry's values (see models.Entry)."""
    names = [str(values.get(k) or "") for k in ("given_name", "preferred_name", "family_name")]
    name_words = fold(" ".join(names))
    phones = values.get("phones") or []
    digits = " ".join(numbers.search_digits(p["number"]) for p in phones if isinstance(p, dict))  # type: ignore[attr-defined]
    tags = [str(t) for t in (values.get("service_types") or [])]  # type: ignore[attr-defined]
    function = str(values.get("job_function") or "")
    other = fold(
        " ".join(
            [
                str(values.get("job_title") or ""),
                str(values.get("department") or ""),
                str(values.get("team") or ""),
                " ".join(tags),
                JobFunction(function).label if function in JobFunction.values else "",
                str(values.get("location") or ""),
            ]
        )
    )
    return {
        "name_text": f" {name_words} ",
        "phone_digits": digits,
        "other_text": other,
        "service_text": ("|" + "|".join(fold(t) for t in tags) + "|") if tags else "",
    }


def _one(values: list[str]) -> str:
    for v in values:
        if v and v.strip():
            return " ".join(v.split())
    return ""


def check(
    raw: dict[str, list[str]], *, where: str, columns: dict[str, str], external_id: str = ""
) -> Person | list[Problem]:
    """`raw` maps target fields to the source's values; `columns` names the source column
    or attribute of each target field for the messages."""
    problems: list[Problem] = []

    def problem(target: str, message: str) -> None:
        problems.append(Problem(where, columns.get(target, target), message))

    text: dict[str, str] = {}
    for target, limit in MAX_TEXT.items():
        value = _one(raw.get(target, []))
        if len(value) > limit:
            problem(target, f"is longer than {limit} characters")
            value = value[:limit]
        text[target] = value
    key = external_id or text["external_id"] or ""
    if not text["given_name"]:
        problem("given_name", "Given name is missing")
    if not text["family_name"]:
        problem("family_name", "Family name is missing")
    email = _one(raw.get("email", [])).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problem("email", f"“{email[:80]}” is not an e-mail address")
            email = ""
    if not key:
        key = email
    if not key:
        problem("external_id", "has no id and no e-mail to know the person by")
    phones: list[dict[str, str]] = []
    seen: set[str] = set()
    for rawnum in [p for v in raw.get("phones", []) for p in v.split(";") if p.strip()]:
        try:
            e164, shown = numbers.normalise(rawnum)
        except ValueError as e:
            problem("phones", f"Telephone number {e}")
            continue
        if e164 not in seen:
            seen.add(e164)
            phones.append({"number": e164, "shown": shown})
    if len(phones) > MAX_PHONES:
        problem("phones", f"has more than {MAX_PHONES} telephone numbers")
    function_raw = text_function = _one(raw.get("job_function", []))
    function = ""
    if function_raw:
        function = _FUNCTION_BY_WORD.get(fold(text_function), "")
        if not function:
            problem("job_function", f"“{function_raw[:60]}” is not a job function on the list")
    tags: list[str] = []
    for v in raw.get("service_types", []):
        for tag in v.split(";"):
            tag = " ".join(tag.split())
            if tag and tag.lower() not in (t.lower() for t in tags):
                if len(tag) > 60:
                    problem("service_types", "has a service type longer than 60 characters")
                    continue
                tags.append(tag)
    if len(tags) > MAX_SERVICE_TYPES:
        problem("service_types", f"has more than {MAX_SERVICE_TYPES} service types")
    if problems:
        return problems
    return Person(
        external_id=key,
        given_name=text["given_name"],
        family_name=text["family_name"],
        preferred_name=text["preferred_name"] if text["preferred_name"] != text["given_name"] else "",
        email=email,
        phones=phones,
        job_title=text["job_title"],
        department=text["department"],
        team=text["team"],
        job_function=function,
        service_types=tags,
        location=text["location"],
        manager_ref=text["manager"].lower() if "@" in text["manager"] else text["manager"],
        where=where,
    )
