"""Capability charts drawn on the server: the same shapes become SVG (on the page, with a
title, a description and the data table beside it) and PNG (Pillow) for papers and slides.

Two panels, as Wheeler draws them: the values with each segment's centre line and natural
process limits, and below them the moving ranges with their centre and upper range limit.
Signals are marked by shape as well as colour (a square with the rule's number), so the chart
reads without colour."""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

WIDTH, HEIGHT = 960, 460
LEFT, RIGHT, TOP = 64, 16, 40
X_PANEL = (TOP, 290)  # top and bottom of the values panel
MR_PANEL = (330, 420)
BLACK, GREY, BLUE, ORANGE, RED = "#0b0c0c", "#505a5f", "#1d70b8", "#f47738", "#d4351c"
GREEN = "#00703c"
MARKED_UP_TO = 400  # beyond this many values, only signals get a marker


@dataclass(frozen=True)
class Shape:
    kind: str  # line, path, circle, square, text
    points: tuple[tuple[float, float], ...]
    colour: str = BLACK
    width: float = 1.0
    dashed: bool = False
    text: str = ""
    size: int = 12
    anchor: str = "start"  # start, middle, end


def _ticks(low: float, high: float, n: int = 5) -> list[float]:
    if high <= low:
        return [low]
    raw = (high - low) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(low / step) * step
    return [first + k * step for k in range(int((high - first) / step) + 1)]


def _fmt(v: float) -> str:
    return f"{v:,.1f}".removesuffix(".0")


