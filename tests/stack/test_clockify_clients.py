"""Real Clockify clients against `make dev`'s stack (a dev server in a subprocess): clockifytool
(MIT, PyPI) through its own methods, and the calls Raycast and n8n make as their source makes them
(research/clockify_compat.md §2.2): one-page 1000-item lists, newest first with entries[0] the
running timer, an empty page past the end, double slashes."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta

import pytest

from tests.stack.test_local_stack import _free_port, _start, _stop

clockifytool = pytest.importorskip("clockifytool.api")
isodate = pytest.importorskip("isodate")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    web, db = _free_port(), _free_port()
    process, token, output = _start(tmp_path_factory.mktemp("clockify"), web, db)
    # the API key and the Clockify curl follow the token line: read on until they have been printed
    for _ in range(40):
        if re.search(r"/api/v1/workspaces/[0-9a-f]{24}/projects", output):
            break
        output += process.stdout.readline()
    key = re.search(r"API_KEY=(\S+)", output).group(1)
    workspace = re.search(r"/api/v1/workspaces/([0-9a-f]{24})/projects", output).group(1)  # make dev prints a working Clockify curl
    try:
        yield {"base": f"http://127.0.0.1:{web}/api/v1/", "key": key, "workspace": workspace, "token": token}
    finally:
        _stop(process)


def _raw(stack, method, path, body=None, headers=None):
    request = urllib.request.Request(stack["base"].rstrip("/") + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"x-api-key": stack["key"], "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None, dict(response.headers)
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None, dict(error.headers)


def test_clockifytool_drives_the_stack_through_its_own_methods(stack):
    api = clockifytool.ClockifyApi(stack["key"], stack["base"])
    user = api.user()
    assert re.fullmatch(r"[0-9a-f]{24}", user["id"]) and user["email"]
    workspaces = api.workspaces()
    assert [w["id"] for w in workspaces] == [stack["workspace"]] and workspaces[0]["name"] == "Acme Studio"
    api.set_workspace(workspaces[0]["id"])
    projects = api.projects(limit=1000)
    assert [p["name"] for p in projects] == ["Website refresh"]
    assert api.get_project(projects[0]["id"])["id"] == projects[0]["id"]
    created = api.create_entry(projects[0]["id"], "Wireframes via clockifytool", 1.5, date="2026-11-02", start_time="09:00")
    assert re.fullmatch(r"[0-9a-f]{24}", created["id"]), created
    read = api.get_entry(created["id"])
    assert read["description"] == "Wireframes via clockifytool"
    assert api.iso_duration_to_hours(read["timeInterval"]["duration"]) == 1.5  # isodate parses the duration
    assert isodate.parse_duration(read["timeInterval"]["duration"]) == timedelta(hours=1, minutes=30)
    assert created["id"] in [entry["id"] for entry in api.entries()]
    assert api.delete_entry(created["id"]).status_code == 204  # the CLI reports success only on 204
    assert created["id"] not in [entry["id"] for entry in api.entries()]
    assert api.get_entry(created["id"])["code"] == 404


def test_raycast_and_n8n_calls(stack):
    ws = stack["workspace"]
    status, me, _ = _raw(stack, "GET", "/user")
    assert status == 200 and len(stack["key"]) == 48  # Raycast refuses keys that are not 48 characters
    user = me["id"]
    # Raycast: projects and a user's entries in one page each, never paging
    status, projects, _ = _raw(stack, "GET", f"/workspaces/{ws}/projects?page-size=1000&archived=false")
    assert status == 200 and isinstance(projects, list) and projects
    project = projects[0]["id"]
    status, started, _ = _raw(stack, "POST", f"/workspaces/{ws}/time-entries", {"start": "2026-11-03T08:00:00.000Z", "description": "Raycast timer",
                                                                                   "projectId": project, "taskId": None, "tagIds": [], "customFieldValues": []})
    assert status == 201, started
    status, entries, _ = _raw(stack, "GET", f"/workspaces/{ws}/user/{user}/time-entries?hydrated=true&page-size=500")
    assert status == 200 and entries[0]["id"] == started["id"] and entries[0]["timeInterval"]["end"] is None  # entries[0] is the running one
    assert entries[0]["project"]["id"] == project
    starts = [entry["timeInterval"]["start"] for entry in entries]
    assert starts == sorted(starts, reverse=True)  # newest first
    status, stopped, _ = _raw(stack, "PATCH", f"/workspaces/{ws}/user/{user}/time-entries", {"end": "2026-11-03T09:00:00.000Z"})
    assert status == 200 and stopped["timeInterval"]["duration"] == "PT1H"
    # n8n: a double slash after /v1, pages until an empty page, polls with in-progress=false
    status, page, _ = _raw(stack, "GET", f"//workspaces/{ws}/user/{user}/time-entries?start=2026-11-01T00:00:00Z&end=2026-11-30T00:00:00Z&hydrated=true&in-progress=false&page=1&page-size=1")
    assert status == 200 and len(page) == 1
    status, past, headers = _raw(stack, "GET", f"//workspaces/{ws}/user/{user}/time-entries?start=2026-11-01T00:00:00Z&end=2026-11-30T00:00:00Z&page=99&page-size=1")
    assert status == 200 and past == [] and headers.get("Last-Page") == "true"
    status, gone, _ = _raw(stack, "DELETE", f"//workspaces/{ws}/time-entries/{started['id']}/")
    assert status == 204 and gone is None


def test_a_bad_key_and_another_workspace(stack):
    status, body, _ = _raw(stack, "GET", "/user", headers={"x-api-key": "x" * 48})
    # API Gateway's own 401: one body for every surface, Clockify's fields in it
    assert status == 401 and body.items() >= {"description": "Full authentication is required to access this resource", "code": 1000}.items()
    status, body, _ = _raw(stack, "GET", "/workspaces/" + "0" * 24 + "/projects")
    assert status == 404 and body == {"message": "Workspace not found", "code": 404}
