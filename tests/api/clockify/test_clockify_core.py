"""The Clockify v1 surface through the gateway emulation: user, workspaces, users, projects, time
entries and timers; ids, times, durations, paging, errors, leniency, cross-tenant and role probes."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from sandglass import ids
from tests.api.clockify.conftest import ADMIN, ANN, cf
from tests.conftest import fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
HEX24 = r"^[0-9a-f]{24}$"


@pytest.fixture(autouse=True)
def clock():
    yield from fixed_clock(NOW)


def test_user_and_workspaces(api, world):
    me = cf(api, "GET", "/user/")
    assert me.status == 200, me.body
    body = me.json()
    assert body["id"] == ids.person_short_id(ADMIN) and body["email"] == ADMIN
    assert body["defaultWorkspace"] == world["ws"] and body["settings"]["timeZone"]
    spaces = cf(api, "GET", "/workspaces").json()
    assert [w["id"] for w in spaces] == [world["ws"]]
    one = cf(api, "GET", f"/workspaces/{world['ws']}").json()
    assert one["name"] == "Acme Studio" and one["workspaceSettings"]["round"]["minutes"] == "15"
    users = cf(api, "GET", f"//workspaces/{world['ws']}/users?include-roles=1&page-size=1&page=2")
    assert users.status == 200 and len(users.json()) == 1 and users.header("Last-Page") == "true"
    everyone = cf(api, "GET", f"/workspaces/{world['ws']}/users?include-roles=true").json()
    assert {u["email"] for u in everyone} == {ADMIN, ANN}
    assert next(u for u in everyone if u["email"] == ADMIN)["roles"][0]["role"] == "WORKSPACE_ADMIN"


def test_projects_crud(api, world):
    ws = world["ws"]
    listed = cf(api, "GET", f"/workspaces/{ws}/projects/?page-size=1000&archived=false&unknown=1")
    assert listed.status == 200 and [p["id"] for p in listed.json()] == [world["pid"]]
    created = cf(api, "POST", f"/workspaces/{ws}/projects/", body={"name": "Mobile app", "isPublic": True, "color": "#ff0000", "note": "n", "billable": "0"})
    assert created.status == 201, created.body
    project = created.json()
    assert project["billable"] is False and project["note"] == "n" and project["workspaceId"] == ws
    pid = project["id"]
    assert cf(api, "GET", f"/workspaces/{ws}/projects/{pid}").json()["name"] == "Mobile app"
    assert cf(api, "GET", f"/workspaces/{ws}/projects?name=mobile").json()[0]["id"] == pid
    assert cf(api, "GET", f"/workspaces/{ws}/projects?name=mobile&strict-name-search=true").json() == []
    updated = cf(api, "PUT", f"/workspaces/{ws}/projects/{pid}", body={"name": "Mobile", "archived": True, "id": pid})
    assert updated.status == 200 and updated.json()["archived"] is True
    assert cf(api, "GET", f"/workspaces/{ws}/projects?page=5").json() == []
    deleted = cf(api, "DELETE", f"/workspaces/{ws}/projects/{pid}")
    assert deleted.status == 200 and deleted.json()["id"] == pid
    gone = cf(api, "GET", f"/workspaces/{ws}/projects/{pid}")
    assert gone.status == 404 and gone.json()["code"] == 404 and gone.json()["message"]


def test_timer_start_list_stop_and_entry_crud(api, world):
    ws, pid = world["ws"], world["pid"]
    me = ids.person_short_id(ADMIN)
    started = cf(api, "POST", f"/workspaces/{ws}/time-entries/", body={"start": "2026-07-15T09:00:00.000Z", "description": "Design", "projectId": pid,
                                                                      "taskId": None, "tagIds": [], "customFieldValues": []})
    assert started.status == 201, started.body
    entry = started.json()
    assert entry["timeInterval"] == {"start": "2026-07-15T09:00:00Z", "end": None, "duration": None}
    assert entry["userId"] == me and entry["projectId"] == pid and entry["description"] == "Design"
    listed = cf(api, "GET", f"/workspaces/{ws}/user/{me}/time-entries?hydrated=true&page-size=500")
    assert listed.status == 200 and listed.json()[0]["id"] == entry["id"] and listed.json()[0]["project"]["id"] == pid
    assert cf(api, "GET", f"/workspaces/{ws}/time-entries/status/in-progress").json()[0]["id"] == entry["id"]
    stopped = cf(api, "PATCH", f"/workspaces/{ws}/user/{me}/time-entries/", body={"end": "2026-07-15T10:30:15Z"})
    assert stopped.status == 200, stopped.body
    assert stopped.json()["timeInterval"]["duration"] == "PT1H30M15S"
    none_running = cf(api, "PATCH", f"/workspaces/{ws}/user/{me}/time-entries", body={"end": "2026-07-15T11:00:00Z"})
    assert none_running.status == 404 and none_running.json()["code"] == 404
    put = cf(api, "PUT", f"/workspaces/{ws}/time-entries/{entry['id']}", body={"id": entry["id"], "start": "2026-07-15T09:00:00+02:00",
                                                                             "end": "2026-07-15T08:00:00Z", "projectId": pid})
    assert put.status == 200, put.body
    assert put.json()["description"] == "" and put.json()["timeInterval"]["duration"] == "PT1H"
    got = cf(api, "GET", f"/workspaces/{ws}/time-entries/{entry['id']}")
    assert got.status == 200 and got.json()["timeInterval"]["start"] == "2026-07-15T07:00:00Z"
    assert cf(api, "GET", f"/workspaces/{ws}/user/{me}/time-entries?in-progress=1").json() == []
    assert len(cf(api, "GET", f"/workspaces/{ws}/user/{me}/time-entries?get-week-before=2026-07-16T00:00:00Z").json()) == 1
    deleted = cf(api, "DELETE", f"/workspaces/{ws}/time-entries/{entry['id']}/")
    assert deleted.status == 204 and deleted.body == ""
    assert cf(api, "GET", f"/workspaces/{ws}/time-entries/{entry['id']}").json()["code"] == 404


def test_entries_for_another_user_and_what_a_user_may_not_see(api, world):
    ws, pid, ann = world["ws"], world["pid"], ids.person_short_id(ANN)
    made = cf(api, "POST", f"/workspaces/{ws}/user/{ann}/time-entries", body={"start": "2026-07-14T09:00:00Z", "end": "2026-07-14T10:00:00Z", "projectId": pid})
    assert made.status == 201, made.body
    assert made.json()["userId"] == ann
    mine = cf(api, "POST", f"/workspaces/{ws}/time-entries", body={"start": "2026-07-14T11:00:00Z", "end": "2026-07-14T12:00:00Z", "projectId": pid})
    admin = ids.person_short_id(ADMIN)
    # a User reads their own entries, never another's
    assert [e["id"] for e in cf(api, "GET", f"/workspaces/{ws}/user/{ann}/time-entries", as_=ANN).json()] == [made.json()["id"]]
    assert cf(api, "GET", f"/workspaces/{ws}/user/{admin}/time-entries", as_=ANN).json() == []
    hidden = cf(api, "GET", f"/workspaces/{ws}/time-entries/{mine.json()['id']}", as_=ANN)
    assert hidden.status == 404 and hidden.json()["code"] == 404
    refused = cf(api, "POST", f"/workspaces/{ws}/user/{admin}/time-entries", as_=ANN, body={"start": "2026-07-14T13:00:00Z", "end": "2026-07-14T14:00:00Z", "projectId": pid})
    assert refused.status in (403, 404) and set(refused.json()) == {"message", "code"}


def test_another_workspace_is_not_found(api, world, seed):
    other = api.signup("globex", "boss@globex.test", "Globex")
    globex = ids.short_id(seed.org_id("globex"))
    for path in (f"/workspaces/{globex}", f"/workspaces/{globex}/users", f"/workspaces/{globex}/projects",
                 f"/workspaces/{globex}/user/{ids.person_short_id(ADMIN)}/time-entries", f"/workspaces/{globex}/time-entries/status/in-progress"):
        reply = cf(api, "GET", path)
        assert reply.status == 404 and reply.json() == {"message": "Workspace not found", "code": 404}, (path, reply.body)
    # their project's id in my workspace
    theirs = seed.project("globex", "Secret")
    reply = cf(api, "GET", f"/workspaces/{world['ws']}/projects/{ids.short_id(theirs['id'])}")
    assert reply.status == 404 and reply.json()["code"] == 404
    assert other


def test_errors_and_leniency(api, world):
    ws = world["ws"]
    no_key = api.gateway.request("GET", "/api/v1/user")
    # API Gateway's own 401 (the template's one body for every surface) carries Clockify's fields
    assert no_key.status == 401 and no_key.json().items() >= {"description": "Full authentication is required to access this resource", "code": 1000}.items()
    bad = cf(api, "POST", f"/workspaces/{ws}/time-entries", body={"start": "yesterday", "projectId": world["pid"]})
    assert bad.status == 400 and set(bad.json()) == {"message", "code"}
    # an explicit null project is no project: the entry is kept without one
    no_project = cf(api, "POST", f"/workspaces/{ws}/time-entries", body={"start": "2026-07-15T09:00:00Z", "projectId": None})
    assert no_project.status == 201 and no_project.json()["projectId"] is None
    bad_type = cf(api, "POST", f"/workspaces/{ws}/time-entries", body={"start": "2026-07-15T09:00:00Z", "type": "LUNCH"})
    assert bad_type.status == 400 and set(bad_type.json()) == {"message", "code"} and "type" in bad_type.json()["message"]
    bad_id = cf(api, "GET", f"/workspaces/{ws}/projects/not-an-id")
    assert bad_id.status == 404 and bad_id.json()["code"] == 404


def test_bad_input_on_every_clockify_route_is_a_clockify_error(api, world, gateway, monkeypatch):
    """Malformed JSON, a wrong body type and ids that are not 24-hex: 400 or 404 in `{message, code}`,
    never 5xx, never Sandtime's shape; unknown query parameters are ignored."""
    monkeypatch.setattr(gateway.throttle, "rate", 100_000)  # the probes go faster than 50 a second: the throttle is not under test here
    ws, pid = world["ws"], world["pid"]
    values = {"workspaceId": ws, "projectId": pid, "id": "0" * 24, "taskId": "0" * 24, "userId": ids.person_short_id(ADMIN), "webhookId": "0" * 24, "addonId": "0" * 24}
    routes = sorted({(r.method, r.path) for r in gateway.routes if r.path.startswith(("/v1/user", "/v1/workspaces"))})
    assert len(routes) == 43  # the 32 tier-1 operations of docs/clockify.md, 8 webhook and 3 entity-change operations
    probes = 0
    for method, path in routes:
        concrete = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
        if method in ("POST", "PUT", "PATCH") and not path.endswith("/token"):  # a new token takes no body
            for body in ('{"name": ', "[{}]", "42"):
                reply = api.call(method, "/api" + concrete, as_=ADMIN, body=body, headers={"Content-Type": "application/json"})
                assert reply.status == 400 and set(reply.json()) == {"message", "code"} and reply.json()["code"] == 400, (method, path, body, reply.body)
                probes += 1
        for parameter in re.findall(r"\{(\w+)\}", path):
            if parameter == "workspaceId" or method in ("POST", "PUT", "PATCH"):
                continue
            bad = re.sub(r"\{" + parameter + r"\}", "not-an-id", path)
            reply = api.call(method, "/api" + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], bad), as_=ADMIN)
            assert reply.status == 404 and reply.json()["code"] == 404, (method, path, reply.body)
            probes += 1
        if method == "GET":
            required = "&type=TIME_ENTRY" if "/entities/" in path else ""  # the feeds' one required parameter
            reply = api.call(method, "/api" + concrete + "?surely_not_a_parameter=1&projectId=" + required, as_=ADMIN)
            assert reply.status in (200, 404) and reply.status < 500, (path, reply.body)
            probes += 1
    assert probes >= 30
