"""The XmR method, rule by rule, on values worked by hand; and the `consortium xmr` command."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.check import xmr


def test_limits_from_the_mean_moving_range():
    a = xmr.analyse([10, 12, 11, 13, 12])
    s = a.segments[0]
    assert s.centre == pytest.approx(11.6)
    assert s.mr_centre == pytest.approx((2 + 1 + 2 + 1) / 4)
    assert s.unpl == pytest.approx(11.6 + 2.66 * 1.5)
    assert s.lnpl == pytest.approx(11.6 - 2.66 * 1.5)
    assert s.url == pytest.approx(3.268 * 1.5)
    assert a.signals() == []


def test_limits_from_the_median_moving_range():
    a = xmr.analyse([10, 12, 11, 13, 12, 20], median=True)
    s = a.segments[0]
    ranges = [2, 1, 2, 1, 8]
    assert s.mr_centre == pytest.approx(np.median(ranges))
    assert s.unpl == pytest.approx(s.centre + 3.145 * 2)
    assert s.url == pytest.approx(3.865 * 2)


def test_a_split_gives_each_segment_its_own_limits_and_drops_the_range_across_it():
    a = xmr.analyse([1, 2, 1, 2, 10, 11, 10, 11], [4])
    first, second = a.segments
    assert (first.start, first.end, second.start, second.end) == (0, 3, 4, 7)
    assert first.centre == pytest.approx(1.5) and second.centre == pytest.approx(10.5)
    assert first.mr_centre == pytest.approx(1.0) and second.mr_centre == pytest.approx(1.0)
    assert np.isnan(a.moving_ranges[4])  # the jump of 8 belongs to neither segment
    assert a.signals() == []


def test_rule_1_a_value_beyond_a_limit():
    values = [5, 6, 5, 6, 5, 6, 5, 30]
    a = xmr.analyse(values)
    assert 1 in a.rules_at(7)
    assert not any(1 in a.rules_at(i) for i in range(7))


def test_rule_2_three_of_four_beyond_the_midpoint_flags_the_whole_window():
    # Centre 10, mR̄ 3 from the baseline: limits 2.02–17.98, midpoints 6.01 and 13.99.
    baseline = [10, 13, 10, 7, 10, 13, 10, 7, 10]
    values = [*baseline, 15, 11, 15, 15]
    a = xmr.analyse(values, baseline=9)
    s = a.segments[0]
    assert s.centre == pytest.approx(10) and s.mr_centre == pytest.approx(3)
    flagged = [i for i in range(len(values)) if 2 in a.rules_at(i)]
    assert flagged == [9, 10, 11, 12]  # the window 15, 11, 15, 15: all four values
    assert not any(1 in a.rules_at(i) for i in range(len(values)))


def test_rule_2_needs_three_on_the_same_side():
    baseline = [10, 13, 10, 7, 10, 13, 10, 7, 10]
    values = [*baseline, 15, 5, 15, 5]
    a = xmr.analyse(values, baseline=9)
    assert not any(2 in a.rules_at(i) for i in range(len(values)))


def test_rule_3_eight_in_a_row_on_one_side_and_a_value_on_the_line_ends_the_run():
    # Baseline centre 10: seven above, one exactly on the line, then eight above.
    baseline = [12, 8, 12, 8, 12, 8, 12, 8]
    run7 = [11] * 7
    values = [*baseline, *run7, 10, *([11] * 8)]
    a = xmr.analyse(values, baseline=8)
    assert a.segments[0].centre == pytest.approx(10)
    flagged = [i for i in range(len(values)) if 3 in a.rules_at(i)]
    assert flagged == list(range(16, 24))


def test_rule_4_a_moving_range_above_the_upper_range_limit():
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 16]
    a = xmr.analyse(values, baseline=9)
    assert a.segments[0].url == pytest.approx(3.268)
    assert a.rules_at(9) == [1, 4]


def test_a_segment_of_one_value_has_no_limits_and_no_signals():
    a = xmr.analyse([1, 2, 3, 100], [3])
    assert a.segments[1].unpl is None and a.segments[1].mr_centre is None
    assert a.rules_at(3) == []


def test_bad_values_and_splits_are_refused():
    with pytest.raises(ValueError, match="finite"):
        xmr.analyse([1, float("nan")])
    with pytest.raises(ValueError, match="split"):
        xmr.analyse([1, 2, 3], [3])
    with pytest.raises(ValueError, match="baseline"):
        xmr.analyse([1, 2, 3], baseline=1)
    with pytest.raises(ValueError, match="between"):
        xmr.analyse([1e308, -1e308, 5])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=60))
def test_the_arithmetic_matches_a_plain_reading_of_the_method(values):
    a = xmr.analyse(values)
    x = np.array(values)
    mr = np.abs(np.diff(x))
    s = a.segments[0]
    assert s.centre == pytest.approx(x.mean(), abs=1e-6)
    assert s.mr_centre == pytest.approx(mr.mean(), abs=1e-6)
    for i, v in enumerate(values):
        outside = v > s.unpl or v < s.lnpl
        assert (1 in a.rules_at(i)) == outside


def _run(*args: str) -> dict:
    out = StringIO()
    call_command("xmr", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_reads_a_json_list_and_prints_segments_and_signals(tmp_path):
    path = tmp_path / "values.json"
    path.write_text(json.dumps([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30]))
    result = _run(str(path), "--split-at", "5")
    assert [(s["start"], s["end"]) for s in result["segments"]] == [(0, 4), (5, 10)]
    first = result["segments"][0]
    assert first["centre"] == 3.0 and first["mr_centre"] == 1.0
    assert first["unpl"] == pytest.approx(5.66) and first["lnpl"] == pytest.approx(0.34)
    assert result["signals"] == [{"index": 10, "rules": [1, 4]}]


def test_the_command_reads_a_csv_column_and_keeps_a_negative_lower_limit(tmp_path):
    path = tmp_path / "days.csv"
    path.write_text("reference,days\nA,1\nB,9\nC,2\nD,8\nE,1\n")
    result = _run(str(path), "--column", "days", "--median")
    seg = result["segments"][0]
    assert seg["lnpl"] < 0  # not floored in the command's output
    assert seg["mr_centre"] == 7.0


def test_the_command_reads_the_first_numeric_column_when_none_is_named(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("reference,closed,days\nSR-1,2026-01-05,4\nSR-2,2026-01-06,6\nSR-3,2026-01-07,5\n")
    result = _run(str(path))
    assert result["segments"][0]["centre"] == 5.0


def test_the_command_names_the_bad_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("days\n1\n2\nthree\n")
    with pytest.raises(CommandError, match="Row 4"):
        _run(str(path))
    path.write_text("[1, 2, true]")
    with pytest.raises(CommandError, match="Item 2"):
        _run(str(path))
    path.write_text('{"values": [1, 2]}')
    with pytest.raises(CommandError, match="JSON list"):
        _run(str(path))
    path.write_text("[1, 2, 3]")
    with pytest.raises(CommandError, match="split"):
        _run(str(path), "--split-at", "7")
