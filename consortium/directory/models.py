"""The joined-up directory: people of every partner agency, the feeds that keep them, each
agency's visibility rules, people's selections and the group e-mails sent to them."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from consortium.directory.constants import (
    FeedKind,
    JobFunction,
    LdapSecurity,
    Schedule,
    SendMode,
    SendStatus,
    SyncMode,
    SyncStatus,
)


class Feed(models.Model):
    """Where one agency's entries come from: its LDAP directory, read live, or a file it
    uploads. The agency keeps its directory as the source; a sync makes ours match it."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="directory_feeds"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=FeedKind.choices)
    # LDAP only.
    server_url = models.CharField(max_length=300, blank=True)
    security = models.CharField(max_length=10, choices=LdapSecurity.choices, default=LdapSecurity.LDAPS)
    bind_dn = models.CharField(max_length=500, blank=True)
    sealed_password = models.TextField(blank=True)  # core.sealed: never stored in the clear
    base_dn = models.CharField(max_length=500, blank=True)
    search_filter = models.CharField(max_length=500, default="(objectClass=person)")
    page_size = models.PositiveIntegerField(default=500)
    # {target field: source attribute or column}
    attribute_map = models.JSONField(default=dict)
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.OFF)
    # Most of a directory leaving at once is a broken feed, not a reorganisation.
    max_archive_percent = models.PositiveSmallIntegerField(default=20)
    active = models.BooleanField(default=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    """One person in a partner agency (not necessarily a user of Consortium)."""

    feed = models.ForeignKey(Feed, on_delete=models.PROTECT, related_name="entries")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="directory_entries"
    )
    # The person's key in the source (LDAP DN or mapped id; a file's id column or e-mail).
    external_id = models.CharField(max_length=500)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)  # lower case
    # [{"number": "+441632960001", "shown": "01632 960001"}]: E.164 with the national form
    phones = models.JSONField(default=list, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=200, blank=True)
    job_function = models.CharField(max_length=30, choices=JobFunction.choices, blank=True)
    service_types = models.JSONField(default=list, blank=True)
    location = models.CharField(max_length=200, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    manager_ref = models.CharField(max_length=500, blank=True)
    # Search columns, lower case and unaccented (kept by services.entry_search_columns):
    # " given preferred family " with spaces round each word, so " rob" finds a word start;
    name_text = models.TextField(default="")
    # every number's digits in national (01632960001) and international (441632960001) form;
    phone_digits = models.TextField(default="", blank=True)
    # job title, department, team, service types, job function and location.
    other_text = models.TextField(default="", blank=True)
    # "|housing|homelessness|": one service type is "|tag|".
    service_text = models.TextField(default="", blank=True)
    # A digest of what the source said: a re-sync touches only entries whose source changed.
    source_hash = models.CharField(max_length=64, default="")
    archived_at = models.DateTimeField(null=True, blank=True)  # a leaver: kept, found by admins
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "external_id"], name="directory_entry_unique_in_feed"),
        ]
        indexes = [
            models.Index(fields=["email"], name="directory_entry_email"),
            models.Index(
                fields=["organisation", "family_name", "given_name"], name="directory_entry_org_name"
            ),
            # The department filter: a department or team chosen from the list, in any case, in
            # name order, so a page is read by walking the index (not by sorting every member
            # of a large department), and the count is read from the index alone: the trailing
            # columns answer the visibility and leaver conditions, and PostgreSQL also needs the
            # column itself beside its lower case to count from an index on an expression
            # (SQLite ignores `include`).
            *(
                models.Index(
                    Lower(unit),
                    Lower("family_name"),
                    Lower("given_name"),
                    "id",
                    "organisation",
                    "archived_at",
                    name=f"directory_{unit}_by_name",
                    include=[unit],
                )
                for unit in ("department", "team")
            ),
        ]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}".strip()


class NameWord(models.Model):
    """Every word of every name in the directory, once: a typo or a short form is matched
    against these few thousand words (trigram similarity, synonyms, prefixes), and the
    entries are then found by the words it stands for — not by comparing every entry."""

    word = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.word


class Policy(models.Model):
    """One agency's visibility rules: {field: Visibility}. A field not listed is shown to
    partners (constants.DEFAULT_VISIBILITY)."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="directory_policy"
    )
    levels = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return f"Directory visibility for {self.organisation}"


class SyncRun(models.Model):
    """One sync of one feed, with its report: added / changed / archived / refused rows."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="runs")
    started_by = models.ForeignKey("organisations.Person", null=True, blank=True, on_delete=models.SET_NULL)
    trigger = models.CharField(max_length=20, default="manual")  # manual, schedule, upload
    mode = models.CharField(max_length=20, choices=SyncMode.choices, default=SyncMode.ALL_OR_NOTHING)
    allow_mass_archive = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.QUEUED)
    # An uploaded file waits here until the task reads it.
    file_name = models.CharField(max_length=200, blank=True)
    file_content = models.BinaryField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    # [{"row": 7, "column": "email", "message": "..."}]; row is the file's row or the LDAP DN
    problems = models.JSONField(default=list)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Sync of {self.feed} ({self.get_status_display()})"


class Conflict(models.Model):
    """The same e-mail arriving from two feeds (or twice from one): held back and shown to the
    admins, never a silent overwrite. Closed when a later sync no longer has it."""

    email = models.EmailField()
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="conflicts")
    external_id = models.CharField(max_length=500)
    existing = models.ForeignKey(Entry, null=True, on_delete=models.CASCADE, related_name="conflicts")
    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="conflict_rows")
    detail = models.CharField(max_length=500)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} from {self.feed}"


class Selected(models.Model):
    """A person's selection of entries, kept across pages and searches."""

    person = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "entry"], name="directory_selected_once")]

    def __str__(self) -> str:
        return f"Entry {self.entry_id} selected"


class GroupEmail(models.Model):
    """One message to a selection, sent by a background task in batches."""

    sender = models.ForeignKey("organisations.Person", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    mode = models.CharField(max_length=20, choices=SendMode.choices)
    status = models.CharField(max_length=10, choices=SendStatus.choices, default=SendStatus.QUEUED)
    # The entries chosen (ids); e-mail addresses are read when sending, not kept twice.
    recipients = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
