"""Service check: each stream's finished cases, and the studies managers make of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from consortium.check.constants import Granularity, Measure


class Case(models.Model):
    """One finished case of one stream, as the stream's system reported it: kept here so every
    stream is read the same way, from one narrow table, however large it grows."""

    stream = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    reference = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    ended_on = models.DateField(help_text="The day it ended, in Europe/London")
    week = models.DateField(help_text="The Monday of the week it ended")
    value = models.FloatField(help_text="Time taken, in the stream's unit")
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    counterpart = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind_key = models.CharField(max_length=40, blank=True)
    kind_label = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream", "source_id"], name="check_case_once")]
        indexes = [
            models.Index(fields=["stream", "ended_at", "id"], name="check_case_time_idx"),
            models.Index(fields=["stream", "organisation", "ended_at"], name="check_case_org_idx"),
            models.Index(fields=["stream", "counterpart", "ended_at"], name="check_case_cp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.stream} {self.reference}"


class Study(models.Model):
    """A manager's look at one stream: which cases, over which period, at what grain, with the
    changes they know of recorded as splits. Shared with their organisation."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    stream = models.CharField(max_length=40)
    filter_organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filter_counterpart = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filter_kind = models.CharField(max_length=40, blank=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    granularity = models.CharField(max_length=10, choices=Granularity.choices, default=Granularity.CASE)
    measure = models.CharField(max_length=10, choices=Measure.choices, default=Measure.MEAN)
    median = models.BooleanField(default=False)
    baseline = models.PositiveIntegerField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True, help_text="In the chart's unit")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.name


class Split(models.Model):
    """A change with a known cause: from this day the process has new limits."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="splits")
    on = models.DateField()
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        constraints = [models.UniqueConstraint(fields=["study", "on"], name="check_split_once_a_day")]

    def __str__(self) -> str:
        return f"{self.on}: {self.reason}"
