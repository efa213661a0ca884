"""Geohash covers never miss a point of their circle (slow property checks: ~30 s, polar circles
cover many cells, so they run with the API suite rather than the sub-second unit suite)."""

from __future__ import annotations

import math
import random

import pytest

from sandglass import geo
from tests.unit.test_geo import destination


def _covered(lat, lon, radius, point):
    cells = geo.cover(lat, lon, radius)
    return geo.encode(point[0], point[1], len(cells[0])) in cells


CIRCLES = [
    (52.2297, 21.0122, 120), (52.2297, 21.0122, 10), (52.2297, 21.0122, 50_000), (0, 179.9995, 120), (0, -180, 120),
    (-16.5, 179.99, 5_000), (90, 0, 120), (-90, 0, 120), (89.9995, 45, 120), (-89.9995, -60, 120), (89.5, 10, 50_000),
    (0, 0, 10), (45, 90, 3_000), (-33.86, 151.2, 700), (64.1, -21.9, 49_999),
]


@pytest.mark.parametrize("lat,lon,radius", CIRCLES)
def test_a_cover_contains_every_point_of_its_circle(lat, lon, radius):
    cells = geo.cover(lat, lon, radius)
    assert 1 <= len(cells) <= geo.MAX_CELLS and len({len(cell) for cell in cells}) == 1
    assert len(cells[0]) in geo.LEVELS
    rng = random.Random(f"{lat},{lon},{radius}")
    for _ in range(400):
        point = destination(lat, lon, rng.uniform(0, 360), radius * math.sqrt(rng.random()))
        assert _covered(lat, lon, radius, point), point
    for bearing in range(0, 360, 5):  # the rim itself
        assert _covered(lat, lon, radius, destination(lat, lon, bearing, radius * 0.999999))


def test_random_circles_anywhere():
    rng = random.Random(11)
    for _ in range(300):
        lat, lon = math.degrees(math.asin(rng.uniform(-1, 1))), rng.uniform(-180, 180)
        radius = math.exp(rng.uniform(math.log(10), math.log(50_000)))
        cells = geo.cover(lat, lon, radius)
        assert len(cells) <= geo.MAX_CELLS
        for _ in range(20):
            point = destination(lat, lon, rng.uniform(0, 360), radius * rng.random())
            assert _covered(lat, lon, radius, point)


