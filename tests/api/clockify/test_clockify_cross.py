"""One domain, two surfaces: what the Sandtime surface sets (a lock, rounding, a rate) shows on the
Clockify surface and the other way round; API keys on the Clockify surface (revoked or expired: 401
code 1000; the header name in any letter case)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sandglass import ids
from tests.api.clockify.conftest import ADMIN, ANN, cf
from tests.conftest import fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
UNAUTHENTICATED = {"description": "Full authentication is required to access this resource", "code": 1000}  # within API Gateway's one 401 body


@pytest.fixture(autouse=True)
def clock():
    yield from fixed_clock(NOW)


def test_a_week_locked_on_sandtime_refuses_a_clockify_entry_of_a_user(api, world):
    ws, pid = world["ws"], world["pid"]
    assert api.post("/timesheets/lock", as_=ADMIN, org="acme", body={"userId": world["ann"]["id"], "year": 2026, "week": 28}).status == 200
    refused = cf(api, "POST", f"/workspaces/{ws}/time-entries", as_=ANN, body={"start": "2026-07-07T09:00:00Z", "end": "2026-07-07T10:00:00Z", "projectId": pid})
    assert refused.status == 409 and set(refused.json()) == {"message", "code"} and refused.json()["code"] == 409
    # the week after is open; what Clockify writes, Sandtime reads
    made = cf(api, "POST", f"/workspaces/{ws}/time-entries", as_=ANN, body={"start": "2026-07-14T09:00:00Z", "end": "2026-07-14T10:00:00Z",
                                                                           "projectId": pid, "description": "Review"})
    assert made.status == 201, made.body
    listed = api.get("/activities", as_=ANN, org="acme").json()
    ours = [activity for activity in listed.values() if ids.short_id(activity["id"]) == made.json()["id"]]
    assert ours and ours[0]["name"] == "Review" and ours[0]["startedAt"] == "2026-07-14T09:00:00.000Z" and ours[0]["userId"] == world["ann"]["id"]
    # and a lock set later shows as isLocked through Clockify once an Administrator locks the entry on Sandtime
    assert api.put(f"/activities/{ours[0]['id']}", as_=ADMIN, org="acme", body={"locked": True}).status == 200
    assert cf(api, "GET", f"/workspaces/{ws}/time-entries/{made.json()['id']}", as_=ANN).json()["isLocked"] is True
    locked = cf(api, "PUT", f"/workspaces/{ws}/time-entries/{made.json()['id']}", as_=ANN, body={"start": "2026-07-14T09:00:00Z",
                                                                                                "end": "2026-07-14T11:00:00Z", "projectId": pid})
    assert locked.status == 409 and locked.json()["code"] == 409


def test_the_organization_lock_watermark_and_rounding_show_in_the_workspace(api, world):
    reply = api.put("/organization", as_=ADMIN, org="acme", body={"rounding": {"enabled": True, "interval": 1800000, "mode": "UP"},
                                                                   "lockingTimesheets": {"enabled": True, "year": 2026, "week": 27, "timeZone": "Europe/Warsaw"}})
    assert reply.status == 200, reply.body
    settings = cf(api, "GET", f"/workspaces/{world['ws']}").json()["workspaceSettings"]
    assert settings["round"] == {"round": "Round up to", "minutes": "30"} and settings["timeRoundingInReports"] is True
    # entries before Monday of week 28, midnight in Warsaw, are locked
    assert settings["lockTimeEntries"] == "2026-07-05T22:00:00Z" and settings["lockTimeZone"] == "Europe/Warsaw"
    refused = cf(api, "POST", f"/workspaces/{world['ws']}/time-entries", as_=ANN,
                 body={"start": "2026-07-01T09:00:00Z", "end": "2026-07-01T10:00:00Z", "projectId": world["pid"]})
    assert refused.status == 409 and refused.json()["code"] == 409


def test_a_rate_set_on_sandtime_is_the_clockify_entrys_hourly_rate(api, world):
    project_id, member = world["project"]["id"], ids.project_member_id(world["project"]["id"], world["ann"]["id"])
    rate = api.post(f"/projects/{project_id}/members/{member}/rates/revenue", as_=ADMIN, org="acme",
                    body={"currency": "EUR", "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z", "value": "80.50"})
    assert rate.status == 200, rate.body
    made = cf(api, "POST", f"/workspaces/{world['ws']}/time-entries", as_=ANN,
              body={"start": "2026-07-14T09:00:00Z", "end": "2026-07-14T10:00:00Z", "projectId": world["pid"]})
    entry = cf(api, "GET", f"/workspaces/{world['ws']}/time-entries/{made.json()['id']}", as_=ANN).json()
    assert entry["hourlyRate"] == {"amount": 8050, "currency": "EUR"}


def test_a_project_changed_on_clockify_is_changed_on_sandtime(api, world):
    reply = cf(api, "PUT", f"/workspaces/{world['ws']}/projects/{world['pid']}", body={"note": "From Clockify", "billable": "false"})
    assert reply.status == 200, reply.body
    project = api.get(f"/projects/{world['project']['id']}", as_=ADMIN, org="acme").json()
    assert project["notes"] == "From Clockify" and project["billable"] is False
    # a User may not change it on either surface
    assert cf(api, "PUT", f"/workspaces/{world['ws']}/projects/{world['pid']}", as_=ANN, body={"note": "x"}).status in (403, 404)


def test_api_keys_on_the_clockify_surface(api, world):
    created = api.post("/api-keys", as_=ADMIN, body={"name": "Clockify CLI", "expiresAt": "2026-07-15T13:00:00Z"}).json()
    key = created["key"]
    for header in ("X-Api-Key", "x-api-key", "X-API-KEY", "X-Api-key"):
        reply = api.gateway.request("GET", f"/api/v1/workspaces/{world['ws']}/projects", headers={header: key})
        assert reply.status == 200, (header, reply.body)
    assert api.gateway.request("GET", "/api/v1/user", headers={"X-Api-Key": key}).json()["id"] == ids.person_short_id(ADMIN)
    # a key that was never minted
    assert api.gateway.request("GET", "/api/v1/user", headers={"X-Api-Key": "A" * 48}).json().items() >= UNAUTHENTICATED.items()
    rotated = api.post(f"/api-keys/{created['id']}/rotate", as_=ADMIN).json()["key"]
    old = api.gateway.request("GET", f"/api/v1/workspaces/{world['ws']}/projects", headers={"X-Api-Key": key})
    assert old.status == 401 and old.json().items() >= UNAUTHENTICATED.items()
    assert api.gateway.request("GET", "/api/v1/workspaces", headers={"X-Api-Key": rotated}).status == 200
    from sandglass.clock import get_clock

    get_clock().advance(hours=1)  # past its expiry
    expired = api.gateway.request("GET", "/api/v1/workspaces", headers={"X-Api-Key": rotated})
    assert expired.status == 401 and expired.json().items() >= UNAUTHENTICATED.items()
    fresh = api.post("/api-keys", as_=ADMIN, body={"name": "another"}).json()
    assert api.delete(f"/api-keys/{fresh['id']}", as_=ADMIN).status == 200
    revoked = api.gateway.request("GET", "/api/v1/user", headers={"X-Api-Key": fresh["key"]})
    assert revoked.status == 401 and revoked.json().items() >= UNAUTHENTICATED.items()


def test_a_user_key_cannot_read_another_users_entries(api, world):
    ws, pid = world["ws"], world["pid"]
    cf(api, "POST", f"/workspaces/{ws}/time-entries", body={"start": "2026-07-14T09:00:00Z", "end": "2026-07-14T10:00:00Z", "projectId": pid})
    admin_entries = cf(api, "GET", f"/workspaces/{ws}/user/{ids.person_short_id(ADMIN)}/time-entries").json()
    key = api.post("/api-keys", as_=ANN, body={"name": "ann"}).json()["key"]
    seen = api.gateway.request("GET", f"/api/v1/workspaces/{ws}/user/{ids.person_short_id(ADMIN)}/time-entries", headers={"X-Api-Key": key})
    assert seen.status == 200 and seen.json() == []
    one = api.gateway.request("GET", f"/api/v1/workspaces/{ws}/time-entries/{admin_entries[0]['id']}", headers={"X-Api-Key": key})
    assert one.status == 404 and one.json()["code"] == 404
    stop = api.gateway.request("PATCH", f"/api/v1/workspaces/{ws}/user/{ids.person_short_id(ADMIN)}/time-entries", headers={"X-Api-Key": key},
                               body={"end": "2026-07-15T11:00:00Z"})
    assert stop.status == 404 and stop.json()["code"] == 404
    unknown_user = api.gateway.request("GET", f"/api/v1/workspaces/{ws}/user/{'1' * 24}/time-entries", headers={"X-Api-Key": key})
    assert unknown_user.status == 404 and unknown_user.json() == {"message": "User not found", "code": 404}
