"""Great-circle distance and geohash cells: the pure math behind geofence lookups.

A geofence (a circle: centre and radius in metres) is registered under every geohash cell its
circle touches, at ONE precision chosen by its size (the finest of ``LEVELS`` at which it touches
at most ``MAX_CELLS`` cells). A point then has exactly one cell per level, so finding the
geofences that may contain it reads ``len(LEVELS)`` cells whatever the number of geofences or
activities; the exact test is the haversine distance.

Cells are computed from integer grid indices (latitude rows, longitude columns), so:
- the antimeridian is a wrap of the column index (a circle at longitude 179.999 also covers
  column 0, where longitude -179.999 falls);
- a circle that reaches a pole covers every column of the rows it touches (near a pole the
  longitude span of a small circle is unbounded).
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"

# Precisions a geofence can be registered at, finest first. Odd precisions have square-ish cells:
# 7 -> ~153 m, 5 -> ~4.9 km, 3 -> ~156 km, 1 -> 45 degrees (only huge or polar circles).
LEVELS = (7, 5, 3, 1)
MAX_CELLS = 32


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _bits(precision: int) -> tuple[int, int]:
    """(latitude bits, longitude bits) of a geohash of `precision` characters (longitude first)."""
    total = 5 * precision
    return total // 2, total - total // 2


def _row(lat: float, lat_bits: int) -> int:
    rows = 1 << lat_bits
    return min(rows - 1, max(0, math.floor((lat + 90.0) / 180.0 * rows)))


def _column(lon: float, lon_bits: int) -> int:
    columns = 1 << lon_bits
    return math.floor((lon + 180.0) / 360.0 * columns) % columns


def _hash(row: int, column: int, precision: int) -> str:
    lat_bits, lon_bits = _bits(precision)
    chars, value, count = [], 0, 0
    lat_left, lon_left = lat_bits, lon_bits
    for index in range(5 * precision):
        if index % 2 == 0:  # even bits are longitude
            lon_left -= 1
            bit = (column >> lon_left) & 1
        else:
            lat_left -= 1
            bit = (row >> lat_left) & 1
        value = (value << 1) | bit
        count += 1
        if count == 5:
            chars.append(_BASE32[value])
            value, count = 0, 0
    return "".join(chars)


def encode(lat: float, lon: float, precision: int) -> str:
    """The standard geohash of a point (longitude 180 is the same meridian as -180)."""
    lat_bits, lon_bits = _bits(precision)
    return _hash(_row(lat, lat_bits), _column(lon, lon_bits), precision)


def point_cells(lat: float, lon: float) -> list[str]:
    """The point's cell at every level: where the geofences that may contain it are registered."""
    return [encode(lat, lon, precision) for precision in LEVELS]


def _span(lat: float, lon: float, radius_m: float) -> tuple[float, float, float | None]:
    """(lowest latitude, highest latitude, longitude half-width in degrees or None for "all
    longitudes") of a box that contains the circle on the sphere."""
    delta = radius_m / EARTH_RADIUS_M + 1e-9  # angular radius, a hair wider against rounding
    lat_low, lat_high = lat - math.degrees(delta), lat + math.degrees(delta)
    if lat_high >= 90.0 or lat_low <= -90.0:
        return max(lat_low, -90.0), min(lat_high, 90.0), None  # the circle reaches a pole
    ratio = math.sin(delta) / math.cos(math.radians(lat))
    if ratio >= 1.0:
        return lat_low, lat_high, None
    return lat_low, lat_high, math.degrees(math.asin(ratio))


def _cells_at(lat: float, lon: float, radius_m: float, precision: int, limit: int | None) -> list[str] | None:
    lat_bits, lon_bits = _bits(precision)
    lat_low, lat_high, half_width = _span(lat, lon, radius_m)
    rows = range(_row(lat_low, lat_bits), _row(lat_high, lat_bits) + 1)
    columns_total = 1 << lon_bits
    if half_width is None:
        columns = list(range(columns_total))
    else:
        first = math.floor((lon - half_width + 180.0) / 360.0 * columns_total)
        last = math.floor((lon + half_width + 180.0) / 360.0 * columns_total)
        columns = sorted({index % columns_total for index in range(first, last + 1)}) if last - first < columns_total else list(range(columns_total))
    if limit is not None and len(rows) * len(columns) > limit:
        return None
    return sorted(_hash(row, column, precision) for row in rows for column in columns)


def cover(lat: float, lon: float, radius_m: float) -> list[str]:
    """The cells a circle is registered under: every cell it touches, at the finest level where
    that is at most MAX_CELLS cells (the coarsest level always fits a circle up to 50 km)."""
    for precision in LEVELS:
        cells = _cells_at(lat, lon, radius_m, precision, MAX_CELLS)
        if cells is not None:
            return cells
    return _cells_at(lat, lon, radius_m, LEVELS[-1], None) or []
