"""The Sonderplan dialect: POST /v2/time-entry, its reads, its errors, and what it writes as every
other surface reads it (Sandtime, Clockify, MCP)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from sandglass import ids
from tests.conftest import fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
ADMIN = "admin@acme.test"
ANN = "ann@acme.test"
BOB = "bob@acme.test"
START, END = 1784106000, 1784113200  # 2026-07-15T09:00:00Z, 11:00:00Z


@pytest.fixture(autouse=True)
def clock():
    yield from fixed_clock(NOW)


def numbered(org_id: str) -> None:
    """The seeded people and projects get their integer ids (seed writes items without them)."""
    from sandglass.services.int_ids import IntIdService

    IntIdService().backfill(org_id)


def number(org_id: str, kind: str, uuid: str) -> int:
    from sandglass.repositories.projects import ProjectRepository
    from sandglass.repositories.users import UserRepository

    if kind == "project":
        return ProjectRepository().get(org_id, uuid).number
    return UserRepository().get(org_id, uuid).number


def uuid_of(org_id: str, number: int) -> str:
    from sandglass.services.int_ids import IntIdService

    return IntIdService().resolve(org_id, "activity", number)


def sp(api, method, path="", as_=ADMIN, **kwargs):
    return api.call(method, "/api/v2/time-entry" + path, as_=as_, org="acme", **kwargs)


@pytest.fixture
def world(api, acme, seed):
    ann = seed.member("acme", ANN)
    bob = seed.member("acme", BOB)
    org_id = seed.org_id("acme")
    admin = ids.member_id(org_id, ADMIN)
    project = seed.project("acme", billable=True, members={ann["id"]: "User", bob["id"]: "User", admin: "Administrator"})
    other = seed.project("acme", "Other", members={ann["id"]: "User"})
    numbered(org_id)
    return {"org": org_id, "ann": ann, "bob": bob, "admin": admin, "project": project, "other": other,
            "ann_n": number(org_id, "person", ann["id"]), "project_n": number(org_id, "project", project["id"]),
            "other_n": number(org_id, "project", other["id"])}


def body(world, **changes):
    sent = {"owner_id": world["ann_n"], "name": "Colour Grading", "description": "Opening scenes completed",
            "start": START, "end": END, "project": [{"id": world["project_n"]}], "billable": "false", "locked": "false"}
    sent.update(changes)
    return {key: value for key, value in sent.items() if value is not ...}


def test_an_entry_is_stored_and_read_back_in_the_dialect(api, world):
    made = sp(api, "POST", as_=ANN, body=body(world, booking=[{"id": 1, "name": "Test Booking", "resources": [{"id": 9458}]}],
                                                owner={"first_name": "Jane"}))
    assert made.status == 200, made.body
    assert set(made.json()) == {"success"} and set(made.json()["success"]) == {"id"}
    entry_id = made.json()["success"]["id"]
    assert isinstance(entry_id, int) and 0 < entry_id < 2**53 and uuid_of(world["org"], entry_id) is not None
    got = sp(api, "GET", f"/{entry_id}", as_=ANN)
    assert got.status == 200, got.body
    assert got.json()["success"] == {
        "id": entry_id, "owner_id": world["ann_n"], "name": "Colour Grading", "description": "Opening scenes completed",
        "start": START, "end": END, "start_date_time_iso": "2026-07-15T09:00:00+00:00", "end_date_time_iso": "2026-07-15T11:00:00+00:00",
        "project": [{"id": world["project_n"]}], "booking": [{"id": 1}], "billable": False, "locked": False}
    listed = sp(api, "GET", as_=ANN, query={"owner_id": str(world["ann_n"]), "start": str(START - 3600), "end": str(END)})
    assert listed.status == 200 and [entry["id"] for entry in listed.json()["success"]] == [entry_id]
    assert sp(api, "GET", as_=ANN, query={"start": str(END)}).json() == {"success": []}


def test_the_entry_is_the_same_on_sandtime_clockify_and_mcp(api, world):
    made = sp(api, "POST", body=body(world, billable=True, locked="true"))
    assert made.status == 200, made.body
    listed = api.get("/activities", as_=ANN, org="acme").json()
    [activity] = [a for a in listed.values() if a["id"] == uuid_of(world["org"], made.json()["success"]["id"])]
    assert activity["startedAt"] == "2026-07-15T09:00:00.000Z" and activity["endedAt"] == "2026-07-15T11:00:00.000Z"
    assert activity["billable"] is True and activity["locked"] is True and activity["userId"] == world["ann"]["id"]
    assert activity["name"] == "Colour Grading" and activity["notes"] == "Opening scenes completed"
    # Clockify
    ws = ids.short_id(world["org"])
    entry = api.call("GET", f"/api/v1/workspaces/{ws}/time-entries/{ids.short_id(activity['id'])}", as_=ANN).json()
    assert entry["timeInterval"]["start"] == "2026-07-15T09:00:00Z" and entry["timeInterval"]["end"] == "2026-07-15T11:00:00Z"
    assert entry["billable"] is True and entry["isLocked"] is True and entry["description"] == "Colour Grading"
    # MCP
    reply = api.call("POST", "/mcp", as_=ANN, headers={"X-Sandtime-Organization": "acme"},
                     body={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "my_week", "arguments": {"week": "2026-W29"}}})
    assert reply.status == 200, reply.body
    result = reply.json()["result"]
    week = result.get("structuredContent") or json.loads(result["content"][0]["text"])
    [seen] = [e for e in week["entries"] if e["id"] == activity["id"]]
    assert seen["startedAt"] == "2026-07-15T09:00:00.000Z" and seen["endedAt"] == "2026-07-15T11:00:00.000Z"
    assert seen["billable"] is True and seen["entryLocked"] is True and seen["notes"] == "Opening scenes completed"
    # the lock holds for the owner on every surface
    refused = api.put(f"/activities/{activity['id']}", as_=ANN, org="acme", body={"name": "Changed"})
    assert refused.status == 409 and refused.json()["error"]["code"] == "ACTIVITY_LOCKED"


def test_unix_seconds_win_over_the_iso_fields_and_iso_alone_serves(api, world):
    both = sp(api, "POST", as_=ANN, body=body(world, start_date_time_iso="2026-07-14T09:00:00+11:00", end_date_time_iso="2026-07-14T17:00:00+11:00"))
    got = sp(api, "GET", f"/{both.json()['success']['id']}", as_=ANN).json()["success"]
    assert (got["start"], got["end"]) == (START, END)
    iso_only = sp(api, "POST", as_=ANN, body=body(world, start=..., end=..., start_date_time_iso="2026-07-14T09:00:00+11:00",
                                                   end_date_time_iso="2026-07-14T17:00:00+11:00"))
    assert iso_only.status == 200, iso_only.body
    got = sp(api, "GET", f"/{iso_only.json()['success']['id']}", as_=ANN).json()["success"]
    assert got["start_date_time_iso"] == "2026-07-13T22:00:00+00:00" and got["end"] - got["start"] == 8 * 3600


def test_no_end_starts_a_running_timer(api, world):
    made = sp(api, "POST", as_=ANN, body=body(world, start=START, end=...))
    assert made.status == 200, made.body
    got = sp(api, "GET", f"/{made.json()['success']['id']}", as_=ANN).json()["success"]
    assert got["end"] is None and got["end_date_time_iso"] is None
    running = api.get("/activities", as_=ANN, org="acme", query={"pending": "true"}).json()
    assert [a["pending"] for a in running.values()] == [True]


@pytest.mark.parametrize("changes, field", [
    ({"project": [{"id": 1}, {"id": 2}]}, "project"),
    ({"project": []}, "project"),
    ({"project": ...}, "project"),
    ({"start": ..., "end": ...}, "start"),
    ({"end": START - 60}, "end"),
    ({"start": "yesterday"}, "start"),
    ({"start": -5}, "start"),
    ({"start": 1.5}, "start"),
    ({"start": ..., "start_date_time_iso": "2026-07-15T09:00:00"}, "start_date_time_iso"),
    ({"start": ..., "start_date_time_iso": 12}, "start_date_time_iso"),
    ({"billable": "yes"}, "billable"),
    ({"locked": 1}, "locked"),
    ({"owner_id": "ann"}, "owner_id"),
    ({"owner_id": 12345}, "owner_id"),
    ({"owner_id": True}, "owner_id"),
    ({"name": ...}, "name"),
    ({"name": 5}, "name"),
    ({"description": ["x"]}, "description"),
    ({"booking": [{"name": "no id"}]}, "booking"),
    ({"booking": "1"}, "booking"),
])
def test_bad_input_is_400_naming_the_field(api, world, changes, field):
    reply = sp(api, "POST", as_=ANN, body=body(world, **changes))
    assert reply.status == 400, (changes, reply.body)
    error = reply.json()["error"]
    assert set(error) >= {"code", "message"} and error["details"][0]["field"].split(".")[0] == field, error


def test_two_projects_say_why(api, world):
    reply = sp(api, "POST", as_=ANN, body=body(world, project=[{"id": world["project_n"]}, {"id": world["other_n"]}]))
    assert reply.status == 400 and "exactly one project" in reply.json()["error"]["message"] and "2 were sent" in reply.json()["error"]["message"]


def test_an_unknown_project_and_bodies_that_are_not_objects(api, world):
    assert sp(api, "POST", as_=ANN, body=body(world, project=[{"id": 42}])).status == 400
    for raw in ("[]", '"text"', "null", "5", "", "{nope"):
        reply = sp(api, "POST", as_=ANN, body=raw, headers={"Content-Type": "application/json"})
        assert reply.status == 400 and set(reply.json()) == {"error"}, (raw, reply.body)


def test_recording_for_another_person_needs_an_administrator(api, world):
    refused = sp(api, "POST", as_=BOB, body=body(world))
    assert refused.status == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
    assert sp(api, "POST", as_=ADMIN, body=body(world)).status == 200


def test_a_user_may_not_lock(api, world):
    refused = sp(api, "POST", as_=ANN, body=body(world, locked=True))
    assert refused.status == 403
    assert api.get("/activities", as_=ANN, org="acme").json() == {}


def test_a_locked_week_refuses_a_users_entry(api, world):
    assert api.post("/timesheets/lock", as_=ADMIN, org="acme", body={"userId": world["ann"]["id"], "year": 2026, "week": 29}).status == 200
    refused = sp(api, "POST", as_=ANN, body=body(world))
    assert refused.status == 409, refused.body


def test_reads_are_the_owners_and_404_for_what_is_not_theirs(api, world):
    made = sp(api, "POST", as_=ANN, body=body(world)).json()["success"]["id"]
    assert sp(api, "GET", f"/{made}", as_=BOB).status == 404
    assert sp(api, "GET", "/99999", as_=ANN).status == 404
    assert sp(api, "GET", "/abc", as_=ANN).status == 400
    assert sp(api, "GET", as_=ANN, query={"owner_id": "12345"}).status == 400
    assert sp(api, "GET", as_=ANN, query={"start": "x"}).status == 400
    assert sp(api, "GET", as_=ANN, query={"start": str(END), "end": str(START)}).status == 400
    assert sp(api, "GET", as_=ANN, query={"since": "1"}).status == 400
    assert sp(api, "GET", f"/{made}", as_=ADMIN).status == 200


def test_notes_on_sandtime(api, world):
    made = api.post("/activities", as_=ANN, org="acme", body={"projectId": world["project"]["id"], "startedAt": "2026-07-15T09:00:00Z",
                                                               "endedAt": "2026-07-15T10:00:00Z", "notes": "line one\nline two"})
    assert made.status == 200, made.body
    assert made.json()["notes"] == "line one\nline two"
    activity_id = made.json()["id"]
    kept = api.put(f"/activities/{activity_id}", as_=ANN, org="acme", body={"name": "Renamed"})
    assert kept.json()["notes"] == "line one\nline two"
    cleared = api.put(f"/activities/{activity_id}", as_=ANN, org="acme", body={"notes": ""})
    assert "notes" not in cleared.json()
    assert api.put(f"/activities/{activity_id}", as_=ANN, org="acme", body={"notes": None}).status == 422
    assert api.put(f"/activities/{activity_id}", as_=ANN, org="acme", body={"notes": "bell\x07"}).status == 422
    assert api.put(f"/activities/{activity_id}", as_=ANN, org="acme", body={"notes": "x" * 10_001}).status == 422
    from sandglass.repositories.activities import ActivityRepository

    got = sp(api, "GET", f"/{ActivityRepository().get(world['org'], activity_id).number}", as_=ANN).json()["success"]
    assert got["description"] == "" and got["booking"] == []


def test_a_personal_api_key_serves_as_the_bearer_token_here_only(api, world):
    key = api.post("/api-keys", as_=ANN, body={"name": "Sonderplan sync"}).json()["key"]
    bearer = {"Authorization": f"Bearer {key}", "X-Organization": "acme"}
    made = api.gateway.request("POST", "/api/v2/time-entry", headers=bearer, body=body(world))
    assert made.status == 200, made.body
    assert api.gateway.request("GET", f"/api/v2/time-entry/{made.json()['success']['id']}", headers=bearer).status == 200
    assert api.gateway.request("GET", "/api/activities", headers=bearer).status == 401  # Sandtime: X-Api-Key
    assert api.gateway.request("GET", "/api/v2/time-entry", headers={**bearer, "Authorization": "Bearer " + "x" * 48}).status == 401
    assert api.gateway.request("GET", "/api/v2/time-entry", headers={"X-Organization": "acme"}).status == 401
