"""Who is acting: a person, the organisation they act for now, and their roles there."""

from __future__ import annotations

from dataclasses import dataclass, field

from consortium.organisations.constants import Role
from consortium.organisations.models import Organisation, Person, RoleAssignment
from consortium.organisations.permissions import Permission, permissions_for


@dataclass(frozen=True)
class Actor:
    person: Person
    organisation: Organisation
    roles: frozenset[str]
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "permissions", permissions_for(self.roles))

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions

    def holds(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_consortium_admin(self) -> bool:
        return Role.CONSORTIUM_ADMIN in self.roles


def actor_for(person: Person, organisation_id: int | None = None) -> Actor | None:
    """The actor for `person` in the given organisation, or in their first one.

    None when the person holds no role anywhere (or none in that organisation).
    """
    if not person.is_active:
        return None
    assignments = RoleAssignment.objects.filter(person=person).select_related("organisation")
    by_org: dict[int, tuple[Organisation, set[str]]] = {}
    for a in assignments:
        by_org.setdefault(a.organisation_id, (a.organisation, set()))[1].add(a.role)
    if not by_org:
        return None
    if organisation_id is not None:
        if organisation_id not in by_org:
            return None
        org, roles = by_org[organisation_id]
    else:
        org, roles = sorted(by_org.values(), key=lambda pair: pair[0].name)[0]
    return Actor(person=person, organisation=org, roles=frozenset(roles))


def organisations_of(person: Person) -> list[Organisation]:
    """Every organisation in which the person holds a role, for the switcher."""
    return list(Organisation.objects.filter(role_assignments__person=person).distinct().order_by("name"))
