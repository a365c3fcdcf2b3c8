"""Readable names for audit actions, for the activity pages and exports' readers."""

from __future__ import annotations

# Reads of records (personal data, sealed bids): recorded so they can be explained, but hidden
# from the activity page unless asked for, so they do not bury the changes.
READ_SUFFIXES = (".view", ".read", ".read_refused")

ACTION_LABELS: dict[str, str] = {
    "fee.remove": "Fee on a service removed",
    "fee.set": "Fee on a service set",
    "fund.save": "Payment fund saved",
    "payment.start": "Payment started",
    "payment.view": "Payment viewed (with the payer's e-mail)",
    "payment.status": "Payment status changed",
    "payment.provider_unavailable": "Payment service unavailable",
    "payment.provider_refused": "Payment refused by the payment service",
    "payment_account.save": "Payment account saved",
    "refund.request": "Refund asked for",
    "refund.approve": "Refund approved and sent",
    "refund.reject": "Refund rejected",
    "refund.error": "Refund refused by the payment service",
    "settlement.upload": "Settlement reconciled",
    "api_token.create": "API token created",
    "api_token.revoke": "API token revoked",
    "approval_rule.set": "Approval rule set",
    "check.refresh": "Service check: every stream re-read",
    "split.add": "Service check: change recorded",
    "split.remove": "Service check: change removed",
    "study.create": "Service check: study saved",
    "study.delete": "Service check: study deleted",
    "study.update": "Service check: study updated",
    "bid.read": "Bid read",
    "bid.read_refused": "Bid reading refused (sealed)",
    "bid.submit": "Bid submitted",
    "bid.resubmit": "Bid resubmitted",
    "bid.withdraw": "Bid withdrawn",
    "care_assessment.create": "Client's needs recorded",
    "care_assessment.view": "Client's record viewed",
    "care_home.create": "Care home added",
    "care_level.update": "Level of care changed",
    "care_negotiation.open": "Negotiation opened",
    "care_negotiation.record_agreed": "Agreed prices recorded",
    "care_negotiation.view": "Negotiation viewed",
    "care_negotiation.withdraw": "Negotiation withdrawn",
    "care_placement.confirm": "Placement confirmed",
    "catalogue.import": "Catalogue uploaded",
    "catalogue_item.baseline_set": "Baseline price set",
    "catalogue_item.create": "Catalogue item added",
    "contract.create": "Contract set up",
    "contract.live": "Contract made live",
    "contract.expired": "Contract expired",
    "contract.end_date_change": "Contract end date changed",
    "demo.load": "Demo loaded",
    "invitation.accept": "Invitation accepted",
    "invitation.create": "Invitation sent",
    "invitation.revoke": "Invitation revoked",
    "lot.create": "Lot added",
    "membership.end": "Membership ended",
    "membership.start": "Member admitted",
    "order.checkout": "Order placed",
    "organisation.create": "Organisation added",
    "organisation.update": "Organisation changed",
    "person.create": "Account created",
    "person.password_reset": "Password reset",
    "person.password_change": "Password changed",
    "person.update": "Details changed",
    "price_change.request": "New price proposed",
    "price_change.approved": "New price approved",
    "price_change.rejected": "New price rejected",
    "price_menu.submit": "Price menu submitted",
    "procurement.bidders_invite": "Suppliers invited to bid",
    "procurement.clarification_answer": "Clarification answered",
    "procurement.clarification_ask": "Clarification asked",
    "procurement.create": "Procurement started",
    "procurement.criterion_add": "Award criterion added",
    "procurement.criterion_change": "Award criterion corrected",
    "procurement.criterion_remove": "Award criterion removed",
    "procurement.declaration": "Conflict of interest declared",
    "procurement.demand_record": "Demand registered",
    "procurement.evaluator_assign": "Evaluator assigned",
    "procurement.interest": "Interest registered",
    "procurement.lot_add": "Lot added",
    "procurement.lot_change": "Lot corrected",
    "procurement.lot_remove": "Lot removed",
    "procurement.schedule_change": "Priced schedule changed",
    "procurement.amend": "Tender amended",
    "procurement.milestone": "Contract milestone recorded",
    "procurement.vary": "Contract varied",
    "procurement.performance": "Contract performance assessed",
    "procurement.terminate": "Contract terminated",
    "procurement.moderation": "Consensus scores recorded",
    "procurement.opening_record": "Opening recorded",
    "procurement.bids_unsealed": "Bids unsealed at the opening",
    "procurement.price_method_set": "Price method set",
    "procurement.results": "Results worked out",
    "procurement.scoresheet": "Scores recorded",
    "procurement.timetable_set": "Timetable set",
    "role.grant": "Role given",
    "role.revoke": "Role removed",
    "spend_file.import": "Spend file uploaded",
}


def action_label(action: str) -> str:
    """The readable name: known actions by name; others as "Entity: what happened"."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    entity, _, verb = action.partition(".")
    return f"{entity.replace('_', ' ').capitalize()}: {verb.replace('_', ' ')}" if verb else action


def is_read(action: str) -> bool:
    return action.endswith(READ_SUFFIXES)
