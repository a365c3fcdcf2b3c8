from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from consortium.contracts import selectors, services
from consortium.contracts.constants import Access, ContractKind, Scope
from consortium.contracts.schemas import ContractIn, LotIn
from consortium.core.errors import ConsortiumError
from consortium.core.forms import posted, read_form, renamed
from consortium.core.views import actor_required, confirmation_page, forbidden, form_errors
from consortium.organisations.acting import Actor
from consortium.organisations.constants import MEMBER_KINDS, OrganisationKind
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
    members = selectors.member_choices(actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        fields = posted(post, *ContractIn.model_fields, "let_by")
        if "let_by" in fields:
            fields["let_by_id"] = fields.pop("let_by")
        try:
            data = read_form(
                ContractIn,
                {
                    **fields,
                    "cpv_codes": [c for c in post.get("cpv_codes", "").replace(",", " ").split() if c],
                    "access_kinds": post.getlist("access_kinds"),
                    "access_named_ids": [i for i in post.getlist("access_named") if i],
                },
                raw=True,
                where=renamed({"let_by_id": "let_by", "access_named_ids": "access_named"}),
                summary="Check the contract's details",
            )
            values = data.dict()
            contract = services.contract_create(
                actor=actor,
                access_named=selectors.members_by_id(actor, values.pop("access_named_ids")),
                let_by=selectors.member_by_id(actor, values.pop("let_by_id")),
                **values,
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
        try:
            data = read_form(
                LotIn,
                {
                    **posted(request.POST, "number", "title"),
                    "supplier_ids": request.POST.getlist("suppliers"),
                },
                raw=True,
                where=renamed({"supplier_ids": "suppliers"}),
                summary="Check the lot",
            )
            services.lot_add(
                actor=actor,
                contract=contract,
                number=data.number,
                title=data.title,
                suppliers=selectors.suppliers_by_id(actor, data.supplier_ids),
            )
        except ConsortiumError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"Lot {data.number} added.")
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
            "suppliers": [(s.pk, s.name) for s in selectors.supplier_choices(actor)] if can_manage else [],
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
