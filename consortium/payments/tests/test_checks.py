"""References and amounts are checked before any provider is asked."""

from __future__ import annotations

from decimal import Decimal

from consortium.payments import checks
from consortium.payments.constants import CheckDigit
from consortium.payments.tests.factories import GOOD_COUNCIL_TAX, GOOD_INVOICE


def test_luhn_and_modulus_11() -> None:
    assert checks.luhn_ok(GOOD_INVOICE) and checks.luhn_ok("4444333322221111")
    assert not checks.luhn_ok("12345675")
    # Weights 2, 3, 4… from the right over 12345678: 8·2+7·3+6·4+5·5+4·6+3·7+2·8+1·9 = 156;
    # 156 mod 11 = 2; 11 − 2 = 9. So the check digit of 12345678 is 9, and any other is wrong.
    assert checks.mod11_check("12345678") == "9"
    assert checks.mod11_ok(GOOD_COUNCIL_TAX) and not checks.mod11_ok("123456784")
    assert checks.mod11_check("6") == "X"  # 6·2 = 12; 12 mod 11 = 1; 11 − 1 = 10, written X


def test_reference_problems_are_worded_for_the_citizen() -> None:
    label = "Council tax account number"
    assert checks.normalise(" 1234-5678 9 ") == "123456789"
    assert checks.reference_problem("", pattern="[0-9]{9}", check_digit="", label=label) == (
        "Enter your council tax account number"
    )
    assert "as it is printed" in (
        checks.reference_problem("12AB", pattern="[0-9]{9}", check_digit="", label=label) or ""
    )
    assert "digits is wrong" in (
        checks.reference_problem("12345675", pattern="[0-9]{8}", check_digit=CheckDigit.LUHN, label=label)
        or ""
    )
    assert (
        checks.reference_problem("123456789", pattern="[0-9]{9}", check_digit=CheckDigit.MOD11, label=label)
        is None
    )


def test_amounts() -> None:
    lo, hi = Decimal("5.00"), Decimal("2000.00")
    assert (
        checks.amount_problem(Decimal("4.99"), minimum=lo, maximum=hi) == "The amount must be £5.00 or more"
    )
    assert (
        checks.amount_problem(Decimal("2000.01"), minimum=lo, maximum=hi)
        == "The amount must be £2,000.00 or less"
    )
    assert checks.amount_problem(Decimal("10.005"), minimum=lo, maximum=hi)
    assert checks.amount_problem(Decimal("10.50"), minimum=lo, maximum=hi) is None
