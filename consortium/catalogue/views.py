"""Pages: buyers' search with facets, item detail, suppliers' catalogues, price-change approvals."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from consortium.catalogue import images, selectors, services
from consortium.catalogue.constants import Category
from consortium.catalogue.schemas import BaselineIn, DecisionIn, PriceChangeIn
from consortium.core.errors import ConsortiumError, PermissionDenied
from consortium.core.forms import posted, read_form
from consortium.core.views import actor_required, form_errors, uploaded_file
from consortium.organisations.acting import Actor
from consortium.sustainability.appraisal import summary as appraisal_summary

PAGE_SIZE = 20


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 18 else None


@actor_required
def search(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    q = (request.GET.get("q") or "")[:200]
    category = request.GET.get("category") or None
    filters = selectors.Filters(
        category=category if category in Category.values else None,
        supplier_id=_int(request.GET.get("supplier")),
        contract_id=_int(request.GET.get("contract")),
        local_or_sme=request.GET.get("local_or_sme") == "1",
        eco_label=request.GET.get("eco_label") == "1",
    )
    sort = request.GET.get("sort") or "relevance"
    page = max(1, _int(request.GET.get("page")) or 1)
    result = selectors.search_for(
        actor, q, filters, sort=sort, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    pages = (result.count + PAGE_SIZE - 1) // PAGE_SIZE
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "q": q,
        "filters": filters,
        "sort": sort,
        "result": result,
        "page": page,
        "pages": pages,
        "query_without_page": query.urlencode(),
        "sorts": [
            ("relevance", "Relevance"),
            ("price", "Price, lowest first"),
            ("-price", "Price, highest first"),
            ("unit_price", "Price per item, lowest first"),
            ("name", "Name"),
        ],
    }
    template = "catalogue/_results.html" if request.headers.get("HX-Request") else "catalogue/search.html"
    return render(request, template, context)


@actor_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = _actor(request)
    item = selectors.item_get_for(actor, item_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            # A blank baseline clears it, as null does in the API.
            data = read_form(
                BaselineIn,
                {"baseline_price": posted(request.POST, "baseline_price").get("baseline_price")},
                raw=True,
            )
            services.item_baseline_set(actor=actor, item=item, baseline_price=data.baseline_price)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, f"Baseline price for {item.name} saved.")
            return redirect("item-detail", item_id=item.pk)
    return render(
        request,
        "catalogue/item_detail.html",
        {
            "item": item,
            "may_set_baseline": services.may_set_baseline(actor),
            "appraisal": appraisal_summary(item.supplier),
            "errors": errors,
            "baseline_value": request.POST.get("baseline_price", "")
            if errors
            else (item.baseline_price or ""),
        },
        status=400 if errors else 200,
    )


@actor_required
def own_catalogue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    items = selectors.own_items_for(actor).order_by("lot__contract__reference", "supplier_code")
    errors: dict[str, str] = {}
    if request.method == "POST":
        item = selectors.item_get_for(actor, _int(request.POST.get("item_id")) or 0)
        try:
            data = read_form(PriceChangeIn, request.POST, summary="Check the new price")
            services.price_change_request(actor=actor, item=item, new_price=data.new_price)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            # One form per item: the error goes on that item's price box.
            errors = {
                (f"new_price_{item.pk}" if field == "new_price" else field): message
                for field, message in form_errors(exc).items()
            }
        else:
            messages.success(request, f"New price for {item.name} sent to the category manager.")
            return redirect("own-catalogue")
    return render(
        request,
        "catalogue/own_catalogue.html",
        {
            "items": items[:500],
            "count": items.count(),
            "errors": errors,
            "typed": request.POST if errors else None,
            "pending": selectors.price_change_list_for(actor),
        },
        status=400 if errors else 200,
    )


@actor_required
def price_changes(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    changes = selectors.price_change_list_for(actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        change = selectors.price_change_get_for(actor, _int(request.POST.get("change_id")) or 0)
        try:
            data = read_form(
                DecisionIn,
                {**posted(request.POST, "reason"), "approve": request.POST.get("decision") == "approve"},
                raw=True,
            )
            approve = data.approve
            services.price_change_decide(actor=actor, change=change, approve=approve, reason=data.reason)
        except ConsortiumError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = {
                (f"reason_{change.pk}" if field == "reason" else field): message
                for field, message in form_errors(exc).items()
            }
        else:
            messages.success(
                request, f"Price change for {change.item.name} {'approved' if approve else 'rejected'}."
            )
            return redirect("price-changes")
    rows = [(c, services.change_percent(c), services.is_flagged(c)) for c in changes]
    return render(
        request,
        "catalogue/price_changes.html",
        {"rows": rows, "errors": errors, "typed": request.POST if errors else None},
        status=400 if errors else 200,
    )


@actor_required
def catalogue_upload(request: HttpRequest) -> HttpResponse:
    from consortium.catalogue import imports

    actor = _actor(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            content, name = uploaded_file(request, max_bytes=imports.MAX_BYTES)
            result = imports.catalogue_import(actor=actor, content=content, filename=name or "catalogue.xlsx")
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            messages.success(
                request,
                f"Catalogue uploaded: {result.created} new, {result.updated} updated, "
                f"{result.price_changes} price change(s) sent for approval.",
            )
            return redirect("own-catalogue")
    elif not (actor.organisation.is_supplier):
        from consortium.core.views import forbidden

        return forbidden(request, reason="Only a supplier uploads its catalogue.")
    return render(request, "catalogue/upload.html", {"errors": errors}, status=400 if errors else 200)


@actor_required
def catalogue_template(request: HttpRequest) -> HttpResponse:
    from consortium.catalogue import imports

    actor = _actor(request)
    if not actor.organisation.is_supplier:
        from consortium.core.views import forbidden

        return forbidden(request, reason="Only a supplier has a catalogue template.")
    response = HttpResponse(
        imports.template(actor),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="catalogue.xlsx"'
    return response


@actor_required
def item_image(request: HttpRequest, item_id: int) -> HttpResponse:
    """An item's picture, to whoever may see the item."""
    item = selectors.item_get_for(_actor(request), item_id)
    if not item.image:
        raise Http404("This item has no picture")
    response = HttpResponse(bytes(item.image), content_type=item.image_type or "image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@actor_required
def item_image_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    """The supplier's picture of its item and the words that describe it."""
    actor = _actor(request)
    item = selectors.item_get_for(actor, item_id)
    if not actor.organisation.is_supplier:
        raise PermissionDenied("A supplier keeps the pictures of its own items.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            content = None
            if request.FILES.get("image") is not None:
                content, _ = uploaded_file(request, max_bytes=images.MAX_BYTES, field="image")
            services.item_image_set(
                actor=actor, item_id=item.pk, content=content, alt=request.POST.get("image_alt", "")
            )
        except ConsortiumError as exc:
            if exc.status_code == 403:
                raise
            errors = form_errors(exc)
        else:
            messages.success(request, f"Picture of {item.name} saved.")
            return redirect("own-catalogue")
    return render(
        request,
        "catalogue/item_image.html",
        {"item": item, "errors": errors, "typed": request.POST if errors else None},
        status=400 if errors else 200,
    )
