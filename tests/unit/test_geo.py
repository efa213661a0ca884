"""The geofence math: haversine distances, geohash cells, and circle covers that never miss a point."""

from __future__ import annotations

import math

import pytest

from sandglass import geo

R = geo.EARTH_RADIUS_M


def destination(lat, lon, bearing_deg, metres):
    """The point `metres` away from (lat, lon) along `bearing_deg` on the sphere."""
    phi, lam, theta, delta = math.radians(lat), math.radians(lon), math.radians(bearing_deg), metres / R
    phi2 = math.asin(math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta))
    lam2 = lam + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi), math.cos(delta) - math.sin(phi) * math.sin(phi2))
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@pytest.mark.parametrize("lat,lon,precision,expected", [
    (57.64911, 10.40744, 11, "u4pruydqqvj"), (42.6, -5.6, 5, "ezs42"), (52.2297, 21.0122, 7, "u3qcnhh"),
    (-90, -180, 3, "000"), (90, 180, 3, "bpb"), (90, 179.99, 3, "zzz"), (0, 0, 1, "s"),
])
def test_geohash_matches_the_standard(lat, lon, precision, expected):
    assert geo.encode(lat, lon, precision) == expected


def test_haversine():
    assert geo.haversine_m(52.2297, 21.0122, 50.0647, 19.9450) == pytest.approx(252_000, rel=0.01)  # Warsaw - Krakow
    assert geo.haversine_m(0, 179.9995, 0, -179.9995) == pytest.approx(111.2, abs=0.5)  # across the antimeridian
    assert geo.haversine_m(90, 0, 90, 123) == pytest.approx(0, abs=1e-6)  # one pole, any meridian
    assert geo.haversine_m(-89.9995, -60, -89.9995, 120) == pytest.approx(111.2, abs=0.5)  # across the south pole
    assert geo.haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * R)


@pytest.mark.parametrize("metres,inside", [(119, True), (119.99, True), (120.01, False), (121, False)])
def test_a_120_m_radius_edge(metres, inside):
    for bearing in (0, 90, 180, 270, 33):
        lat, lon = destination(52.2297, 21.0122, bearing, metres)
        assert (geo.haversine_m(52.2297, 21.0122, lat, lon) <= 120) is inside


def test_small_circles_get_fine_cells_and_large_ones_coarse():
    assert len(geo.cover(52.2297, 21.0122, 120)[0]) == 7
    assert len(geo.cover(52.2297, 21.0122, 2_000)[0]) == 5
    assert len(geo.cover(52.2297, 21.0122, 50_000)[0]) == 3
    assert len(geo.cover(90, 0, 120)[0]) == 1  # a circle on a pole spans every meridian


def test_the_antimeridian_wraps():
    east = set(geo.cover(0, 179.9995, 120))
    assert geo.encode(0, -179.9995, 7) in east and geo.encode(0, 179.9995, 7) in east
    assert geo.encode(0, 180, 7) == geo.encode(0, -180, 7)


def test_a_point_has_one_cell_per_level():
    cells = geo.point_cells(52.2297, 21.0122)
    assert [len(cell) for cell in cells] == list(geo.LEVELS)
    assert all(cells[0].startswith(cell) for cell in cells)
