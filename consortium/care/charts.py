"""A box plot of the spread of commissioned rates, drawn as SVG on the server.

Each element's box runs from the lower to the upper quartile with the median
marked and whiskers to min and max, on its own scale (accommodation is weekly
pounds, support is pounds an hour). The benchmark table beside it carries the
same figures for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ROW = 44
LABEL_WIDTH = 400
PLOT_WIDTH = 380


def box_plot_svg(benchmarks: Sequence[object]) -> SafeString:
    rows = [b for b in benchmarks if getattr(b, "spread", None) is not None]
    height = ROW * len(rows) + 20
    parts = [
        f'<svg role="img" aria-labelledby="box-plot-title" viewBox="0 0 {LABEL_WIDTH + PLOT_WIDTH + 190} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="14">',
        '<title id="box-plot-title">Spread of commissioned rates per element: low end, quartiles, median, high end</title>',
    ]
    for i, b in enumerate(rows):
        s = b.spread  # type: ignore[attr-defined]
        y = 10 + i * ROW
        lo, hi = s.minimum, s.maximum
        span = (hi - lo) or Decimal(1)

        def x(v: Decimal, lo: Decimal = lo, span: Decimal = span) -> float:
            return float(LABEL_WIDTH + (v - lo) / span * PLOT_WIDTH)

        mid = y + ROW / 2 - 4
        parts += [
            f'<text x="0" y="{mid + 5}" fill="#0b0c0c">{escape(b.label)}</text>',  # type: ignore[attr-defined]
            f'<line x1="{x(s.minimum):.1f}" x2="{x(s.maximum):.1f}" y1="{mid}" y2="{mid}" stroke="#505a5f" stroke-width="2"/>',
            f'<rect x="{x(s.lower_quartile):.1f}" y="{mid - 10}" width="{max(1.0, x(s.upper_quartile) - x(s.lower_quartile)):.1f}" '
            f'height="20" fill="#d2e2f1" stroke="#1d70b8" stroke-width="2"/>',
            f'<line x1="{x(s.median):.1f}" x2="{x(s.median):.1f}" y1="{mid - 10}" y2="{mid + 10}" stroke="#0b0c0c" stroke-width="3"/>',
            f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 10}" y="{mid + 5}" fill="#0b0c0c">£{s.minimum:,.2f}–£{s.maximum:,.2f}</text>',
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text node above is escaped
