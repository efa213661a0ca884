"""Integer ids on the Sandtime and MCP surfaces (docs/ids.md): a path names an entity by its integer id
as well as by its uuid, with the same answer; another organization's integer id is 404; MCP tools take
an entry's integer id. Bodies are unchanged (no field added to the Sandtime wire)."""

from __future__ import annotations

from sandglass import keys
from sandglass.storage.table import Table
from sandglass_local.callcounter import counting
from tests.api.test_mcp import ok, refused, tool

ADMIN = "admin@acme.test"


def _number(org_id: str, key: dict) -> int:
    return int(Table().get(key)["number"])


def _activity(api, project_id, org="acme", hour=8):
    body = {"projectId": project_id, "name": "work", "startedAt": f"2026-07-01T{hour:02d}:00:00.000Z", "endedAt": f"2026-07-01T{hour:02d}:30:00.000Z"}
    reply = api.post("/activities", as_=ADMIN, org=org, body=body)
    assert reply.status == 200, reply.body
    return reply.json()


def test_paths_take_the_integer_id_and_answer_as_for_the_uuid(api, acme, seed):
    org_id = seed.org_id("acme")
    project = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Website"}).json()
    activity = _activity(api, project["id"])
    group = api.post("/groups", as_=ADMIN, org="acme", body={"name": "Design"}).json()
    sam = api.post("/users", as_=ADMIN, org="acme", body={"email": "sam@acme.test"}).json()
    for collection, key, entity in (("activities", keys.activity(org_id, activity["id"]), activity),
                                    ("projects", keys.project(org_id, project["id"]), project),
                                    ("groups", keys.group(org_id, group["id"]), group),
                                    ("users", keys.user(org_id, sam["id"]), sam)):
        by_uuid = api.get(f"/{collection}/{entity['id']}", as_=ADMIN, org="acme")
        with counting() as calls:
            by_number = api.get(f"/{collection}/{_number(org_id, key)}", as_=ADMIN, org="acme")
        assert by_number.status == 200 == by_uuid.status, (collection, by_number.body)
        assert by_number.json() == by_uuid.json() and "number" not in by_number.json()  # the wire is unchanged
        assert by_number.headers.get("ETag") == by_uuid.headers.get("ETag")
        assert calls.reads <= 2 + 1 + 2  # the authorizer, the alias GetItem, the route's own reads
    # writes and sub-resources too
    number = _number(org_id, keys.activity(org_id, activity["id"]))
    renamed = api.put(f"/activities/{number}", as_=ADMIN, org="acme", body={"name": "renamed"})
    assert renamed.status == 200 and renamed.json()["id"] == activity["id"] and renamed.json()["name"] == "renamed"
    members = api.get(f"/projects/{_number(org_id, keys.project(org_id, project['id']))}/members", as_=ADMIN, org="acme")
    assert members.status == 200 and members.json() == api.get(f"/projects/{project['id']}/members", as_=ADMIN, org="acme").json()
    assert api.delete(f"/activities/{number}", as_=ADMIN, org="acme").status in (200, 204)
    assert api.get(f"/activities/{number}", as_=ADMIN, org="acme").status == 404
    assert api.get(f"/activities/{activity['id']}", as_=ADMIN, org="acme").status == 404


def test_unknown_and_other_organizations_integer_ids_are_404(api, acme, seed):
    acme_id = seed.org_id("acme")
    project = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Website"}).json()
    for hour in range(8, 11):
        _activity(api, project["id"], hour=hour)
    latest = _activity(api, project["id"], hour=12)
    number = _number(acme_id, keys.activity(acme_id, latest["id"]))
    api.signup("globex", "boss@globex.test", "Globex")
    reply = api.get(f"/activities/{number}", as_="boss@globex.test", org="globex")
    assert reply.status == 404 and reply.json()["error"]["code"] == "NOT_FOUND"
    project_number = _number(acme_id, keys.project(acme_id, project["id"]))
    assert api.get(f"/projects/{project_number}", as_="boss@globex.test", org="globex").status == 404
    for path in ("/activities/999999", "/projects/999999", "/users/999999", "/groups/999999", "/activities/0", "/activities/1" + "0" * 18):
        reply = api.get(path, as_=ADMIN, org="acme")
        assert reply.status in (404, 422), (path, reply.status, reply.body)
        assert "error" in reply.json()


def test_mcp_tools_take_an_entrys_integer_id(api, acme, seed):
    org_id = seed.org_id("acme")
    project = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Website"}).json()
    activity = _activity(api, project["id"])
    number = _number(org_id, keys.activity(org_id, activity["id"]))
    edited = ok(tool(api, "edit_entry", {"entry_id": number, "description": "by number"}))
    assert edited["entry"]["id"] == activity["id"] and edited["entry"]["description"] == "by number"
    ok(tool(api, "edit_entry", {"entry_id": str(number), "billable": False}))
    assert "not found" in refused(tool(api, "delete_entry", {"entry_id": 999999})).lower()
    deleted = ok(tool(api, "delete_entry", {"entry_id": number}))
    assert deleted["deleted"] == activity["id"]
    assert api.get(f"/activities/{activity['id']}", as_=ADMIN, org="acme").status == 404
