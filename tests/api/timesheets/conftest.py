"""Fixtures for the Timesheets tests: a fixed clock, an organization in Europe/Warsaw with three
members, activities written straight to the table, and the local outbox as notifier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from tests.conftest import fixed_clock

NOW = datetime(2026, 11, 13, 12, 0, tzinfo=timezone.utc)  # Friday 13:00 in Warsaw
ADMIN = "admin@acme.test"


@pytest.fixture
def clock():
    yield from fixed_clock(NOW)


@dataclass
class World:
    api: object
    org_id: str
    admin_id: str
    sam: dict
    pia: dict
    ola: dict
    project: dict

    def activity(self, user: dict, start: str, end: str | None = None) -> dict:
        """An activity (a running timer when `end` is None) stored as the activities repository stores it."""
        from sandglass import ids, keys
        from sandglass.repositories.activities import _stored
        from sandglass.storage.table import Table
        from sandglass.timefmt import iso, parse

        activity = {"id": ids.new_id(), "name": "Work", "projectId": self.project["id"], "userId": user["id"], "billable": True,
                    "startedAt": iso(parse(start)), "version": 1, "createdAt": "2026-01-01T00:00:00.000Z", "createdBy": user["id"]}
        if end is None:
            activity["pending"] = True
        else:
            activity["endedAt"] = iso(parse(end))
        table = Table()
        table.put(_stored(self.org_id, activity))
        if end is None:
            table.put({**keys.running_timer(self.org_id, user["id"]), "userId": user["id"], "activityId": activity["id"], "startedAt": activity["startedAt"]})
        return activity

    def settings(self, **body) -> dict:
        reply = self.api.put("/organization", as_=ADMIN, org="acme", body=body)
        assert reply.status == 200, reply.body
        return reply.json()


def _founded(org_id: str, created_at: str) -> None:
    from sandglass import keys
    from sandglass.storage.table import Table

    from sandglass import ids

    Table().update(keys.organization(org_id), "SET createdAt = :at", values={":at": created_at})
    Table().update(keys.user(org_id, ids.member_id(org_id, ADMIN)), "SET createdAt = :at", values={":at": created_at})


@pytest.fixture
def world(api, seed, clock) -> World:
    org = api.signup("acme", ADMIN, "Acme Studio", timeZone="Europe/Warsaw")
    _founded(org["id"], "2026-01-01T00:00:00.000Z")  # expected time starts when the organization began
    sam = seed.member("acme", "sam@acme.test", name="Sam")
    pia = seed.member("acme", "pia@acme.test", name="Pia")
    ola = seed.member("acme", "ola@acme.test", name="Ola")
    project = seed.project("acme", "Website", members={sam["id"]: "User", pia["id"]: "User", ola["id"]: "User"})
    from sandglass import ids

    return World(api, org["id"], ids.member_id(org["id"], ADMIN), sam, pia, ola, project)
