"""Clockify v1 webhooks and entity-change feeds through the gateway emulation: CRUD, token rotation,
the same webhooks on the Sandtime surface, limits, other workspaces, Users, delivery logs, and the
created / updated / deleted feeds after writes."""

from __future__ import annotations

import re

import pytest

from sandglass import ids
from tests.api.changes.conftest import receiver, streaming  # noqa: F401 (fixtures)

ADMIN = "admin@acme.test"
ANN = "ann@acme.test"
HEX24 = re.compile(r"^[0-9a-f]{24}$")
FIELDS = {"id", "name", "url", "userId", "workspaceId", "webhookEvent", "triggerSourceType", "triggerSource", "enabled", "authToken"}


def cf(api, method, path, as_=ADMIN, **kwargs):
    return api.call(method, "/api/v1" + path, as_=as_, **kwargs)


@pytest.fixture
def world(api, acme, seed):
    ann = seed.member("acme", ANN)
    org_id = seed.org_id("acme")
    project = seed.project("acme", members={ann["id"]: "User", ids.member_id(org_id, ADMIN): "Administrator"})
    return {"ws": ids.short_id(org_id), "project": project, "pid": ids.short_id(project["id"]), "ann": ann}


def _create(api, ws, url="https://hooks.example.com/in", **extra):
    body = {"name": "Payroll", "url": url, "webhookEvent": "NEW_TIME_ENTRY", "triggerSourceType": "WORKSPACE_ID", "triggerSource": [], **extra}
    reply = cf(api, "POST", f"/workspaces/{ws}/webhooks", body=body)
    assert reply.status == 201, reply.body
    return reply.json()


def test_webhook_crud_and_token_rotation(api, world):
    ws, pid = world["ws"], world["pid"]
    hook = _create(api, ws, triggerSourceType="PROJECT_ID", triggerSource=[pid])
    assert set(hook) == FIELDS and HEX24.match(hook["id"]) and hook["workspaceId"] == ws and hook["enabled"] is True
    assert hook["triggerSource"] == [pid] and hook["userId"] == ids.person_short_id(ADMIN) and len(hook["authToken"]) >= 32
    listed = cf(api, "GET", f"/workspaces/{ws}/webhooks").json()
    assert listed == {"webhooks": [hook], "workspaceWebhookCount": 1}
    assert cf(api, "GET", f"/workspaces/{ws}/webhooks?type=ADDON").json() == {"webhooks": [], "workspaceWebhookCount": 1}
    assert cf(api, "GET", f"/workspaces/{ws}/webhooks/{hook['id']}").json() == hook
    # Sandglass has no add-ons: none of their webhooks, the workspace's count
    assert cf(api, "GET", f"/workspaces/{ws}/addons/{'b' * 24}/webhooks").json() == {"webhooks": [], "workspaceWebhookCount": 1}
    assert cf(api, "GET", f"/workspaces/{ws}/addons/nope/webhooks").json() == {"message": "Addon not found", "code": 404}
    put = cf(api, "PUT", f"/workspaces/{ws}/webhooks/{hook['id']}", body={"name": "Invoices", "url": "https://hooks.example.com/v2",
                                                                           "webhookEvent": "NEW_PROJECT", "triggerSourceType": "WORKSPACE_ID", "triggerSource": []})
    assert put.status == 200, put.body
    assert (put.json()["name"], put.json()["webhookEvent"], put.json()["triggerSourceType"], put.json()["triggerSource"]) == ("Invoices", "NEW_PROJECT", "WORKSPACE_ID", [ws])
    ann = ids.person_short_id(ANN)
    by_user = cf(api, "PUT", f"/workspaces/{ws}/webhooks/{hook['id']}", body={"triggerSourceType": "USER_ID", "triggerSource": [ann]})
    assert by_user.status == 200 and by_user.json()["triggerSource"] == [ann] and by_user.json()["name"] == "Invoices"
    sources = api.get(f"/webhooks/{by_user.json()['id'][:8]}", as_=ADMIN, org="acme")  # not a UUID: not found on the Sandtime surface
    assert sources.status == 404
    assert [h["triggerSource"] for h in api.get("/webhooks", as_=ADMIN, org="acme").json()] == [[world["ann"]["id"]]]
    again = cf(api, "PUT", f"/workspaces/{ws}/webhooks/{hook['id']}", body={"triggerSource": [pid]})  # the current kind: USER_ID
    assert again.status == 404 and again.json() == {"message": "User not found", "code": 404}
    rotated = cf(api, "PATCH", f"/workspaces/{ws}/webhooks/{hook['id']}/token")
    assert rotated.status == 200 and rotated.json()["authToken"] != hook["authToken"]
    gone = cf(api, "DELETE", f"/workspaces/{ws}/webhooks/{hook['id']}")
    assert gone.status == 200 and gone.json()["id"] == hook["id"]
    missing = cf(api, "GET", f"/workspaces/{ws}/webhooks/{hook['id']}")
    assert missing.status == 404 and missing.json() == {"message": "Webhook not found", "code": 404}


