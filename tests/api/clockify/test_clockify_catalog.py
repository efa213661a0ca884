"""Clockify v1 tags, clients and tasks through the gateway emulation: CRUD, filters, paging, archive
cascades, duplicate names, leniency, and the same entities on the Sandtime surface."""

from __future__ import annotations

import re

import pytest

from sandglass import ids

ADMIN = "admin@acme.test"
ANN = "ann@acme.test"
HEX24 = re.compile(r"^[0-9a-f]{24}$")


def cf(api, method, path, as_=ADMIN, **kwargs):
    return api.call(method, "/api/v1" + path, as_=as_, **kwargs)


@pytest.fixture
def world(api, acme, seed):
    ann = seed.member("acme", ANN)
    org_id = seed.org_id("acme")
    project = seed.project("acme", members={ann["id"]: "User", ids.member_id(org_id, ADMIN): "Administrator"})
    return {"ws": ids.short_id(org_id), "project": project, "pid": ids.short_id(project["id"]), "ann": ann}


def test_tags_crud_filters_and_paging(api, world):
    ws = world["ws"]
    made = {}
    for name in ("Urgent", "review", "Backlog"):
        reply = cf(api, "POST", f"/workspaces/{ws}/tags/", body={"name": name, "unknown": 1})
        assert reply.status == 201, reply.body
        made[name] = reply.json()
        assert set(made[name]) == {"id", "name", "archived", "workspaceId"} and HEX24.match(made[name]["id"]) and made[name]["workspaceId"] == ws
    dup = cf(api, "POST", f"/workspaces/{ws}/tags", body={"name": "URGENT"})
    assert dup.status == 400 and set(dup.json()) == {"message", "code"} and dup.json()["code"] == 400
    assert [t["name"] for t in cf(api, "GET", f"/workspaces/{ws}/tags").json()] == ["Backlog", "review", "Urgent"]
    assert [t["name"] for t in cf(api, "GET", f"/workspaces/{ws}/tags?sort-order=DESCENDING&page-size=2&page=1").json()] == ["Urgent", "review"]
    assert cf(api, "GET", f"/workspaces/{ws}/tags?page=9").json() == []
    assert [t["name"] for t in cf(api, "GET", f"/workspaces/{ws}/tags?name=RE").json()] == ["review"]
    assert cf(api, "GET", f"/workspaces/{ws}/tags?name=urg&strict-name-search=true").json() == []
    excluded = cf(api, "GET", f"/workspaces/{ws}/tags?excluded-ids={made['Urgent']['id']},{made['review']['id']}").json()
    assert [t["name"] for t in excluded] == ["Backlog"]

    tag_id = made["Backlog"]["id"]
    archived = cf(api, "PUT", f"/workspaces/{ws}/tags/{tag_id}", body={"archived": "1"})
    assert archived.status == 200 and archived.json()["archived"] is True and archived.json()["name"] == "Backlog"
    assert [t["name"] for t in cf(api, "GET", f"/workspaces/{ws}/tags?archived=true").json()] == ["Backlog"]
    assert [t["name"] for t in cf(api, "GET", f"/workspaces/{ws}/tags?archived=0").json()] == ["review", "Urgent"]
    assert cf(api, "GET", f"/workspaces/{ws}/tags?archived=maybe").status == 400
    gone = cf(api, "DELETE", f"/workspaces/{ws}/tags/{tag_id}")
    assert gone.status == 200 and gone.json()["id"] == tag_id
    missing = cf(api, "GET", f"/workspaces/{ws}/tags/{tag_id}")
    assert missing.status == 404 and missing.json()["code"] == 404
    # the same tag on the Sandtime surface
    sandtime = api.get("/tags", as_=ADMIN, org="acme").json()
    assert {ids.short_id(key): value["name"] for key, value in sandtime.items()} == {made["Urgent"]["id"]: "Urgent", made["review"]["id"]: "review"}


def test_a_user_reads_tags_and_clients_but_cannot_create_them(api, world):
    ws = world["ws"]
    assert cf(api, "GET", f"/workspaces/{ws}/tags", as_=ANN).status == 200
    for path in ("tags", "clients"):
        refused = cf(api, "POST", f"/workspaces/{ws}/{path}", as_=ANN, body={"name": "Mine"})
        assert refused.status == 403 and set(refused.json()) == {"message", "code"}


