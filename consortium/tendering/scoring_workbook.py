"""An evaluator's scoring workbook: every bid's answer on each of the evaluator's criteria,
with a score and a justification to fill in offline and upload. Every bad cell is named by
sheet, row and column; a bad file stores nothing."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from consortium.core.errors import ValidationFailed
from consortium.core.files import fill_in, open_workbook, workbook_bytes
from consortium.tendering.models import Bid, BidAnswer, Criterion, EvaluatorScore
from consortium.tendering.services import ScoreIn

SHEET = "Scores"
COLUMNS = ["Bid", "Lot", "Criterion", "Criterion title", "Answer", "Score", "Justification"]
MAX_BYTES = 10 * 1024 * 1024


def template(criteria: list[Criterion], bids: list[Bid], evaluator_id: int) -> bytes:
    answers = dict(
        ((a.bid_id, a.criterion_id), a.response)
        for a in BidAnswer.objects.filter(bid__in=bids, criterion__in=criteria)
    )
    mine = {
        (s.bid_id, s.criterion_id): s
        for s in EvaluatorScore.objects.filter(
            bid__in=bids, criterion__in=criteria, evaluator_id=evaluator_id
        )
    }
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(COLUMNS)
    for c in criteria:
        for b in bids:
            s = mine.get((b.pk, c.pk))
            ws.append(
                [
                    b.pk,
                    b.lot.number,
                    c.number,
                    c.title,
                    answers.get((b.pk, c.pk), ""),
                    s.score if s else None,
                    s.justification if s else None,
                ]
            )
    for i, width in enumerate([8, 6, 10, 30, 80, 8, 50], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    top = max((c.scale_max for c in criteria), default=5)
    scores = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2=str(top),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Score",
        error=f"Enter a whole number from 0 to {top} (see the Scale sheet)",
    )
    # Only the score and the justification are yours to fill; bid, lot and criterion stay as sent.
    fill_in(ws, columns=[6, 7], first_row=2, last_row=ws.max_row, validation=scores)
    guide = wb.create_sheet("Scale")
    guide.append(["Criterion", "Score", "Descriptor"])
    for c in criteria:
        for d in c.descriptors:
            guide.append([f"{c.number} {c.title}", d.get("score"), d.get("descriptor")])
    return workbook_bytes(wb)


def read(content: bytes, criteria: list[Criterion]) -> dict[tuple[int, int], ScoreIn]:
    """(criterion id, bid id) → score, for the rows that carry a score."""
    if len(content) > MAX_BYTES:
        raise ValidationFailed(
            "The file is too large", field_errors={"file": "Upload a file of 10 MB or less"}
        )
    wb = open_workbook(
        content, title="That is not a workbook", hint="Upload the .xlsx scoring workbook you downloaded"
    )
    if SHEET not in wb.sheetnames:
        raise ValidationFailed(
            "No Scores sheet", field_errors={"file": f"The workbook needs its “{SHEET}” sheet"}
        )
    by_number = {c.number: c for c in criteria}
    scores: dict[tuple[int, int], ScoreIn] = {}
    errors: dict[str, str] = {}
    for r, values in enumerate(wb[SHEET].iter_rows(min_row=2, values_only=True), start=2):
        cells = list(values) + [None] * 7
        bid, _lot, number, _title, _answer, score, justification = cells[:7]
        if score in (None, "") and justification in (None, ""):
            continue

        def bad(column: int, message: str, r: int = r) -> None:
            letter = get_column_letter(column)
            errors[f"{SHEET}!{letter}{r}"] = (
                f"Sheet {SHEET}, row {r}, column {letter} ({COLUMNS[column - 1]}): {message}"
            )

        criterion = by_number.get(str(number).strip() if number is not None else "")
        if criterion is None:
            bad(3, "not one of your criteria")
            continue
        try:
            bid_id = int(str(bid))
        except ValueError:
            bad(1, "keep the bid number as downloaded")
            continue
        try:
            value = int(str(score).strip())
            if str(value) != str(score).strip().removesuffix(".0") or not 0 <= value <= criterion.scale_max:
                raise ValueError
        except ValueError:
            bad(6, f"enter a whole number from 0 to {criterion.scale_max}")
            continue
        if not str(justification or "").strip():
            bad(7, "justify the score")
            continue
        scores[(criterion.pk, bid_id)] = ScoreIn(value, str(justification).strip())
    if errors:
        raise ValidationFailed(
            f"{len(errors)} cells need correcting; nothing was stored", field_errors=errors
        )
    if not scores:
        raise ValidationFailed(
            "No scores", field_errors={"file": "Fill in at least one score and justification"}
        )
    return scores