def test_bad_webhooks_are_refused_in_clockify_shape(api, world):
    ws = world["ws"]
    for body in ({"url": "https://hooks.example.com/in"}, {"webhookEvent": "NEW_PROJECT"},
                 {"url": "https://hooks.example.com/in", "webhookEvent": "NOT_AN_EVENT", "triggerSourceType": "WORKSPACE_ID"},
                 {"url": "http://10.0.0.1/in", "webhookEvent": "NEW_PROJECT", "triggerSourceType": "WORKSPACE_ID"},
                 {"url": "https://hooks.example.com/in", "webhookEvent": "NEW_PROJECT", "triggerSourceType": "PROJECT_ID", "triggerSource": []}):
        reply = cf(api, "POST", f"/workspaces/{ws}/webhooks", body=body)
        assert reply.status == 400 and set(reply.json()) == {"message", "code"}, (body, reply.body)
    unknown_project = cf(api, "POST", f"/workspaces/{ws}/webhooks", body={"url": "https://hooks.example.com/in", "webhookEvent": "NEW_PROJECT",
                                                                         "triggerSourceType": "PROJECT_ID", "triggerSource": ["a" * 24]})
    assert unknown_project.status == 404 and unknown_project.json()["code"] == 404
    assert cf(api, "GET", f"/workspaces/{ws}/webhooks/not-an-id").status == 404


def test_the_same_webhooks_on_both_surfaces(api, world):
    ws = world["ws"]
    made_here = _create(api, ws)
    sandtime = api.get("/webhooks", as_=ADMIN, org="acme").json()
    assert [ids.short_id(h["id"]) for h in sandtime] == [made_here["id"]] and sandtime[0]["authToken"] == made_here["authToken"]
    made_there = api.post("/webhooks", as_=ADMIN, org="acme", body={"name": "Projects", "url": "https://hooks.example.com/p", "webhookEvent": "NEW_PROJECT"})
    assert made_there.status == 200, made_there.body
    there = cf(api, "GET", f"/workspaces/{ws}/webhooks/{ids.short_id(made_there.json()['id'])}")
    assert there.status == 200 and there.json()["name"] == "Projects" and there.json()["webhookEvent"] == "NEW_PROJECT"
    assert cf(api, "GET", f"/workspaces/{ws}/webhooks").json()["workspaceWebhookCount"] == 2
    assert cf(api, "DELETE", f"/workspaces/{ws}/webhooks/{there.json()['id']}").status == 200
    assert api.get(f"/webhooks/{made_there.json()['id']}", as_=ADMIN, org="acme").status == 404


