"""A Clockify time entry's task and tags, and a project's client: written through Clockify, read
through Sandtime (`/api/activities`, `/api/projects`) and back; hydrated objects; list filters; bad
references are 400 `{message, code}`."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sandglass import ids
from tests.conftest import fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
ADMIN = "admin@acme.test"
ANN = "ann@acme.test"


@pytest.fixture(autouse=True)
def clock():
    yield from fixed_clock(NOW)


def cf(api, method, path, as_=ADMIN, **kwargs):
    return api.call(method, "/api/v1" + path, as_=as_, **kwargs)


def _uuid(api, path, short):
    return next(key for key in api.get(f"{path}?archived=include", as_=ADMIN, org="acme").json() if ids.short_id(key) == short)


@pytest.fixture
def world(api, acme, seed):
    ann = seed.member("acme", ANN)
    org_id = seed.org_id("acme")
    admin = ids.member_id(org_id, ADMIN)
    project = seed.project("acme", members={ann["id"]: "User", admin: "Administrator"})
    other = seed.project("acme", name="Other", members={ann["id"]: "User", admin: "Administrator"})
    ws, pid = ids.short_id(org_id), ids.short_id(project["id"])
    task = cf(api, "POST", f"/workspaces/{ws}/projects/{pid}/tasks", body={"name": "Design"}).json()
    foreign_task = cf(api, "POST", f"/workspaces/{ws}/projects/{ids.short_id(other['id'])}/tasks", body={"name": "Elsewhere"}).json()
    tags = {name: cf(api, "POST", f"/workspaces/{ws}/tags", body={"name": name}).json() for name in ("Urgent", "Review", "Old")}
    assert cf(api, "PUT", f"/workspaces/{ws}/tags/{tags['Old']['id']}", body={"archived": True}).status == 200
    return {"ws": ws, "pid": pid, "project": project, "task": task, "foreign_task": foreign_task, "tags": tags, "ann": ann}


def _entry(world, **extra):
    return {"start": "2026-07-14T09:00:00Z", "end": "2026-07-14T10:00:00Z", "projectId": world["pid"], **extra}


def test_task_and_tags_written_through_clockify_read_through_sandtime_and_back(api, world):
    ws, task, tags = world["ws"], world["task"], world["tags"]
    tag_ids = [tags["Urgent"]["id"], tags["Review"]["id"]]
    made = cf(api, "POST", f"/workspaces/{ws}/time-entries", as_=ANN, body=_entry(world, taskId=task["id"], tagIds=tag_ids))
    assert made.status == 201, made.body
    assert made.json()["taskId"] == task["id"] and made.json()["tagIds"] == tag_ids
    activities = api.get("/activities", as_=ANN, org="acme").json()
    (activity,) = [value for value in activities.values() if ids.short_id(value["id"]) == made.json()["id"]]
    assert ids.short_id(activity["taskId"]) == task["id"] and [ids.short_id(tag) for tag in activity["tagIds"]] == tag_ids
    # Sandtime drops a tag; Clockify reads it
    assert api.put(f"/activities/{activity['id']}", as_=ANN, org="acme", body={"tagIds": [activity["tagIds"][1]]}).status == 200
    read = cf(api, "GET", f"/workspaces/{ws}/time-entries/{made.json()['id']}", as_=ANN).json()
    assert read["taskId"] == task["id"] and read["tagIds"] == [tags["Review"]["id"]] and read.get("task") is None
    hydrated = cf(api, "GET", f"/workspaces/{ws}/time-entries/{made.json()['id']}?hydrated=true", as_=ANN).json()
    assert hydrated["task"]["id"] == task["id"] and hydrated["task"]["name"] == "Design" and hydrated["task"]["projectId"] == world["pid"]
    assert hydrated["tags"] == [{"id": tags["Review"]["id"], "name": "Review", "archived": False, "workspaceId": ws}]
    # a full-replacement PUT without task and tags clears both, on both surfaces
    cleared = cf(api, "PUT", f"/workspaces/{ws}/time-entries/{made.json()['id']}", as_=ANN, body=_entry(world))
    assert cleared.status == 200, cleared.body
    assert cleared.json()["taskId"] is None and cleared.json()["tagIds"] == []
    after = api.get(f"/activities/{activity['id']}", as_=ANN, org="acme").json()
    assert "taskId" not in after and "tagIds" not in after


@pytest.mark.parametrize("extra, field", [
    ("foreign_task", "taskId"),
    ("archived_tag", "tagIds"),
    ("unknown_task", "taskId"),
    ("unknown_tag", "tagIds"),
])
def test_bad_references_are_400(api, world, extra, field):
    ws = world["ws"]
    body = {"foreign_task": {"taskId": world["foreign_task"]["id"]}, "archived_tag": {"tagIds": [world["tags"]["Old"]["id"]]},
            "unknown_task": {"taskId": "0" * 24}, "unknown_tag": {"tagIds": ["f" * 24]}}[extra]
    refused = cf(api, "POST", f"/workspaces/{ws}/time-entries", as_=ANN, body=_entry(world, **body))
    assert refused.status == 400 and set(refused.json()) == {"message", "code"} and refused.json()["code"] == 400
    assert field in refused.json()["message"]
    assert api.get("/activities", as_=ANN, org="acme").json() == {}
    made = cf(api, "POST", f"/workspaces/{ws}/time-entries", as_=ANN, body=_entry(world)).json()
    again = cf(api, "PUT", f"/workspaces/{ws}/time-entries/{made['id']}", as_=ANN, body=_entry(world, **body))
    assert again.status == 400 and again.json()["code"] == 400


def test_the_users_entries_filter_by_task_tags_and_task_required(api, world):
    ws, task, tags = world["ws"], world["task"], world["tags"]
    urgent, review = tags["Urgent"]["id"], tags["Review"]["id"]
    with_task = cf(api, "POST", f"/workspaces/{ws}/time-entries", as_=ANN, body=_entry(world, taskId=task["id"], tagIds=[urgent])).json()
    tagged = cf(api, "POST", f"/workspaces/{ws}/time-entries", as_=ANN,
                body=_entry(world, start="2026-07-14T11:00:00Z", end="2026-07-14T12:00:00Z", tagIds=[review])).json()
    plain = cf(api, "POST", f"/workspaces/{ws}/time-entries", as_=ANN,
               body=_entry(world, start="2026-07-14T13:00:00Z", end="2026-07-14T14:00:00Z")).json()
    user = ids.person_short_id(ANN)
    base = f"/workspaces/{ws}/user/{user}/time-entries"

    def listed(query):
        reply = cf(api, "GET", f"{base}?{query}", as_=ANN)
        assert reply.status == 200, reply.body
        return [entry["id"] for entry in reply.json()]

    assert listed("") == [plain["id"], tagged["id"], with_task["id"]]
    assert listed(f"task={task['id']}") == [with_task["id"]]
    assert listed("task-required=true") == [with_task["id"]]
    assert listed(f"tags={urgent}") == [with_task["id"]]
    assert listed(f"tags={urgent},{review}") == [tagged["id"], with_task["id"]]
    assert listed(f"tags={urgent},{review}&task={task['id']}") == [with_task["id"]]
    assert listed(f"tags={'a' * 24}") == [] and listed(f"task={'b' * 24}") == []
    hydrated = cf(api, "GET", f"{base}?hydrated=1&tags={urgent}", as_=ANN).json()
    assert hydrated[0]["task"]["name"] == "Design" and [tag["name"] for tag in hydrated[0]["tags"]] == ["Urgent"]


def test_projects_carry_their_client(api, world):
    ws, pid = world["ws"], world["pid"]
    client = cf(api, "POST", f"/workspaces/{ws}/clients", body={"name": "Globex"}).json()
    made = cf(api, "POST", f"/workspaces/{ws}/projects", body={"name": "Portal", "clientId": client["id"]})
    assert made.status == 201, made.body
    assert made.json()["clientId"] == client["id"] and made.json()["clientName"] == "Globex"
    sandtime = api.get(f"/projects/{_uuid(api, '/projects', made.json()['id'])}", as_=ADMIN, org="acme").json()
    assert ids.short_id(sandtime["clientId"]) == client["id"]
    # filed on Sandtime, read on Clockify
    client_uuid = _uuid(api, "/clients", client["id"])
    assert api.put(f"/projects/{world['project']['id']}", as_=ADMIN, org="acme", body={"clientId": client_uuid}).status == 200
    read = cf(api, "GET", f"/workspaces/{ws}/projects/{pid}").json()
    assert read["clientId"] == client["id"] and read["clientName"] == "Globex"
    listed = {project["name"]: project for project in cf(api, "GET", f"/workspaces/{ws}/projects").json()}
    assert listed["Other"]["clientId"] == "" and listed["Other"]["clientName"] == ""
    assert listed["Portal"]["clientName"] == "Globex"
    assert sorted(p["name"] for p in cf(api, "GET", f"/workspaces/{ws}/projects?clients={client['id']}").json()) == sorted([read["name"], "Portal"])
    assert [p["name"] for p in cf(api, "GET", f"/workspaces/{ws}/projects?clients={client['id']}&contains-client=false").json()] == ["Other"]
    assert cf(api, "GET", f"/workspaces/{ws}/projects?clients={'c' * 24}").json() == []
    # a hydrated entry embeds the project with its client
    entry = cf(api, "POST", f"/workspaces/{ws}/time-entries", as_=ANN, body=_entry(world)).json()
    hydrated = cf(api, "GET", f"/workspaces/{ws}/time-entries/{entry['id']}?hydrated=true", as_=ANN).json()
    assert hydrated["project"]["clientId"] == client["id"] and hydrated["project"]["clientName"] == "Globex"
    refused = cf(api, "POST", f"/workspaces/{ws}/projects", body={"name": "Nope", "clientId": "d" * 24})
    assert refused.status == 400 and refused.json()["code"] == 400
