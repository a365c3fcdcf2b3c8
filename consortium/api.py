"""The JSON API at /api/v1: docs at /api/v1/docs, schema at /api/v1/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

from consortium.audit.api import router as audit_router
from consortium.care.api import router as care_router
from consortium.catalogue.api import router as catalogue_router
from consortium.check.api import router as check_router
from consortium.citizen.api import router as citizen_router
from consortium.contacts.api import router as contacts_router
from consortium.contracts.api import router as contracts_router
from consortium.core.api_errors import install_error_handlers
from consortium.directory.api import router as directory_router
from consortium.invoices.api import router as invoices_router
from consortium.orders.api import router as orders_router
from consortium.organisations.api import router as organisations_router
from consortium.organisations.api_auth import ActorBearerAuth, ActorSessionAuth
from consortium.payments.api import router as payments_router
from consortium.savings.api import router as savings_router
from consortium.spend.api import router as spend_router
from consortium.sustainability.api import router as sustainability_router
from consortium.tendering.api import router as tendering_router

api = NinjaAPI(
    title="Consortium API",
    version="1",
    description=(
        "Shared procurement services for a consortium of public bodies. "
        "Authenticate with the page session (send the CSRF token on writes) or a personal "
        "API token as `Authorization: Bearer <token>` (create one on My account). "
        "Every failure has the shape `{title, detail, errors: [{field, message}]}`; "
        "every list takes `limit` and `offset` and returns `{items, count}`."
    ),
    auth=[ActorBearerAuth(), ActorSessionAuth(csrf=True)],
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("", organisations_router)
api.add_router("", audit_router)
api.add_router("", care_router)
api.add_router("", contracts_router)
api.add_router("", catalogue_router)
api.add_router("", orders_router)
api.add_router("", invoices_router)
api.add_router("", spend_router)
api.add_router("", tendering_router)
api.add_router("", citizen_router)
api.add_router("", contacts_router)
api.add_router("", directory_router)
api.add_router("", payments_router)
api.add_router("", savings_router)
api.add_router("", sustainability_router)
api.add_router("", check_router)