def test_ten_webhooks_per_administrator(api, world):
    ws = world["ws"]
    for n in range(10):
        _create(api, ws, url=f"https://hooks.example.com/{n}")
    eleventh = cf(api, "POST", f"/workspaces/{ws}/webhooks", body={"url": "https://hooks.example.com/11", "webhookEvent": "NEW_PROJECT",
                                                                  "triggerSourceType": "WORKSPACE_ID", "triggerSource": []})
    assert eleventh.status == 409 and set(eleventh.json()) == {"message", "code"} and "10" in eleventh.json()["message"]


def test_a_user_is_refused_and_another_workspace_is_not_found(api, world, seed):
    ws = world["ws"]
    hook = _create(api, ws)
    for method, path in (("GET", "webhooks"), ("POST", "webhooks"), ("GET", f"webhooks/{hook['id']}"), ("PATCH", f"webhooks/{hook['id']}/token"),
                         ("DELETE", f"webhooks/{hook['id']}")):
        body = {"url": "https://hooks.example.com/x", "webhookEvent": "NEW_PROJECT"} if method == "POST" else None
        reply = cf(api, method, f"/workspaces/{ws}/{path}", as_=ANN, body=body)
        assert reply.status == 403 and set(reply.json()) == {"message", "code"}, (path, reply.body)
    api.signup("globex", "boss@globex.test", "Globex")
    globex = ids.short_id(seed.org_id("globex"))
    for path in ("webhooks", f"webhooks/{hook['id']}", "entities/created?type=TIME_ENTRY"):
        reply = cf(api, "GET", f"/workspaces/{globex}/{path}")
        assert reply.status == 404 and reply.json() == {"message": "Workspace not found", "code": 404}, (path, reply.body)
    # my webhook's id under the other organization's administrator
    theirs = api.call("GET", f"/api/v1/workspaces/{globex}/webhooks/{hook['id']}", as_="boss@globex.test")
    assert theirs.status == 404 and theirs.json()["code"] == 404


def test_logs_of_a_delivery(api, world, streaming, receiver):  # noqa: F811
    ws, pid = world["ws"], world["pid"]
    hook = _create(api, ws, url=receiver.url)
    made = cf(api, "POST", f"/workspaces/{ws}/time-entries", body={"start": "2026-07-14T09:00:00Z", "end": "2026-07-14T10:00:00Z", "projectId": pid})
    assert made.status == 201, made.body
    assert len(receiver.received) == 1 and receiver.received[0]["headers"]["Clockify-Signature"] == hook["authToken"]
    logs = cf(api, "POST", f"/workspaces/{ws}/webhooks/{hook['id']}/logs?page=0&size=50", body={"status": "ALL", "sortByNewest": True})
    assert logs.status == 200, logs.body
    [entry] = logs.json()
    assert set(entry) == {"id", "webhookId", "statusCode", "requestBody", "responseBody", "respondedAt"}
    assert entry["webhookId"] == hook["id"] and entry["statusCode"] == 200 and HEX24.match(entry["id"])
    assert cf(api, "POST", f"/workspaces/{ws}/webhooks/{hook['id']}/logs", body={"status": "FAILED"}).json() == []
    assert cf(api, "POST", f"/workspaces/{ws}/webhooks/{hook['id']}/logs?page=1&size=1", body={}).json() == []
    assert cf(api, "POST", f"/workspaces/{ws}/webhooks/{hook['id']}/logs", body={"status": "MAYBE"}).status == 400
    assert cf(api, "POST", f"/workspaces/{ws}/webhooks/{hook['id']}/logs?size=0", body={}).status == 400
    # from / to bound the attempt time
    assert cf(api, "POST", f"/workspaces/{ws}/webhooks/{hook['id']}/logs", body={"from": "2999-01-01T00:00:00Z"}).json() == []
    assert len(cf(api, "POST", f"/workspaces/{ws}/webhooks/{hook['id']}/logs", body={"from": "2000-01-01T00:00:00Z", "to": "2999-01-01T00:00:00Z"}).json()) == 1
    assert cf(api, "POST", f"/workspaces/{ws}/webhooks/{hook['id']}/logs", body={"to": "someday"}).status == 400


