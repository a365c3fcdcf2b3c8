from __future__ import annotations

from decimal import Decimal

from django.db import models


class Category(models.TextChoices):
    STATIONERY = "stationery", "Stationery and office supplies"
    CLEANING = "cleaning", "Cleaning and janitorial"
    ICT = "ict", "ICT equipment"
    FURNITURE = "furniture", "Furniture"
    CATERING = "catering", "Catering supplies"
    EDUCATION = "education", "Educational resources"


VAT_RATES = (Decimal("0"), Decimal("5"), Decimal("20"))


class PriceChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the category manager"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
