"""The Flexible Framework's five themes and five levels, and the action plan's states."""

from __future__ import annotations

from django.db import models


class Theme(models.TextChoices):
    PEOPLE = "people", "People"
    POLICY = "policy", "Policy, strategy and communications"
    PROCESS = "process", "Procurement process"
    SUPPLIERS = "suppliers", "Engaging suppliers"
    MEASUREMENT = "measurement", "Measurement and results"


LEVELS = {1: "Foundation", 2: "Embed", 3: "Practice", 4: "Enhance", 5: "Lead"}


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    UNDER_WAY = "under_way", "Under way"
    DONE = "done", "Done"


# Fewer assessments than this in a year and the spread across members is not shown to members:
# with two or three, a member could tell which level another reached.
MIN_FOR_SPREAD = 3


# The supplier sustainability appraisal's questions: (code, question, kind, most points, hint).
# Kinds: "yes_no", "number" (with the range allowed), "year". Points are what the consortium may
# award; questions worth 0 are asked for the record (a carbon reduction plan's figures).
APPRAISAL_QUESTIONS: list[dict[str, object]] = [
    {
        "code": "ems",
        "text": "Do you hold a certified environmental management system (ISO 14001 or EMAS)?",
        "kind": "yes_no",
        "points": 10,
    },
    {
        "code": "crp",
        "text": "Have you published a carbon reduction plan meeting PPN 06/21?",
        "kind": "yes_no",
        "points": 10,
    },
    {
        "code": "crp_baseline_year",
        "text": "Your carbon reduction plan's baseline year",
        "kind": "year",
        "points": 0,
    },
    {
        "code": "scope1",
        "text": "Scope 1 emissions in the baseline year (tCO2e)",
        "kind": "number",
        "points": 0,
        "max": 10_000_000,
    },
    {
        "code": "scope2",
        "text": "Scope 2 emissions in the baseline year (tCO2e)",
        "kind": "number",
        "points": 0,
        "max": 10_000_000,
    },
    {
        "code": "scope3",
        "text": "Declared scope 3 emissions in the baseline year (tCO2e)",
        "kind": "number",
        "points": 0,
        "max": 100_000_000,
    },
    {
        "code": "turnover",
        "text": "Your turnover in the baseline year (£), so your plan's emissions give an intensity per £ (optional)",
        "kind": "number",
        "points": 0,
        "max": 1_000_000_000_000,
        "optional": True,
    },
    {
        "code": "net_zero_year",
        "text": "The year you are committed to reaching net zero",
        "kind": "year",
        "points": 10,
    },
    {
        "code": "modern_slavery",
        "text": "Have you published a modern slavery statement (section 54 of the Modern "
        "Slavery Act 2015), or would you if your turnover required it?",
        "kind": "yes_no",
        "points": 10,
    },
    {
        "code": "living_wage",
        "text": "Are you an accredited Real Living Wage employer?",
        "kind": "yes_no",
        "points": 10,
    },
    {
        "code": "sme",
        "text": "Are you a small or medium-sized enterprise (fewer than 250 staff)?",
        "kind": "yes_no",
        "points": 0,
    },
    {
        "code": "vcse",
        "text": "Are you a voluntary, community or social enterprise?",
        "kind": "yes_no",
        "points": 0,
    },
    {
        "code": "local_staff_percent",
        "text": "Share of your staff who live in Staffordshire or Stoke-on-Trent (%)",
        "kind": "number",
        "points": 10,
        "max": 100,
    },
    {
        "code": "apprentices",
        "text": "Apprentices you employ now",
        "kind": "number",
        "points": 10,
        "max": 100_000,
    },
]
# Asked only of suppliers that sell in the category (by their catalogue items).
APPRAISAL_QUESTIONS += [
    {
        "code": "local_food_percent",
        "text": "Share of the food you supply that is grown or made in the West Midlands (%)",
        "kind": "number",
        "points": 10,
        "max": 100,
        "categories": ["catering"],
    },
    {
        "code": "weee_takeback",
        "text": "Do you take back equipment at the end of its life for reuse or recycling (WEEE)?",
        "kind": "yes_no",
        "points": 10,
        "categories": ["ict"],
    },
    {
        "code": "ecolabel_chemicals",
        "text": "Do the cleaning chemicals you supply carry a recognised eco-label?",
        "kind": "yes_no",
        "points": 10,
        "categories": ["cleaning"],
    },
    {
        "code": "certified_timber",
        "text": "Is all the timber in the furniture you supply FSC or PEFC certified?",
        "kind": "yes_no",
        "points": 10,
        "categories": ["furniture"],
    },
]
APPRAISAL_VALID_MONTHS = 12
