import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from consortium.core.api_errors import ERRORS
from consortium.core.pagination import Page
from consortium.organisations.api_auth import actor_of
from consortium.spend import mi, selectors, services
from consortium.spend.schemas import SupplierMatchIn

router = Router(tags=["management information"])


class SpendRow(Schema):
    label: str
    spend: Decimal


class SavingsOut(Schema):
    saving: Decimal
    baseline: Decimal
    spend: Decimal
    rate_percent: Decimal


class RebateRow(Schema):
    supplier: str
    quarter: str
    spend: Decimal
    rebate: Decimal


class SharesOut(Schema):
    total: Decimal
    local: Decimal
    sme: Decimal
    voluntary: Decimal
    local_percent: Decimal
    sme_percent: Decimal
    voluntary_percent: Decimal


class SpendFileOut(Schema):
    id: int
    organisation_id: int
    filename: str
    rows: int
    created_at: dt.datetime


class AnalysisOut(Schema):
    total: Decimal
    on_contract: Decimal
    off_contract: Decimal
    on_contract_percent: Decimal
    saving_rate_percent: Decimal
    saving_available: Decimal
    top_off_contract_suppliers: list[dict[str, object]]
    off_contract_categories: list[dict[str, object]]
    suggestions: list[dict[str, object]] = Field(
        ..., description="Names that look like one of our suppliers, for the member to confirm"
    )
    matched_by: dict[str, int] = Field(
        ..., description="Payments matched by Companies House number, VAT number…"
    )


class Since(Schema):
    since: dt.date | None = None


@router.get("/mi/spend", response={200: list[SpendRow], **ERRORS}, operation_id="mi_spend")
def mi_spend(
    request: HttpRequest,
    by: str = Query("month", pattern="^(member|category|supplier|contract|month)$"),
    since: dt.date | None = None,
) -> object:
    """Spend ex VAT by member, category, supplier, contract or month (the latest 12): for each order
    line, what approved and paid invoices billed on it (credit notes taken off), else what was ordered."""
    return mi.spend_by(actor_of(request), by, since=since)


@router.get("/mi/savings", response={200: SavingsOut, **ERRORS}, operation_id="mi_savings")
def mi_savings(request: HttpRequest, filters: Query[Since]) -> object:
    return mi.savings(actor_of(request), since=filters.since)


@router.get("/mi/rebates", response={200: list[RebateRow], **ERRORS}, operation_id="mi_rebates")
def mi_rebates(request: HttpRequest, filters: Query[Since]) -> object:
    return mi.rebates(actor_of(request), since=filters.since)


@router.get("/mi/local-and-sme", response={200: SharesOut, **ERRORS}, operation_id="mi_local_and_sme")
def mi_local_and_sme(request: HttpRequest, filters: Query[Since]) -> object:
    return mi.local_and_sme(actor_of(request), since=filters.since)


@router.get("/spend-files", response={200: list[SpendFileOut], **ERRORS}, operation_id="spend_file_list")
@paginate(Page)
def spend_file_list(request: HttpRequest) -> object:
    return selectors.spend_file_list_for(actor_of(request))


@router.post("/spend-files", response={201: SpendFileOut, **ERRORS}, operation_id="spend_file_upload")
def spend_file_upload(request: HttpRequest, file: File[UploadedFile]) -> Status:
    """Upload accounts-payable spend (.xlsx or .csv: supplier, date, amount, description). All rows or none."""
    spend_file = services.spend_file_import(
        actor=actor_of(request), content=file.read(services.MAX_BYTES + 1), filename=file.name or "spend.csv"
    )
    return Status(201, spend_file)


@router.get(
    "/spend-files/{spend_file_id}/analysis",
    response={200: AnalysisOut, **ERRORS},
    operation_id="spend_file_analysis",
)
def spend_file_analysis(request: HttpRequest, spend_file_id: int) -> object:
    actor = actor_of(request)
    return selectors.analysis(actor, selectors.spend_file_get_for(actor, spend_file_id))


class MatchOut(Schema):
    changed: int = Field(..., description="Payments now counted as that supplier (or no longer suggested)")


@router.post(
    "/spend-files/{spend_file_id}/matches",
    response={200: MatchOut, **ERRORS},
    operation_id="spend_match_decide",
)
def spend_match_decide(request: HttpRequest, spend_file_id: int, payload: SupplierMatchIn) -> object:
    """Confirm (or refuse) a suggested supplier for a name in the file: remembered for later files."""
    actor = actor_of(request)
    spend_file = selectors.spend_file_get_for(actor, spend_file_id)
    return {"changed": services.spend_match_decide(actor=actor, spend_file=spend_file, **payload.dict())}
