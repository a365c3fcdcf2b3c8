"""The tendering API (`/api/v1/tenders…`), one module per stage of a procurement; each
registers its endpoints on the one router. Schemas live in `consortium.tendering.schemas`,
shared with the pages."""

from consortium.tendering.api import (  # noqa: F401  (imported for the endpoints they register)
    amendment,
    award,
    bidding,
    contract,
    demand,
    documents,
    evaluation,
    ocds,
    opening,
    setup,
    timetable,
)
from consortium.tendering.api._common import router

__all__ = ["router"]