def test_clients_crud_and_archive_cascade(api, world):
    ws = world["ws"]
    created = cf(api, "POST", f"/workspaces/{ws}/clients", body={"name": "Globex", "email": "ap@globex.test", "address": "1 Main St", "note": ""})
    assert created.status == 201, created.body
    client = created.json()
    assert set(client) == {"id", "name", "email", "ccEmails", "address", "note", "archived", "currencyId", "currencyCode", "workspaceId"}
    assert client["email"] == "ap@globex.test" and client["note"] is None
    assert cf(api, "POST", f"/workspaces/{ws}/clients", body={"name": "globex"}).status == 400
    assert cf(api, "POST", f"/workspaces/{ws}/clients", body={"name": "X", "ccEmails": ["a@b.co"] * 4}).status == 400
    assert cf(api, "GET", f"/workspaces/{ws}/clients/{client['id']}").json() == client
    # a project filed under the client (Sandtime surface), with a task
    project = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Portal", "clientId": ids.canonical_id(_uuid(api, "/clients", client["id"]))}).json()
    pid = ids.short_id(project["id"])
    task = cf(api, "POST", f"/workspaces/{ws}/projects/{pid}/tasks", body={"name": "Design"}).json()

    updated = cf(api, "PUT", f"/workspaces/{ws}/clients/{client['id']}?archive-projects=true&mark-tasks-as-done=1",
                 body={"archived": True, "ccEmails": ["cfo@globex.test"], "currencyId": "ignored", "id": client["id"]})
    assert updated.status == 200 and updated.json()["archived"] is True and updated.json()["ccEmails"] == ["cfo@globex.test"]
    assert api.get(f"/projects/{project['id']}", as_=ADMIN, org="acme").json()["archived"] is True
    assert cf(api, "GET", f"/workspaces/{ws}/projects/{pid}/tasks/{task['id']}").json()["status"] == "DONE"
    assert [c["name"] for c in cf(api, "GET", f"/workspaces/{ws}/clients?archived=false").json()] == []
    assert cf(api, "DELETE", f"/workspaces/{ws}/clients/{client['id']}").json()["name"] == "Globex"
    assert api.get(f"/projects/{project['id']}", as_=ADMIN, org="acme").json()["clientId"] is None


def _uuid(api, path, short):
    """The Sandtime id of an entity the Clockify surface names by its 24-hex id."""
    return next(key for key in api.get(f"{path}?archived=include", as_=ADMIN, org="acme").json() if ids.short_id(key) == short)


def test_tasks_crud_filters_assignees_and_roles(api, world):
    ws, pid, ann = world["ws"], world["pid"], world["ann"]
    person = ids.person_short_id(ANN)
    created = cf(api, "POST", f"/workspaces/{ws}/projects/{pid}/tasks?contains-assignee=true",
                 body={"name": "Design", "assigneeIds": [person], "estimate": "PT1H30M", "status": "ALL", "userGroupIds": []})
    assert created.status == 201, created.body
    task = created.json()
    assert task["projectId"] == pid and task["status"] == "ACTIVE" and task["estimate"] == "PT1H30M" and task["assigneeIds"] == [person]
    assert task["billable"] is True and HEX24.match(task["id"])
    stored = api.get(f"/projects/{world['project']['id']}/tasks", as_=ADMIN, org="acme").json()
    assert [t["assigneeIds"] for t in stored.values()] == [[ann["id"]]] and [t["estimate"] for t in stored.values()] == [5_400_000]

    assert cf(api, "POST", f"/workspaces/{ws}/projects/{pid}/tasks", body={"name": "design"}).status == 400
    assert cf(api, "POST", f"/workspaces/{ws}/projects/{pid}/tasks", body={"name": "X", "estimate": "90 minutes"}).status == 400
    assert cf(api, "POST", f"/workspaces/{ws}/projects/{pid}/tasks", body={"name": "X", "assigneeIds": ["0" * 24]}).status == 400
    cf(api, "POST", f"/workspaces/{ws}/projects/{pid}/tasks", body={"name": "Build", "status": "DONE"})
    assert [t["name"] for t in cf(api, "GET", f"/workspaces/{ws}/projects/{pid}/tasks/?page-size=1000").json()] == ["Build", "Design"]
    assert [t["name"] for t in cf(api, "GET", f"/workspaces/{ws}/projects/{pid}/tasks?is-active=true").json()] == ["Design"]
    assert [t["name"] for t in cf(api, "GET", f"/workspaces/{ws}/projects/{pid}/tasks?name=bui").json()] == ["Build"]

    assert cf(api, "GET", f"/workspaces/{ws}/projects/{pid}/tasks/{task['id']}", as_=ANN).status == 200  # a member reads
    assert cf(api, "PUT", f"/workspaces/{ws}/projects/{pid}/tasks/{task['id']}", as_=ANN, body={"status": "DONE"}).status == 403
    done = cf(api, "PUT", f"/workspaces/{ws}/projects/{pid}/tasks/{task['id']}", body={"status": "DONE", "billable": "false"})
    assert done.status == 200 and done.json()["status"] == "DONE" and done.json()["billable"] is False
    deleted = cf(api, "DELETE", f"/workspaces/{ws}/projects/{pid}/tasks/{task['id']}")
    assert deleted.status == 200 and deleted.json()["id"] == task["id"]
    assert cf(api, "GET", f"/workspaces/{ws}/projects/{pid}/tasks/{task['id']}").json()["code"] == 404


def test_another_workspaces_catalog_is_not_found(api, world, seed):
    api.signup("globex", "boss@globex.test", "Globex")
    globex = ids.short_id(seed.org_id("globex"))
    tag = cf(api, "POST", f"/workspaces/{globex}/tags", as_="boss@globex.test", body={"name": "Secret"}).json()
    client = cf(api, "POST", f"/workspaces/{globex}/clients", as_="boss@globex.test", body={"name": "Secret"}).json()
    ws = world["ws"]
    for path in (f"/workspaces/{ws}/tags/{tag['id']}", f"/workspaces/{ws}/clients/{client['id']}", f"/workspaces/{globex}/tags",
                 f"/workspaces/{globex}/tags/{tag['id']}"):
        reply = cf(api, "GET", path)
        assert reply.status == 404 and reply.json()["code"] == 404, path
    assert cf(api, "DELETE", f"/workspaces/{ws}/tags/{tag['id']}").status == 404
    assert cf(api, "GET", f"/workspaces/{ws}/tags/not-hex").status == 404
