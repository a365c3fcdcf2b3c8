"""The common template's vocabulary: price elements, their units, grades, accommodation types.

Codes are stable identifiers used in the JSON and .xlsx interchange format;
never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Unit(models.TextChoices):
    WEEK = "week", "£ per week"
    HOUR = "hour", "£ per hour"
    NIGHT = "night", "£ per night"
    DAY = "day", "£ per day"


class Grade(models.TextChoices):
    DOMICILIARY = "domiciliary", "Domiciliary"
    QUALIFIED = "qualified", "Qualified"


class AccommodationType(models.TextChoices):
    SHARED_BEDROOM = "own_bedroom_shared_living", "Own bedroom in shared living"
    STUDIO = "studio_flat", "Studio flat"
    ONE_BED = "one_bed_flat", "One-bed flat"
    TWO_BED_SLEEP_IN = "two_bed_flat_carer_sleep_in", "Two-bed flat with carer sleep-in"


class Element(models.TextChoices):
    ACCOMMODATION_SHARED_BEDROOM = (
        "accommodation_own_bedroom_shared_living",
        "Accommodation: own bedroom in shared living",
    )
    ACCOMMODATION_STUDIO = "accommodation_studio_flat", "Accommodation: studio flat"
    ACCOMMODATION_ONE_BED = "accommodation_one_bed_flat", "Accommodation: one-bed flat"
    ACCOMMODATION_TWO_BED = (
        "accommodation_two_bed_flat_carer_sleep_in",
        "Accommodation: two-bed flat, carer sleep-in",
    )
    SUPPLEMENT = "extra_supplement", "Extra supplement"
    DAYTIME_SHARED = "daytime_shared_support", "Daytime shared support (15-hour day)"
    NIGHT_SLEEPING = "night_sleeping_cover", "Night sleeping cover (9-hour night)"
    NIGHT_WAKING = "night_waking_cover", "Night waking cover (9-hour night)"
    ONE_TO_ONE = "one_to_one_support", "One-to-one support"
    ONE_TO_ONE_DAY_SHIFT = "one_to_one_day_shift", "One-to-one full day shift"
    ONE_TO_ONE_NIGHT_SHIFT = "one_to_one_sleeping_night_shift", "One-to-one full sleeping night shift"
    SPECIALIST = "specialist_support", "Specialist support (extra on the one-to-one rate)"
    LIFE_SKILLS = "life_skills_development", "Life skills development"
    TRANSITION = "transition_support", "Transition support"


@dataclass(frozen=True)
class ElementRule:
    unit: Unit
    has_ratio: bool = False  # priced at a carer:client ratio (1:n)
    has_grade: bool = False  # priced per carer grade


ELEMENT_RULES: dict[str, ElementRule] = {
    Element.ACCOMMODATION_SHARED_BEDROOM: ElementRule(Unit.WEEK),
    Element.ACCOMMODATION_STUDIO: ElementRule(Unit.WEEK),
    Element.ACCOMMODATION_ONE_BED: ElementRule(Unit.WEEK),
    Element.ACCOMMODATION_TWO_BED: ElementRule(Unit.WEEK),
    Element.SUPPLEMENT: ElementRule(Unit.WEEK),
    Element.DAYTIME_SHARED: ElementRule(Unit.HOUR, has_ratio=True),
    Element.NIGHT_SLEEPING: ElementRule(Unit.NIGHT, has_ratio=True),
    Element.NIGHT_WAKING: ElementRule(Unit.NIGHT, has_ratio=True),
    Element.ONE_TO_ONE: ElementRule(Unit.HOUR, has_grade=True),
    Element.ONE_TO_ONE_DAY_SHIFT: ElementRule(Unit.DAY, has_grade=True),
    Element.ONE_TO_ONE_NIGHT_SHIFT: ElementRule(Unit.NIGHT, has_grade=True),
    Element.SPECIALIST: ElementRule(Unit.HOUR),
    Element.LIFE_SKILLS: ElementRule(Unit.HOUR),
    Element.TRANSITION: ElementRule(Unit.HOUR),
}

ACCOMMODATION_ELEMENT: dict[str, str] = {
    AccommodationType.SHARED_BEDROOM: Element.ACCOMMODATION_SHARED_BEDROOM,
    AccommodationType.STUDIO: Element.ACCOMMODATION_STUDIO,
    AccommodationType.ONE_BED: Element.ACCOMMODATION_ONE_BED,
    AccommodationType.TWO_BED_SLEEP_IN: Element.ACCOMMODATION_TWO_BED,
}

DEFAULT_CARE_LEVELS = [
    (
        1,
        "Low",
        "Needs are straightforward. Help is occasional and predictable. Relationships are "
        "stable. Physical and mental health are stable. Abilities are largely intact.",
    ),
    (
        2,
        "Moderate",
        "Needs are complex. Mechanical/technical help is intermittently needed. "
        "Relationships have complications. Physical and mental health fluctuating erratic or unstable. "
        "Abilities are compromised or absent some of the time. Regular risk assessment needed.",
    ),
    (
        3,
        "High",
        "Needs are highly complex. Help is needed most of the time. Relationships are "
        "difficult. Physical or mental health is unstable. Abilities are absent much of the time. "
        "Continuous risk assessment needed.",
    ),
]


class NegotiationStatus(models.TextChoices):
    OPEN = "open", "Open"  # agreed prices being recorded
    PLACED = "placed", "Placed"  # the placement was confirmed at the agreed prices
    WITHDRAWN = "withdrawn", "Withdrawn"  # the commissioner chose not to go ahead


NEGOTIATION_TRANSITIONS: dict[str, frozenset[str]] = {
    NegotiationStatus.OPEN: frozenset({NegotiationStatus.PLACED, NegotiationStatus.WITHDRAWN}),
    NegotiationStatus.PLACED: frozenset(),
    NegotiationStatus.WITHDRAWN: frozenset(),
}


class Population(models.TextChoices):
    COMMISSIONED = "commissioned", "Commissioned rates (placements)"
    QUOTED = "quoted", "Quoted rates (current price menus)"
