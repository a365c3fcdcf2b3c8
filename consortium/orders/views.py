"""Pages: basket and checkout, orders and their steps, approval rules."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from consortium.core.errors import ConsortiumError, ValidationFailed
from consortium.core.files import csv_response
from consortium.core.forms import posted, read_form
from consortium.core.views import actor_required, date_field, form_errors, form_id
from consortium.orders import selectors, services
from consortium.orders.constants import OrderStatus
from consortium.orders.models import BasketLine
from consortium.orders.schemas import (
    ApprovalRuleIn,
    BasketAddIn,
    BasketUpdateIn,
    CheckoutIn,
    DeliveryIn,
    ReasonIn,
    SavedListIn,
    SavedListItemIn,
)
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
        item_id = form_id(request.POST.get("item_id"), "item_id", label="an item")
        data = read_form(
            BasketAddIn, {**posted(request.POST, "quantity", "cost_centre"), "item_id": item_id}, raw=True
        )
        line = services.basket_add(actor=actor, **data.dict())
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


def _line_input(post: Mapping[str, Any], line: BasketLine) -> BasketUpdateIn:
    """One basket line's inputs (quantity_<id>, cost_centre_<id>), errors named by its item."""
    given = {
        "quantity": post.get(f"quantity_{line.pk}", line.quantity),
        "cost_centre": post.get(f"cost_centre_{line.pk}", line.cost_centre),
    }
    return read_form(
        BasketUpdateIn,
        {k: v.strip() if isinstance(v, str) else v for k, v in given.items() if v != ""},
        raw=True,
        where=lambda loc: (f"{loc[0]}_{line.pk}", f"{line.item.name}: "),
    )


@actor_required
def basket(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    errors: dict[str, str] = {}
    values = {"delivery_address": "", "notes": "", "checkout_key": uuid.uuid4().hex}
    if request.method == "POST":
        lines = list(selectors.basket_for(actor))
        values = {k: request.POST.get(k, "").strip() for k in ("delivery_address", "notes", "checkout_key")}
        try:
            # Every line is read first, with the API's schema, so every line's error is shown
            # at once, named by its item; nothing changes unless all of them are right.
            updates: list[tuple[BasketLine, BasketUpdateIn]] = []
            line_errors: dict[str, str] = {}
            for line in lines:
                try:
                    updates.append((line, _line_input(request.POST, line)))
                except ValidationFailed as exc:
                    line_errors |= exc.field_errors
            checking_out = request.POST.get("action") == "checkout"
            order_details = None
            if checking_out:
                try:
                    order_details = read_form(CheckoutIn, values, raw=True, summary="Check your order")
                except ValidationFailed as exc:
                    line_errors |= exc.field_errors
            if line_errors:
                raise ValidationFailed("Check your basket", field_errors=line_errors)
            for line, data in updates:
                services.basket_update(
                    actor=actor, line_id=line.pk, quantity=data.quantity, cost_centre=data.cost_centre
                )
            if order_details is not None:
                orders = services.checkout(actor=actor, **order_details.dict())
                # The confirmation page says what was placed and what happens next.
                return redirect("checkout-done", checkout_key=orders[0].checkout_key)
            messages.success(request, "Basket updated.")
            return redirect("basket")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
    summary = selectors.basket_summary(actor)
    return render(
        request,
        "orders/basket.html",
        {
            "lines": [r["line"] for o in summary["orders"] for r in o["rows"]],
            "summary": summary,
            "errors": errors,
            "values": values,
            # What was typed, when the basket came back with errors.
            "typed": request.POST if errors else None,
        },
        status=400 if errors else 200,
    )


@actor_required
def checkout_done(request: HttpRequest, checkout_key: str) -> HttpResponse:
    """What was ordered and what happens next: the confirmation a budget holder keeps."""
    actor = _actor(request)
    orders = list(
        selectors.order_list_for(actor)
        .filter(buyer=actor.organisation, checkout_key=checkout_key[:64], placed_by=actor.person)
        .prefetch_related("lines")
    )
    if not orders:
        raise Http404("No checkout of yours with that key")
    return render(request, "orders/checkout_done.html", {"orders": orders, "statuses": S})


@actor_required
def order_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    status = request.GET.get("status") or None
    status = status if status in S.values else None
    orders = selectors.order_list_for(actor, status=status)
    # Filters for whoever sees more than one side: the member bought, the supplier sold, dates.
    chosen: dict[str, str] = {"status": status or ""}
    errors: dict[str, str] = {}
    for name, field in (("member", "buyer_id"), ("supplier", "supplier_id")):
        value = request.GET.get(name, "").strip()
        if value.isdigit() and len(value) < 18:
            orders = orders.filter(**{field: int(value)})
            chosen[name] = value
    for name, lookup in (("from", "created_at__date__gte"), ("to", "created_at__date__lte")):
        value = request.GET.get(name, "").strip()
        if value:
            day = date_field(value, name, errors)
            if name not in errors:
                orders = orders.filter(**{lookup: day})
                chosen[name] = value
    page = Paginator(orders, 50).get_page(request.GET.get("page"))
    options = selectors.order_filter_options(actor)
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
            "chosen": chosen,
            "members": options["members"],
            "suppliers": options["suppliers"],
            "errors": errors,
            "query": urlencode({k: v for k, v in chosen.items() if v}),
        },
        status=400 if errors else 200,
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
        names = {line.pk: line.name for line in order.lines.all()}
        try:
            reason = read_form(ReasonIn, request.POST).reason
            delivered: dict[int, int] = {}
            if action == "record_delivery":
                given = {pk: request.POST.get(f"delivered_{pk}", "").strip() for pk in names}
                delivered = read_form(
                    DeliveryIn,
                    {"delivered": {pk: value for pk, value in given.items() if value}},
                    raw=True,
                    where=lambda loc: (
                        (f"delivered_{loc[1]}", f"{names.get(int(loc[1]), 'Line')}: ")
                        if len(loc) > 1 and str(loc[1]).isdigit()
                        else ("__all__", "")
                    ),
                    summary="Check the quantities received",
                ).delivered
            order = services.order_act(
                actor=actor, order=order, action=action, reason=reason, delivered=delivered
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
        {
            "order": order,
            "actions": services.order_actions_for(actor, order),
            "invoiceable": services.SPEND_STATUSES,
            "still_to_come": [
                (ln, ln.quantity - ln.quantity_delivered)
                for ln in order.lines.all()
                if order.status == S.PART_DELIVERED and ln.quantity_delivered < ln.quantity
            ],
            "errors": errors,
            "typed": request.POST if errors else None,
        },
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
            data = read_form(ApprovalRuleIn, request.POST, summary="Check the rule")
            services.approval_rule_set(actor=actor, threshold=data.threshold, category=data.category)
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
            "rules": selectors.approval_rules_for(actor),
            "errors": errors,
            "form": request.POST,
            "categories": Category.choices,
        },
        status=400 if errors else 200,
    )


