"""Fixtures for the Geofences tests: a fixed clock, members, projects and a geofence helper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from tests.conftest import fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
ADMIN = "admin@acme.test"
SAM = "sam@acme.test"
WARSAW = (52.2297, 21.0122)


@pytest.fixture
def clock():
    yield from fixed_clock(NOW)


@dataclass
class World:
    api: object
    sam: dict       # User, member of project p and q
    ola: dict       # User, member of no project
    p: dict         # project (sam User)
    q: dict         # project (sam User)
    archived: dict
    org_id: str

    def geofence(self, **fields):
        body = {"name": "Warsaw office", "latitude": WARSAW[0], "longitude": WARSAW[1], "radius": 120,
                "enterAction": "START_TRACKING_PROJECT", "exitAction": "STOP_TRACKING", "projectId": self.p["id"], **fields}
        reply = self.api.post("/geofences", as_=ADMIN, org="acme", body=body)
        assert reply.status == 200, reply.body
        return reply.json()

    def enter(self, lat, lon, who=SAM, source="ios-geofence"):
        return self.api.post("/geofencing/enter", as_=who, org="acme", body={"latitude": lat, "longitude": lon, "source": source})

    def exit(self, lat, lon, who=SAM, source="ios-geofence"):
        return self.api.post("/geofencing/exit", as_=who, org="acme", body={"latitude": lat, "longitude": lon, "source": source})

    def running(self, who=SAM):
        return list(self.api.get("/activities", as_=who, org="acme", query={"pending": "true"}).json().values())


@pytest.fixture
def world(api, acme, seed, clock) -> World:
    sam = seed.member("acme", SAM)
    ola = seed.member("acme", "ola@acme.test")
    p = seed.project("acme", "Website", members={sam["id"]: "User"})
    q = seed.project("acme", "Internal", billable=False, members={sam["id"]: "User"})
    archived = seed.project("acme", "Old", archived=True, members={sam["id"]: "User"})
    return World(api, sam, ola, p, q, archived, seed.org_id("acme"))
