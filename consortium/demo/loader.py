"""Load the whole demo consortium: its bodies and people, then each system's demo data,
all through the services where a workflow is involved. Idempotent."""

from __future__ import annotations

from django.db import transaction

from consortium.audit.services import audit_record
from consortium.organisations.demo import DEMO_PASSWORD, DEMO_PEOPLE, demo_sign_ins, load_organisations_demo
from consortium.organisations.models import Membership, Organisation, Person

__all__ = ["DEMO_PASSWORD", "DEMO_PEOPLE", "demo_sign_ins", "load_demo"]


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create or refresh the demo consortium. Returns counts of what exists."""
    from consortium.care.demo import load_care_demo
    from consortium.check.demo import load_check_demo
    from consortium.citizen.demo import load_citizen_demo
    from consortium.contacts.demo import load_contacts_demo
    from consortium.directory.demo import load_directory_demo
    from consortium.invoices.demo import load_invoices_demo
    from consortium.orders.demo import load_marketplace_demo
    from consortium.payments.demo import load_payments_demo
    from consortium.savings.demo import load_savings_demo
    from consortium.spend.demo import load_spend_demo
    from consortium.sustainability.demo import load_sustainability_demo
    from consortium.tendering.demo import load_tendering_demo

    consortium = load_organisations_demo()
    load_care_demo()
    load_marketplace_demo()
    load_invoices_demo()
    load_spend_demo()
    load_tendering_demo()
    load_citizen_demo()
    load_contacts_demo()
    load_directory_demo()
    load_payments_demo()
    load_savings_demo()
    load_sustainability_demo()
    load_check_demo()
    audit_record(actor=None, action="demo.load", obj=consortium, organisation=consortium)
    # The demo's first searches use the catalogue's search index at once.
    from consortium.catalogue import search_index

    search_index.build()
    return {
        "organisations": Organisation.objects.count(),
        "members": Membership.objects.filter(left_on__isnull=True).count(),
        "people": Person.objects.count(),
    }
