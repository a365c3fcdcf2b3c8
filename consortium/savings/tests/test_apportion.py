"""Apportionment: exact to the penny, adding up to the total, within every floor and cap —
checked by hypothesis over members, keys, weights and limits."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.core.errors import ValidationFailed
from consortium.savings.apportion import Member, apportion

KEYS = ["equal", "population", "spend", "usage"]


def test_shares_follow_the_weighted_mix_and_add_up() -> None:
    members = [
        Member("A", {"equal": D(1), "population": D(100000)}),
        Member("B", {"equal": D(1), "population": D(300000)}),
    ]
    shares = apportion(D("350000.00"), {"equal": D(50), "population": D(50)}, members)
    # A: 50% × ½ + 50% × ¼ = 37.5%; B: 62.5%
    assert [s.charge for s in shares] == [D("131250.00"), D("218750.00")]


def test_pennies_left_over_go_to_the_largest_remainders() -> None:
    shares = apportion(D("100.00"), {"equal": D(100)}, [Member(k, {"equal": D(1)}) for k in "ABC"])
    assert [s.charge for s in shares] == [D("33.34"), D("33.33"), D("33.33")]


def test_floors_and_caps_hold_and_the_rest_is_shared_again() -> None:
    members = [
        Member("Big", {"population": D(900)}, cap=D("500.00")),
        Member("Small", {"population": D(10)}, floor=D("100.00")),
        Member("Mid", {"population": D(90)}),
    ]
    shares = {s.key: s for s in apportion(D("1000.00"), {"population": D(100)}, members)}
    assert shares["Big"].charge == D("500.00") and shares["Big"].limited == "cap"
    assert shares["Small"].charge >= D("100.00")
    assert sum(s.charge for s in shares.values()) == D("1000.00")


@pytest.mark.parametrize(
    ("weights", "members", "message"),
    [
        ({"equal": D(60)}, [Member("A", {"equal": D(1)})], "add up to 100"),
        ({"pupils": D(100)}, [Member("A", {"pupils": D(0)})], "No member has a pupils figure"),
        ({"equal": D(100)}, [Member("A", {"equal": D(1)}, floor=D(2000))], "floors add up to more"),
        ({"equal": D(100)}, [Member("A", {"equal": D(1)}, cap=D(10))], "caps add up to less"),
        ({"equal": D(100)}, [Member("A", {"equal": D(1)}, floor=D(20), cap=D(10))], "cap is below its floor"),
    ],
)
def test_impossible_splits_say_why(weights, members, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed, match=message):
        apportion(D("1000.00"), weights, members)


money = st.integers(min_value=0, max_value=10**9).map(lambda p: D(p) / 100)
figure = st.integers(min_value=0, max_value=10**7).map(D)


@st.composite
def cases(draw):  # type: ignore[no-untyped-def]
    total = draw(money)
    n = draw(st.integers(min_value=1, max_value=40))
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=len(keys) - 1, max_size=len(keys) - 1)))
    weights = {k: D(b - a) for k, a, b in zip(keys, [0, *cuts], [*cuts, 100], strict=True)}
    members = []
    for i in range(n):
        figures = {k: (D(1) if k == "equal" else draw(figure)) for k in keys}
        floor = draw(st.none() | money.map(lambda m: (m / 100).quantize(D("0.01"))))
        cap = draw(st.none() | money)
        members.append(Member(f"m{i:02d}", figures, floor=floor, cap=cap))
    return total, weights, members


@settings(max_examples=300, deadline=None)
@given(cases())
def test_shares_are_pennies_that_add_up_within_the_limits(case) -> None:  # type: ignore[no-untyped-def]
    total, weights, members = case
    try:
        shares = apportion(total, weights, members)
    except ValidationFailed:
        return  # an impossible mix (no figures, floors over the total, caps under it): refused
    assert sum(s.charge for s in shares) == total
    for s, m in zip(shares, members, strict=True):
        assert s.charge == s.charge.quantize(D("0.01")) and s.charge >= 0
        if m.floor is not None:
            assert s.charge >= m.floor
        if m.cap is not None:
            assert s.charge <= m.cap


@settings(max_examples=200, deadline=None)
@given(cases())
def test_without_limits_each_share_is_within_a_penny_of_its_exact_part(case) -> None:  # type: ignore[no-untyped-def]
    total, weights, members = case
    members = [Member(m.key, m.figures) for m in members]
    try:
        shares = apportion(total, weights, members)
    except ValidationFailed:
        return
    for s in shares:
        exact = total * s.mixed_percent / 100
        assert abs(s.charge - exact) <= D("0.01") + total * D("0.00001")
