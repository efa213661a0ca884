"""Which rate applies at an instant: the pure rules and the repository-backed look-ups Reports use."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from sandglass import ids
from sandglass.errors import Conflict, ValidationFailed
from sandglass.services import rates
from sandglass.timefmt import parse


def window(rate_id, start, end, value="10"):
    return {"id": rate_id, "from": start, "to": end, "value": Decimal(value), "currency": "USD", "taxRate": Decimal(0)}


WINDOWS = [
    window("a", "2026-01-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z", "100"),
    window("b", "2026-07-01T00:00:00.000Z", None, "120.50"),
]


@pytest.mark.parametrize("instant, expected", [
    ("2025-12-31T23:59:59.999Z", None),
    ("2026-01-01T00:00:00.000Z", "a"),
    ("2026-06-30T23:59:59.999Z", "a"),
    ("2026-07-01T00:00:00.000Z", "b"),  # `to` is exclusive: the next window takes over
    ("2026-07-01T01:30:00+02:00", "a"),  # offsets count: that is 23:30 UTC on June 30
    ("2099-01-01T00:00:00.000Z", "b"),  # open-ended
])
def test_pick(instant, expected):
    found = rates.pick(WINDOWS, parse(instant))
    assert (found["id"] if found else None) == expected


def test_pick_refuses_naive_instants():
    with pytest.raises(ValueError):
        rates.pick(WINDOWS, datetime(2026, 1, 1))


def test_overlap_rules():
    assert rates.overlaps(WINDOWS[0], window("c", "2026-06-30T00:00:00.000Z", "2026-06-30T01:00:00.000Z"))
    assert not rates.overlaps(WINDOWS[0], WINDOWS[1])
    assert rates.overlaps(WINDOWS[1], window("c", "2030-01-01T00:00:00.000Z", None))
    with pytest.raises(Conflict):
        rates.check_no_overlap(window("c", "2025-01-01T00:00:00.000Z", None), WINDOWS)
    rates.check_no_overlap({**WINDOWS[0], "to": "2026-05-01T00:00:00.000Z"}, WINDOWS)  # itself does not count
    with pytest.raises(ValidationFailed):
        rates.check_window(window("c", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"))


def test_revenue_and_cost_rate_at_read_what_the_api_wrote(api, acme, seed):
    sam = seed.member("acme", "sam@acme.test")
    project = seed.project("acme", members={sam["id"]: "User"})
    org_id = seed.org_id("acme")
    member = ids.project_member_id(project["id"], sam["id"])
    base = f"/projects/{project['id']}/members/{member}/rates/revenue"
    for start, end, value in (("2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z", 100), ("2026-07-01T00:00:00Z", None, 120.5)):
        body = {"currency": "EUR", "from": start, "to": end, "taxRate": 23, "value": value}
        assert api.post(base, as_="admin@acme.test", org="acme", body=body).status == 200
    assert api.post(f"/users/{sam['id']}/rates/cost", as_="admin@acme.test", org="acme",
                    body={"currency": "EUR", "from": "2026-03-01T00:00:00Z", "value": 40.25}).status == 200
    july = datetime(2026, 7, 3, 8, 30, tzinfo=timezone.utc)
    revenue = rates.revenue_rate_at(org_id, project["id"], sam["id"], july)
    assert revenue["value"] == Decimal("120.5") and revenue["currency"] == "EUR" and revenue["taxRate"] == Decimal(23)
    assert rates.revenue_rate_at(org_id, project["id"], sam["id"], datetime(2026, 2, 1, tzinfo=timezone.utc))["value"] == Decimal(100)
    assert rates.revenue_rate_at(org_id, project["id"], sam["id"], datetime(2025, 2, 1, tzinfo=timezone.utc)) is None
    assert rates.cost_rate_at(org_id, sam["id"], july)["value"] == Decimal("40.25")
    assert rates.cost_rate_at(org_id, sam["id"], datetime(2026, 2, 1, tzinfo=timezone.utc)) is None
    assert rates.cost_rate_at(org_id, ids.new_id(), july) is None
    assert [r["value"] for r in rates.RateService().revenue_rates(org_id, project["id"], sam["id"])] == [Decimal(100), Decimal("120.5")]


def test_rate_instants_outside_the_one_accepted_range_are_422(api, acme, seed):
    """Every instant field shares one range (years 1970-9998, sandglass.timefmt.parse_instant):
    year 1 shifted west of UTC, year 9999 shifted east of it, or years before 1970 are a 422,
    never a 500; the bounds themselves round-trip."""
    sam = seed.member("acme", "sam@acme.test")
    base = f"/users/{sam['id']}/rates/cost"
    admin = {"as_": "admin@acme.test", "org": "acme"}
    rate = {"currency": "USD", "taxRate": 0, "value": 10}
    for window in ({"from": "0001-01-01T00:00:00+01:00"}, {"from": "2026-01-01T00:00:00Z", "to": "9999-12-31T23:59:59-01:00"},
                   {"from": "0999-06-01T00:00:00Z"}, {"from": "1969-12-31T23:59:59Z"}):
        reply = api.post(base, body={**rate, **window}, **admin)
        assert reply.status == 422, (window, reply.body)
        assert "1970" in reply.json()["error"]["details"][0]["message"]
    early = api.post(base, body={**rate, "from": "1970-01-01T00:00:00Z", "to": "1999-06-01T00:00:00+00:00"}, **admin)
    assert early.status == 200, early.body
    assert (early.json()["from"], early.json()["to"]) == ("1970-01-01T00:00:00.000Z", "1999-06-01T00:00:00.000Z")
    later = api.post(base, body={**rate, "from": "1999-06-01T00:00:00Z", "to": "9998-12-31T23:59:59.999Z"}, **admin)
    assert later.status == 200, later.body
    assert len(api.get(base, **admin).json()) == 2
