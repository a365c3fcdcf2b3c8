"""Scoring and whole-life cost: unit tests for each rule, and properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consortium.tendering.scoring import (
    BidResult,
    CostProfile,
    CriterionNode,
    effective_weights,
    kind_share,
    price_points,
    quality_points,
    rank,
    weight_problems,
    whole_life_cost,
)

TREE = [
    CriterionNode(1, None, "Quality", D(50)),
    CriterionNode(2, 1, "Delivery", D(60)),
    CriterionNode(3, 1, "Account management", D(40)),
    CriterionNode(4, None, "Social value", D(10), "social_value"),
    CriterionNode(5, None, "Price", D(40), "price"),
]


def test_leaf_weights_are_the_product_of_their_path():
    assert effective_weights(TREE) == {2: D(30), 3: D(20), 4: D(10), 5: D(40)}
    assert kind_share(TREE, "social_value") == D(10)


def test_each_level_must_share_out_100_percent():
    assert weight_problems(TREE) == []
    bad = [*TREE[:2], CriterionNode(3, 1, "Account management", D(30)), *TREE[3:]]
    assert weight_problems(bad) == ["The sub-criteria of “Quality” add up to 90%, not 100%"]
    assert weight_problems([]) == ["Add at least one award criterion"]


def test_quality_points_scale_the_score_to_the_weight():
    assert quality_points(4, 5, D(30)) == D("24.00")
    assert quality_points(2, 3, D(10)) == D("6.67")
    with pytest.raises(ValueError):
        quality_points(6, 5, D(30))


def test_lowest_price_scores_full_marks_and_others_in_proportion():
    assert price_points(D(3900), D(3900), D(40)) == D("40.00")
    assert price_points(D(3900), D(4200), D(40)) == D("37.14")
    with pytest.raises(ValueError):
        price_points(D(0), D(10), D(40))


def test_whole_life_cost_discounts_each_year_at_the_green_book_rate():
    profile = CostProfile(D(10000), D(500), D(200), D(300), D(1000))
    # 10,000 + 700 × annuity(3.5%, 5) + (300 − 1,000) / 1.035^5
    expected = D(10000) + sum(D(700) / D("1.035") ** y for y in range(1, 6)) + D(-700) / D("1.035") ** 5
    assert whole_life_cost(profile, 5, D("3.5")) == expected.quantize(D("0.01"))
    assert whole_life_cost(CostProfile(D(100)), 3, D(0)) == D("100.00")
    assert whole_life_cost(CostProfile(D(0), D(100)), 2, D(0)) == D("200.00")
    with pytest.raises(ValueError):
        whole_life_cost(profile, 0, D("3.5"))


def test_cheaper_running_costs_can_beat_a_cheaper_purchase():
    cheap_to_buy = whole_life_cost(CostProfile(D(8000), D(1500)), 7, D("3.5"))
    cheap_to_run = whole_life_cost(CostProfile(D(10000), D(900)), 7, D("3.5"))
    assert cheap_to_run < cheap_to_buy


T0 = dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)


def _result(i: int, total: str, quality: str, price: str, minutes: int = 0) -> BidResult:
    return BidResult(i, {1: D(total)}, D(quality), D(price), T0 + dt.timedelta(minutes=minutes))


def test_ties_go_to_quality_then_price_then_the_earlier_submission():
    a = _result(1, "80", "40", "100", 5)
    b = _result(2, "80", "45", "120", 9)
    c = _result(3, "80", "45", "110", 9)
    d = _result(4, "80", "45", "110", 1)
    assert [r.bid_id for _, r in rank([a, b, c, d])] == [4, 3, 2, 1]


weights = st.lists(st.integers(min_value=1, max_value=97), min_size=1, max_size=8)


@given(weights)
def test_weights_normalised_to_100_always_pass(raw):
    total = sum(raw)
    shares = [D(w * 100) / D(total) for w in raw]
    shares[-1] = D(100) - sum(shares[:-1], D(0))
    nodes = [CriterionNode(i + 1, None, f"C{i}", s) for i, s in enumerate(shares)]
    if all(s > 0 for s in shares):
        assert weight_problems(nodes) == []
        assert sum(effective_weights(nodes).values(), D(0)) == D(100)


results = st.lists(
    st.builds(
        lambda i, t, q, p, m: _result(i, str(t), str(q), str(p), m),
        st.integers(1, 10**6),
        st.integers(0, 100),
        st.integers(0, 60),
        st.integers(1, 10**6),
        st.integers(0, 50),
    ),
    max_size=30,
    unique_by=lambda r: r.bid_id,
)


@given(results, st.randoms())
def test_ranking_does_not_depend_on_the_order_bids_arrive_in(bids, rnd):
    shuffled = list(bids)
    rnd.shuffle(shuffled)
    assert [r.bid_id for _, r in rank(bids)] == [r.bid_id for _, r in rank(shuffled)]
    ranked = rank(bids)
    assert [n for n, _ in ranked] == list(range(1, len(bids) + 1))
    totals = [r.total for _, r in ranked]
    assert totals == sorted(totals, reverse=True)


@given(st.integers(1, 10**7), st.integers(1, 10**7), st.integers(1, 100))
def test_price_points_never_exceed_the_weight_and_the_lowest_gets_it_all(a, b, w):
    lowest, price = min(a, b), max(a, b)
    assert D(0) <= price_points(D(lowest), D(price), D(w)) <= D(w)
    assert price_points(D(lowest), D(lowest), D(w)) == D(w).quantize(D("0.01"))
