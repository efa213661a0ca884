"""Tags, clients and the tasks of a project over HTTP (the Sandtime surface, docs/catalog.md)."""

from __future__ import annotations

import uuid

import pytest

from sandglass import keys
from tests.api.cursors import tampered

ADMIN = "admin@acme.test"
SAM = "sam@acme.test"  # a User; the project's Administrator below
KIM = "kim@acme.test"  # a User; a plain member of the project
LEE = "lee@acme.test"  # a User outside the project


@pytest.fixture
def people(acme, seed):
    return {who: seed.member("acme", f"{who}@acme.test") for who in ("sam", "kim", "lee")}


@pytest.fixture
def project(api, people):
    reply = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Website refresh"})
    assert reply.status == 200, reply.body
    project = reply.json()
    for who, role in (("sam", "Administrator"), ("kim", "User")):
        assert api.post(f"/projects/{project['id']}/members", as_=ADMIN, org="acme", body={"userId": people[who]["id"], "role": role}).status == 200
    return project


def create(api, path, body, as_=ADMIN, org="acme"):
    reply = api.post(path, as_=as_, org=org, body=body)
    assert reply.status == 200, reply.body
    return reply.json()


# --- tags -----------------------------------------------------------------------------------------

def test_tag_lifecycle_create_read_rename_archive_delete(api, acme, people):
    tag = create(api, "/tags", {"name": "Research"})
    assert set(tag) == {"id", "name", "archived", "createdAt", "updatedAt"} and tag["archived"] is False
    got = api.get(f"/tags/{tag['id']}", as_=SAM, org="acme")  # Users read
    assert got.status == 200 and got.json() == tag and got.headers["ETag"] == '"1"'

    renamed = api.put(f"/tags/{tag['id']}", as_=ADMIN, org="acme", body={"name": "Discovery"}, headers={"If-Match": '"1"'})
    assert renamed.status == 200 and renamed.json()["name"] == "Discovery" and renamed.headers["ETag"] == '"2"'
    stale = api.put(f"/tags/{tag['id']}", as_=ADMIN, org="acme", body={"archived": True}, headers={"If-Match": '"1"'})
    assert stale.status == 412

    assert api.put(f"/tags/{tag['id']}", as_=ADMIN, org="acme", body={"archived": True}).json()["archived"] is True
    assert api.get("/tags", as_=SAM, org="acme").json() == {}
    assert list(api.get("/tags", as_=SAM, org="acme", query={"archived": "true"}).json()) == [tag["id"]]
    assert list(api.get("/tags", as_=SAM, org="acme", query={"archived": "include"}).json()) == [tag["id"]]

    assert api.delete(f"/tags/{tag['id']}", as_=ADMIN, org="acme").status == 200
    assert api.get(f"/tags/{tag['id']}", as_=ADMIN, org="acme").status == 404
    create(api, "/tags", {"name": "discovery"})  # the deleted tag's name is free again


def test_tag_names_are_unique_case_insensitively_also_when_archived_and_on_rename(api, acme):
    first = create(api, "/tags", {"name": "Urgent"})
    for name in ("urgent", "URGENT", "  Urgent "):
        reply = api.post("/tags", as_=ADMIN, org="acme", body={"name": name})
        assert reply.status == 409 and reply.json()["error"]["code"] == "TAG_NAME_TAKEN", name
    api.put(f"/tags/{first['id']}", as_=ADMIN, org="acme", body={"archived": True})
    assert api.post("/tags", as_=ADMIN, org="acme", body={"name": "uRgEnT"}).status == 409  # archived keeps its name
    other = create(api, "/tags", {"name": "Later"})
    clash = api.put(f"/tags/{other['id']}", as_=ADMIN, org="acme", body={"name": "URGENT"})
    assert clash.status == 409 and api.get(f"/tags/{other['id']}", as_=ADMIN, org="acme").json()["name"] == "Later"
    # a change of case is a rename onto its own name
    assert api.put(f"/tags/{first['id']}", as_=ADMIN, org="acme", body={"name": "URGENT"}).json()["name"] == "URGENT"


def test_users_read_tags_but_cannot_manage_them(api, acme, people):
    tag = create(api, "/tags", {"name": "Research"})
    for method, path, body in (("POST", "/tags", {"name": "Mine"}), ("PUT", f"/tags/{tag['id']}", {"name": "Mine"}),
                               ("DELETE", f"/tags/{tag['id']}", None)):
        reply = api.call(method, path, as_=SAM, org="acme", body=body)
        assert reply.status == 403 and reply.json()["error"]["code"] == "FORBIDDEN", (method, path)
    assert api.get(f"/tags/{tag['id']}", as_=ADMIN, org="acme").json()["name"] == "Research"


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": "a\u0000b"}, {"name": "Ok", "color": "red"},
                                  {"name": 5}, {"name": "Ok", "archived": "yes"}])
