"""Breaks and project-less entries across the surfaces: what the Clockify surface writes (no project,
type BREAK) the Sandtime surface, its reports and timesheets, MCP and the change feed read, and the
other way round; the rules (locks, rates, one running timer, rights) hold for them on both."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from sandglass import ids
from tests.api.changes.conftest import streaming  # noqa: F401 (the fixture: streams run after each request, env restored)
from tests.conftest import fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)  # Wednesday of ISO week 29
ADMIN, ANN, BEN = "admin@acme.test", "ann@acme.test", "ben@acme.test"


@pytest.fixture(autouse=True)
def clock():
    yield from fixed_clock(NOW)


def cf(api, method, path, as_=ANN, **kwargs):
    return api.call(method, "/api/v1" + path, as_=as_, **kwargs)


@pytest.fixture
def world(api, acme, seed):
    ann = seed.member("acme", ANN, name="Ann")
    ben = seed.member("acme", BEN, name="Ben")
    org_id = seed.org_id("acme")
    admin = ids.member_id(org_id, ADMIN)
    project = seed.project("acme", "Website", billable=True, members={ann["id"]: "User", ben["id"]: "Administrator", admin: "Administrator"})
    return {"ws": ids.short_id(org_id), "project": project, "pid": ids.short_id(project["id"]), "ann": ann, "ben": ben}


def entry(api, world, as_=ANN, **body):
    reply = cf(api, "POST", f"/workspaces/{world['ws']}/time-entries", as_=as_, body=body)
    assert reply.status == 201, reply.body
    return reply.json()


def sandtime_id(api, as_, short):
    listed = api.get("/activities", as_=as_, org="acme", query={"from": "2026-07-01T00:00:00Z", "to": "2026-08-01T00:00:00Z"}).json()
    return next(activity_id for activity_id in listed if ids.short_id(activity_id) == short)


def test_a_projectless_break_written_on_clockify_reads_everywhere(api, world):
    made = entry(api, world, start="2026-07-14T12:00:00Z", end="2026-07-14T12:30:00Z", description="Lunch", type="BREAK", billable=True)
    assert made["type"] == "BREAK" and made["projectId"] is None and made["billable"] is False  # a break is never billable
    again = cf(api, "GET", f"/workspaces/{world['ws']}/time-entries/{made['id']}?hydrated=true").json()
    assert again["type"] == "BREAK" and again["projectId"] is None and again["project"] is None
    # the Sandtime surface reads it: projectId null, type BREAK
    uuid = sandtime_id(api, ANN, made["id"])
    read = api.get(f"/activities/{uuid}", as_=ANN, org="acme")
    assert read.status == 200, read.body
    assert read.json()["projectId"] is None and read.json()["type"] == "BREAK" and read.json()["billable"] is False
    # a rename on Sandtime keeps it project-less; Sandtime cannot clear a project (null is refused)
    renamed = api.put(f"/activities/{uuid}", as_=ANN, org="acme", body={"name": "Long lunch"})
    assert renamed.status == 200 and renamed.json()["projectId"] is None and renamed.json()["type"] == "BREAK"
    assert api.put(f"/activities/{uuid}", as_=ANN, org="acme", body={"projectId": None}).status == 422
    # the full replacement on Clockify without `type` keeps it; with a project and REGULAR it becomes work on it
    kept = cf(api, "PUT", f"/workspaces/{world['ws']}/time-entries/{made['id']}", body={"start": "2026-07-14T12:00:00Z", "end": "2026-07-14T12:45:00Z"})
    assert kept.status == 200 and kept.json()["type"] == "BREAK" and kept.json()["projectId"] is None
    work = cf(api, "PUT", f"/workspaces/{world['ws']}/time-entries/{made['id']}",
              body={"start": "2026-07-14T12:00:00Z", "end": "2026-07-14T12:45:00Z", "projectId": world["pid"], "type": "REGULAR", "billable": True})
    assert work.status == 200 and work.json()["type"] == "REGULAR" and work.json()["projectId"] == world["pid"] and work.json()["billable"] is True
    assert "type" not in api.get(f"/activities/{uuid}", as_=ANN, org="acme").json()  # REGULAR: absent, as before
    # and back to no project (a Clockify PUT without projectId replaces it with none)
    back = cf(api, "PUT", f"/workspaces/{world['ws']}/time-entries/{made['id']}", body={"start": "2026-07-14T12:00:00Z", "end": "2026-07-14T12:45:00Z"})
    assert back.status == 200 and back.json()["projectId"] is None
    # it left the project's index with the project: the project's list no longer has it
    on_project = api.get("/activities", as_=ADMIN, org="acme", query={"projectId": world["project"]["id"], "from": "2026-07-01T00:00:00Z",
                                                                      "to": "2026-08-01T00:00:00Z"})
    assert on_project.status == 200 and uuid not in on_project.json()


def test_the_workspace_settings_do_not_force_projects(api, world):
    settings = cf(api, "GET", f"/workspaces/{world['ws']}", as_=ADMIN).json()["workspaceSettings"]
    assert settings["forceProjects"] is False  # clients then let a timer start without one, as this surface accepts


def test_the_sandtime_surface_requires_a_project_and_may_set_the_type(api, world):
    project_id = world["project"]["id"]
    body = {"name": "Walk", "startedAt": "2026-07-14T15:00:00Z", "endedAt": "2026-07-14T15:20:00Z"}
    missing = api.post("/activities", as_=ANN, org="acme", body=body)
    assert missing.status == 422 and missing.json()["error"]["details"][0]["field"] == "projectId"
    wrong = api.post("/activities", as_=ANN, org="acme", body={**body, "projectId": project_id, "type": "LUNCH"})
    assert wrong.status == 422 and set(wrong.json()) == {"error"} and wrong.json()["error"]["details"][0]["field"] == "type"
    made = api.post("/activities", as_=ANN, org="acme", body={**body, "projectId": project_id, "type": "BREAK"})
    assert made.status == 200, made.body
    assert made.json()["type"] == "BREAK" and made.json()["billable"] is False  # the project is billable; a break is not
    short = ids.short_id(made.json()["id"])
    assert cf(api, "GET", f"/workspaces/{world['ws']}/time-entries/{short}").json()["type"] == "BREAK"
    for wrong_type in ("break", None):
        wrong_put = api.put(f"/activities/{made.json()['id']}", as_=ANN, org="acme", body={"type": wrong_type})
        assert wrong_put.status == 422 and wrong_put.json()["error"]["details"][0]["field"] == "type"
    regular = api.put(f"/activities/{made.json()['id']}", as_=ANN, org="acme", body={"type": "REGULAR", "billable": True})
    assert regular.status == 200 and "type" not in regular.json() and regular.json()["billable"] is True
    assert cf(api, "GET", f"/workspaces/{world['ws']}/time-entries/{short}").json()["type"] == "REGULAR"
    # Clockify's unhappy path: 400 in its shape
    bad = cf(api, "PUT", f"/workspaces/{world['ws']}/time-entries/{short}", body={"start": "2026-07-14T15:00:00Z", "end": "2026-07-14T15:20:00Z",
                                                                                   "projectId": world["pid"], "type": 7})
    assert bad.status == 400 and set(bad.json()) == {"message", "code"}


def test_reports_timesheets_and_mcp_count_breaks_apart_and_group_no_project(api, world):
    ann = world["ann"]
    rate = {"currency": "EUR", "from": "2026-01-01T00:00:00Z", "to": None, "value": "40"}
    assert api.post(f"/users/{ann['id']}/rates/cost", as_=ADMIN, org="acme", body=rate).status == 200
    member = ids.project_member_id(world["project"]["id"], ann["id"])
    assert api.post(f"/projects/{world['project']['id']}/members/{member}/rates/revenue", as_=ADMIN, org="acme",
                    body={**rate, "value": "100"}).status == 200
    entry(api, world, start="2026-07-14T08:00:00Z", end="2026-07-14T09:00:00Z", projectId=world["pid"], billable=True)  # 1 h, billable
    loose = entry(api, world, start="2026-07-14T09:00:00Z", end="2026-07-14T09:30:00Z", description="Email", billable=True)  # 30 min, no project
    entry(api, world, start="2026-07-14T09:30:00Z", end="2026-07-14T09:45:00Z", type="BREAK")  # 15 min break
    # the project-less entry keeps the member's cost rate and no revenue rate
    kept = cf(api, "GET", f"/workspaces/{world['ws']}/time-entries/{loose['id']}").json()
    assert kept["costRate"] == {"amount": 4000, "currency": "EUR"} and kept["hourlyRate"] is None
    body = {"period": "custom", "start": "2026-07-01T00:00:00Z", "end": "2026-07-31T23:59:59Z", "dimensions": ["project"],
            "metrics": ["time", "billable", "breaks", "count", "revenue", "cost"]}
    summary = api.post("/reports/results", as_=ANN, org="acme", body=body)
    assert summary.status == 200, summary.body
    totals = summary.json()["totals"]
    assert totals["time"] == 90 * 60_000 and totals["breaks"] == 15 * 60_000 and totals["billable"] == 90 * 60_000 and totals["count"] == 3
    assert totals["revenue"] == {"EUR": "100.00"} and totals["cost"] == {"EUR": "60.00"}
    groups = {group["label"]: group for group in summary.json()["groups"]}
    assert set(groups) == {"Website", "(no project)"} and groups["(no project)"]["key"] is None
    assert groups["(no project)"]["totals"]["time"] == 30 * 60_000 and groups["(no project)"]["totals"]["breaks"] == 15 * 60_000
    detailed = api.post("/reports/results?view=detailed", as_=ANN, org="acme", body={**body, "dimensions": []})
    assert detailed.status == 200, detailed.body
    rows = sorted(detailed.json()["rows"], key=lambda row: row["startedAt"])
    assert [(row["project"], row["projectId"], row["type"]) for row in rows] == [
        ("Website", world["project"]["id"], "REGULAR"), ("(no project)", None, "REGULAR"), ("(no project)", None, "BREAK")]
    export = api.post("/reports/results?view=detailed&format=csv", as_=ANN, org="acme", body={**body, "dimensions": []})
    assert export.status in (200, 202), export.body
    # worked time per day: the break is not in it
    day = api.get(f"/timesheets/dayTotals?userId={ann['id']}&date=2026-07-14", as_=ANN, org="acme")
    assert day.status == 200 and day.json() == {"2026-07-14": 90}, day.body
    # MCP: the week lists every entry with its type and "(no project)", totals worked time
    reply = api.call("POST", "/mcp", as_=ANN, headers={"Accept": "application/json, text/event-stream", "X-Sandtime-Organization": "acme"},
                     body={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "my_week", "arguments": {"week": "2026-W29"}}})
    assert reply.status == 200, reply.body
    week = reply.json()["result"]["structuredContent"]
    assert week["totalMinutes"] == 90
    kinds = sorted((item["projectName"], item["type"]) for item in week["entries"])
    assert kinds == [("(no project)", "BREAK"), ("(no project)", "REGULAR"), ("Website", "REGULAR")]
    reply = api.call("POST", "/mcp", as_=ANN, headers={"Accept": "application/json, text/event-stream", "X-Sandtime-Organization": "acme"},
                     body={"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "run_report", "arguments": {
                         "period": "custom", "start": "2026-07-01", "end": "2026-07-31", "group_by": ["project"], "metrics": ["time", "breaks"]}}})
    report = reply.json()["result"]
    assert report["isError"] is False, report
    assert {tuple(row["group"]) for row in report["structuredContent"]["rows"]} == {("Website",), ("(no project)",)}
    assert report["structuredContent"]["totals"]["breaks"] == 15 * 60_000


def test_one_running_timer_and_locks_hold_for_projectless_entries(api, world):
    ws, ann = world["ws"], world["ann"]
    running = entry(api, world, start="2026-07-15T10:00:00Z")  # a timer without a project
    assert running["projectId"] is None and running["timeInterval"]["end"] is None
    # a Sandtime timer on the project stops it at its own start
    started = api.post("/activities", as_=ANN, org="acme", body={"projectId": world["project"]["id"], "pending": True, "startedAt": "2026-07-15T11:00:00Z"})
    assert started.status == 200, started.body
    stopped = cf(api, "GET", f"/workspaces/{ws}/time-entries/{running['id']}").json()
    assert stopped["timeInterval"]["end"] == "2026-07-15T11:00:00Z"
    # and a Clockify project-less timer stops the Sandtime one
    entry(api, world, start="2026-07-15T11:30:00Z", type="BREAK")
    assert "pending" not in api.get(f"/activities/{started.json()['id']}", as_=ANN, org="acme").json()
    me = cf(api, "GET", "/user").json()["id"]
    in_progress = cf(api, "GET", f"/workspaces/{ws}/user/{me}/time-entries?in-progress=true").json()
    assert len(in_progress) == 1 and in_progress[0]["type"] == "BREAK" and in_progress[0]["projectId"] is None
    # a locked week refuses a project-less entry of a User on either surface's lock
    assert api.post("/timesheets/lock", as_=ADMIN, org="acme", body={"userId": ann["id"], "year": 2026, "week": 28}).status == 200
    refused = cf(api, "POST", f"/workspaces/{ws}/time-entries", body={"start": "2026-07-07T09:00:00Z", "end": "2026-07-07T10:00:00Z", "type": "BREAK"})
    assert refused.status == 409 and refused.json()["code"] == 409


def test_only_the_owner_and_organization_administrators_see_a_projectless_entry(api, world):
    made = entry(api, world, start="2026-07-14T12:00:00Z", end="2026-07-14T12:30:00Z")
    uuid = sandtime_id(api, ANN, made["id"])
    # Ben administers the project but the entry has none: 404, as for anyone else's entry
    assert api.get(f"/activities/{uuid}", as_=BEN, org="acme").status == 404
    assert cf(api, "GET", f"/workspaces/{world['ws']}/time-entries/{made['id']}", as_=BEN).status == 404
    assert api.delete(f"/activities/{uuid}", as_=BEN, org="acme").status == 404
    assert api.get(f"/activities/{uuid}", as_=ADMIN, org="acme").json()["projectId"] is None
    # the project-required filter leaves it out
    mine = f"/workspaces/{world['ws']}/user/{cf(api, 'GET', '/user').json()['id']}/time-entries"
    assert [item["id"] for item in cf(api, "GET", mine).json()] == [made["id"]]
    assert cf(api, "GET", mine + "?project-required=true").json() == []
    # a task needs a project
    assert api.put(f"/activities/{uuid}", as_=ADMIN, org="acme", body={"taskId": ids.new_id()}).status == 422


def test_the_change_feed_carries_projectless_breaks(api, world, streaming):
    made = entry(api, world, as_=ADMIN, start="2026-07-14T12:00:00Z", end="2026-07-14T12:30:00Z", type="BREAK")
    changes = api.get("/changes", as_=ADMIN, org="acme", query={"types": "activity"}).json()["changes"]
    ours = [change for change in changes if ids.short_id(change["entityId"]) == made["id"]]
    assert ours and ours[0]["state"]["type"] == "BREAK" and ours[0]["state"].get("projectId") is None
    assert json.dumps(ours[0]["state"])  # plain JSON


def test_a_projectless_entry_costs_no_more_dynamodb_calls_than_one_on_a_project(api, world):
    """No project: no 24-hex project id to resolve, no project or membership item in the write's
    BatchGet, no revenue-rate Query, no hasActivities mark; the route's budget
    (bench/dynamodb_budgets.json) covers it."""
    from sandglass_local.callcounter import counting

    entry(api, world, start="2026-07-14T07:00:00Z", end="2026-07-14T07:30:00Z", projectId=world["pid"])  # warm the container's marks
    with counting() as on_project:
        entry(api, world, start="2026-07-14T08:00:00Z", end="2026-07-14T09:00:00Z", projectId=world["pid"])
    with counting() as without:
        entry(api, world, start="2026-07-14T09:00:00Z", end="2026-07-14T10:00:00Z", type="BREAK")
    assert without.writes == on_project.writes == 1
    # two Queries fewer: no 24-hex project id to resolve, no revenue windows (measured: 6 reads -> 4)
    assert without.reads == on_project.reads - 2, (dict(on_project.calls), dict(without.calls))
