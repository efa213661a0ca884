"""Rates are kept on each activity when written: editing a rate window never reprices history;
re-rating is explicit (preview, then apply), refused for locked or approved periods unless an
Administrator forces it, and recorded."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import fixed_clock

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
ADMIN = "admin@acme.test"
SAM = "sam@acme.test"
NOVEMBER = {"period": "custom", "start": "2026-11-01T00:00:00Z", "end": "2026-11-30T23:59:59Z", "metrics": ["time", "revenue", "cost"]}


def ok(reply):
    assert reply.status == 200, reply.body
    return reply.json()


class Org:
    def __init__(self, api, domain: str):
        self.api, self.domain = api, domain
        self.admin = f"admin@{domain}.test"
        self.sam = f"sam@{domain}.test"
        api.signup(domain, self.admin, domain.title(), currency="EUR")
        self.sam_id = ok(self.call("POST", "/users", body={"email": self.sam, "name": "Sam"}))["id"]
        ok(api.get("/auth", as_=self.sam, org=domain))
        self.project = ok(self.call("POST", "/projects", body={"name": "Website", "billable": True}))
        self.member = ok(self.call("POST", f"/projects/{self.project['id']}/members", body={"userId": self.sam_id}))
        self.rates = f"/projects/{self.project['id']}/members/{self.member['id']}/rates/revenue"

    def call(self, method, path, who=None, **kw):
        return self.api.call(method, path, as_=who or self.admin, org=self.domain, **kw)

    def entry(self, start: str, end: str) -> dict:
        return ok(self.call("POST", "/activities", who=self.sam, body={"name": "Work", "projectId": self.project["id"], "startedAt": start, "endedAt": end}))

    def revenue(self, start="2026-11-01T00:00:00Z", end="2026-11-30T23:59:59Z") -> dict:
        return ok(self.call("POST", "/reports/results", body={**NOVEMBER, "start": start, "end": end}))["totals"]["revenue"]


@pytest.fixture
def clock():
    yield from fixed_clock(NOW)


@pytest.fixture
def org(api, clock) -> Org:
    return Org(api, "acme")


def test_editing_a_rate_does_not_reprice_locked_history_until_an_administrator_forces_a_rerate(org):
    rate = ok(org.call("POST", org.rates, body={"currency": "EUR", "from": "2026-11-01T00:00:00Z", "value": "65.00"}))
    for day in range(2, 7):  # 22 h in ISO week 45
        org.entry(f"2026-11-0{day}T08:00:00Z", f"2026-11-0{day}T12:24:00Z")
    ok(org.call("POST", "/timesheets/lock", body={"userId": org.sam_id, "year": 2026, "week": 45}))
    assert org.revenue() == {"EUR": "1430.00"}

    ok(org.call("PUT", f"{org.rates}/{rate['id']}", body={"value": "130.00"}))
    assert org.revenue() == {"EUR": "1430.00"}  # was 2860.00: the edit repriced the locked week

    preview = ok(org.call("POST", "/activities/rerate/preview", body={"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}))
    assert len(preview["entries"]) == 5 and preview["lockedEntries"] == 5
    row = preview["entries"][0]
    assert row["locked"] is True
    assert row["revenue"] == {"old": {"currency": "EUR", "value": "65.00", "amount": "286.00"},
                              "new": {"currency": "EUR", "value": "130.00", "amount": "572.00"}}
    assert preview["totals"]["revenue"] == {"old": {"EUR": "1430.00"}, "new": {"EUR": "2860.00"}}
    assert org.revenue() == {"EUR": "1430.00"}  # a preview writes nothing

    refused = org.call("POST", "/activities/rerate/apply", body={"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"})
    assert refused.status == 409 and refused.json()["error"]["code"] == "PERIOD_LOCKED"
    assert org.revenue() == {"EUR": "1430.00"}
    assert org.call("POST", "/activities/rerate/apply", who=org.sam, body={"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "force": True}).status == 403

    applied = ok(org.call("POST", "/activities/rerate/apply", body={"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "force": True}))
    assert applied["forced"] is True and len(applied["entries"]) == 5
    assert org.revenue() == {"EUR": "2860.00"}
    # recorded: the change record names who, when and what
    from sandglass import keys
    from sandglass.repositories.organizations import OrganizationRepository
    from sandglass.storage.table import Table

    org_id = OrganizationRepository().org_id_for_domain("acme")
    record = Table().get(keys.rerate_record(org_id, applied["appliedAt"], applied["id"]))
    assert record["forced"] is True and len(record["activityIds"]) == 5 and record["totals"]["revenue"]["new"] == {"EUR": "2860.00"}
    # nothing left to re-rate
    again = ok(org.call("POST", "/activities/rerate/preview", body={"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}))
    assert again["entries"] == []


def test_an_unlocked_period_rerates_without_force_and_entries_keep_the_rate_of_their_start(org):
    org.entry("2026-11-23T08:00:00Z", "2026-11-23T10:00:00Z")  # no rate yet: no revenue, whatever is added later
    ok(org.call("POST", org.rates, body={"currency": "EUR", "from": "2026-11-01T00:00:00Z", "value": "50.00"}))
    assert org.revenue() == {}
    applied = ok(org.call("POST", "/activities/rerate/apply", body={"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}))
    assert applied["forced"] is False and applied["entries"][0]["revenue"]["new"]["amount"] == "100.00"
    assert org.revenue() == {"EUR": "100.00"}


def test_rerate_input_is_validated(org):
    for body in ({"from": "2026-11-01T00:00:00Z", "to": "2026-10-01T00:00:00Z"}, {"from": "2025-01-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"},
                 {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "userIds": ["nope"]}):
        assert org.call("POST", "/activities/rerate/preview", body=body).status == 422, body


EDITS = st.lists(st.tuples(st.sampled_from(["update", "create", "delete"]), st.integers(1, 400)), min_size=1, max_size=4)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=EDITS, rerate_open=st.booleans())
def test_rate_edits_never_change_the_revenue_of_locked_or_approved_entries(api, clock, edits, rerate_open):
    """For any sequence of rate edits (and a re-rate of the open period or not), the revenue of
    entries in a locked week and in an approved week never changes; the open week's changes only
    through a re-rate."""
    import uuid

    org = Org(api, "p" + uuid.uuid4().hex[:10])
    first = ok(org.call("POST", org.rates, body={"currency": "EUR", "from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "value": "60.00"}))
    org.entry("2026-11-03T08:00:00Z", "2026-11-03T11:00:00Z")  # week 45: locked
    org.entry("2026-11-10T08:00:00Z", "2026-11-10T10:00:00Z")  # week 46: approved
    org.entry("2026-11-24T08:00:00Z", "2026-11-24T09:30:00Z")  # week 48: open
    ok(org.call("POST", "/timesheets/lock", body={"userId": org.sam_id, "year": 2026, "week": 45}))
    request = ok(org.call("POST", "/requests/timesheets/2026/46/approvals", who=org.sam))
    ok(org.call("PUT", f"/requests/{request['id']}/timesheets/approvals", body={"status": "RESOLVED"}))
    locked = org.revenue(end="2026-11-09T23:59:59Z")
    approved = org.revenue(start="2026-11-09T00:00:00Z", end="2026-11-16T23:59:59Z")
    open_week = org.revenue(start="2026-11-23T00:00:00Z")
    windows = [first["id"]]
    for action, value in edits:
        if action == "update" and windows:
            org.call("PUT", f"{org.rates}/{windows[0]}", body={"value": f"{value}.00"})
        elif action == "delete" and windows:
            org.call("DELETE", f"{org.rates}/{windows.pop()}")
        elif action == "create":
            made = org.call("POST", org.rates, body={"currency": "USD", "from": "2026-12-01T00:00:00Z" if windows else "2026-11-01T00:00:00Z",
                                                     "to": None, "value": f"{value}.00"})
            if made.status == 200:
                windows.append(made.json()["id"])
        assert org.revenue(end="2026-11-09T23:59:59Z") == locked
        assert org.revenue(start="2026-11-09T00:00:00Z", end="2026-11-16T23:59:59Z") == approved
        assert org.revenue(start="2026-11-23T00:00:00Z") == open_week
    if rerate_open:
        refused = org.call("POST", "/activities/rerate/apply", body={"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"})
        assert refused.status in (200, 409)
        ok(org.call("POST", "/activities/rerate/apply", body={"from": "2026-11-23T00:00:00Z", "to": "2026-12-01T00:00:00Z"}))
    assert org.revenue(end="2026-11-09T23:59:59Z") == locked
    assert org.revenue(start="2026-11-09T00:00:00Z", end="2026-11-16T23:59:59Z") == approved
