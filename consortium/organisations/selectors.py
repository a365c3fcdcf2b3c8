"""Reads for organisations, memberships, people, invitations and tokens.

Every function takes the actor, so scoping cannot be forgotten: a member sees
its own people; a consortium admin sees everyone. Organisations and
memberships are public facts about the consortium and visible to every
signed-in person.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q, QuerySet

from consortium.core.errors import NotFound
from consortium.organisations.acting import Actor
from consortium.organisations.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    Person,
    RoleAssignment,
)
from consortium.organisations.permissions import Permission


def organisation_list_for(
    actor: Actor, *, kind: str | None = None, search: str | None = None, members_only: bool = False
) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(identifier__iexact=search) | Q(town__icontains=search))
    if members_only:
        qs = qs.filter(memberships__left_on__isnull=True).distinct()
    return qs.order_by("name")


def organisation_get_for(actor: Actor, organisation_id: int) -> Organisation:
    try:
        return Organisation.objects.select_related("parent").get(pk=organisation_id)
    except Organisation.DoesNotExist:
        raise NotFound("No organisation with that id") from None


def membership_list_for(
    actor: Actor, *, organisation_id: int | None = None, current_only: bool = False
) -> QuerySet[Membership]:
    qs = Membership.objects.select_related("organisation", "consortium")
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if current_only:
        qs = qs.filter(left_on__isnull=True)
    return qs.order_by("organisation__name", "-joined_on")


def membership_get_for(actor: Actor, membership_id: int) -> Membership:
    try:
        return membership_list_for(actor).get(pk=membership_id)
    except Membership.DoesNotExist:
        raise NotFound("No membership with that id") from None


def _visible_people(actor: Actor) -> QuerySet[Person]:
    if actor.has(Permission.PEOPLE_VIEW_ALL):
        return Person.objects.all()
    return Person.objects.filter(role_assignments__organisation=actor.organisation).distinct()


def person_list_for(
    actor: Actor, *, organisation_id: int | None = None, search: str | None = None
) -> QuerySet[Person]:
    qs = _visible_people(actor)
    if organisation_id is not None:
        qs = qs.filter(role_assignments__organisation_id=organisation_id).distinct()
    if search:
        qs = qs.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    return qs.order_by("full_name", "email")


def person_get_for(actor: Actor, person_id: int) -> Person:
    try:
        return _visible_people(actor).get(pk=person_id)
    except Person.DoesNotExist:
        raise NotFound("No person with that id") from None


def role_assignment_list_for(
    actor: Actor, *, person_id: int | None = None, organisation_id: int | None = None
) -> QuerySet[RoleAssignment]:
    qs = RoleAssignment.objects.select_related("person", "organisation")
    if not actor.has(Permission.PEOPLE_VIEW_ALL):
        qs = qs.filter(organisation=actor.organisation)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("organisation__name", "person__full_name", "role")


def role_assignment_get_for(actor: Actor, assignment_id: int) -> RoleAssignment:
    try:
        return role_assignment_list_for(actor).get(pk=assignment_id)
    except RoleAssignment.DoesNotExist:
        raise NotFound("No role assignment with that id") from None


def invitation_list_for(actor: Actor) -> QuerySet[Invitation]:
    qs = Invitation.objects.select_related("organisation", "invited_by")
    if actor.has(Permission.INVITE_ANY):
        return qs
    scope = Q(invited_by=actor.person)
    if actor.has(Permission.INVITE_OWN):
        scope |= Q(organisation=actor.organisation)
    return qs.filter(scope)


def invitation_get_for(actor: Actor, invitation_id: int) -> Invitation:
    try:
        return invitation_list_for(actor).get(pk=invitation_id)
    except Invitation.DoesNotExist:
        raise NotFound("No invitation with that id") from None


def api_token_list_for(actor: Actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(person=actor.person).select_related("organisation")


def api_token_get_for(actor: Actor, token_id: int) -> ApiToken:
    try:
        return api_token_list_for(actor).get(pk=token_id)
    except ApiToken.DoesNotExist:
        raise NotFound("No token with that id") from None


def notification_emails(organisation_ids: Sequence[int], roles: Sequence[str]) -> list[str]:
    """E-mail addresses of the active people holding any of `roles` in those organisations:
    for the service's own notifications, so no actor's scope applies."""
    return list(
        Person.objects.filter(
            role_assignments__organisation_id__in=organisation_ids,
            role_assignments__role__in=roles,
            is_active=True,
        )
        .values_list("email", flat=True)
        .distinct()
    )


def role_comes_from(
    person: Person, organisation: Organisation, roles: Sequence[str], ancestor: Person
) -> bool:
    """Whether every role of `roles` that `person` holds in `organisation` was granted by
    `ancestor` — directly, or through a chain of people whose own roles there `ancestor`
    granted. Two-person rules ask this: someone who may grant roles could otherwise give a
    second account of theirs (or of a puppet's) the role that decides their own request."""
    assignments = RoleAssignment.objects.filter(
        person=person, organisation=organisation, role__in=list(roles)
    )
    granters = list(assignments.values_list("granted_by_id", flat=True))
    if not granters:
        return False
    for granter in granters:
        frontier, seen = {granter} - {None}, {person.pk}
        tainted = False
        for _ in range(20):  # grant chains are short; the bound stops any cycle
            if ancestor.pk in frontier:
                tainted = True
                break
            seen |= frontier
            frontier = (
                set(
                    RoleAssignment.objects.filter(
                        person_id__in=frontier, organisation=organisation
                    ).values_list("granted_by_id", flat=True)
                )
                - {None}
                - seen
            )
            if not frontier:
                break
        if not tainted:
            return False  # one role of theirs owes nothing to the ancestor
    return True
