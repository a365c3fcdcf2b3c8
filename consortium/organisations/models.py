from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consortium.core.models import TimestampedModel
from consortium.organisations.constants import (
    IDENTIFIER_SCHEME_BY_KIND,
    InvitationStatus,
    Nation,
    OrganisationKind,
    Role,
)


class Organisation(TimestampedModel):
    """A public body, the consortium itself, or a supplier."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=OrganisationKind.choices)
    # Official identifier in the scheme for its kind (GSS code, URN, Companies
    # House number...), normalised to upper case without spaces.
    identifier = models.CharField(max_length=20, blank=True)
    # The UK VAT registration number (GB and nine or twelve digits): on every VAT invoice the
    # organisation sends, and how spend files recognise it.
    vat_number = models.CharField("VAT registration number", max_length=14, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="For a school, its local authority; for an academy, its trust.",
    )
    # Supplier flags, used for local / SME / voluntary-sector spend.
    is_sme = models.BooleanField("SME", default=False)
    is_voluntary_sector = models.BooleanField("voluntary sector", default=False)
    is_local = models.BooleanField("local", default=False)
    # Whose bank holidays its working days skip (service levels, due dates).
    nation = models.CharField(max_length=3, choices=Nation.choices, default=Nation.ENGLAND)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "identifier"],
                condition=~Q(identifier=""),
                name="organisation_identifier_unique_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="supplier") | Q(is_sme=False, is_voluntary_sector=False, is_local=False),
                name="organisation_supplier_flags_only_for_suppliers",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier_scheme(self) -> str:
        scheme = IDENTIFIER_SCHEME_BY_KIND.get(self.kind)
        return scheme.value if scheme else ""

    @property
    def is_supplier(self) -> bool:
        return self.kind == OrganisationKind.SUPPLIER

    @property
    def is_consortium(self) -> bool:
        return self.kind == OrganisationKind.CONSORTIUM


class Membership(TimestampedModel):
    """An organisation's membership of the consortium, from joining to leaving."""

    consortium = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="member_records")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "-joined_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_on_or_after_joined",
            ),
            models.UniqueConstraint(
                fields=["consortium", "organisation"],
                condition=Q(left_on__isnull=True),
                name="membership_one_current_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.consortium}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None or self.left_on > timezone.localdate()


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Person:
        if not email:
            raise ValueError("A person needs an e-mail address")
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Person:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in. They hold roles per organisation (RoleAssignment)."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    telephone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    # Staff may use Django's admin site; nobody else.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name or self.email


class RoleAssignment(TimestampedModel):
    """A role a person holds in one organisation."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_assignments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)
    granted_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation", "role"], name="role_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} at {self.organisation}"


class Invitation(TimestampedModel):
    """An invitation by e-mail to take a role in an organisation.

    Only a hash of the token is stored; the token itself is in the e-mail.
    """

    email = models.EmailField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invitations")
    role = models.CharField(max_length=40, choices=Role.choices)
    status = models.CharField(
        max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    invited_by_organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_on = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_on = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at <= timezone.now()

    @property
    def status_label(self) -> str:
        return "Expired" if self.is_expired else self.get_status_display()


class ApiToken(TimestampedModel):
    """A personal token for integrations: acts as its owner in one organisation.

    The token is shown once; only its SHA-256 hash is kept. It carries the
    roles its owner holds in that organisation at the moment of each request.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_on is None


class SignInAttempt(models.Model):
    """Each sign-in attempt, for throttling repeated failures."""

    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.CharField(max_length=45, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.email} {'succeeded' if self.succeeded else 'failed'} at {self.at:%Y-%m-%d %H:%M}"