# --- saved lists and buy again -------------------------------------------------------------------


@actor_required
def saved_lists(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    lists = selectors.saved_lists_for(actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            saved = services.saved_list_create(actor=actor, name=read_form(SavedListIn, request.POST).name)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            messages.success(
                request, f"List “{saved.name}” made: add items from search, an item's page or Buy again."
            )
            return redirect("saved-list", list_id=saved.pk)
    return render(
        request,
        "orders/saved_lists.html",
        {"lists": lists, "errors": errors, "typed": request.POST if errors else None},
        status=400 if errors else 200,
    )


@actor_required
def saved_list(request: HttpRequest, list_id: int) -> HttpResponse:
    actor = _actor(request)
    saved = selectors.saved_list_get_for(actor, list_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "basket":
                added, missing = services.saved_list_to_basket(actor=actor, list_id=saved.pk)
                text = f"{len(added)} item{'s' if len(added) != 1 else ''} from “{saved.name}” are in your basket."
                if missing:
                    text += f" No longer available, so left out: {', '.join(missing)}."
                messages.success(request, text)
                return redirect("basket")
            if action == "remove":
                item_id = form_id(request.POST.get("item_id"), "item_id", label="an item")
                services.saved_list_remove_item(actor=actor, list_id=saved.pk, item_id=item_id)
                messages.success(request, "Removed from the list.")
            elif action == "delete":
                services.saved_list_delete(actor=actor, list_id=saved.pk)
                messages.success(request, f"List “{saved.name}” deleted.")
                return redirect("saved-lists")
            else:
                item_id = form_id(request.POST.get("item_id"), "item_id", label="an item")
                data = read_form(
                    SavedListItemIn, {**posted(request.POST, "quantity"), "item_id": item_id}, raw=True
                )
                services.saved_list_put_item(
                    actor=actor, list_id=saved.pk, item_id=item_id, quantity=data.quantity
                )
                messages.success(request, f"“{saved.name}” updated.")
            back = _local(request.POST.get("next"))
            return redirect(back) if back else redirect("saved-list", list_id=saved.pk)
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
    return render(
        request,
        "orders/saved_list.html",
        {"saved": selectors.saved_list_get_for(actor, list_id), "errors": errors},
        status=400 if errors else 200,
    )


@actor_required
def buy_again(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "orders/buy_again.html",
        {"rows": selectors.buy_again_for(actor), "lists": list(selectors.saved_lists_for(actor))},
    )
