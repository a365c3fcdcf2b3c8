from django.db import models

# The most values a chart plots: beyond it, the latest ones (the page says how many in all).
MAX_POINTS = 5000


class Granularity(models.TextChoices):
    CASE = "case", "Each case, in the order they finished"
    DAY = "day", "Each day"
    WEEK = "week", "Each week (Monday to Sunday)"


class Measure(models.TextChoices):
    MEAN = "mean", "Average time taken"
    COUNT = "count", "Number of cases finished"
