"""Pages for collaborative tendering, one module per stage. Thin: each reads its input with
the API's schemas (core.forms), reads through selectors and changes through services; a
refusal from either becomes the page's 403, 404 or error summary."""

from consortium.tendering.views.amendment import tender_amend
from consortium.tendering.views.award import tender_summary
from consortium.tendering.views.bidding import tender_bid, tender_clarifications
from consortium.tendering.views.contract import (
    tender_contract,
    tender_contract_form,
    tender_contract_milestone,
)
from consortium.tendering.views.demand import tender_demand, tender_demand_workbook
from consortium.tendering.views.documents import tender_document, tender_document_edit
from consortium.tendering.views.evaluation import (
    tender_evaluation,
    tender_moderation,
    tender_results,
    tender_scoresheet,
    tender_scoring_workbook,
)
from consortium.tendering.views.ocds import (
    open_data,
    open_data_records,
    open_data_releases,
    tender_notice,
    tender_notice_pdf,
    tender_ocds_record,
    tender_ocds_releases,
)
from consortium.tendering.views.opening import tender_bid_detail
from consortium.tendering.views.setup import (
    tender_act,
    tender_criterion,
    tender_detail,
    tender_list,
    tender_lot,
    tender_new,
    tender_schedule_item,
)
from consortium.tendering.views.timetable import tender_timetable

__all__ = [
    "open_data",
    "open_data_records",
    "open_data_releases",
    "tender_act",
    "tender_amend",
    "tender_bid",
    "tender_bid_detail",
    "tender_clarifications",
    "tender_contract",
    "tender_contract_form",
    "tender_contract_milestone",
    "tender_criterion",
    "tender_demand",
    "tender_demand_workbook",
    "tender_detail",
    "tender_document",
    "tender_document_edit",
    "tender_evaluation",
    "tender_list",
    "tender_lot",
    "tender_moderation",
    "tender_new",
    "tender_notice",
    "tender_notice_pdf",
    "tender_ocds_record",
    "tender_ocds_releases",
    "tender_results",
    "tender_schedule_item",
    "tender_scoresheet",
    "tender_scoring_workbook",
    "tender_summary",
    "tender_timetable",
]
