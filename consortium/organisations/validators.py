"""Checks on official identifiers and postcodes, each with a message naming what is wrong."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from consortium.organisations.constants import IDENTIFIER_SCHEME_BY_KIND, IdentifierScheme

# The Royal Mail postcode shape, including GIR 0AA; case and the space are forgiven.
_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})$")

IDENTIFIER_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    IdentifierScheme.GSS: (re.compile(r"^[EWSN]\d{8}$"), "a GSS code such as E07000192"),
    IdentifierScheme.URN: (re.compile(r"^\d{6,7}$"), "a 6 or 7 digit URN such as 124356"),
    IdentifierScheme.COMPANIES_HOUSE: (
        re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$"),
        "a Companies House number of 8 characters such as 01234567 or SC123456",
    ),
    IdentifierScheme.CHARITY: (re.compile(r"^\d{6,8}$"), "a charity number such as 1123456"),
    IdentifierScheme.ODS: (re.compile(r"^[A-Z0-9]{3,6}$"), "an ODS code such as RJE"),
    IdentifierScheme.PPON: (
        re.compile(r"^P[A-Z0-9]{3}-[A-Z0-9]{4}-[A-Z0-9]{4}$"),
        "the PPON the Central Digital Platform gave it, four characters three times joined by hyphens",
    ),
}


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        return ""
    formatted = f"{compact[:-3]} {compact[-3:]}"
    if not _POSTCODE.match(formatted):
        raise ValidationError("Enter a real postcode, like ST16 2LH")
    return formatted


def normalise_identifier(kind: str, value: str) -> str:
    value = re.sub(r"\s+", "", value or "").upper()
    if not value:
        return ""
    scheme = IDENTIFIER_SCHEME_BY_KIND.get(kind)
    if scheme is None:
        raise ValidationError("This kind of organisation has no official identifier; leave it blank")
    pattern, example = IDENTIFIER_PATTERNS[scheme]
    if not pattern.match(value):
        raise ValidationError(f"Enter {example}")
    return value
