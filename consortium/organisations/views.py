"""Pages for signing in, organisations, members, people, invitations and my account.

Thin: read the form, ask a selector, call a service, render. Errors from
services come back as field-named messages in the GOV.UK error summary.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from consortium.core.clients import client_ip
from consortium.core.dates import today_in_london
from consortium.core.errors import ConsortiumError, PermissionDenied, TooManyAttempts, ValidationFailed
from consortium.core.forms import read_form, renamed
from consortium.core.views import actor_required, form_errors, form_id
from consortium.organisations import selectors, services
from consortium.organisations.acting import Actor, actor_for
from consortium.organisations.constants import (
    ROLE_DESCRIPTIONS,
    Nation,
    OrganisationKind,
    Role,
    roles_allowed_for_kind,
)
from consortium.organisations.middleware import ACTING_ORGANISATION_SESSION_KEY
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission
from consortium.organisations.schemas import (
    ApiTokenIn,
    InvitationIn,
    JoiningIn,
    MembershipEndIn,
    NationIn,
    OrganisationIn,
    ProfileIn,
    RoleGrantIn,
)


def _client_ip(request: HttpRequest) -> str:
    return client_ip(request)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and getattr(request, "actor", None):
        return redirect("home")
    errors: dict[str, str] = {}
    email = ""
    if request.method == "POST":
        email = request.POST.get("email", "").strip()
        password = request.POST.get("password", "")
        if not email:
            errors["email"] = "Enter your e-mail address"
        if not password:
            errors["password"] = "Enter your password"
        if not errors:
            try:
                services.sign_in_check_allowed(email=email, ip_address=_client_ip(request))
            except TooManyAttempts as exc:
                errors = {"email": exc.detail}
        if not errors:
            person = authenticate(request, username=email, password=password)
            services.sign_in_record_attempt(
                email=email, ip_address=_client_ip(request), succeeded=person is not None
            )
            if person is None:
                errors["email"] = "Enter the e-mail address and password of your account"
            else:
                login(request, person)
                actor = actor_for(person)
                if actor:
                    request.session[ACTING_ORGANISATION_SESSION_KEY] = actor.organisation.pk
                return redirect(_safe_next(request, reverse("home")))
    status = 429 if any("Too many" in m for m in errors.values()) else (400 if errors else 200)
    return render(
        request,
        "organisations/sign_in.html",
        {"errors": errors, "email": email, "next": request.GET.get("next", "")},
        status=status,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("sign-in")


# What each role can do here, for the home page. Links only to pages that exist.
ROLE_TASKS: dict[str, list[tuple[str, str]]] = {
    Role.CONSORTIUM_ADMIN: [
        ("Members of the consortium", "member-list"),
        ("Add an organisation", "organisation-new"),
        ("People and roles", "person-list"),
        ("Invite a person or supplier", "invitation-new"),
        ("Activity across the consortium", "activity"),
        ("Care price benchmarks and reports", "care-reports"),
        ("Contracts", "contract-list"),
        ("Orders across the consortium", "order-list"),
        ("Management information: spend, savings, rebates", "mi"),
    ],
    Role.MEMBER_BUYER: [
        ("Search the marketplace", "search"),
        ("Your basket", "basket"),
        ("Your organisation's orders", "order-list"),
        ("Contracts you can use", "contract-list"),
        ("Spend and management information", "mi"),
        ("Analyse an accounts-payable spend file", "spend-files"),
    ],
    Role.CATEGORY_MANAGER: [
        ("Invite a supplier", "invitation-new"),
        ("Members of the consortium", "member-list"),
        ("Care price benchmarks", "care-benchmarks"),
        ("Care placements, spend and savings by council", "care-reports"),
        ("Supplier price changes waiting for approval", "price-changes"),
        ("Contracts", "contract-list"),
    ],
    Role.COMMISSIONER: [
        ("Care price benchmarking: your clients", "care-home"),
        ("Record a client's needs", "care-assessment-new"),
        ("Care price benchmarks", "care-benchmarks"),
    ],
    Role.APPROVER: [
        ("Orders waiting for your approval", "order-list"),
        ("Approval rules", "approval-rules"),
        ("People in your organisation", "person-list"),
        ("Invite a colleague", "invitation-new"),
    ],
    Role.SUPPLIER_USER: [
        ("People in your organisation", "person-list"),
        ("Invite a colleague", "invitation-new"),
        ("Orders received", "order-list"),
        ("Your catalogue and prices", "own-catalogue"),
        ("Care price menus (for care providers)", "care-home"),
    ],
}


@actor_required
def home(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    roles = [
        {
            "label": Role(r).label,
            "description": ROLE_DESCRIPTIONS[r],
            "tasks": [(label, reverse(name)) for label, name in ROLE_TASKS.get(r, [])],
        }
        for r in sorted(actor.roles)
    ]
    from consortium.core.worklist import work_for

    return render(request, "organisations/home.html", {"roles": roles, "work": work_for(actor)})


@require_POST
@actor_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    try:
        organisation_id = int(request.POST.get("organisation_id", ""))
    except ValueError:
        organisation_id = 0
    actor = actor_for(request.user, organisation_id) if organisation_id else None  # type: ignore[arg-type]
    if actor is None:
        raise PermissionDenied("You hold no role in that organisation.")
    request.session[ACTING_ORGANISATION_SESSION_KEY] = actor.organisation.pk
    messages.success(request, f"You are now acting for {actor.organisation.name}.")
    return redirect(_safe_next(request, reverse("home")))


# --- members and organisations ---


@actor_required
def member_list(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    kind = request.GET.get("kind") or None
    if kind not in OrganisationKind.values:
        kind = None
    search = (request.GET.get("search") or "").strip()[:100] or None
    show = request.GET.get("show", "members")
    organisations = selectors.organisation_list_for(
        actor, kind=kind, search=search, members_only=show == "members"
    )
    return render(
        request,
        "organisations/member_list.html",
        {
            "organisations": organisations,
            "kind": kind or "",
            "search": search or "",
            "show": show,
            "kinds": OrganisationKind.choices,
            "can_manage": actor.has(Permission.ORGANISATION_MANAGE),
        },
    )


def _organisation_values(request: HttpRequest) -> dict[str, object]:
    return {
        "name": request.POST.get("name", ""),
        "kind": request.POST.get("kind", ""),
        "identifier": request.POST.get("identifier", ""),
        "address_line_1": request.POST.get("address_line_1", ""),
        "address_line_2": request.POST.get("address_line_2", ""),
        "town": request.POST.get("town", ""),
        "postcode": request.POST.get("postcode", ""),
        "is_sme": request.POST.get("is_sme") == "on",
        "is_local": request.POST.get("is_local") == "on",
        "is_voluntary_sector": request.POST.get("is_voluntary_sector") == "on",
        "nation": request.POST.get("nation", ""),
    }


@actor_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not actor.has(Permission.ORGANISATION_MANAGE):
        raise PermissionDenied("Only a consortium admin can add organisations.")
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    if request.method == "POST":
        values = _organisation_values(request)
        try:
            # Read with the API's OrganisationIn (and the joining part), every error at once.
            problems: dict[str, str] = {}
            try:
                data = read_form(OrganisationIn, request.POST, summary="Check the organisation")
            except ValidationFailed as exc:
                problems |= services.organisation_problems(values) | exc.field_errors
            try:
                joining = read_form(JoiningIn, request.POST)
            except ValidationFailed as exc:
                problems |= exc.field_errors
            if problems:
                raise ValidationFailed("Check the organisation", field_errors=problems)
            fields = data.dict()
            parent_id = fields.pop("parent_id")
            parent = selectors.organisation_get_for(actor, parent_id) if parent_id else None
            from django.db import transaction

            with transaction.atomic():
                organisation = services.organisation_create(actor=actor, parent=parent, **fields)
                if joining.admit:
                    services.membership_start(
                        actor=actor,
                        organisation=organisation,
                        joined_on=joining.joined_on or today_in_london(),
                    )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"{organisation.name} has been added.")
            return redirect("organisation-detail", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/organisation_new.html",
        {
            "errors": errors,
            "values": values,
            "kinds": OrganisationKind.choices,
            "nations": Nation.choices,
            "parent_options": [
                (o.pk, o.name)
                for o in selectors.organisation_list_for(actor).exclude(kind=OrganisationKind.SUPPLIER)
            ],
        },
        status=400 if errors else 200,
    )


@actor_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    organisation = selectors.organisation_get_for(actor, organisation_id)
    can_see_people = actor.has(Permission.PEOPLE_VIEW_ALL) or organisation.pk == actor.organisation.pk
    errors: dict[str, str] = {}
    if request.method == "POST" and request.POST.get("action") == "end-membership":
        try:
            membership = selectors.membership_get_for(
                actor, form_id(request.POST.get("membership_id"), "membership_id", label="a membership")
            )
            left_on = read_form(MembershipEndIn, request.POST, summary="Check the leaving date").left_on
            services.membership_end(actor=actor, membership=membership, left_on=left_on)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, "The membership has ended.")
            return redirect("organisation-detail", organisation_id=organisation.pk)
    if request.method == "POST" and request.POST.get("action") == "set-nation":
        try:
            nation = read_form(NationIn, request.POST, summary="Choose the nation").nation
            services.organisation_update(actor=actor, organisation=organisation, nation=nation)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, "Working days now skip that nation's bank holidays.")
            return redirect("organisation-detail", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "memberships": selectors.membership_list_for(actor, organisation_id=organisation.pk),
            "people": selectors.person_list_for(actor, organisation_id=organisation.pk)
            if can_see_people
            else None,
            "can_manage_memberships": actor.has(Permission.MEMBERSHIP_MANAGE),
            "can_set_nation": actor.has(Permission.ORGANISATION_MANAGE)
            or (organisation.pk == actor.organisation.pk and actor.has(Permission.PEOPLE_MANAGE_OWN)),
            "nations": Nation.choices,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- people and roles ---


@actor_required
def person_list(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    search = (request.GET.get("search") or "").strip()[:100] or None
    people = selectors.person_list_for(actor, search=search).prefetch_related(
        "role_assignments__organisation"
    )[:500]
    return render(
        request,
        "organisations/person_list.html",
        {"people": people, "search": search or "", "sees_all": actor.has(Permission.PEOPLE_VIEW_ALL)},
    )


@actor_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    person = selectors.person_get_for(actor, person_id)
    errors: dict[str, str] = {}
    values = {"organisation_id": str(actor.organisation.pk), "role": ""}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                assignment = selectors.role_assignment_get_for(
                    actor, form_id(request.POST.get("assignment_id"), "assignment_id", label="a role")
                )
                services.role_revoke(actor=actor, assignment=assignment)
                messages.success(request, f"{assignment.get_role_display()} role removed.")
            else:
                values = {
                    "organisation_id": request.POST.get("organisation_id", ""),
                    "role": request.POST.get("role", ""),
                }
                grant = read_form(RoleGrantIn, request.POST, summary="Choose an organisation and a role")
                organisation = selectors.organisation_get_for(actor, grant.organisation_id)
                services.role_grant(actor=actor, person=person, organisation=organisation, role=grant.role)
                messages.success(request, "Role granted.")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            return redirect("person-detail", person_id=person.pk)
    assignments = selectors.role_assignment_list_for(actor, person_id=person.pk)
    grantable = _organisations_for_roles(actor)
    return render(
        request,
        "organisations/person_detail.html",
        {
            "person": person,
            "assignments": [
                (a, services.can_manage_role(actor, a.organisation, a.role)) for a in assignments
            ],
            "grantable_options": [(o.pk, o.name) for o in grantable],
            "roles": Role.choices,
            "can_grant": bool(grantable),
            "errors": errors,
            "values": values,
        },
        status=400 if errors else 200,
    )


def _organisations_for_roles(actor: Actor) -> list[Organisation]:
    if actor.has(Permission.PEOPLE_MANAGE_ALL):
        return list(selectors.organisation_list_for(actor))
    if actor.has(Permission.PEOPLE_MANAGE_OWN):
        return [actor.organisation]
    return []


# --- invitations ---


def _invitable(actor: Actor) -> tuple[list[Organisation], list[tuple[str, str]]]:
    """Organisations and roles this actor may invite people to, for the form."""
    if actor.has(Permission.INVITE_ANY):
        return list(selectors.organisation_list_for(actor)), list(Role.choices)
    orgs: list[Organisation] = []
    roles: set[str] = set()
    if actor.has(Permission.INVITE_SUPPLIER):
        orgs += list(selectors.organisation_list_for(actor, kind=OrganisationKind.SUPPLIER))
        roles.add(Role.SUPPLIER_USER)
    if actor.has(Permission.INVITE_OWN):
        if actor.organisation not in orgs:
            orgs.append(actor.organisation)
        roles |= {r for r in roles_allowed_for_kind(actor.organisation.kind)}
    return orgs, [(r.value, r.label) for r in Role if r in roles]


@actor_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    invitations = selectors.invitation_list_for(actor)[:200]
    return render(
        request,
        "organisations/invitation_list.html",
        {
            "invitations": [(i, services.may_revoke_invitation(actor, i)) for i in invitations],
            "can_invite": bool(_invitable(actor)[0]),
        },
    )


@actor_required
def invitation_new(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    organisations, roles = _invitable(actor)
    if not organisations:
        raise PermissionDenied("Your role does not allow inviting people.")
    can_invite_new_supplier = actor.has(Permission.INVITE_ANY) or actor.has(Permission.INVITE_SUPPLIER)
    errors: dict[str, str] = {}
    values: dict[str, str] = {"organisation_id": str(actor.organisation.pk)}
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip()
            for k in (
                "email",
                "organisation_id",
                "role",
                "new_supplier_name",
                "new_supplier_identifier",
                "new_supplier_postcode",
            )
        }
        # Read with the API's InvitationIn: an existing organisation, or a new supplier named.
        data: dict[str, object] = {"email": values["email"], "role": values["role"] or Role.SUPPLIER_USER}
        if values["new_supplier_name"] and can_invite_new_supplier:
            data["new_supplier"] = {
                "name": values["new_supplier_name"],
                "identifier": values["new_supplier_identifier"],
                "postcode": values["new_supplier_postcode"],
                "is_sme": request.POST.get("new_supplier_is_sme") == "on",
                "is_local": request.POST.get("new_supplier_is_local") == "on",
            }
        elif values["organisation_id"]:
            data["organisation_id"] = values["organisation_id"]
        new_supplier_inputs = {
            f"new_supplier.{k}": f"new_supplier_{k}" for k in ("name", "identifier", "postcode")
        }
        try:
            invitation = read_form(
                InvitationIn,
                data,
                raw=True,
                where=renamed(new_supplier_inputs),
                summary="Check the invitation",
            )
            organisation = (
                selectors.organisation_get_for(actor, invitation.organisation_id)
                if invitation.organisation_id and invitation.new_supplier is None
                else None
            )
            new_supplier = (
                services.NewSupplier(**invitation.new_supplier.dict()) if invitation.new_supplier else None
            )
            services.invitation_create(
                actor=actor,
                email=invitation.email,
                role=invitation.role,
                organisation=organisation,
                new_supplier=new_supplier,
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
            if "new_supplier" in data:
                errors = {
                    ("new_supplier_" + k if k in ("name", "identifier", "postcode") else k): v
                    for k, v in errors.items()
                }
        else:
            messages.success(request, f"Invitation sent to {values['email']}.")
            return redirect("invitation-list")
    return render(
        request,
        "organisations/invitation_new.html",
        {
            "errors": errors,
            "values": values,
            "organisations": [(o.pk, o.name) for o in organisations],
            "roles": roles,
            "can_invite_new_supplier": can_invite_new_supplier,
        },
        status=400 if errors else 200,
    )


@require_POST
@actor_required
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    invitation = selectors.invitation_get_for(actor, invitation_id)
    try:
        services.invitation_revoke(actor=actor, invitation=invitation)
        messages.success(request, f"Invitation to {invitation.email} revoked.")
    except ConsortiumError as exc:
        if exc.status_code == 403:
            raise
        messages.error(request, exc.detail)
    return redirect("invitation-list")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone with the link: the token in it is the credential."""
    try:
        invitation = services.invitation_for_token(token)
    except ConsortiumError as exc:
        return render(
            request, "organisations/invitation_invalid.html", {"reason": exc.detail}, status=exc.status_code
        )
    from consortium.organisations.models import Person

    existing = Person.objects.filter(email=invitation.email).exists()
    errors: dict[str, str] = {}
    full_name = ""
    if request.method == "POST":
        full_name = request.POST.get("full_name", "")
        password = request.POST.get("password", "")
        confirm = request.POST.get("password_confirm", "")
        if not password:
            errors["password"] = "Enter a password" if not existing else "Enter your password"
        elif not existing and password != confirm:
            errors["password_confirm"] = "The passwords do not match"
        if not errors:
            try:
                person = services.invitation_accept(raw_token=token, password=password, full_name=full_name)
            except ConsortiumError as exc:
                errors = form_errors(exc)
            else:
                login(request, person, backend=settings.AUTHENTICATION_BACKENDS[0])
                request.session[ACTING_ORGANISATION_SESSION_KEY] = invitation.organisation_id
                messages.success(
                    request, f"Welcome to Consortium. You are now acting for {invitation.organisation.name}."
                )
                return redirect("home")
    return render(
        request,
        "organisations/invitation_accept.html",
        {"invitation": invitation, "existing": existing, "errors": errors, "full_name": full_name},
        status=400 if errors else 200,
    )


# --- my account ---


@actor_required
def account(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    errors: dict[str, str] = {}
    new_token = None
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "profile":
            profile = read_form(ProfileIn, request.POST, summary="Check your details")
            services.person_update_profile(actor=actor, **profile.dict())
            messages.success(request, "Your details have been saved.")
            return redirect("account")
        if action == "create-token":
            _token, new_token = services.api_token_create(
                actor=actor, name=read_form(ApiTokenIn, request.POST).name
            )
        if action == "revoke-token":
            token = selectors.api_token_get_for(
                actor, form_id(request.POST.get("token_id"), "token_id", label="a token")
            )
            services.api_token_revoke(actor=actor, token=token)
            messages.success(request, f"Token {token.name} revoked.")
            return redirect("account")
    except ConsortiumError as exc:
        if exc.status_code in (403, 404):
            raise
        errors = form_errors(exc)
    actor.person.refresh_from_db()
    return render(
        request,
        "organisations/account.html",
        {
            "person": actor.person,
            "tokens": selectors.api_token_list_for(actor),
            "new_token": new_token,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
