"""Rates through the API: the repository-backed look-ups Reports use, and the instant range."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sandglass import ids
from sandglass.services import rates


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
    assert revenue.value == Decimal("120.5") and revenue.currency == "EUR" and revenue.tax_rate == Decimal(23)
    assert rates.revenue_rate_at(org_id, project["id"], sam["id"], datetime(2026, 2, 1, tzinfo=timezone.utc)).value == Decimal(100)
    assert rates.revenue_rate_at(org_id, project["id"], sam["id"], datetime(2025, 2, 1, tzinfo=timezone.utc)) is None
    assert rates.cost_rate_at(org_id, sam["id"], july).value == Decimal("40.25")
    assert rates.cost_rate_at(org_id, sam["id"], datetime(2026, 2, 1, tzinfo=timezone.utc)) is None
    assert rates.cost_rate_at(org_id, ids.new_id(), july) is None
    assert [r.value for r in rates.RateService().revenue_rates(org_id, project["id"], sam["id"])] == [Decimal(100), Decimal("120.5")]


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


def test_a_rate_without_a_currency_takes_the_organizations(api):
    api.signup("zloty", "admin@zloty.test", "Zloty", currency="PLN")
    admin = {"as_": "admin@zloty.test", "org": "zloty"}
    me = api.get("/auth", **admin).json()["userId"]
    cost = api.post(f"/users/{me}/rates/cost", body={"from": "2026-01-01T00:00:00Z", "value": 40}, **admin)
    assert cost.status == 200, cost.body
    assert cost.json()["currency"] == "PLN"
    project = api.post("/projects", body={"name": "P"}, **admin).json()
    member = api.get(f"/projects/{project['id']}/members", **admin).json()
    member_id = next(iter(member))
    revenue = api.post(f"/projects/{project['id']}/members/{member_id}/rates/revenue", body={"from": "2026-01-01T00:00:00Z", "value": 90}, **admin)
    assert revenue.status == 200 and revenue.json()["currency"] == "PLN"
    assert api.post(f"/users/{me}/rates/cost", body={"from": "2027-01-01T00:00:00Z", "value": 40, "currency": "XXQ"}, **admin).status == 422


def test_the_server_records_onboarding_steps(api, seed):
    api.signup("steps", "admin@steps.test", "Steps")
    admin = {"as_": "admin@steps.test", "org": "steps"}
    assert not any(step["done"] for step in api.get("/organization", **admin).json()["onboarding"].values())
    project = api.post("/projects", body={"name": "P"}, **admin).json()
    user = api.post("/users", body={"email": "kim@steps.test"}, **admin).json()
    assert api.post(f"/projects/{project['id']}/members", body={"userId": user["id"]}, **admin).status == 200
    me = api.get("/auth", **admin).json()["userId"]
    assert api.put(f"/users/{me}/preferences", body={"timeZone": "Europe/Warsaw"}, **admin).status == 200
    assert api.put("/organization", body={"notes": "Hello"}, **admin).status == 200
    onboarding = api.get("/organization", **admin).json()["onboarding"]
    assert {name: step["done"] for name, step in onboarding.items()} == {
        "assignMembers": True, "inviteMembers": True, "organization": True, "preferences": True, "projects": True}
    assert not any(step["viewed"] for step in onboarding.values())
