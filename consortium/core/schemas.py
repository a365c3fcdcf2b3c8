"""Schemas every system's API (and the care CLI) builds on."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict


class StrictIn(Schema):
    """Input that refuses unknown fields with their name, so a typo is never silently ignored."""

    model_config = ConfigDict(extra="forbid")
