"""Horizontal bar charts as SVG, drawn on the server; each sits beside a table of the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def bar_chart(
    rows: Sequence[dict[str, Any]],
    *,
    title: str,
    value: str = "spend",
    label: str = "label",
    limit: int = 12,
    prefix: str = "£",
    suffix: str = "",
    places: int = 0,
) -> SafeString:
    rows = list(rows)[:limit]
    if not rows:
        return mark_safe("")
    top = max((Decimal(str(r[value] or 0)) for r in rows), default=Decimal(1)) or Decimal(1)
    height = 28 * len(rows) + 10
    slug = "".join(ch for ch in title.lower() if ch.isalnum())[:40]
    parts = [
        f'<svg role="img" aria-labelledby="chart-{slug}" viewBox="0 0 900 {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="14">',
        f'<title id="chart-{slug}">{escape(title)}</title>',
    ]
    for i, r in enumerate(rows):
        y = 5 + i * 28
        amount = Decimal(str(r[value] or 0))
        width = float(amount / top * 420) if amount > 0 else 0.0
        parts += [
            f'<text x="0" y="{y + 17}" fill="#0b0c0c">{escape(str(r[label])[:40])}</text>',
            f'<rect x="330" y="{y + 4}" width="{width:.1f}" height="18" fill="#1d70b8"/>',
            f'<text x="{335 + width:.1f}" y="{y + 17}" fill="#0b0c0c">{escape(prefix)}{amount:,.{places}f}{escape(suffix)}</text>',
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text node is escaped
