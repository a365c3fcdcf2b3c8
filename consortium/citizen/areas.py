"""Placing a request in an area: by postcode (district or sector) or by a point inside a
GeoJSON polygon (shapely does the geometry). Pure functions over plain values."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry

# About 40 metres at Staffordshire's latitude: a point this close to an area's edge could be
# on either side (a geocoded address, a tap on a map), so a person decides (triage).
NEAR_BOUNDARY_DEGREES = 0.0004

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])([A-Z]{2})$")


def outward_and_sector(postcode: str) -> tuple[str, str] | None:
    """("WS11", "WS11 1") for "ws111bg"; None when it is not a UK postcode."""
    text = re.sub(r"\s+", "", (postcode or "").upper())
    match = _POSTCODE.match(text)
    if not match:
        return None
    return match.group(1), f"{match.group(1)} {match.group(2)}"


def normalise_prefix(prefix: str) -> str:
    """An area's postcode prefix as stored: "ws11" → "WS11", "st16  2" → "ST16 2"."""
    return re.sub(r"\s+", " ", (prefix or "").strip().upper())


_PREFIX = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9])?$")


def is_postcode_prefix(prefix: str) -> bool:
    """A postcode district ("WS11", "EC1A") or sector ("ST16 2"), as normalise_prefix gives it."""
    return bool(_PREFIX.match(prefix))


def boundary_polygon(boundary: Any) -> dict[str, Any]:
    """The GeoJSON Polygon or MultiPolygon to store for an uploaded boundary (a geometry, a
    Feature or a one-feature FeatureCollection, as a dict or its JSON text), checked once."""
    geometry = boundary_geometry(boundary)
    return dict(mapping(geometry))


def boundary_geometry(boundary: Any) -> BaseGeometry:
    """A GeoJSON Polygon or MultiPolygon (a dict, or its JSON text) as a geometry; ValueError
    with a message a person can act on when it is not one."""
    try:
        data = json.loads(boundary) if isinstance(boundary, str | bytes) else boundary
    except ValueError:
        raise ValueError("The boundary is not valid GeoJSON") from None
    try:
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            features = data.get("features") or []
            if len(features) != 1:
                raise ValueError("Upload one area at a time: a single Polygon or MultiPolygon")
            data = features[0].get("geometry")
        if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError("The boundary must be a GeoJSON Polygon or MultiPolygon")
        geometry = shape(data)
    except ValueError:
        raise
    except Exception:
        raise ValueError("The boundary is not valid GeoJSON") from None
    if geometry.is_empty or not geometry.is_valid:
        raise ValueError("The boundary's outline crosses itself or is empty")
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError("The boundary must be in longitude and latitude (WGS84)")
    return geometry


@dataclass(frozen=True)
class AreaShape:
    """What placing needs of an area: its id, prefixes and geometry."""

    area_id: int
    prefixes: tuple[str, ...]
    geometry: BaseGeometry | None


@dataclass(frozen=True)
class Placement:
    area_id: int | None
    near_boundary: bool = False


def place(
    areas: Sequence[AreaShape],
    *,
    postcode: str = "",
    lat: Decimal | float | None = None,
    long: Decimal | float | None = None,
) -> Placement:
    """The area a request is in. A point inside a polygon wins (near its edge: flagged); else
    the area with the longest matching postcode prefix (a sector beats a district)."""
    if lat is not None and long is not None:
        point = Point(float(long), float(lat))
        for area in areas:
            if area.geometry is not None and area.geometry.covers(point):
                near = area.geometry.boundary.distance(point)
                return Placement(area.area_id, near_boundary=near < NEAR_BOUNDARY_DEGREES)
        for area in areas:
            if area.geometry is not None and area.geometry.distance(point) < NEAR_BOUNDARY_DEGREES:
                return Placement(area.area_id, near_boundary=True)
    parts = outward_and_sector(postcode)
    if parts:
        best: tuple[int, int] | None = None  # (length of the matched prefix, area id)
        for area in areas:
            for prefix in area.prefixes:
                if prefix in parts and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), area.area_id)
        if best:
            return Placement(best[1])
    return Placement(None)
