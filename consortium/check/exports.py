"""A study's data as .xlsx: every value with its segment's limits and signals, the segments
with their reasons, the signals in words, and the demand analysis where there is one."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

from consortium.check import chart as drawing
from consortium.check.selectors import Chart
from consortium.check.selectors import demand as demand_of
from consortium.core.files import tidy_table, workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_TYPES = {"svg": "image/svg+xml", "png": "image/png", "xlsx": XLSX}


def workbook(chart: Chart, demand: dict[str, Any] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Values"
    per_case = chart.params.granularity == "case"
    ws.append(
        [
            "#",
            "Date",
            "Reference" if per_case else "Cases",
            chart.value_label,
            "Moving range",
            "Segment",
            "Centre",
            "Lower limit",
            "Upper limit",
            "Upper range limit",
            "Signals (rules)",
        ]
    )
    segments = chart.analysis.segments
    for row in chart.point_rows():
        k, seg = next((k, s) for k, s in enumerate(segments, start=1) if s.start <= row["index"] <= s.end)
        ws.append(
            [
                row["index"] + 1,
                row["on"],
                row["reference"] if per_case else row["cases"],
                row["value"],
                row["moving_range"],
                k,
                seg.centre,
                None if seg.lnpl is None else max(seg.lnpl, 0.0),
                seg.unpl,
                seg.url,
                ", ".join(map(str, row["rules"])),
            ]
        )
    tidy_table(ws)
    seg_ws = wb.create_sheet("Segments")
    seg_ws.append(
        [
            "Segment",
            "From",
            "To",
            "Values",
            "Change recorded",
            "Centre",
            "Mean moving range",
            "Lower limit (as drawn)",
            "Lower limit",
            "Upper limit",
            "Upper range limit",
        ]
    )
    for k, s in enumerate(chart.segment_rows(), start=1):
        seg_ws.append(
            [
                k,
                s["starts_on"],
                s["ends_on"],
                s["end"] - s["start"] + 1,
                s["reason"],
                s["centre"],
                s["mr_centre"],
                s["lnpl_shown"],
                s["lnpl"],
                s["unpl"],
                s["url"],
            ]
        )
    tidy_table(seg_ws)
    sig_ws = wb.create_sheet("Signals")
    sig_ws.append(["Rule", "From value", "To value", "What it says"])
    for s in chart.signals:
        sig_ws.append([s["rule"] or None, s["first"] + 1, s["last"] + 1, s["text"]])
    tidy_table(sig_ws)
    about = wb.create_sheet("About")
    for line in (
        ("Chart", chart.title),
        ("Stream", chart.stream.name),
        ("A case starts when", chart.stream.starts),
        ("and ends when", chart.stream.ends),
        ("Values in the period", chart.total),
        ("Values plotted", len(chart.points)),
        (
            "Limits",
            "median moving range × 3.145 (URL × 3.865)"
            if chart.params.median
            else "mean moving range × 2.66 (URL × 3.268)",
        ),
        ("What to expect", chart.predictability),
        ("Variation", chart.variation),
        ("Target", chart.params.target),
        ("Against the target", chart.assurance),
    ):
        about.append(list(line))
    if demand is not None:
        d_ws = wb.create_sheet("Demand")
        d_ws.append(["Failure type", "Contacts", "% of failure", "Cumulative %"])
        for t in demand["by_type"]:
            d_ws.append([t["label"], t["count"], t["percent_of_failure"], t["cumulative_percent"]])
        d_ws.append(["All failure demand", demand["failure"], None, None])
        d_ws.append(["Value demand", demand["value"], None, None])
        d_ws.append(["All contacts", demand["contacts"], None, None])
        tidy_table(d_ws)
        w_ws = wb.create_sheet("Failure by week")
        w_ws.append(["Week beginning", "Contacts", "Failure demand", "Failure %", "Signals (rules)"])
        for w in demand["weeks"]:
            w_ws.append(
                [
                    w["week"],
                    w["contacts"],
                    w["failure"],
                    w["failure_percent"],
                    ", ".join(map(str, w["rules"])),
                ]
            )
        tidy_table(w_ws)
    return workbook_bytes(wb)


def response(made: Chart, fmt: str, name: str, *, actor: Any) -> HttpResponse:
    if fmt == "svg":
        body: bytes = drawing.svg(made).encode()
    elif fmt == "png":
        body = drawing.png(made)
    else:
        demand = demand_of(actor, made.stream.key, made.params)
        body = workbook(made, demand)
    response = HttpResponse(body, content_type=FILE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
