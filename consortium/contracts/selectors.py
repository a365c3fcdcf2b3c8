"""Which contracts an organisation may buy from today."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from consortium.contracts.constants import Access, ContractStatus
from consortium.contracts.models import Contract
from consortium.core.dates import today_in_london
from consortium.core.errors import NotFound
from consortium.organisations.acting import Actor
from consortium.organisations.models import Membership, Organisation


def usable_by(organisation: Organisation, *, on: dt.date | None = None) -> QuerySet[Contract]:
    """Live, in-date contracts this organisation is allowed to use."""
    on = on or today_in_london()
    if organisation.is_consortium:
        access = Q()
    else:
        # A member until its leaving date, which may be recorded ahead of time.
        member = Membership.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gte=on), organisation=organisation, joined_on__lte=on
        ).exists()
        if not member:
            return Contract.objects.none()
        access = (
            Q(access=Access.ALL_MEMBERS)
            | Q(access=Access.KINDS, access_kinds__contains=f",{organisation.kind},")
            | Q(access=Access.NAMED, access_named=organisation)
        )
    return Contract.objects.filter(
        access, status=ContractStatus.LIVE, start_date__lte=on, end_date__gte=on
    ).distinct()


def contract_list_for(actor: Actor) -> QuerySet[Contract]:
    """Everyone signed in sees live contracts; the consortium's managers see drafts too;
    a supplier sees the contracts it holds lots on."""
    qs = Contract.objects.select_related("let_by").prefetch_related("lots__suppliers")
    if actor.organisation.is_consortium:
        return qs
    if actor.organisation.is_supplier:
        return qs.filter(lots__suppliers=actor.organisation).distinct()
    return qs.filter(status__in=[ContractStatus.LIVE, ContractStatus.EXPIRED])


def contract_get_for(actor: Actor, contract_id: int) -> Contract:
    try:
        return contract_list_for(actor).get(pk=contract_id)
    except Contract.DoesNotExist:
        raise NotFound("No contract with that id") from None


# --- choices a page or endpoint names by id ---------------------------------------------


def member_choices(actor: Actor) -> QuerySet[Organisation]:
    from consortium.organisations.constants import MEMBER_KINDS

    return Organisation.objects.filter(kind__in=MEMBER_KINDS).order_by("name")


def members_by_id(actor: Actor, ids: list[int]) -> list[Organisation]:
    return list(member_choices(actor).filter(pk__in=ids))


def member_by_id(actor: Actor, member_id: int | None) -> Organisation | None:
    if member_id is None:
        return None
    member = member_choices(actor).filter(pk=member_id).first()
    if member is None:
        from consortium.core.errors import ValidationFailed

        raise ValidationFailed("Choose a member", field_errors={"let_by_id": "No such member"})
    return member


def supplier_choices(actor: Actor) -> QuerySet[Organisation]:
    from consortium.organisations.constants import OrganisationKind

    return Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).order_by("name")


def suppliers_by_id(actor: Actor, ids: list[int]) -> list[Organisation]:
    return list(supplier_choices(actor).filter(pk__in=ids))