def test_bad_tag_bodies_are_422(api, acme, body):
    reply = api.post("/tags", as_=ADMIN, org="acme", body=body)
    assert reply.status == 422 and reply.json()["error"]["code"] == "VALIDATION_ERROR"


def test_null_name_in_a_tag_update_is_422(api, acme):
    tag = create(api, "/tags", {"name": "Research"})
    assert api.put(f"/tags/{tag['id']}", as_=ADMIN, org="acme", body={"name": None}).status == 422


def test_tags_of_another_organization_are_not_found(api, acme):
    api.signup("globex", "boss@globex.test")
    theirs = create(api, "/tags", {"name": "Secret"}, as_="boss@globex.test", org="globex")
    for method in ("GET", "PUT", "DELETE"):
        reply = api.call(method, f"/tags/{theirs['id']}", as_=ADMIN, org="acme", body={"name": "Mine"} if method == "PUT" else None)
        assert reply.status == 404, method
    assert api.get("/tags", as_=ADMIN, org="acme").json() == {}
    assert api.get(f"/tags/{theirs['id']}", as_="boss@globex.test", org="globex").json()["name"] == "Secret"
    # the same name is free in another organization
    create(api, "/tags", {"name": "secret"})


def test_tag_ids_that_are_not_uuids_are_404(api, acme):
    assert api.get("/tags/not-an-id", as_=ADMIN, org="acme").status == 404


def test_tag_list_pages_by_name_with_a_signed_cursor_and_filters_by_name(api, acme):
    for name in ("delta", "Alpha", "charlie", "Bravo", "echo"):
        create(api, "/tags", {"name": name})
    first = api.get("/tags", as_=ADMIN, org="acme", query={"limit": "2"})
    assert [t["name"] for t in first.json().values()] == ["Alpha", "Bravo"]
    cursor = first.headers["X-Next-Cursor"]
    second = api.get("/tags", as_=ADMIN, org="acme", query={"limit": "2", "cursor": cursor})
    assert [t["name"] for t in second.json().values()] == ["charlie", "delta"]
    assert api.get("/tags", as_=ADMIN, org="acme", query={"limit": "2", "cursor": tampered(cursor)}).status == 400
    found = api.get("/tags", as_=ADMIN, org="acme", query={"name": "HAR"}).json()
    assert [t["name"] for t in found.values()] == ["charlie"]


def test_a_concurrent_create_of_the_same_name_stores_one_tag(api, acme, table):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda name: api.post("/tags", as_=ADMIN, org="acme", body={"name": name}), ["Dup", "dup", "DUP", "dUp"]))
    assert sorted(r.status for r in replies) == [200, 409, 409, 409]
    assert len(api.get("/tags", as_=ADMIN, org="acme").json()) == 1


def test_idempotency_key_replays_a_tag_create(api, acme):
    first = api.post("/tags", as_=ADMIN, org="acme", body={"name": "Once"}, headers={"Idempotency-Key": "k-1"})
    again = api.post("/tags", as_=ADMIN, org="acme", body={"name": "Once"}, headers={"Idempotency-Key": "k-1"})
    assert first.status == again.status == 200 and first.json() == again.json()
    assert again.headers.get("Idempotent-Replayed") == "true"


# --- clients --------------------------------------------------------------------------------------

def test_client_lifecycle_and_validation(api, acme, people):
    client = create(api, "/clients", {"name": "Globex", "email": "ap@globex.test", "ccEmails": ["cfo@globex.test"], "address": "1 Main St\nSpringfield",
                                      "note": "Net 30", "currency": "EUR"})
    assert client["currency"] == "EUR" and client["ccEmails"] == ["cfo@globex.test"] and client["archived"] is False
    assert api.get(f"/clients/{client['id']}", as_=SAM, org="acme").json() == client
    assert api.post("/clients", as_=ADMIN, org="acme", body={"name": "GLOBEX"}).json()["error"]["code"] == "CLIENT_NAME_TAKEN"
    for bad in ({"name": "X", "ccEmails": ["a@b.co"] * 4}, {"name": "X", "currency": "eur"}, {"name": "X", "email": "nope"}):
        assert api.post("/clients", as_=ADMIN, org="acme", body=bad).status == 422, bad
    cleared = api.put(f"/clients/{client['id']}", as_=ADMIN, org="acme", body={"email": None, "note": "Net 15"}).json()
    assert cleared["email"] is None and cleared["note"] == "Net 15" and cleared["address"] == "1 Main St\nSpringfield"
    assert api.post("/clients", as_=SAM, org="acme", body={"name": "Mine"}).status == 403
    assert api.delete(f"/clients/{client['id']}", as_=ADMIN, org="acme").status == 200
    assert api.get(f"/clients/{client['id']}", as_=ADMIN, org="acme").status == 404


