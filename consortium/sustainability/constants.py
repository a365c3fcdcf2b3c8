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
