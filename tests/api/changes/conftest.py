"""Fixtures for the change feed: the table's stream delivered to its consumers after every request."""

from __future__ import annotations

import pytest

ADMIN = "admin@acme.test"


@pytest.fixture
def streaming(gateway):
    """The stream consumers run after each request (as the dev server's poller runs them)."""
    return gateway.start_streams()


@pytest.fixture
def feed(api, streaming):
    """Read the whole feed as `who` from `since` (every page); returns (changes, last cursor)."""

    def read(who: str = ADMIN, since: str | None = None, **params):
        changes, cursor = [], since
        while True:
            query = {**{k: str(v) for k, v in params.items()}, **({"since": cursor} if cursor else {})}
            reply = api.get("/changes", as_=who, org="acme", query=query)
            assert reply.status == 200, reply.body
            body = reply.json()
            changes.extend(body["changes"])
            cursor = body["nextCursor"]
            if not body["hasMore"]:
                return changes, cursor

    return read