def test_projects_are_filed_under_an_active_client_of_the_organization(api, acme):
    client = create(api, "/clients", {"name": "Globex"})
    project = create(api, "/projects", {"name": "Portal", "clientId": client["id"]})
    assert project["clientId"] == client["id"]
    unknown = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Other", "clientId": str(uuid.uuid4())})
    assert unknown.status == 422 and unknown.json()["error"]["details"][0]["field"] == "clientId"
    plain = create(api, "/projects", {"name": "Plain"})
    assert plain["clientId"] is None
    assert api.put(f"/projects/{plain['id']}", as_=ADMIN, org="acme", body={"clientId": client["id"]}).json()["clientId"] == client["id"]
    assert api.put(f"/projects/{plain['id']}", as_=ADMIN, org="acme", body={"clientId": None}).json()["clientId"] is None
    api.put(f"/clients/{client['id']}", as_=ADMIN, org="acme", body={"archived": True})
    archived = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Late", "clientId": client["id"]})
    assert archived.status == 422
    api.signup("globex", "boss@globex.test")
    theirs = create(api, "/clients", {"name": "Theirs"}, as_="boss@globex.test", org="globex")
    assert api.post("/projects", as_=ADMIN, org="acme", body={"name": "Stolen", "clientId": theirs["id"]}).status == 422


def test_archiving_a_client_cascades_only_when_asked(api, acme, project):
    client = create(api, "/clients", {"name": "Globex"})
    filed = create(api, "/projects", {"name": "Portal", "clientId": client["id"]})
    other = create(api, "/projects", {"name": "Intranet", "clientId": client["id"]})
    task = create(api, f"/projects/{filed['id']}/tasks", {"name": "Design"})
    unfiled_task = create(api, f"/projects/{project['id']}/tasks", {"name": "Design"})

    api.put(f"/clients/{client['id']}", as_=ADMIN, org="acme", body={"archived": True})
    assert api.get(f"/projects/{filed['id']}", as_=ADMIN, org="acme").json()["archived"] is False
    api.put(f"/clients/{client['id']}", as_=ADMIN, org="acme", body={"archived": False})

    reply = api.put(f"/clients/{client['id']}", as_=ADMIN, org="acme", body={"archived": True},
                    query={"archiveProjects": "true", "markTasksAsDone": "true"})
    assert reply.status == 200 and reply.json()["archived"] is True
    for p in (filed, other):
        assert api.get(f"/projects/{p['id']}", as_=ADMIN, org="acme").json()["archived"] is True
    assert api.get(f"/projects/{project['id']}", as_=ADMIN, org="acme").json()["archived"] is False
    assert api.get(f"/projects/{filed['id']}/tasks/{task['id']}", as_=ADMIN, org="acme").json()["status"] == "DONE"
    assert api.get(f"/projects/{project['id']}/tasks/{unfiled_task['id']}", as_=ADMIN, org="acme").json()["status"] == "ACTIVE"
    assert filed["id"] in api.get("/projects", as_=ADMIN, org="acme", query={"archived": "true"}).json()


def test_deleting_a_client_leaves_its_projects_without_one(api, acme):
    client = create(api, "/clients", {"name": "Globex"})
    filed = create(api, "/projects", {"name": "Portal", "clientId": client["id"]})
    assert api.delete(f"/clients/{client['id']}", as_=ADMIN, org="acme").status == 200
    assert api.get(f"/projects/{filed['id']}", as_=ADMIN, org="acme").json()["clientId"] is None
    create(api, "/clients", {"name": "globex"})  # the name is free again


# --- tasks ----------------------------------------------------------------------------------------

