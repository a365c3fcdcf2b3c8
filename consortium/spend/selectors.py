"""Reading a spend file's analysis: on- and off-contract, where the off-contract money goes,
and the saving available if it were bought on contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from consortium.catalogue.constants import Category
from consortium.core.errors import NotFound, PermissionDenied
from consortium.organisations.acting import Actor
from consortium.spend import mi
from consortium.spend.models import SpendFile

ZERO = Decimal("0.00")


def spend_file_list_for(actor: Actor) -> QuerySet[SpendFile]:
    org = actor.organisation
    if org.is_supplier:
        raise PermissionDenied("Spend files are members' own.")
    qs = SpendFile.objects.select_related("organisation", "uploaded_by")
    if org.is_consortium:
        if not actor.holds("consortium_admin", "category_manager"):  # type: ignore[arg-type]
            raise PermissionDenied(
                "Members' spend files are for the consortium's admins and category managers."
            )
        return qs
    return qs.filter(organisation=org)


def spend_file_get_for(actor: Actor, spend_file_id: int) -> SpendFile:
    try:
        return spend_file_list_for(actor).get(pk=spend_file_id)
    except SpendFile.DoesNotExist:
        raise NotFound("No spend file with that id") from None


def analysis(actor: Actor, spend_file: SpendFile) -> dict[str, Any]:
    lines = spend_file.lines.order_by()
    totals = lines.aggregate(total=Coalesce(Sum("amount"), ZERO))
    on = lines.filter(on_contract=True).aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
    off = totals["total"] - on
    labels = dict(Category.choices)
    off_lines = lines.filter(on_contract=False)
    # The saving available: off-contract spend at the rate the consortium's contracts
    # save against members' previous prices (Σ saving ÷ Σ baseline over order lines).
    try:
        rate = mi.savings(actor)["rate_percent"]
    except PermissionDenied:
        rate = ZERO
    return {
        "total": totals["total"],
        "on_contract": on,
        "off_contract": off,
        "on_contract_percent": (on / totals["total"] * 100).quantize(Decimal("0.1"))
        if totals["total"]
        else ZERO,
        "saving_rate_percent": rate,
        "saving_available": (off * rate / 100).quantize(Decimal("0.01")),
        "top_off_contract_suppliers": list(
            off_lines.values("supplier_name")
            .annotate(spend=Sum("amount"), payments=Count("id"))
            .order_by("-spend")[:10]
        ),
        # Names that look like one of our suppliers: the member confirms (or not) once.
        "suggestions": [
            {
                "supplier_name": r["supplier_name"],
                "supplier_id": r["suggested_supplier_id"],
                "supplier": r["suggested_supplier__name"],
                "score": r["suggestion_score"],
                "spend": r["spend"],
                "payments": r["payments"],
            }
            for r in lines.filter(suggested_supplier__isnull=False)
            .values("supplier_name", "suggested_supplier_id", "suggested_supplier__name", "suggestion_score")
            .annotate(spend=Sum("amount"), payments=Count("id"))
            .order_by("-spend")[:50]
        ],
        "matched_by": dict(
            lines.filter(matched_supplier__isnull=False).values_list("match_method").annotate(n=Count("id"))
        ),
        "off_contract_categories": [
            {"category": labels.get(r["category"], "Unclassified"), "spend": r["spend"]}
            for r in off_lines.values("category").annotate(spend=Sum("amount")).order_by("-spend")
        ],
    }
