from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from consortium.contracts import selectors, services
from consortium.contracts.constants import Access, ContractKind, Scope
from consortium.core.errors import ConsortiumError, ValidationFailed
from consortium.core.views import actor_required, confirmation_page, date_field, forbidden, form_errors
from consortium.organisations.acting import Actor
from consortium.organisations.constants import MEMBER_KINDS, OrganisationKind
from consortium.organisations.models import Organisation
from consortium.organisations.permissions import Permission


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


def _manages_contracts(actor: Actor) -> bool:
    return actor.organisation.is_consortium and actor.has(Permission.CONTRACTS_MANAGE)


@actor_required
def contract_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    contracts = selectors.contract_list_for(actor)
    return render(
        request,
        "contracts/contract_list.html",
        {"contracts": contracts, "can_manage": _manages_contracts(actor)},
    )


@actor_required
def contract_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not _manages_contracts(actor):
        return forbidden(request, reason="The consortium's category managers set up contracts.")
    members = Organisation.objects.filter(kind__in=MEMBER_KINDS).order_by("name")
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        date_errors: dict[str, str] = {}
        start = date_field(post.get("start_date", ""), "start_date", date_errors)
        end = date_field(post.get("end_date", ""), "end_date", date_errors)
        try:
            if date_errors:
                raise ValidationFailed("Check the contract's dates", field_errors=date_errors)
            try:
                extension = int(post.get("extension_months") or 0)
            except ValueError:
                raise ValidationFailed(
                    "Check the extension", field_errors={"extension_months": "Enter a whole number of months"}
                ) from None
            let_by_id = post.get("let_by", "")
            contract = services.contract_create(
                actor=actor,
                reference=post.get("reference", ""),
                title=post.get("title", ""),
                description=post.get("description", ""),
                kind=post.get("kind", ""),
                scope=post.get("scope", ""),
                cpv_codes=[c for c in post.get("cpv_codes", "").replace(",", " ").split() if c],
                let_by=members.filter(pk=let_by_id).first() if let_by_id.isdigit() else None,
                access=post.get("access", ""),
                access_kinds=post.getlist("access_kinds"),
                access_named=list(
                    members.filter(pk__in=[i for i in post.getlist("access_named") if i.isdigit()])
                ),
                start_date=start,
                end_date=end,
                extension_months=extension,
                rebate_percent=post.get("rebate_percent") or "0",
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"Contract {contract.reference} set up as a draft. Add its lots.")
            return redirect("contract-detail", contract.pk)
    return render(
        request,
        "contracts/contract_new.html",
        {
            "errors": errors,
            "form": request.POST,
            "kinds": ContractKind.choices,
            "scopes": Scope.choices,
            "accesses": Access.choices,
            "member_kinds": [(k.value, k.label) for k in OrganisationKind if k in MEMBER_KINDS],
            "members_options": [(m.pk, m.name) for m in members],
            "chosen_kinds": request.POST.getlist("access_kinds"),
            "chosen_named": request.POST.getlist("access_named"),
        },
        status=400 if errors else 200,
    )


@actor_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    actor = _actor(request)
    contract = selectors.contract_get_for(actor, contract_id)
    can_manage = _manages_contracts(actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_manage:
            return forbidden(request, reason="The consortium's category managers change contracts.")
        post = request.POST
        try:
            number = int(post.get("number", ""))
        except ValueError:
            number = 0
        try:
            if not 1 <= number <= 999:
                raise ValidationFailed(
                    "Check the lot", field_errors={"number": "Enter a lot number from 1 to 999"}
                )
            if not post.get("title", "").strip():
                raise ValidationFailed("Check the lot", field_errors={"title": "Enter the lot's title"})
            ids = [i for i in post.getlist("suppliers") if i.isdigit()]
            suppliers = list(Organisation.objects.filter(kind=OrganisationKind.SUPPLIER, pk__in=ids))
            if not suppliers:
                raise ValidationFailed(
                    "Check the lot", field_errors={"suppliers": "Choose the suppliers awarded this lot"}
                )
            services.lot_add(
                actor=actor, contract=contract, number=number, title=post["title"], suppliers=suppliers
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"Lot {number} added.")
            return redirect("contract-detail", contract.pk)
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "can_manage": can_manage,
            "errors": errors,
            "form": request.POST,
            "actions": services.contract_actions_for(actor, contract),
            "chosen_suppliers": request.POST.getlist("suppliers"),
            "suppliers": [
                (s.pk, s.name)
                for s in Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).order_by("name")
            ]
            if can_manage
            else [],
        },
        status=400 if errors else 200,
    )


@require_POST
@actor_required
def contract_transition(request: HttpRequest, contract_id: int) -> HttpResponse:
    actor = _actor(request)
    contract = selectors.contract_get_for(actor, contract_id)
    if not _manages_contracts(actor):
        return forbidden(request, reason="The consortium's category managers change contracts.")
    action = request.POST.get("action", "")
    if action == "expire":
        page = confirmation_page(
            request,
            title=f"Mark {contract.reference} as expired?",
            consequences=[
                "Members can no longer order from it: its items leave the marketplace at once.",
                "Orders already placed are not affected.",
                "An expired contract cannot be made live again.",
            ],
            button="Mark as expired",
            back_url=reverse("contract-detail", args=[contract.pk]),
            details=[("Contract", f"{contract.reference} {contract.title}")],
            warning=True,
        )
        if page is not None:
            return page
    try:
        contract = services.contract_act(actor=actor, contract=contract, action=action)
    except ConsortiumError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, f"Contract {contract.reference} is now {contract.get_status_display().lower()}."
        )
    return redirect("contract-detail", contract.pk)
