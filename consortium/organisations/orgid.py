"""An organisation's identifier in an org-id.guide scheme, for open data that others join on.

Councils carry their GSS code; org-id.guide identifies them by the local authority register
code (GB-LAE for England, GB-LAS Scotland, GB-LAW Wales, GB-LANI Northern Ireland), looked up
in data/gss_to_local_authority_code.csv. Schools are GB-EDU (their URN); companies and
academy trusts GB-COH; charities GB-CHC; NHS bodies GB-NHS (ODS code); the consortium
itself GB-PPON, the Procurement Act's Public Procurement Organisation Number.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from consortium.organisations.constants import IdentifierScheme, OrganisationKind

if TYPE_CHECKING:
    from consortium.organisations.models import Organisation

LOOKUP = Path(__file__).parent / "data" / "gss_to_local_authority_code.csv"
COUNCIL_SCHEME_BY_NATION = {"E": "GB-LAE", "S": "GB-LAS", "W": "GB-LAW", "N": "GB-LANI"}
SCHEME_BY_RECORDED = {
    IdentifierScheme.URN: "GB-EDU",
    IdentifierScheme.COMPANIES_HOUSE: "GB-COH",
    IdentifierScheme.CHARITY: "GB-CHC",
    IdentifierScheme.ODS: "GB-NHS",
}


@cache
def _council_codes() -> dict[str, str]:
    with LOOKUP.open(newline="", encoding="utf-8") as fh:
        return {row["gss-code"]: row["local-authority-code"] for row in csv.DictReader(fh)}


def org_id(org: Organisation) -> tuple[str, str] | None:
    """(scheme, identifier) in org-id.guide's terms, or None when the organisation has none."""
    if not org.identifier:
        return None
    if org.kind == OrganisationKind.CONSORTIUM:
        return "GB-PPON", org.identifier
    recorded = org.identifier_scheme
    if recorded == IdentifierScheme.GSS:
        code = _council_codes().get(org.identifier)
        scheme = COUNCIL_SCHEME_BY_NATION.get(org.identifier[:1])
        return (scheme, code) if code and scheme else None
    scheme = SCHEME_BY_RECORDED.get(recorded)  # type: ignore[call-overload]
    return (scheme, org.identifier) if scheme else None
