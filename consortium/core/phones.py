"""Telephone numbers compared however they were typed: "01785 276000", "+44 1785 276000" and
"(01785) 276-000" are one number. UK numbers become E.164 (+441785276000); others keep their
digits with a leading +."""

from __future__ import annotations

import re


def phone_key(raw: str) -> str:
    text = (raw or "").strip()
    if not text:
        return ""
    digits = re.sub(r"\D", "", text)
    if not digits:
        return ""
    if text.startswith("+"):
        key = "+" + digits
    elif digits.startswith("00"):
        key = "+" + digits[2:]
    elif digits.startswith("0"):
        key = "+44" + digits[1:]
    elif digits.startswith("44") and len(digits) >= 11:
        key = "+" + digits
    else:
        key = digits
    # "+44 (0)1785 …": the trunk zero in brackets is not dialled from abroad.
    if key.startswith("+440"):
        key = "+44" + key[4:]
    return key[:20]


def masked(raw: str) -> str:
    """The last three digits only, for people who may know a contact happened but not who."""
    digits = re.sub(r"\D", "", raw or "")
    return f"••• {digits[-3:]}" if len(digits) >= 3 else ("•••" if raw else "")
