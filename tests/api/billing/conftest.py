"""Fixtures for the Billing tests: a fixed clock, organization `acme` (an Administrator and a User)
and `globex`, and helpers that buy seats through the local payment provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from tests.conftest import fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
ADMIN = "admin@acme.test"
OTHER_ADMIN = "boss@globex.test"
MONTHLY, YEARLY = 123456, 123457  # the template's default catalog


@pytest.fixture
def clock():
    yield from fixed_clock(NOW)


@dataclass
class World:
    api: object
    sam: dict
    org_id: str
    globex_id: str

    def checkout(self, quantity: int, product: int = MONTHLY, as_: str = ADMIN, org: str = "acme") -> str:
        reply = self.api.post("/checkout", as_=as_, org=org, body={"product": product, "quantity": quantity})
        assert reply.status == 200, reply.body
        return reply.json()["url"]

    def pay(self, url: str) -> tuple[int, dict]:
        """Complete a local checkout as the dev server's checkout page does."""
        from sandglass_local.devstack import dev_checkout

        return dev_checkout("POST", "/api" + url.split("/api", 1)[1])

    def buy(self, quantity: int, product: int = MONTHLY, as_: str = ADMIN, org: str = "acme") -> dict:
        status, subscription = self.pay(self.checkout(quantity, product, as_, org))
        assert status == 200, subscription
        return subscription

    def subscriptions(self, as_: str = ADMIN, org: str = "acme") -> list[dict]:
        reply = self.api.get("/subscriptions", as_=as_, org=org)
        assert reply.status == 200, reply.body
        return reply.json()

    def plan(self, org: str = "acme", as_: str = ADMIN) -> str:
        return self.api.get("/organization", as_=as_, org=org).json()["plan"]

    def invite(self, email: str, role: str = "User"):
        return self.api.post("/users", as_=ADMIN, org="acme", body={"email": email, "role": role})


@pytest.fixture
def world(api, acme, seed, clock) -> World:
    sam = seed.member("acme", "sam@acme.test")
    api.signup("globex", OTHER_ADMIN, "Globex")
    return World(api, sam, seed.org_id("acme"), seed.org_id("globex"))