def test_entity_changes_after_writes_including_a_delete(api, world, streaming):  # noqa: F811
    ws, pid = world["ws"], world["pid"]
    entries = []
    for hour in (9, 11):
        made = cf(api, "POST", f"/workspaces/{ws}/time-entries", body={"start": f"2026-07-14T{hour:02d}:00:00Z", "end": f"2026-07-14T{hour + 1:02d}:00:00Z",
                                                                      "projectId": pid, "description": f"Work {hour}"})
        assert made.status == 201, made.body
        entries.append(made.json())
    put = cf(api, "PUT", f"/workspaces/{ws}/time-entries/{entries[0]['id']}", body={"start": "2026-07-14T08:00:00Z", "end": "2026-07-14T10:00:00Z",
                                                                                      "projectId": pid, "description": "Work 8"})
    assert put.status == 200, put.body
    assert cf(api, "DELETE", f"/workspaces/{ws}/time-entries/{entries[1]['id']}").status == 204

    created = cf(api, "GET", f"/workspaces/{ws}/entities/created?type=TIME_ENTRY")
    assert created.status == 200, created.body
    assert [(d["id"], d["documentType"], d["workspaceId"], d["projectId"]) for d in created.json()] == [(e["id"], "TIME_ENTRY", ws, pid) for e in entries]
    assert created.json()[0]["userId"] == ids.person_short_id(ADMIN)
    updated = cf(api, "GET", f"/workspaces/{ws}/entities/updated?type=TIME_ENTRY").json()
    assert [d["id"] for d in updated] == [entries[0]["id"]]
    assert updated[0]["description"] == "Work 8" and updated[0]["timeInterval"]["start"] == "2026-07-14T08:00:00Z"
    deleted = cf(api, "GET", f"/workspaces/{ws}/entities/deleted?type=TIME_ENTRY").json()["response"]
    assert [(d["id"], d["documentType"]) for d in deleted] == [(entries[1]["id"], "TIME_ENTRY")] and deleted[0]["deletedAt"]
    # paging: 0-based page and limit
    assert [d["id"] for d in cf(api, "GET", f"/workspaces/{ws}/entities/created?type=TIME_ENTRY&page=1&limit=1").json()] == [entries[1]["id"]]
    assert cf(api, "GET", f"/workspaces/{ws}/entities/created?type=TIME_ENTRY&page=2&limit=1").json() == []
    # start / end bound the change time (one bound alone: a 30-day window)
    assert cf(api, "GET", f"/workspaces/{ws}/entities/created?type=TIME_ENTRY&start=2999-01-01T00:00:00Z").json() == []
    assert cf(api, "GET", f"/workspaces/{ws}/entities/created?type=TIME_ENTRY&end=2000-01-01T00:00:00Z").json() == []
    assert len(cf(api, "GET", f"/workspaces/{ws}/entities/created?type=TIME_ENTRY&start=2000-01-01T00:00:00Z&end=2999-01-01T00:00:00Z").json()) == 2
    assert cf(api, "GET", f"/workspaces/{ws}/entities/created?type=TIME_ENTRY&start=2026-02-01T00:00:00Z&end=2026-01-01T00:00:00Z").status == 400
    # the type is required and must be one Sandglass logs
    for query in ("", "?type=EXPENSE", "?type=TIME_ENTRY&limit=x"):
        reply = cf(api, "GET", f"/workspaces/{ws}/entities/created{query}")
        assert reply.status == 400 and set(reply.json()) == {"message", "code"}, (query, reply.body)
    # a User reads only their own changes
    assert cf(api, "GET", f"/workspaces/{ws}/entities/created?type=TIME_ENTRY", as_=ANN).json() == []
