"""Every change to a procurement, one function per action, in a transaction, audited —
arranged by stage. Import from here: `from consortium.tendering import services`."""

from consortium.tendering.services._common import MAX_DOCUMENT_BYTES, TENDER_DEADLINE_TIME, S, _move
from consortium.tendering.services.award import award_approve, award_conclude
from consortium.tendering.services.bidding import (
    DocumentIn,
    PriceLineIn,
    appraisal_answer,
    bid_submit,
    bid_withdraw,
    clarification_answer,
    clarification_ask,
    interest_register,
)
from consortium.tendering.services.demand import (
    DemandIn,
    demand_close,
    demand_open,
    demand_record,
    preparation_without_demand,
)
from consortium.tendering.services.evaluation import (
    ScoreIn,
    consensus_submit,
    declaration_make,
    evaluation_finalise,
    evaluator_assign,
    moderation_submit,
    scores_submit,
    scoresheet_submit,
)
from consortium.tendering.services.opening import opening_record
from consortium.tendering.services.setup import (
    LotIn,
    bidders_invite,
    criterion_add,
    criterion_change,
    criterion_remove,
    lot_add,
    lot_change,
    lot_remove,
    project_cancel,
    project_create,
    tender_publish,
)
from consortium.tendering.services.timetable import price_method_set, timetable_set

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "TENDER_DEADLINE_TIME",
    "DemandIn",
    "DocumentIn",
    "LotIn",
    "PriceLineIn",
    "S",
    "ScoreIn",
    "_move",
    "appraisal_answer",
    "award_approve",
    "award_conclude",
    "bid_submit",
    "bid_withdraw",
    "bidders_invite",
    "clarification_answer",
    "clarification_ask",
    "consensus_submit",
    "criterion_add",
    "criterion_change",
    "criterion_remove",
    "declaration_make",
    "demand_close",
    "demand_open",
    "demand_record",
    "evaluation_finalise",
    "evaluator_assign",
    "interest_register",
    "lot_add",
    "lot_change",
    "lot_remove",
    "moderation_submit",
    "opening_record",
    "preparation_without_demand",
    "price_method_set",
    "project_cancel",
    "project_create",
    "scores_submit",
    "scoresheet_submit",
    "tender_publish",
    "timetable_set",
]
