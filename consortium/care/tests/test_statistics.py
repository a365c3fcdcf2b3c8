from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from consortium.care.statistics import percentile_inc, spread


def test_matches_excel_quartile_inc():
    # Excel: QUARTILE.INC({1,2,3,4,5,6,7,8,9,10}, 1) = 3.25, (…, 3) = 7.75, MEDIAN = 5.5
    s = spread([D(i) for i in range(1, 11)])
    assert (s.lower_quartile, s.median, s.upper_quartile) == (D("3.25"), D("5.5"), D("7.75"))
    assert (s.minimum, s.maximum, s.count) == (D(1), D(10), 10)


def test_single_value():
    s = spread([D("446")])
    assert s.lower_quartile == s.median == s.upper_quartile == D("446")


def test_position():
    s = spread([D(i) for i in range(1, 11)])
    assert s.position_of(D("11")) == "above maximum"
    assert s.position_of(D("8")) == "highest quarter"
    assert s.position_of(D("2")) == "lowest quarter"


def _reference(values, p):
    # An independent computation in exact fractions, from the definition.
    xs = sorted(Fraction(v) for v in values)
    h = (len(xs) - 1) * Fraction(p)
    lo = int(h)
    return xs[lo] if lo + 1 == len(xs) else xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo])


@given(
    st.lists(st.decimals(min_value=D("0"), max_value=D("5000"), places=2), min_size=1, max_size=60),
    st.sampled_from(["0", "0.25", "0.5", "0.75", "1"]),
)
def test_matches_reference_computation(values, p):
    assert Fraction(percentile_inc(sorted(values), D(p))) == _reference(values, p)


@given(st.lists(st.decimals(min_value=D("0"), max_value=D("50"), places=1), min_size=1, max_size=80))
def test_frequency_table_gives_the_same_spread(values):
    from collections import Counter

    from consortium.care.statistics import spread_from_counts

    counts = sorted(Counter(values).items())
    assert spread_from_counts(counts) == spread(values)
