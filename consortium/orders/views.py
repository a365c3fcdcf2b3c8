"""Pages: basket and checkout, orders and their steps, approval rules."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from consortium.core.errors import ConsortiumError
from consortium.core.files import csv_response
from consortium.core.views import actor_required, form_errors, form_id
from consortium.orders import selectors, services
from consortium.orders.constants import OrderStatus
from consortium.orders.models import ApprovalRule
from consortium.organisations.acting import Actor
from consortium.organisations.permissions import Permission

S = OrderStatus


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


@actor_required
def basket_add(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if request.method != "POST":
        return redirect("basket")
    try:
        line = services.basket_add(
            actor=actor,
            item_id=form_id(request.POST.get("item_id"), "item_id", label="an item"),
            quantity=request.POST.get("quantity", "1"),
        )
    except ConsortiumError as exc:
        if exc.status_code == 403:
            raise
        messages.error(request, exc.detail)
        return redirect(_local(request.POST.get("next")) or "search")
    messages.success(request, f"{line.item.name} is in your basket ({line.quantity}).")
    return redirect(_local(request.POST.get("next")) or "basket")


def _local(target: str | None) -> str:
    """A path on this site to go back to, or "" (never another site, never a view name)."""
    target = target or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/"):
        return target
    return ""


@actor_required
def basket(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    errors: dict[str, str] = {}
    values = {"delivery_address": "", "notes": "", "checkout_key": uuid.uuid4().hex}
    if request.method == "POST":
        lines = list(selectors.basket_for(actor))
        values = {k: request.POST.get(k, "") for k in ("delivery_address", "notes", "checkout_key")}
        try:
            for line in lines:
                services.basket_update(
                    actor=actor,
                    line_id=line.pk,
                    quantity=request.POST.get(f"quantity_{line.pk}", line.quantity),
                    cost_centre=request.POST.get(f"cost_centre_{line.pk}", line.cost_centre),
                )
            if request.POST.get("action") == "checkout":
                orders = services.checkout(
                    actor=actor,
                    checkout_key=values["checkout_key"],
                    delivery_address=values["delivery_address"],
                    notes=values["notes"],
                )
                refs = ", ".join(o.reference for o in orders)
                messages.success(request, f"Order{'s' if len(orders) > 1 else ''} placed: {refs}.")
                return redirect("order-list")
            messages.success(request, "Basket updated.")
            return redirect("basket")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
    lines = list(selectors.basket_for(actor))
    subtotal = sum((ln.item.unit_price * ln.quantity for ln in lines), 0)
    return render(
        request,
        "orders/basket.html",
        {"lines": lines, "subtotal": subtotal, "errors": errors, "values": values},
        status=400 if errors else 200,
    )


@actor_required
def order_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    status = request.GET.get("status") or None
    status = status if status in S.values else None
    orders = selectors.order_list_for(actor, status=status)
    page = Paginator(orders, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/order_list.html",
        {
            "orders": page,
            "page": page,
            "count": page.paginator.count,
            "statuses": S.choices,
            "status": status or "",
            "status_label": S(status).label.lower() if status else "",
            "query": urlencode({"status": status}) if status else "",
        },
    )


@actor_required
def order_export(request: HttpRequest) -> HttpResponse:
    orders = selectors.order_list_for(_actor(request)).prefetch_related("lines")[:20000]
    return csv_response(selectors.orders_as_csv(orders), "orders.csv")


@actor_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = _actor(request)
    order = selectors.order_get_for(actor, order_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        delivered = {
            line.pk: request.POST.get(f"delivered_{line.pk}", "")
            for line in order.lines.all()
            if request.POST.get(f"delivered_{line.pk}", "") != ""
        }
        try:
            order = services.order_act(
                actor=actor,
                order=order,
                action=action,
                reason=request.POST.get("reason", ""),
                delivered=delivered,
            )
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            done = (
                "approved and sent to the supplier"
                if action == "approve"
                else order.get_status_display().lower()
            )
            messages.success(request, f"Order {order.reference}: {done}.")
            return redirect("order-detail", order_id=order.pk)
        order = selectors.order_get_for(actor, order_id)
    return render(
        request,
        "orders/order_detail.html",
        {"order": order, "actions": services.order_actions_for(actor, order), "errors": errors},
        status=400 if errors else 200,
    )


@actor_required
def approval_rules(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not actor.has(Permission.APPROVAL_RULES_SET) or actor.organisation.is_supplier:
        from consortium.core.views import forbidden

        return forbidden(request, reason="An approver sets the organisation's approval rules.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.approval_rule_set(
                actor=actor,
                threshold=request.POST.get("threshold", ""),
                category=request.POST.get("category", ""),
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, "Approval rule saved.")
            return redirect("approval-rules")
    from consortium.catalogue.constants import Category

    return render(
        request,
        "orders/approval_rules.html",
        {
            "rules": ApprovalRule.objects.filter(organisation=actor.organisation),
            "errors": errors,
            "categories": Category.choices,
        },
        status=400 if errors else 200,
    )
