import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from consortium.contracts import selectors, services
from consortium.contracts.constants import Access, ContractKind, ContractStatus, Scope
from consortium.contracts.models import Contract
from consortium.core.api_errors import ERRORS
from consortium.core.pagination import Page
from consortium.core.schemas import StrictIn
from consortium.organisations.api_auth import actor_of
from consortium.organisations.models import Organisation

router = Router(tags=["contracts"])


class LotOut(Schema):
    id: int
    number: int
    title: str
    supplier_ids: list[int]

    @staticmethod
    def resolve_supplier_ids(obj: object) -> list[int]:
        return [s.pk for s in obj.suppliers.all()]  # type: ignore[attr-defined]


class ContractOut(Schema):
    id: int
    reference: str
    title: str
    description: str
    kind: str
    cpv_codes: list[str]
    scope: str
    let_by_id: int
    access: str
    start_date: dt.date
    end_date: dt.date
    extension_months: int
    status: str
    rebate_percent: Decimal
    lots: list[LotOut]


class ContractIn(StrictIn):
    reference: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    kind: ContractKind = ContractKind.FRAMEWORK
    cpv_codes: list[str] = Field(default_factory=list, max_length=50)
    scope: Scope
    access: Access = Access.ALL_MEMBERS
    access_kinds: list[str] = Field(default_factory=list, max_length=20)
    access_named_ids: list[int] = Field(default_factory=list, max_length=500)
    start_date: dt.date
    end_date: dt.date
    extension_months: int = Field(0, ge=0, le=120)
    rebate_percent: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2)


class LotIn(StrictIn):
    number: int = Field(..., ge=1, le=999)
    title: str = Field(..., min_length=1, max_length=200)
    supplier_ids: list[int] = Field(..., min_length=1, max_length=200)


class TransitionIn(StrictIn):
    to: ContractStatus


@router.get("/contracts", response={200: list[ContractOut], **ERRORS}, operation_id="contract_list")
@paginate(Page)
def contract_list(request: HttpRequest) -> object:
    return selectors.contract_list_for(actor_of(request))


@router.post("/contracts", response={201: ContractOut, **ERRORS}, operation_id="contract_create")
def contract_create(request: HttpRequest, payload: ContractIn) -> Status:
    values = payload.dict()
    named = list(Organisation.objects.filter(pk__in=values.pop("access_named_ids")))
    contract = services.contract_create(actor=actor_of(request), access_named=named, **values)
    return Status(201, contract)


@router.get("/contracts/{contract_id}", response={200: ContractOut, **ERRORS}, operation_id="contract_get")
def contract_get(request: HttpRequest, contract_id: int) -> Contract:
    return selectors.contract_get_for(actor_of(request), contract_id)


@router.post("/contracts/{contract_id}/lots", response={201: ContractOut, **ERRORS}, operation_id="lot_add")
def lot_add(request: HttpRequest, contract_id: int, payload: LotIn) -> Status:
    actor = actor_of(request)
    contract = selectors.contract_get_for(actor, contract_id)
    suppliers = list(Organisation.objects.filter(pk__in=payload.supplier_ids))
    services.lot_add(
        actor=actor, contract=contract, number=payload.number, title=payload.title, suppliers=suppliers
    )
    return Status(201, selectors.contract_get_for(actor, contract_id))


@router.post(
    "/contracts/{contract_id}/make-live",
    response={200: ContractOut, **ERRORS},
    operation_id="contract_make_live",
)
def contract_make_live(request: HttpRequest, contract_id: int) -> Contract:
    """A draft contract with at least one lot goes live: buyers may order from it within its dates."""
    actor = actor_of(request)
    services.contract_make_live(actor=actor, contract=selectors.contract_get_for(actor, contract_id))
    return selectors.contract_get_for(actor, contract_id)


@router.post(
    "/contracts/{contract_id}/expire", response={200: ContractOut, **ERRORS}, operation_id="contract_expire"
)
def contract_expire(request: HttpRequest, contract_id: int) -> Contract:
    """A live contract ends: no more orders; kept for history and MI."""
    actor = actor_of(request)
    services.contract_expire(actor=actor, contract=selectors.contract_get_for(actor, contract_id))
    return selectors.contract_get_for(actor, contract_id)


@router.post(
    "/contracts/{contract_id}/status",
    response={200: ContractOut, **ERRORS},
    operation_id="contract_transition",
    deprecated=True,
)
def contract_transition(request: HttpRequest, contract_id: int, payload: TransitionIn) -> Contract:
    actor = actor_of(request)
    contract = selectors.contract_get_for(actor, contract_id)
    services.contract_transition(actor=actor, contract=contract, to=payload.to)
    return selectors.contract_get_for(actor, contract_id)
