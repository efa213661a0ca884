"""Fixtures for the Activities tests: a fixed clock and a small organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from tests.conftest import fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    yield from fixed_clock(NOW)


@dataclass
class World:
    api: object
    admin: str
    sam: dict      # User, member of project p and q
    pia: dict      # User in the org, Administrator of project p
    ola: dict      # User, member of no project
    p: dict        # billable project (sam User, pia Administrator)
    q: dict        # non-billable project (sam User)
    archived: dict
    org_id: str

    def entry(self, who: str, project: dict | None = None, start="2026-07-03T09:00:00+02:00", end="2026-07-03T10:30:00+02:00", **extra):
        body = {"name": "Work", "projectId": (project or self.p)["id"], "startedAt": start, "endedAt": end, **extra}
        reply = self.api.post("/activities", as_=who, org="acme", body=body)
        assert reply.status == 200, reply.body
        return reply.json()


@pytest.fixture
def world(api, acme, seed, clock) -> World:
    sam = seed.member("acme", "sam@acme.test")
    pia = seed.member("acme", "pia@acme.test")
    ola = seed.member("acme", "ola@acme.test")
    p = seed.project("acme", "Website", billable=True, members={sam["id"]: "User", pia["id"]: "Administrator"})
    q = seed.project("acme", "Internal", billable=False, members={sam["id"]: "User"})
    archived = seed.project("acme", "Old", archived=True, members={sam["id"]: "User"})
    return World(api, "admin@acme.test", sam, pia, ola, p, q, archived, seed.org_id("acme"))
