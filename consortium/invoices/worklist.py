"""What invoices add to the home page's task list and to the MI page."""

from __future__ import annotations

from typing import Any

from consortium.core.errors import PermissionDenied
from consortium.core.mi_panels import Panel
from consortium.core.money import pounds
from consortium.core.worklist import WorkItem
from consortium.invoices.constants import InvoiceStatus
from consortium.organisations.permissions import Permission


def items_for(actor: Any) -> list[WorkItem]:
    """Held invoices wait for the buyer's approvers and finance officers."""
    from consortium.invoices.models import Invoice

    if actor.organisation.is_supplier or not actor.has(Permission.INVOICES_APPROVE):
        return []
    held = Invoice.objects.filter(buyer=actor.organisation, status=InvoiceStatus.HELD).count()
    return [
        WorkItem(
            held,
            "invoice waiting for your decision",
            "invoices waiting for your decision",
            "/invoices/?status=held",
            order=20,
        )
    ]


def mi_panel(actor: Any) -> Panel | None:
    """Invoiced, paid and held spend over the latest 12 months, beside what was ordered."""
    from consortium.invoices.selectors import summary

    if actor.organisation.is_supplier:
        return None
    try:
        figures = summary(actor)
    except PermissionDenied:
        return None
    totals = figures["totals"]
    return Panel(
        title="Invoiced and paid",
        period=f"the latest 12 months, {figures['from']:%B %Y} to {figures['to']:%-d %B %Y}, ex VAT, credit notes taken off",
        figures=[
            ("Invoiced", pounds(totals["invoiced"])),
            ("Paid", pounds(totals["paid"])),
            ("Held for a decision", pounds(totals["held"])),
            ("Overdue", f"{figures['overdue_count']} ({pounds(figures['overdue_total'])} inc VAT)"),
        ],
        link=("Invoices by month", "/invoices/"),
    )
