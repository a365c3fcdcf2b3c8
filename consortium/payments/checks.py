"""A fund's reference: the pattern its billing system issues and, where it has one, the check
digit — checked before any provider is called, so a mistyped account number is caught while
the citizen can still correct it."""

from __future__ import annotations

import re
from decimal import Decimal

from consortium.payments.constants import CheckDigit


def normalise(reference: str) -> str:
    """References are typed in any case, with spaces or hyphens between groups."""
    return re.sub(r"[\s\-]", "", reference).upper()


def luhn_ok(reference: str) -> bool:
    digits = [int(c) for c in reference if c.isdigit()]
    if len(digits) < 2:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def mod11_check(body: str) -> str:
    """The modulus 11 check character of the digits of `body`: weights 2, 3, 4… from the right,
    check = (11 − sum mod 11) mod 11, written X when it is 10."""
    digits = [int(c) for c in body if c.isdigit()]
    total = sum(d * w for d, w in zip(reversed(digits), range(2, 2 + len(digits)), strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def mod11_ok(reference: str) -> bool:
    return (
        len(reference) >= 2
        and any(c.isdigit() for c in reference[:-1])
        and (mod11_check(reference[:-1]) == reference[-1])
    )


# A fund's pattern is written by a partner's finance officer and run against what citizens
# type, so it is held to a subset that cannot backtrack catastrophically: literals, character
# classes and counted repeats; no groups, alternation, * or +, and at most three repeats of
# variable length.
_PATTERN_PIECE = re.compile(
    r"(?:\[\^?(?:[^\]\\]|\\.)+\]|\\[dDwWsS]|\\.|[A-Za-z0-9 /._-])(?:\{\d{1,2}(?:,\d{1,2})?\}|\?)?"
)


def pattern_problem(pattern: str) -> str | None:
    pos, variable = 0, 0
    while pos < len(pattern):
        piece = _PATTERN_PIECE.match(pattern, pos)
        if piece is None:
            return (
                "Reference pattern may use letters, digits, character classes such as [0-9] or [A-Z] "
                "and counts such as {8} or {6,8}; not groups, |, * or +"
            )
        text = piece.group(0)
        if text.endswith("?") or ("," in text and text.endswith("}")):
            variable += 1
        pos = piece.end()
    if variable > 3:
        return "Reference pattern may have at most three parts of varying length"
    try:
        re.compile(pattern)
    except re.error:
        return "Reference pattern must be a valid regular expression"
    return None


def reference_problem(reference: str, *, pattern: str, check_digit: str, label: str) -> str | None:
    """What is wrong with `reference` (already normalised), in words for the citizen; None if nothing."""
    if not reference:
        return f"Enter your {label.lower()}"
    if not re.fullmatch(pattern, reference):
        return f"Enter your {label.lower()} as it is printed on your bill or notice"
    if check_digit == CheckDigit.LUHN and not luhn_ok(reference):
        return f"Check your {label.lower()}: one of its digits is wrong"
    if check_digit == CheckDigit.MOD11 and not mod11_ok(reference):
        return f"Check your {label.lower()}: one of its characters is wrong"
    return None


def amount_problem(amount: Decimal, *, minimum: Decimal, maximum: Decimal) -> str | None:
    if amount != amount.quantize(Decimal("0.01")):
        return "Enter the amount in pounds and pence, like 125.50"
    if amount < minimum:
        return f"The amount must be £{minimum:,.2f} or more"
    if amount > maximum:
        return f"The amount must be £{maximum:,.2f} or less"
    return None