def test_task_lifecycle_and_roles(api, acme, project, people):
    base = f"/projects/{project['id']}/tasks"
    task = create(api, base, {"name": "Wireframes", "assigneeIds": [people["kim"]["id"]], "estimate": 5_400_000, "billable": False,
                              "hourlyRate": {"value": "80.50"}}, as_=SAM)  # the project's Administrator
    assert task["status"] == "ACTIVE" and task["projectId"] == project["id"] and task["estimate"] == 5_400_000
    assert task["hourlyRate"] == {"currency": "USD", "value": 80.5} and task["costRate"] is None and task["billable"] is False
    assert api.get(f"{base}/{task['id']}", as_=KIM, org="acme").json() == task  # a member reads
    assert list(api.get(base, as_=KIM, org="acme").json()) == [task["id"]]
    assert api.post(base, as_=KIM, org="acme", body={"name": "Mine"}).status == 403  # a member does not manage
    assert api.put(f"{base}/{task['id']}", as_=KIM, org="acme", body={"status": "DONE"}).status == 403
    for method in ("GET", "PUT", "DELETE"):  # outside the project: the project is invisible
        assert api.call(method, f"{base}/{task['id']}", as_=LEE, org="acme", body={"status": "DONE"} if method == "PUT" else None).status == 404
    assert api.get(base, as_=LEE, org="acme").status == 404

    done = api.put(f"{base}/{task['id']}", as_=SAM, org="acme", body={"status": "DONE", "billable": None, "estimate": None})
    assert done.status == 200 and done.json()["status"] == "DONE" and done.json()["billable"] is None and done.json()["estimate"] is None
    assert list(api.get(base, as_=KIM, org="acme", query={"status": "ACTIVE"}).json()) == []
    assert list(api.get(base, as_=KIM, org="acme", query={"status": "DONE"}).json()) == [task["id"]]
    assert api.delete(f"{base}/{task['id']}", as_=ADMIN, org="acme").status == 200
    assert api.get(f"{base}/{task['id']}", as_=ADMIN, org="acme").status == 404


def test_task_names_are_unique_per_project_case_insensitively(api, acme, project):
    create(api, f"/projects/{project['id']}/tasks", {"name": "Design"})
    clash = api.post(f"/projects/{project['id']}/tasks", as_=ADMIN, org="acme", body={"name": "DESIGN"})
    assert clash.status == 409 and clash.json()["error"]["code"] == "TASK_NAME_TAKEN"
    other = create(api, "/projects", {"name": "Other"})
    create(api, f"/projects/{other['id']}/tasks", {"name": "design"})  # another project: free


def test_task_addressed_through_another_project_is_404(api, acme, project):
    task = create(api, f"/projects/{project['id']}/tasks", {"name": "Design"})
    other = create(api, "/projects", {"name": "Other"})
    assert api.get(f"/projects/{other['id']}/tasks/{task['id']}", as_=ADMIN, org="acme").status == 404
    assert api.delete(f"/projects/{other['id']}/tasks/{task['id']}", as_=ADMIN, org="acme").status == 404


def test_task_assignees_must_be_active_members_of_the_organization(api, acme, project):
    reply = api.post(f"/projects/{project['id']}/tasks", as_=ADMIN, org="acme", body={"name": "Design", "assigneeIds": [str(uuid.uuid4())]})
    assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == "assigneeIds"
    assert api.get(f"/projects/{project['id']}/tasks", as_=ADMIN, org="acme").json() == {}
    for bad in ({"name": "X", "status": "ALL"}, {"name": "X", "estimate": -1}, {"name": "X", "estimate": 1.5}, {"name": "X", "assigneeIds": ["nope"]},
                {"name": "x" * 1001}):
        assert api.post(f"/projects/{project['id']}/tasks", as_=ADMIN, org="acme", body=bad).status == 422, bad


def test_tasks_of_another_organizations_project_are_not_found(api, acme, project):
    api.signup("globex", "boss@globex.test")
    theirs = create(api, "/projects", {"name": "Theirs"}, as_="boss@globex.test", org="globex")
    task = create(api, f"/projects/{theirs['id']}/tasks", {"name": "Secret"}, as_="boss@globex.test", org="globex")
    assert api.get(f"/projects/{theirs['id']}/tasks", as_=ADMIN, org="acme").status == 404
    assert api.get(f"/projects/{theirs['id']}/tasks/{task['id']}", as_=ADMIN, org="acme").status == 404
    assert api.get(f"/projects/{project['id']}/tasks/{task['id']}", as_=ADMIN, org="acme").status == 404
    assert api.post(f"/projects/{theirs['id']}/tasks", as_=ADMIN, org="acme", body={"name": "X"}).status == 404