def shapes(chart: Any) -> list[Shape]:
    """The drawing of a `check.selectors.Chart` (or any object with points, analysis, title)."""
    a = chart.analysis
    n = len(chart.points)
    out: list[Shape] = [Shape("text", ((LEFT, 22),), text=chart.title, size=15)]
    if n == 0:
        out.append(
            Shape("text", ((WIDTH / 2, HEIGHT / 2),), GREY, text="No values in this period", anchor="middle")
        )
        return out
    values = a.values
    highs = [float(values.max())] + [s.unpl for s in a.segments if s.unpl is not None]
    target = getattr(getattr(chart, "params", None), "target", None)
    if target is not None:
        highs.append(float(target))
    lows = [float(values.min())] + [max(s.lnpl, 0.0) for s in a.segments if s.lnpl is not None]
    y_low, y_high = min(0.0, min(lows)), max(highs)
    if y_high <= y_low:
        y_high = y_low + 1
    mr = a.moving_ranges
    finite = mr[~np.isnan(mr)]
    mr_high = max([float(finite.max()) if finite.size else 1.0] + [s.url for s in a.segments if s.url]) or 1.0
    span = WIDTH - LEFT - RIGHT

    def x(i: float) -> float:
        return LEFT + (span * (i + 0.5) / n)

    def y(v: float) -> float:
        top, bottom = X_PANEL
        return bottom - (v - y_low) / (y_high - y_low) * (bottom - top)

    def ym(v: float) -> float:
        top, bottom = MR_PANEL
        return bottom - v / mr_high * (bottom - top)

    # axes and gridlines
    for panel, scale, ticks in ((X_PANEL, y, _ticks(y_low, y_high)), (MR_PANEL, ym, _ticks(0, mr_high, 3))):
        out.append(Shape("line", ((LEFT, panel[0]), (LEFT, panel[1])), GREY))
        out.append(Shape("line", ((LEFT, panel[1]), (WIDTH - RIGHT, panel[1])), GREY))
        for t in ticks:
            out.append(Shape("line", ((LEFT - 4, scale(t)), (LEFT, scale(t))), GREY))
            out.append(Shape("text", ((LEFT - 6, scale(t) + 4),), GREY, text=_fmt(t), size=11, anchor="end"))
    out.append(Shape("text", ((LEFT, X_PANEL[1] + 30),), GREY, text="Moving range", size=12))
    # dates along the bottom: first, last and a few between
    for i in sorted({0, n - 1, *range(0, n, max(1, n // 6))}):
        if i < n and (i in (0, n - 1) or (i > n // 12 and i < n - n // 12)):
            on: dt.date = chart.points[i].on
            out.append(
                Shape(
                    "text",
                    ((x(i), MR_PANEL[1] + 18),),
                    GREY,
                    text=f"{on.day} {on:%b %y}",
                    size=11,
                    anchor="middle",
                )
            )
    # each segment's lines, only across its own values
    for s in a.segments:
        x0, x1 = x(s.start - 0.5), x(s.end + 0.5)
        out.append(Shape("line", ((x0, y(s.centre)), (x1, y(s.centre))), BLUE, 1.5))
        if s.unpl is not None and s.lnpl is not None:
            out.append(Shape("line", ((x0, y(s.unpl)), (x1, y(s.unpl))), RED, 1.2, dashed=True))
            out.append(
                Shape("line", ((x0, y(max(s.lnpl, 0.0))), (x1, y(max(s.lnpl, 0.0)))), RED, 1.2, dashed=True)
            )
            out.append(Shape("line", ((x0, ym(s.mr_centre or 0.0)), (x1, ym(s.mr_centre or 0.0))), BLUE, 1.2))
            out.append(Shape("line", ((x0, ym(s.url or 0.0)), (x1, ym(s.url or 0.0))), RED, 1.2, dashed=True))
            out.append(
                Shape("text", ((x1 - 2, y(s.unpl) - 4),), RED, text=_fmt(s.unpl), size=11, anchor="end")
            )
            out.append(
                Shape(
                    "text",
                    ((x1 - 2, y(max(s.lnpl, 0.0)) + 13),),
                    RED,
                    text=_fmt(max(s.lnpl, 0.0)),
                    size=11,
                    anchor="end",
                )
            )
        out.append(Shape("text", ((x0 + 2, y(s.centre) - 4),), BLUE, text=_fmt(s.centre), size=11))
        if s.start > 0:
            out.append(Shape("line", ((x0, X_PANEL[0]), (x0, MR_PANEL[1])), GREY, 1, dashed=True))
    if target is not None and y_low <= target <= y_high:
        out.append(Shape("line", ((LEFT, y(target)), (WIDTH - RIGHT, y(target))), GREEN, 1.5, dashed=True))
        out.append(Shape("text", ((LEFT + 4, y(target) - 4),), GREEN, text=f"Target {_fmt(target)}", size=11))
    # the values and moving ranges, broken at each split
    for s in a.segments:
        pts = tuple((x(i), y(float(values[i]))) for i in range(s.start, s.end + 1))
        out.append(Shape("path", pts, BLACK, 1.0))
        mrs = tuple((x(i), ym(float(mr[i]))) for i in range(s.start + 1, s.end + 1))
        if len(mrs) > 1:
            out.append(Shape("path", mrs, GREY, 1.0))
    flagged = set(int(i) for i in a.signal_indices())
    for i in range(n):
        if i in flagged:
            rules = a.rules_at(i)
            out.append(Shape("square", ((x(i), y(float(values[i]))),), ORANGE, 4))
            if n <= MARKED_UP_TO:
                out.append(
                    Shape(
                        "text",
                        ((x(i), y(float(values[i])) - 7),),
                        BLACK,
                        text=",".join(map(str, rules)),
                        size=9,
                        anchor="middle",
                    )
                )
        elif n <= MARKED_UP_TO:
            out.append(Shape("circle", ((x(i), y(float(values[i]))),), BLACK, 2.5))
    return out


def svg(chart: Any, *, element_id: str = "capability-chart") -> str:
    """Accessible SVG: role img, its title and a description naming the limits and signals;
    the page puts the data table beside it."""
    desc = describe(chart)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{element_id}-title {element_id}-desc" id="{element_id}" '
        f'font-family="Arial, Helvetica, sans-serif">',
        f'<title id="{element_id}-title">{escape(chart.title)}</title>',
        f'<desc id="{element_id}-desc">{escape(desc)}</desc>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for s in shapes(chart):
        if s.kind == "line":
            (x1, y1), (x2, y2) = s.points
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{s.colour}" '
                f'stroke-width="{s.width}"{dash}/>'
            )
        elif s.kind == "path":
            d = " ".join(f"{'M' if k == 0 else 'L'}{px:.1f},{py:.1f}" for k, (px, py) in enumerate(s.points))
            parts.append(f'<path d="{d}" fill="none" stroke="{s.colour}" stroke-width="{s.width}"/>')
        elif s.kind == "circle":
            (cx, cy) = s.points[0]
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{s.width}" fill="{s.colour}"/>')
        elif s.kind == "square":
            (cx, cy) = s.points[0]
            w = s.width
            parts.append(
                f'<rect x="{cx - w:.1f}" y="{cy - w:.1f}" width="{2 * w}" height="{2 * w}" fill="{s.colour}" '
                f'stroke="{BLACK}" stroke-width="0.8"/>'
            )
        elif s.kind == "text":
            (tx, ty) = s.points[0]
            parts.append(
                f'<text x="{tx:.1f}" y="{ty:.1f}" font-size="{s.size}" fill="{s.colour}" '
                f'text-anchor="{s.anchor}">{escape(s.text)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def png(chart: Any) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    scale = 2  # drawn at twice the size, for print and high-density screens
    image = Image.new("RGB", (WIDTH * scale, HEIGHT * scale), "#ffffff")
    draw = ImageDraw.Draw(image)
    fonts: dict[int, Any] = {}

    def font(size: int) -> Any:
        if size not in fonts:
            fonts[size] = ImageFont.load_default(size=size * scale)
        return fonts[size]

    for s in shapes(chart):
        pts = [(px * scale, py * scale) for px, py in s.points]
        if s.kind == "line":
            if s.dashed:
                (x1, y1), (x2, y2) = pts
                length = math.hypot(x2 - x1, y2 - y1) or 1
                steps = int(length // (10 * scale)) + 1
                for k in range(steps):
                    a0, a1 = k * 10 * scale / length, min((k * 10 + 6) * scale / length, 1)
                    draw.line(
                        [
                            (x1 + (x2 - x1) * a0, y1 + (y2 - y1) * a0),
                            (x1 + (x2 - x1) * a1, y1 + (y2 - y1) * a1),
                        ],
                        fill=s.colour,
                        width=max(1, round(s.width * scale)),
                    )
            else:
                draw.line(pts, fill=s.colour, width=max(1, round(s.width * scale)))
        elif s.kind == "path":
            if len(pts) > 1:
                draw.line(pts, fill=s.colour, width=max(1, round(s.width * scale)))
        elif s.kind in ("circle", "square"):
            (cx, cy), r = pts[0], s.width * scale
            box = [cx - r, cy - r, cx + r, cy + r]
            if s.kind == "circle":
                draw.ellipse(box, fill=s.colour)
            else:
                draw.rectangle(box, fill=s.colour, outline=BLACK)
        elif s.kind == "text":
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[s.anchor]
            draw.text(pts[0], s.text, fill=s.colour, font=font(s.size), anchor=anchor)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def describe(chart: Any) -> str:
    a = chart.analysis
    n = len(chart.points)
    if n == 0:
        return "No values in this period."
    parts = [f"{n} values from {chart.points[0].on:%d %B %Y} to {chart.points[-1].on:%d %B %Y}."]
    for k, s in enumerate(a.segments, start=1):
        if s.unpl is None or s.lnpl is None:
            parts.append(f"Segment {k}: one value, {_fmt(s.centre)}.")
            continue
        parts.append(
            f"Segment {k} ({chart.points[s.start].on:%d %B %Y} on): average {_fmt(s.centre)}, natural process "
            f"limits {_fmt(max(s.lnpl, 0.0))} to {_fmt(s.unpl)}, upper range limit {_fmt(s.url or 0.0)}."
        )
    signals = len(a.signal_indices())
    parts.append(f"{signals} values flagged by the signal rules." if signals else "No signals.")
    return " ".join(parts)
