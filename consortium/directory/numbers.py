"""Telephone numbers as E.164 with `phonenumbers` (Google's libphonenumber data): "01632
960001", "+44 (0)1632 960001" and "0044 1632-960001" are one number, +441632960001."""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "GB"


def normalise(raw: str) -> tuple[str, str]:
    """(E.164, the national form to show) for a number people typed, or ValueError naming
    what is wrong."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("is empty")
    if len(text) > 40:
        raise ValueError("is too long to be a telephone number")
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError(f"“{text}” is not a telephone number") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"“{text}” has the wrong number of digits for a telephone number")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return e164, phonenumbers.format_number(parsed, fmt)


def search_digits(e164: str) -> str:
    """The digits a person might type for the number, national and international, for
    fragment search: "+441632960001" → "01632960001 441632960001"."""
    digits = e164.lstrip("+")
    if digits.startswith("44"):
        return f"0{digits[2:]} {digits}"
    return digits


def query_digits(text: str) -> str:
    """The digits of a typed number or fragment: "+44 (0)1632 96" → "441632960"…, with a
    typed international UK prefix turned national so it meets the national form."""
    t = text.strip()
    digits = re.sub(r"\D", "", t)
    if t.startswith("+44") or digits.startswith("0044"):
        rest = digits[4:] if digits.startswith("0044") else digits[2:]
        if rest.startswith("0"):
            rest = rest[1:]
        return "0" + rest
    return digits