def test_a_deleted_projects_tasks_and_their_name_markers_go_with_its_purge(api, acme, table):
    from sandglass.entities.jobs import PurgeJob
    from sandglass.repositories.projects import ProjectRepository
    from sandglass.services.purge import project_purge

    project = create(api, "/projects", {"name": "Short-lived"})
    create(api, f"/projects/{project['id']}/tasks", {"name": "Design"})
    assert api.delete(f"/projects/{project['id']}", as_=ADMIN, org="acme").status == 200
    from sandglass.repositories.organizations import OrganizationRepository

    org_id = OrganizationRepository().org_id_for_domain("acme")
    project_purge(ProjectRepository())(PurgeJob(kind=keys.PURGE_PROJECT, org_id=org_id, target=project["id"], project_id=project["id"]), 10)
    left = table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": keys.org_pk(org_id)}})
    assert [i["SK"]["S"] for i in left["Items"] if i["SK"]["S"].startswith(("TASK#", "NAME#TASK#"))] == []


# --- activities carry a task and tags -------------------------------------------------------------

def activity(api, project, as_=SAM, **fields):
    body = {"projectId": project["id"], "name": "Work", "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z", **fields}
    return api.post("/activities", as_=as_, org="acme", body=body)


def test_an_activity_carries_a_task_of_its_project_and_active_tags(api, acme, project, table):
    task = create(api, f"/projects/{project['id']}/tasks", {"name": "Design"})
    urgent, review = create(api, "/tags", {"name": "Urgent"}), create(api, "/tags", {"name": "Review"})
    reply = activity(api, project, taskId=task["id"], tagIds=[urgent["id"], review["id"], urgent["id"]])
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["taskId"] == task["id"] and body["tagIds"] == [urgent["id"], review["id"]]
    assert api.get(f"/activities/{body['id']}", as_=SAM, org="acme").json()["tagIds"] == [urgent["id"], review["id"]]
    plain = activity(api, project, startedAt="2026-07-03T11:00:00Z", endedAt="2026-07-03T12:00:00Z").json()
    assert "taskId" not in plain and "tagIds" not in plain  # the reference's shape when unused

    # a tag archived later stays on the activity through other edits; removing tags and the task
    api.put(f"/tags/{urgent['id']}", as_=ADMIN, org="acme", body={"archived": True})
    renamed = api.put(f"/activities/{body['id']}", as_=SAM, org="acme", body={"name": "Work, renamed"})
    assert renamed.status == 200 and renamed.json()["tagIds"] == [urgent["id"], review["id"]]
    cleared = api.put(f"/activities/{body['id']}", as_=SAM, org="acme", body={"tagIds": None, "taskId": None}).json()
    assert "tagIds" not in cleared and "taskId" not in cleared


def test_an_activity_refuses_archived_unknown_or_foreign_tags_and_tasks(api, acme, project):
    other = create(api, "/projects", {"name": "Other"})
    foreign_task = create(api, f"/projects/{other['id']}/tasks", {"name": "Elsewhere"})
    done = create(api, f"/projects/{project['id']}/tasks", {"name": "Finished", "status": "DONE"})
    archived = create(api, "/tags", {"name": "Old", "archived": True})
    api.signup("globex", "boss@globex.test")
    their_tag = create(api, "/tags", {"name": "Theirs"}, as_="boss@globex.test", org="globex")
    for fields, field in (({"tagIds": [archived["id"]]}, "tagIds"), ({"tagIds": [str(uuid.uuid4())]}, "tagIds"), ({"tagIds": [their_tag["id"]]}, "tagIds"),
                          ({"taskId": foreign_task["id"]}, "taskId"), ({"taskId": done["id"]}, "taskId"), ({"taskId": str(uuid.uuid4())}, "taskId")):
        reply = activity(api, project, **fields)
        assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == field, fields
    assert activity(api, project, tagIds=[str(uuid.uuid4()) for _ in range(31)]).status == 422
    assert api.get("/activities", as_=SAM, org="acme", query={"from": "2026-07-01T00:00:00Z", "to": "2026-08-01T00:00:00Z"}).json() == {}


def test_moving_an_activity_to_another_project_rechecks_its_task(api, acme, project, people):
    other = create(api, "/projects", {"name": "Other"})
    api.post(f"/projects/{other['id']}/members", as_=ADMIN, org="acme", body={"userId": people["sam"]["id"]})
    task = create(api, f"/projects/{project['id']}/tasks", {"name": "Design"})
    entry = activity(api, project, taskId=task["id"]).json()
    moved = api.put(f"/activities/{entry['id']}", as_=SAM, org="acme", body={"projectId": other["id"]})
    assert moved.status == 422 and moved.json()["error"]["details"][0]["field"] == "taskId"
    moved = api.put(f"/activities/{entry['id']}", as_=SAM, org="acme", body={"projectId": other["id"], "taskId": None})
    assert moved.status == 200 and moved.json()["projectId"] == other["id"] and "taskId" not in moved.json()
