"""Fixtures for the workflow requests tests: a fixed clock (Friday 2026-11-13 13:00 in Warsaw, ISO
week 46), an organization with two Administrators, three members and a project, and the local
outbox as notifier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from tests.conftest import fixed_clock

NOW = datetime(2026, 11, 13, 12, 0, tzinfo=timezone.utc)
ADMIN = "admin@acme.test"
BOSS = "boss@acme.test"
SAM = "sam@acme.test"
PIA = "pia@acme.test"
OLA = "ola@acme.test"
SUPPORT = "support@sandglass.test"


@pytest.fixture
def clock():
    yield from fixed_clock(NOW)


@pytest.fixture
def outbox(outbox, gateway):
    """The outbox (tests/conftest.py), with a support address for impersonation grants."""
    gateway.environment["SUPPORT_EMAIL"] = SUPPORT
    gateway.apply_environment()
    from sandglass.settings import reset_settings

    reset_settings()
    return outbox


@dataclass
class World:
    api: object
    org_id: str
    admin_id: str
    boss: dict
    sam: dict
    pia: dict
    ola: dict
    project: dict

    def call(self, method: str, path: str, who: str, body=None):
        return self.api.call(method, path, as_=who, org="acme", body=body)

    def create(self, path: str, who: str = SAM, body=None, status: int = 200) -> dict:
        reply = self.call("POST", path, who, body)
        assert reply.status == status, reply.body
        return reply.json()

    def resolve(self, request_id: str, suffix: str, who: str = ADMIN, status: str = "RESOLVED", expect: int = 200, **extra):
        reply = self.call("PUT", f"/requests/{request_id}{suffix}", who, {"status": status, **extra})
        assert reply.status == expect, reply.body
        return reply.json()

    def membership(self, project_id: str, user_id: str) -> dict | None:
        from sandglass import ids, keys
        from sandglass.storage.table import Table

        return Table().get(keys.project_member(self.org_id, project_id, ids.project_member_id(project_id, user_id)))

    def locks(self, user_id: str):
        from sandglass.repositories.locks import LockRepository

        return LockRepository().read(self.org_id, [user_id]).of(user_id)

    def stored_request(self, request_id: str) -> dict | None:
        from sandglass import keys
        from sandglass.storage.table import Table

        return Table().get(keys.request(self.org_id, request_id))


@pytest.fixture
def world(api, seed, clock, outbox) -> World:
    org = api.signup("acme", ADMIN, "Acme Studio", timeZone="Europe/Warsaw")
    boss = seed.member("acme", BOSS, role="Administrator", name="Boss")
    sam = seed.member("acme", SAM, name="Sam")
    pia = seed.member("acme", PIA, name="Pia")
    ola = seed.member("acme", OLA, name="Ola")
    project = seed.project("acme", "Website", members={sam["id"]: "User", pia["id"]: "Administrator"})
    from sandglass import ids

    return World(api, org["id"], ids.member_id(org["id"], ADMIN), boss, sam, pia, ola, project)
