"""Geofences: circles an organization's Administrators define; members' devices entering or
leaving them start and stop timers (services/geofences.py)."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct


START_TRACKING_PROJECT, START_TRACKING, STOP_TRACKING = "START_TRACKING_PROJECT", "START_TRACKING", "STOP_TRACKING"


class Geofence(Struct, frozen=True, kw_only=True):
    id: str
    name: str
    latitude: float  # degrees, WGS 84
    longitude: float
    radius: float  # metres
    enter_action: str  # START_TRACKING_PROJECT (on project_id), START_TRACKING (on the member's latest project), or none
    exit_action: str  # STOP_TRACKING, or none
    project_id: str | None = None
    cells: tuple[str, ...] = ()  # the geohash cells it is registered under (geo.cover)
    version: int = 1
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
