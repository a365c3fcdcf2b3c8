from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from consortium.contracts import selectors
from consortium.core.views import actor_required


@actor_required
def contract_list(request: HttpRequest) -> HttpResponse:
    contracts = selectors.contract_list_for(request.actor)  # type: ignore[attr-defined]
    return render(request, "contracts/contract_list.html", {"contracts": contracts})


@actor_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get_for(request.actor, contract_id)  # type: ignore[attr-defined]
    return render(request, "contracts/contract_detail.html", {"contract": contract})
