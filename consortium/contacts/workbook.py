"""The supervisor's figures as .xlsx: per queue, by hour and by day, each with a totals row;
days as real dates; every text cell neutralised (core.files)."""

from __future__ import annotations

from openpyxl import Workbook

from consortium.contacts.selectors import Figures, QueueFigures
from consortium.core.files import tidy_table, workbook_bytes

PERIOD_HEADINGS = [
    "Offered",
    "Answered",
    "Answered within target (%)",
    "Abandoned (%)",
    "Average handling (s)",
    "Failure demand (%)",
]


def _period_row(f: QueueFigures) -> list[object]:
    return [
        f.offered,
        f.answered,
        f.in_target_percent,
        f.abandoned_percent,
        f.average_handling,
        f.failure_percent,
    ]


def _total(rows: list[QueueFigures]) -> QueueFigures:
    total = QueueFigures(queue=rows[0].queue) if rows else QueueFigures(queue=None)  # type: ignore[arg-type]
    for f in rows:
        total.offered += f.offered
        total.answered += f.answered
        total.in_target += f.in_target
        total.abandoned += f.abandoned
        total.handle_total += f.handle_total
        total.handled += f.handled
        total.failure += f.failure
        total.classified += f.classified
    return total


def figures_workbook(figures: Figures) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Queues"
    ws.append([f"Contacts arriving from {figures.first:%d %B %Y} to {figures.last:%d %B %Y}"])
    ws.append(["Queue", "Partner", "Target", "Waiting now", "Longest wait (s)", *PERIOD_HEADINGS])
    for q in figures.queues:
        ws.append(
            [
                q.queue.name,
                q.queue.partner.name,
                f"{q.queue.target_percent}% in {q.queue.target_seconds} s",
                q.waiting,
                q.longest_wait,
                *_period_row(q),
            ]
        )
    ws.append(
        ["Total", "", "", sum(q.waiting for q in figures.queues), None, *_period_row(_total(figures.queues))]
    )
    tidy_table(ws, header_row=2)
    hours = wb.create_sheet("By hour")
    hours.append([f"By hour on {figures.last:%d %B %Y}"])
    hours.append(["Hour", *PERIOD_HEADINGS])
    for h in figures.by_hour:
        hours.append([h["label"], *_period_row(h["figures"])])
    hours.append(["Total", *_period_row(_total([h["figures"] for h in figures.by_hour]))])
    tidy_table(hours, header_row=2)
    days = wb.create_sheet("By day")
    days.append([f"By day from {figures.first:%d %B %Y} to {figures.last:%d %B %Y}"])
    days.append(["Day", *PERIOD_HEADINGS])
    for d in figures.by_day:
        days.append([d["label"], *_period_row(d["figures"])])
        days.cell(row=days.max_row, column=1).number_format = "dd/mm/yyyy"
    days.append(["Total", *_period_row(_total([d["figures"] for d in figures.by_day]))])
    tidy_table(days, header_row=2)
    return workbook_bytes(wb)
