"""The directory's inputs, shared by the API and the pages."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import field_validator

from consortium.core.schemas import RecordId
from consortium.directory.constants import (
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

VisibilityField = Literal[
    "name",
    "email",
    "phones",
    "job_title",
    "department",
    "job_function",
    "service_types",
    "location",
    "manager",
]
assert set(VisibilityField.__args__) == set(VISIBILITY_FIELDS)  # type: ignore[attr-defined]
SortName = Literal["relevance", "name", "organisation", "department", "job_title", "job_function", "location"]


class SearchIn(Schema):
    q: str = Field("", max_length=200, title="Search", description="Name, e-mail, telephone or any words")
    organisation: RecordId | None = Field(None, title="Organisation")
    department: str = Field("", max_length=100, title="Department or team")
    job_title: str = Field("", max_length=100, title="Job title")
    job_function: JobFunction | None = Field(None, title="Job function")
    service_type: str = Field("", max_length=60, title="Service type")
    sort: SortName = Field("relevance", title="Sort by")
    descending: bool = Field(False, title="Descending")
    archived: bool = Field(False, title="Include leavers", description="Admins only: archived entries too")
    page: int = Field(1, ge=1, le=10_000, title="Page")
    per_page: int = Field(25, ge=1, le=100, title="Results per page")

    @field_validator("job_function", "organisation", mode="before")
    @classmethod
    def _blank(cls, v: object) -> object:
        return None if v == "" else v


class FeedIn(Schema):
    organisation_id: RecordId = Field(..., title="Organisation")
    name: str = Field(..., min_length=1, max_length=200, title="Name")
    kind: FeedKind = Field(..., title="Kind of feed")
    server_url: str = Field("", max_length=300, title="Server address")
    security: LdapSecurity = Field(LdapSecurity.LDAPS, title="Security")
    bind_dn: str = Field("", max_length=500, title="Bind DN")
    password: str = Field(
        "", max_length=500, title="Bind password", description="Leave empty to keep the current one"
    )
    base_dn: str = Field("", max_length=500, title="Base DN")
    search_filter: str = Field("(objectClass=person)", max_length=500, title="Search filter")
    page_size: int = Field(500, ge=10, le=5000, title="Page size")
    attribute_map: dict[str, Annotated[str, Field(max_length=100)]] = Field(
        default_factory=dict,
        title="Attribute map",
        description="Target field → LDAP attribute or file column",
    )
    schedule: Schedule = Field(Schedule.OFF, title="Schedule")
    max_archive_percent: int = Field(20, ge=0, le=100, title="Most leavers in one sync (%)")
    active: bool = Field(True, title="Active")

    @field_validator("attribute_map")
    @classmethod
    def _known_targets(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(TARGET_FIELDS))
        if unknown:
            raise ValueError("has fields the directory does not hold: " + ", ".join(unknown[:5]))
        for target, source in v.items():
            if source and not all(c.isalnum() or c in "-_ ." for c in source):
                raise ValueError(f"{target}: “{source[:40]}” is not an attribute or column name")
        return {k: s.strip() for k, s in v.items() if s.strip()}


class SyncIn(Schema):
    mode: SyncMode = Field(SyncMode.ALL_OR_NOTHING, title="If some rows are wrong")
    allow_mass_archive: bool = Field(
        False,
        title="Allow many leavers",
        description="Archive more people than the feed's limit in this sync",
    )


class PolicyIn(Schema):
    levels: dict[VisibilityField, Visibility] = Field(..., title="Who may see each field")


class SelectIn(Schema):
    entry_ids: list[RecordId] = Field(..., min_length=1, max_length=200, title="People")


class EmailIn(Schema):
    subject: str = Field(..., min_length=1, max_length=200, title="Subject")
    body: str = Field(..., min_length=1, max_length=20_000, title="Message")
    mode: SendMode = Field(SendMode.INDIVIDUAL, title="How to send")

    @field_validator("subject")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if "\n" in v or "\r" in v:
            raise ValueError("must be on one line")
        return v.strip()
