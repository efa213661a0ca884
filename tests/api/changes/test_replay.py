"""Replaying the feed from its start rebuilds what reading every resource shows."""

from __future__ import annotations

import os
import random

from tests.api.changes.conftest import ADMIN


def _all_pages(api, path, **query):
    found, cursor = {}, None
    while True:
        reply = api.get(path, as_=ADMIN, org="acme", query={**query, **({"cursor": cursor} if cursor else {})})
        assert reply.status == 200, reply.body
        found.update(reply.json())
        cursor = reply.header("X-Next-Cursor")
        if not cursor:
            return found


def _random_operations(api, rng: random.Random, count: int) -> None:
    projects: list[str] = []
    activities: list[str] = []
    users: list[str] = []
    for step in range(count):
        choice = rng.random()
        if choice < 0.15 or not projects:
            reply = api.post("/projects", as_=ADMIN, org="acme", body={"name": f"Project {step}"})
            assert reply.status == 200, reply.body
            projects.append(reply.json()["id"])
        elif choice < 0.25:
            reply = api.put(f"/projects/{rng.choice(projects)}", as_=ADMIN, org="acme", body={"name": f"Renamed {step}"})
            assert reply.status == 200, reply.body
        elif choice < 0.32:
            reply = api.post("/users", as_=ADMIN, org="acme", body={"email": f"u{step}@acme.test", "name": f"User {step}"})
            assert reply.status == 200, reply.body
            users.append(reply.json()["id"])
        elif choice < 0.36 and users:
            reply = api.put(f"/users/{rng.choice(users)}", as_=ADMIN, org="acme", body={"title": f"Title {step}"})
            assert reply.status == 200, reply.body
        elif choice < 0.65 or not activities:
            day = rng.randrange(1, 28)
            reply = api.post("/activities", as_=ADMIN, org="acme", body={
                "name": f"Work {step}", "projectId": rng.choice(projects),
                "startedAt": f"2026-06-{day:02d}T{rng.randrange(0, 12):02d}:00:00Z", "endedAt": f"2026-06-{day:02d}T{rng.randrange(12, 24):02d}:00:00Z"})
            assert reply.status == 200, reply.body
            activities.append(reply.json()["id"])
        elif choice < 0.85:
            reply = api.put(f"/activities/{rng.choice(activities)}", as_=ADMIN, org="acme", body={"name": f"Edited {step}"})
            assert reply.status == 200, reply.body
        else:
            target = activities.pop(rng.randrange(len(activities)))
            assert api.delete(f"/activities/{target}", as_=ADMIN, org="acme").status == 200


def _replay(changes: list[dict]) -> dict[str, dict[str, dict]]:
    state: dict[str, dict[str, dict]] = {}
    for change in changes:
        entities = state.setdefault(change["entityType"], {})
        if change["operation"] == "deleted":
            entities.pop(change["entityId"], None)
        else:
            entities[change["entityId"]] = change["state"]
    return state


def test_replaying_the_feed_rebuilds_every_resource(api, streaming, acme, feed):
    _random_operations(api, random.Random(25), 120)
    changes, _ = feed(limit=37)
    rebuilt = _replay(changes)

    activities = _all_pages(api, "/activities", **{"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z", "limit": "500"})
    assert {i: (a["name"], a["projectId"], a["startedAt"], a["endedAt"]) for i, a in activities.items()} == {
        i: (a["name"], a["projectId"], a["startedAt"], a.get("endedAt")) for i, a in rebuilt["activity"].items()}

    projects = _all_pages(api, "/projects", archived="include")
    assert {i: p["name"] for i, p in projects.items()} == {i: p["name"] for i, p in rebuilt["project"].items()}

    users = _all_pages(api, "/users")
    assert {i: (u["name"], u.get("title")) for i, u in users.items()} == {
        i: (u["name"], u.get("title")) for i, u in rebuilt["member"].items() if u.get("status") != "DELETED"}


def _clockify_operations(api, rng: random.Random, count: int, workspace: str, project_ids: list[str]) -> None:
    """Time entries and tags written through the Clockify surface, between the Sandtime writes."""
    entries: list[str] = []
    for step in range(count):
        choice, day = rng.random(), rng.randrange(1, 28)
        interval = {"start": f"2026-06-{day:02d}T{rng.randrange(0, 12):02d}:00:00Z", "end": f"2026-06-{day:02d}T{rng.randrange(12, 24):02d}:00:00Z"}
        if choice < 0.5 or not entries:
            reply = api.call("POST", f"/api/v1/workspaces/{workspace}/time-entries", as_=ADMIN,
                             body={**interval, "description": f"Clockify {step}", "projectId": rng.choice(project_ids)})
            assert reply.status == 201, reply.body
            entries.append(reply.json()["id"])
        elif choice < 0.75:
            reply = api.call("PUT", f"/api/v1/workspaces/{workspace}/time-entries/{rng.choice(entries)}", as_=ADMIN,
                             body={**interval, "description": f"Clockify edit {step}", "projectId": rng.choice(project_ids)})
            assert reply.status == 200, reply.body
        elif choice < 0.9:
            target = entries.pop(rng.randrange(len(entries)))
            assert api.call("DELETE", f"/api/v1/workspaces/{workspace}/time-entries/{target}", as_=ADMIN).status == 204
        else:
            reply = api.call("POST", f"/api/v1/workspaces/{workspace}/tags", as_=ADMIN, body={"name": f"Tag {step}"})
            assert reply.status == 201, reply.body


# 1,000 operations (about 20 s of CPU; docs/changes.md); REPLAY_OPERATIONS sets another count.
REPLAY_OPERATIONS = int(os.environ.get("REPLAY_OPERATIONS", "1000"))


def test_operations_through_both_surfaces_replay_to_the_same_state(api, streaming, acme, feed, seed):
    from sandglass import ids

    rng = random.Random(1000)
    _random_operations(api, rng, REPLAY_OPERATIONS // 2)
    projects = _all_pages(api, "/projects", archived="include")
    workspace = ids.short_id(seed.org_id("acme"))
    _clockify_operations(api, rng, REPLAY_OPERATIONS - REPLAY_OPERATIONS // 2, workspace, [ids.short_id(project_id) for project_id in projects])
    rebuilt = _replay(feed(limit=500)[0])

    activities = _all_pages(api, "/activities", **{"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z", "limit": "500"})
    assert {i: (a["name"], a["projectId"], a["startedAt"], a["endedAt"]) for i, a in activities.items()} == {
        i: (a["name"], a["projectId"], a["startedAt"], a.get("endedAt")) for i, a in rebuilt["activity"].items()}
    assert {i: p["name"] for i, p in _all_pages(api, "/projects", archived="include").items()} == {
        i: p["name"] for i, p in rebuilt["project"].items()}
    assert {i: t["name"] for i, t in _all_pages(api, "/tags").items()} == {i: t["name"] for i, t in rebuilt["tag"].items()}
