"""Fixtures for the Reports tests: a fixed clock and a small organization with hand-made data.

Activities, rates and settings are written straight to the table in the shapes their own
repositories document, so every figure below can be computed by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from sandglass import ids, keys
from sandglass.clock import FixedClock, SystemClock, set_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    fixed = FixedClock(NOW)
    set_clock(fixed)
    yield fixed
    set_clock(SystemClock())


@dataclass
class World:
    api: object
    org_id: str
    admin: str
    admin_id: str
    sam: dict      # User, member of p and q
    pia: dict      # User, Administrator of project p
    ola: dict      # User, member of no project
    p: dict        # billable project "Website"
    q: dict        # non-billable project "Internal"
    activities: list = field(default_factory=list)

    def activity(self, user: dict | str, project: dict, start: str, end: str | None, *, billable: bool | None = None, name: str = "Work") -> dict:
        from sandglass.repositories.activities import _stored
        from sandglass.storage.table import Table

        user_id = user if isinstance(user, str) else user["id"]
        activity = {"id": ids.new_id(), "name": name, "projectId": project["id"], "userId": user_id,
                    "billable": project["billable"] if billable is None else billable, "startedAt": start, "endedAt": end,
                    "pending": True if end is None else None, "version": 1, "createdAt": start, "createdBy": user_id}
        Table().put(_stored(self.org_id, activity))
        self.activities.append(activity)
        return activity

    def revenue_rate(self, project: dict, user: dict, value: str, start: str, end: str | None = None, currency: str = "EUR") -> None:
        from sandglass.repositories.rates import RateRepository, revenue_set

        member_id = ids.project_member_id(project["id"], user["id"])
        rate_set = revenue_set(self.org_id, project["id"], member_id, user["id"])
        repository = RateRepository()
        rate = {"id": ids.new_id(), "projectId": project["id"], "memberId": member_id, "userId": user["id"], "currency": currency,
                "from": start, "to": end, "taxRate": Decimal(0), "value": Decimal(value)}
        _save(repository, rate_set, rate)

    def cost_rate(self, user: dict, value: str, start: str, end: str | None = None, currency: str = "EUR") -> None:
        from sandglass.repositories.rates import RateRepository, cost_set

        rate_set = cost_set(self.org_id, user["id"])
        repository = RateRepository()
        rate = {"id": ids.new_id(), "userId": user["id"], "currency": currency, "from": start, "to": end, "taxRate": Decimal(0), "value": Decimal(value)}
        _save(repository, rate_set, rate)

    def settings(self, **changes) -> None:
        reply = self.api.put("/organization", as_=self.admin, org="acme", body=changes)
        assert reply.status == 200, reply.body

    @staticmethod
    def custom(start="2026-07-01T00:00:00+02:00", end="2026-07-31T23:59:59+02:00", **definition) -> dict:
        """A definition over July 2026 (Warsaw), the month the fixtures live in."""
        return {"period": "custom", "start": start, "end": end, **definition}

    def results(self, body: dict, *, as_: str | None = None, **query):
        params = "&".join(f"{key}={value}" for key, value in query.items())
        return self.api.post("/reports/results" + (f"?{params}" if params else ""), as_=as_ or self.admin, org="acme", body=body)


@pytest.fixture
def world(api, acme, seed, clock) -> World:
    sam = seed.member("acme", "sam@acme.test", name="Sam")
    pia = seed.member("acme", "pia@acme.test", name="Pia")
    ola = seed.member("acme", "ola@acme.test", name="Ola")
    p = seed.project("acme", "Website", billable=True, members={sam["id"]: "User", pia["id"]: "Administrator"})
    q = seed.project("acme", "Internal", billable=False, members={sam["id"]: "User"})
    org_id = seed.org_id("acme")
    admin_id = ids.member_id(org_id, "admin@acme.test")
    world = World(api, org_id, "admin@acme.test", admin_id, sam, pia, ola, p, q)
    world.settings(timeZone="Europe/Warsaw", currency="EUR")
    return world


def _save(repository, rate_set, rate) -> None:
    """Store one rate window the way the rate service commits it (one unit of work)."""
    from sandglass.storage.transaction import UnitOfWork

    tx = UnitOfWork(repository.table)
    repository.stage_save(tx, rate_set, rate, repository.snapshot(rate_set).version)
    tx.commit()
