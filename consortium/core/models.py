from __future__ import annotations

from django.db import models


class TimestampedModel(models.Model):
    """Created and modified instants (timezone-aware) for every record."""

    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
