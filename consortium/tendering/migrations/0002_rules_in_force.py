"""The rules in force, as data: thresholds, procedures with their time limits, and notice
types, each citing its source. New rules are added as rows with their own effective dates."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

ACT = "Procurement Act 2023"
THRESHOLDS_2026 = "Procurement Act 2023, Schedule 1 (threshold amounts, including VAT), as revised with effect from 1 January 2026"
THRESHOLDS_2024 = "Procurement Act 2023, Schedule 1 (threshold amounts, including VAT), as in force from 24 February 2025 to 31 December 2025"

THRESHOLDS = [
    # kind, amount incl VAT, from, to, citation
    ("sub_central", "214904", dt.date(2024, 1, 1), dt.date(2025, 12, 31), THRESHOLDS_2024),
    ("central", "139688", dt.date(2024, 1, 1), dt.date(2025, 12, 31), THRESHOLDS_2024),
    ("works", "5372609", dt.date(2024, 1, 1), dt.date(2025, 12, 31), THRESHOLDS_2024),
    ("light_touch", "663540", dt.date(2024, 1, 1), dt.date(2025, 12, 31), THRESHOLDS_2024),
    ("sub_central", "207720", dt.date(2026, 1, 1), None, THRESHOLDS_2026),
    ("central", "135018", dt.date(2026, 1, 1), None, THRESHOLDS_2026),
    ("works", "5193000", dt.date(2026, 1, 1), None, THRESHOLDS_2026),
    ("light_touch", "663540", dt.date(2026, 1, 1), None, THRESHOLDS_2026),
]

START = dt.date(2025, 2, 24)  # the Act's procurement provisions came into force
PROCEDURES = [
    # code, above threshold, min tender days, with qualifying UK3, standstill working days, citation
    ("open", True, 25, 10, 8, f"{ACT} s.20(2)(a), s.54 (tendering period) and s.51 (standstill)"),
    ("competitive_flexible", True, 25, 10, 8, f"{ACT} s.20(2)(b), s.54 (tendering period) and s.51 (standstill)"),
    ("direct_award", True, 0, 0, 8, f"{ACT} ss.41–43 (direct award) and s.51 (standstill)"),
    ("call_off", True, 0, 0, 0, f"{ACT} s.46 (competitive selection process under a framework); standstill voluntary"),
    ("quotation", False, 0, 0, 0, f"{ACT} Part 6 ss.84–88 (below-threshold contracts)"),
]

NOTICES = [
    ("UK1", "Pipeline notice", "planning", "s.93"),
    ("UK2", "Preliminary market engagement notice", "planning", "s.17"),
    ("UK3", "Planned procurement notice", "planning", "s.18"),
    ("UK4", "Tender notice", "tender", "s.21"),
    ("UK5", "Transparency notice", "tender", "s.44"),
    ("UK6", "Contract award notice", "award", "s.50"),
    ("UK7", "Contract details notice", "contract", "s.53"),
    ("UK8", "Payments compliance notice", "contract", "s.69"),
    ("UK9", "Contract performance notice", "contract", "s.71"),
    ("UK10", "Contract change notice", "contract", "s.75"),
    ("UK11", "Contract termination notice", "contract", "s.80"),
    ("UK12", "Procurement termination notice", "tender", "s.55"),
    ("UK13", "Dynamic market intention notice", "planning", "s.39"),
    ("UK14", "Dynamic market establishment notice", "tender", "s.39"),
    ("UK15", "Dynamic market modification notice", "tender", "s.39"),
    ("UK16", "Dynamic market cessation notice", "tender", "s.39"),
    ("UK17", "Utilities dynamic market notice", "tender", "s.40"),
]


def seed(apps, schema_editor):
    Threshold = apps.get_model("tendering", "Threshold")
    Procedure = apps.get_model("tendering", "Procedure")
    NoticeType = apps.get_model("tendering", "NoticeType")
    for kind, amount, start, end, citation in THRESHOLDS:
        Threshold.objects.create(
            kind=kind, amount=Decimal(amount), effective_from=start, effective_to=end, citation=citation
        )
    for code, above, days, shortened, standstill, citation in PROCEDURES:
        Procedure.objects.create(
            code=code,
            above_threshold=above,
            min_tender_days=days,
            min_tender_days_with_planned_notice=shortened,
            standstill_working_days=standstill,
            effective_from=START,
            citation=citation,
        )
    for code, name, stage, section in NOTICES:
        NoticeType.objects.create(code=code, name=name, stage=stage, citation=f"{ACT} {section}")


def unseed(apps, schema_editor):
    for model in ("Threshold", "Procedure", "NoticeType"):
        apps.get_model("tendering", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tendering", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
