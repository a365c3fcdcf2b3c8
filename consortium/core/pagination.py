"""Limit/offset pagination for every list, with bounds so no input can overflow the database."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(25, ge=1, le=100, description="How many items (1 to 100)")
        offset: int = Field(0, ge=0, le=1_000_000_000, description="How many items to skip")
