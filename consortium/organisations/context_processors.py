from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from consortium.organisations.acting import organisations_of
from consortium.organisations.permissions import Permission


def acting(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    switchable = organisations_of(user) if actor is not None and user is not None else []
    return {
        "actor": actor,
        "is_buyer_org": actor is not None
        and not actor.organisation.is_supplier
        and not actor.organisation.is_consortium,
        "can_use_care": actor is not None
        and any(
            actor.has(p)
            for p in (Permission.CARE_COMMISSION, Permission.CARE_PROVIDE, Permission.CARE_OVERSEE)
        ),
        # The menu shows only what the role can open (tests/test_home_worklist.py walks it).
        "can_order": actor is not None and actor.has(Permission.ORDERS_PLACE),
        "sees_all_orders": actor is not None and actor.has(Permission.ORDERS_VIEW_ALL),
        "sees_invoices": actor is not None
        and any(
            actor.has(p)
            for p in (
                Permission.INVOICES_SUBMIT,
                Permission.INVOICES_APPROVE,
                Permission.INVOICES_VIEW_ALL,
                Permission.ORDERS_PLACE,
            )
        ),
        "sees_all_spend": actor is not None and actor.has(Permission.SPEND_VIEW_ALL),
        "works_requests": actor is not None
        and (actor.has(Permission.REQUESTS_WORK) or actor.has(Permission.REQUESTS_OVERSEE)),
        "uses_directory": actor is not None and actor.has(Permission.DIRECTORY_SEARCH),
        "keeps_payments": actor is not None and actor.has(Permission.PAYMENTS_FINANCE),
        "oversees_payments": actor is not None and actor.has(Permission.PAYMENTS_OVERSEE),
        "can_assess_sustainability": actor is not None and actor.has(Permission.SUSTAINABILITY_ASSESS),
        "oversees_sustainability": actor is not None and actor.has(Permission.SUSTAINABILITY_OVERSEE),
        "sees_all_savings": actor is not None and actor.has(Permission.SAVINGS_VIEW_ALL),
        "uses_savings": actor is not None
        and any(
            actor.has(p)
            for p in (Permission.SAVINGS_RECORD, Permission.SAVINGS_VIEW_ALL, Permission.COSTS_SHARE)
        ),
        "works_contacts": actor is not None
        and (actor.has(Permission.CONTACTS_ANSWER) or actor.has(Permission.CONTACTS_SUPERVISE)),
        "switchable_organisations": switchable,
        "demo_mode": settings.DEMO_MODE,
    }
