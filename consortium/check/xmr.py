"""XmR process-behaviour charts (individual values and moving ranges), as Wheeler sets them out.

Pure: numbers in, limits and signals out — the study pages, the API, the exports and the
`consortium xmr` command all use this one module. numpy does the arithmetic so a million
values take milliseconds; the rules are written out in docs/check.md and tested one by one.

- Moving ranges mRᵢ = |xᵢ − xᵢ₋₁|; the one that spans a split belongs to neither segment.
- Per segment: centre X̄ = mean of its values; mR̄ = mean of its moving ranges; natural
  process limits X̄ ± 2.66·mR̄; upper range limit 3.268·mR̄. With `median`, the median moving
  range and X̄ ± 3.145·median(mR), URL 3.865·median(mR). With `baseline` = N, the centre and
  limits come from each segment's first N values and hold for the whole segment.
- Signals: (1) a value outside the limits; (2) three of four successive values beyond the
  midpoint between the centre and the same limit; (3) eight successive values on the same
  side of the centre (a value on the line ends a run); (4) a moving range above the URL.
  Every value in a qualifying window or run is flagged with the rule's number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MEAN_LIMIT = 2.66
MEAN_RANGE_LIMIT = 3.268
MEDIAN_LIMIT = 3.145
MEDIAN_RANGE_LIMIT = 3.865
RUN_LENGTH = 8
# Beyond this, differences and limits overflow a float: no time or count comes near it.
MAX_MAGNITUDE = 1e150
RULES = (1, 2, 3, 4)


@dataclass(frozen=True)
class Segment:
    start: int  # first value's index (0-based)
    end: int  # last value's index, inclusive
    centre: float
    mr_centre: float | None  # None when the baseline holds one value: no moving range
    unpl: float | None
    lnpl: float | None
    url: float | None
    baseline_end: int  # the last index whose value went into the centre and limits

    @property
    def count(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class Analysis:
    values: npt.NDArray[np.float64]
    moving_ranges: npt.NDArray[np.float64]  # NaN at 0 and at each segment's first value
    segments: list[Segment]
    flags: npt.NDArray[np.uint8]  # bit r−1 set where rule r flagged the value
    median: bool

    def rules_at(self, index: int) -> list[int]:
        bits = int(self.flags[index])
        return [r for r in RULES if bits & (1 << (r - 1))]

    def signal_indices(self) -> npt.NDArray[np.intp]:
        return np.flatnonzero(self.flags)

    def signals(self) -> list[tuple[int, list[int]]]:
        return [(int(i), self.rules_at(int(i))) for i in self.signal_indices()]

    def segment_of(self, index: int) -> Segment:
        for s in self.segments:
            if s.start <= index <= s.end:
                return s
        raise IndexError(index)


def _members(qualifies: npt.NDArray[np.bool_], width: int, length: int) -> npt.NDArray[np.bool_]:
    """Every value that belongs to a qualifying window (window k covers k … k+width−1)."""
    out = np.zeros(length, dtype=bool)
    for k in range(width):
        out[k : k + qualifies.size] |= qualifies
    return out


def _three_of_four(beyond: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    n = beyond.size
    if n < 4:
        return np.zeros(n, dtype=bool)
    b = beyond.astype(np.int8)
    windows = b[:-3] + b[1:-2] + b[2:-1] + b[3:]
    return _members(windows >= 3, 4, n)


def _runs(x: npt.NDArray[np.float64], centre: float) -> npt.NDArray[np.bool_]:
    side = np.sign(x - centre)
    n = side.size
    if n < RUN_LENGTH:
        return np.zeros(n, dtype=bool)
    starts = np.ones(n, dtype=bool)
    starts[1:] = (side[1:] != side[:-1]) | (side[1:] == 0)
    run = np.cumsum(starts) - 1
    lengths = np.bincount(run)
    return (side != 0) & (lengths[run] >= RUN_LENGTH)


def boundaries(n: int, splits: Sequence[int]) -> list[int]:
    """The first index of every segment: 0 and each split inside the values, in order."""
    for s in splits:
        if not 0 < s < n:
            raise ValueError(f"A split must start a new segment at a value from 1 to {n - 1}: {s} does not")
    return sorted({0, *splits}) if n else []


def analyse(
    values: Sequence[float] | npt.NDArray[np.float64],
    splits: Sequence[int] = (),
    *,
    median: bool = False,
    baseline: int | None = None,
) -> Analysis:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError("Give one list of values")
    if not np.isfinite(x).all():
        bad = int(np.flatnonzero(~np.isfinite(x))[0])
        raise ValueError(f"Value {bad} is not a finite number")
    if x.size and float(np.abs(x).max()) > MAX_MAGNITUDE:
        raise ValueError(f"Values must lie between -{MAX_MAGNITUDE:.0e} and {MAX_MAGNITUDE:.0e}")
    if baseline is not None and baseline < 2:
        raise ValueError("A baseline needs at least 2 values")
    n = x.size
    starts = boundaries(n, splits)
    mr = np.full(n, np.nan)
    if n > 1:
        mr[1:] = np.abs(np.diff(x))
    mr[starts] = np.nan
    flags = np.zeros(n, dtype=np.uint8)
    limit, range_limit = (MEDIAN_LIMIT, MEDIAN_RANGE_LIMIT) if median else (MEAN_LIMIT, MEAN_RANGE_LIMIT)
    segments: list[Segment] = []
    for i, s in enumerate(starts):
        e = starts[i + 1] - 1 if i + 1 < len(starts) else n - 1
        b_end = e if baseline is None else min(e, s + baseline - 1)
        centre = float(x[s : b_end + 1].mean())
        ranges = mr[s + 1 : b_end + 1]
        if ranges.size == 0:
            segments.append(Segment(s, e, centre, None, None, None, None, b_end))
            continue
        mr_centre = float(np.median(ranges) if median else ranges.mean())
        unpl, lnpl, url = centre + limit * mr_centre, centre - limit * mr_centre, range_limit * mr_centre
        segments.append(Segment(s, e, centre, mr_centre, unpl, lnpl, url, b_end))
        seg = x[s : e + 1]
        half = (unpl - centre) / 2
        rule1 = (seg > unpl) | (seg < lnpl)
        rule2 = _three_of_four(seg > centre + half) | _three_of_four(seg < centre - half)
        rule3 = _runs(seg, centre)
        with np.errstate(invalid="ignore"):
            rule4 = mr[s : e + 1] > url
        flags[s : e + 1] |= (
            rule1.astype(np.uint8) | (rule2.astype(np.uint8) << 1) | (rule3.astype(np.uint8) << 2)
        ) | (rule4.astype(np.uint8) << 3)
    return Analysis(values=x, moving_ranges=mr, segments=segments, flags=flags, median=median)


def as_json(analysis: Analysis) -> dict[str, object]:
    """The shape `consortium xmr` prints: limits unrounded, the lower one not floored."""
    return {
        "segments": [
            {
                "start": s.start,
                "end": s.end,
                "centre": s.centre,
                "unpl": s.unpl,
                "lnpl": s.lnpl,
                "mr_centre": s.mr_centre,
                "url": s.url,
            }
            for s in analysis.segments
        ],
        "signals": [{"index": i, "rules": rules} for i, rules in analysis.signals()],
    }
