"""Projects, members and revenue rates over HTTP (through the API Gateway emulation)."""

from __future__ import annotations

import uuid

import pytest
from sandglass_local.callcounter import counting

from sandglass import ids, keys

ADMIN = "admin@acme.test"
# The emulated gateway runs the authorizer in-process: its two GetItems (domain -> org, member)
# are counted too; budgets below are the handler's own calls.
AUTHORIZER_READS = 2


def handler_reads(calls) -> int:
    return calls.reads - AUTHORIZER_READS


RATE = {"currency": "USD", "from": "2026-07-01T00:00:00+02:00", "to": "2026-12-31T23:59:59+01:00", "taxRate": 23, "value": 145}


@pytest.fixture
def people(acme, seed):
    return {
        "sam": seed.member("acme", "sam@acme.test"),  # plain User, project Administrator below
        "kim": seed.member("acme", "kim@acme.test"),  # plain User, project User below
        "lee": seed.member("acme", "lee@acme.test"),  # plain User, not in the project
    }


@pytest.fixture
def project(api, people):
    reply = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Website refresh", "notes": "Main client delivery project.", "billable": True})
    assert reply.status == 200, reply.body
    project = reply.json()
    for who, role in (("sam", "Administrator"), ("kim", "User")):
        added = api.post(f"/projects/{project['id']}/members", as_=ADMIN, org="acme", body={"userId": people[who]["id"], "role": role})
        assert added.status == 200, added.body
    return project


def member_id(project, user):
    return ids.project_member_id(project["id"], user["id"])


# --- projects -------------------------------------------------------------------------------------

def test_create_project_returns_reference_shape_and_adds_creator_as_administrator(api, acme, seed):
    reply = api.post("/projects", as_=ADMIN, org="acme", body={"billable": True, "name": "Website refresh", "notes": "Main client delivery project."})
    assert reply.status == 200, reply.body
    body = reply.json()
    assert set(body) == {"archived", "avatar", "billable", "clientId", "id", "name", "notes"}
    assert body["archived"] is False and body["avatar"] is None and body["name"] == "Website refresh"
    admin_id = ids.member_id(seed.org_id("acme"), ADMIN)
    members = api.get(f"/projects/{body['id']}/members", as_=ADMIN, org="acme").json()
    assert list(members) == [ids.project_member_id(body["id"], admin_id)]
    creator = next(iter(members.values()))
    assert creator["role"] == "Administrator" and creator["userId"] == admin_id and creator["assignedBy"] == admin_id
    assert set(creator) == {"archived", "assignedBy", "id", "notes", "projectId", "role", "tags", "title", "userId"}


def test_only_organization_administrators_create_projects(api, people):
    assert api.post("/projects", as_="sam@acme.test", org="acme", body={"name": "Mine"}).status == 403


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 201}, {"name": "A", "billable": "maybe"}, {"name": "A", "colour": "red"}, {"name": 5}])
def test_create_project_validation(api, acme, body):
    reply = api.post("/projects", as_=ADMIN, org="acme", body=body)
    assert reply.status == 422, reply.body
    assert reply.json()["error"]["code"] == "VALIDATION_ERROR"


def test_malformed_json_is_400(api, acme):
    reply = api.post("/projects", as_=ADMIN, org="acme", body="{not json")
    assert reply.status == 400


def test_list_visibility_admin_sees_all_users_see_their_projects(api, project, seed, people):
    other = seed.project("acme", "Internal")
    admin_view = api.get("/projects", as_=ADMIN, org="acme").json()
    assert set(admin_view) == {project["id"], other["id"]}
    assert set(api.get("/projects", as_="kim@acme.test", org="acme").json()) == {project["id"]}
    assert api.get("/projects", as_="lee@acme.test", org="acme").json() == {}


def test_archived_projects_are_hidden_unless_asked(api, project, seed):
    archived = seed.project("acme", "Old", archived=True)
    assert set(api.get("/projects", as_=ADMIN, org="acme").json()) == {project["id"]}
    assert set(api.get("/projects", as_=ADMIN, org="acme", query={"archived": "true"}).json()) == {archived["id"]}
    assert set(api.get("/projects", as_=ADMIN, org="acme", query={"archived": "include"}).json()) == {project["id"], archived["id"]}
    assert api.get("/projects", as_=ADMIN, org="acme", query={"archived": "sometimes"}).status == 422
    # archiving through the API moves it out of the default list, for members too
    reply = api.put(f"/projects/{project['id']}", as_="sam@acme.test", org="acme", body={"archived": True})
    assert reply.status == 200 and reply.json()["archived"] is True
    assert api.get("/projects", as_=ADMIN, org="acme").json() == {}
    assert api.get("/projects", as_="kim@acme.test", org="acme").json() == {}
    assert set(api.get("/projects", as_="kim@acme.test", org="acme", query={"archived": "true"}).json()) == {project["id"]}
    assert api.get(f"/projects/{project['id']}", as_="kim@acme.test", org="acme").json()["archived"] is True


def test_list_pages_with_limit_and_signed_cursor(api, acme, seed):
    made = {seed.project("acme", f"P{i:02d}")["id"] for i in range(5)}
    seen: dict = {}
    query = {"limit": "2"}
    pages = 0
    while True:
        with counting() as calls:
            reply = api.get("/projects", as_=ADMIN, org="acme", query=query)
        assert reply.status == 200 and calls.calls["Query"] == 1 and calls.scans == 0
        pages += 1
        assert len(reply.json()) <= 2
        seen.update(reply.json())
        cursor = reply.header("X-Next-Cursor")
        if not cursor:
            break
        assert 'rel="next"' in reply.header("Link")
        query = {"limit": "2", "cursor": cursor}
    assert set(seen) == made and pages >= 3
    assert list(api.get("/projects", as_=ADMIN, org="acme").json().values())[0]["name"] == "P00"  # ordered by name
    assert api.get("/projects", as_=ADMIN, org="acme", query={"cursor": "forged"}).status == 400
    assert api.get("/projects", as_=ADMIN, org="acme", query={"limit": "0"}).status == 422


def test_get_project_rights_and_budget(api, project):
    pid = project["id"]
    with counting() as calls:
        reply = api.get(f"/projects/{pid}", as_="kim@acme.test", org="acme")
    assert reply.status == 200 and reply.json() == project
    assert handler_reads(calls) <= 2 and calls.writes == 0 and calls.scans == 0
    assert api.get(f"/projects/{pid}", as_="lee@acme.test", org="acme").status == 404
    assert api.get(f"/projects/{uuid.uuid4()}", as_=ADMIN, org="acme").status == 404
    assert api.get("/projects/not-a-uuid", as_=ADMIN, org="acme").status == 404


def test_update_project_rights_validation_and_if_match(api, project):
    pid = project["id"]
    with counting() as calls:
        reply = api.put(f"/projects/{pid}", as_="sam@acme.test", org="acme", body={"billable": False, "notes": "Internal redesign and QA support."})
    assert reply.status == 200, reply.body
    assert reply.json() == {**project, "billable": False, "notes": "Internal redesign and QA support."}
    assert handler_reads(calls) <= 2 and calls.writes == 1
    assert api.put(f"/projects/{pid}", as_="kim@acme.test", org="acme", body={"notes": "x"}).status == 403
    assert api.put(f"/projects/{pid}", as_="lee@acme.test", org="acme", body={"notes": "x"}).status == 404
    assert api.put(f"/projects/{pid}", as_=ADMIN, org="acme", body={"name": ""}).status == 422
    assert api.put(f"/projects/{pid}", as_=ADMIN, org="acme", body={"archived": "yes"}).status == 422
    assert api.put(f"/projects/{pid}", as_=ADMIN, org="acme", body={"notes": "a"}, headers={"If-Match": '"1"'}).status == 412
    assert api.put(f"/projects/{pid}", as_=ADMIN, org="acme", body={"notes": "a"}, headers={"If-Match": '"2"'}).status == 200


def test_another_organizations_project_is_404(api, project):
    api.signup("globex", "boss@globex.test")
    pid = project["id"]
    for method, path in (("GET", f"/projects/{pid}"), ("PUT", f"/projects/{pid}"), ("DELETE", f"/projects/{pid}"),
                         ("GET", f"/projects/{pid}/members"), ("POST", f"/projects/{pid}/members")):
        reply = api.call(method, path, as_="boss@globex.test", org="globex", body={} if method in ("PUT", "POST") else None)
        assert reply.status in (404, 422) if method == "POST" else reply.status == 404, (method, path, reply.body)
    assert api.get("/projects", as_="boss@globex.test", org="globex").json() == {}


def _seed_activity(api, project_id):
    """A real activity on the project, written by the Activities route."""
    reply = api.post("/activities", as_=ADMIN, org="acme", body={
        "name": "work", "projectId": project_id, "startedAt": "2026-07-03T08:30:00Z", "endedAt": "2026-07-03T09:30:00Z"})
    assert reply.status == 200, reply.body


def test_delete_project_without_activities_removes_it_and_its_members_and_rates(api, project, seed, table, gateway, people):
    pid, org_id = project["id"], seed.org_id("acme")
    mid = member_id(project, people["kim"])
    assert api.post(f"/projects/{pid}/members/{mid}/rates/revenue", as_=ADMIN, org="acme", body=RATE).status == 200
    with counting() as calls:
        reply = api.delete(f"/projects/{pid}", as_="sam@acme.test", org="acme")
    assert reply.status == 200 and reply.json() == {}
    assert handler_reads(calls) <= 2 and calls.calls["TransactWriteItems"] == 1 and calls.writes == 1
    assert api.get(f"/projects/{pid}", as_=ADMIN, org="acme").status == 404
    assert api.get("/projects", as_="kim@acme.test", org="acme").json() == {}
    gateway.run_jobs()
    left = table.query(TableName="sandglass-test", IndexName="GSI2", KeyConditionExpression="GSI2PK = :pk",
                       ExpressionAttributeValues={":pk": keys.project_partition(org_id, pid)})["Items"]
    assert left == []
    memberships = table.query(TableName="sandglass-test", IndexName="GSI1", KeyConditionExpression="GSI1PK = :pk",
                              ExpressionAttributeValues={":pk": keys.user_partition(org_id, people["kim"]["id"])})["Items"]
    assert memberships == []


def test_delete_project_with_activities_is_refused_unless_admin_cascades(api, project, seed, table, gateway):
    pid, org_id = project["id"], seed.org_id("acme")
    _seed_activity(api, pid)
    reply = api.delete(f"/projects/{pid}", as_="sam@acme.test", org="acme")
    assert reply.status == 409 and reply.json()["error"]["code"] == "PROJECT_HAS_ACTIVITIES"
    assert "archive" in reply.json()["error"]["message"]
    assert api.delete(f"/projects/{pid}", as_="sam@acme.test", org="acme", query={"cascade": "true"}).status == 403
    assert api.delete(f"/projects/{pid}", as_="kim@acme.test", org="acme").status == 403
    assert api.get(f"/projects/{pid}", as_=ADMIN, org="acme").status == 200
    assert api.delete(f"/projects/{pid}", as_=ADMIN, org="acme", query={"cascade": "true"}).status == 200
    gateway.run_jobs()
    left = table.query(TableName="sandglass-test", IndexName="GSI2", KeyConditionExpression="GSI2PK = :pk",
                       ExpressionAttributeValues={":pk": keys.project_partition(org_id, pid)})["Items"]
    assert left == []


def test_non_cascading_purge_never_deletes_activities(api, project, seed, table, gateway):
    """An activity that slipped in between the check and the delete survives the purge."""
    from sandglass.entities.jobs import PurgeJob
    from sandglass.repositories.projects import ProjectRepository
    from sandglass.services.purge import project_purge

    pid, org_id = project["id"], seed.org_id("acme")
    _seed_activity(api, pid)
    job = PurgeJob(kind=keys.PURGE_PROJECT, org_id=org_id, target=pid, project_id=pid, cascade=False)
    assert project_purge(ProjectRepository())(job, 10) is True
    left = table.query(TableName="sandglass-test", IndexName="GSI2", KeyConditionExpression="GSI2PK = :pk",
                       ExpressionAttributeValues={":pk": keys.project_partition(org_id, pid)})["Items"]
    assert [item["GSI2SK"][:4] for item in left] == ["ACT#"]


# --- members ----------------------------------------------------------------------------------------

def test_add_member_reference_shape_and_duplicate_is_409(api, project, people, seed):
    body = {"notes": "Frontend owner", "role": "Administrator", "tags": ["design-system", "client-facing"], "title": "Frontend Lead", "userId": people["lee"]["id"]}
    with counting() as calls:
        reply = api.post(f"/projects/{project['id']}/members", as_="sam@acme.test", org="acme", body=body)
    assert reply.status == 200, reply.body
    assert handler_reads(calls) <= 2 and calls.calls["TransactWriteItems"] == 1 and calls.writes == 1
    member = reply.json()
    assert member == {**body, "archived": False, "assignedBy": people["sam"]["id"], "id": member_id(project, people["lee"]), "projectId": project["id"]}
    again = api.post(f"/projects/{project['id']}/members", as_=ADMIN, org="acme", body={"userId": people["lee"]["id"]})
    assert again.status == 409 and again.json()["error"]["code"] == "ALREADY_MEMBER"
    assert len(api.get(f"/projects/{project['id']}/members", as_=ADMIN, org="acme").json()) == 4


def test_add_member_needs_an_organization_member(api, project):
    pid = project["id"]
    assert api.post(f"/projects/{pid}/members", as_=ADMIN, org="acme", body={"userId": str(uuid.uuid4())}).status == 422
    assert api.post(f"/projects/{pid}/members", as_=ADMIN, org="acme", body={"userId": "nope"}).status == 422
    boss = api.signup("globex", "boss@globex.test")
    assert boss
    from sandglass.repositories.organizations import OrganizationRepository

    globex_admin = ids.member_id(OrganizationRepository().org_id_for_domain("globex"), "boss@globex.test")
    assert api.post(f"/projects/{pid}/members", as_=ADMIN, org="acme", body={"userId": globex_admin}).status == 422
    assert api.post(f"/projects/{pid}/members", as_=ADMIN, org="acme", body={"userId": str(uuid.uuid4()), "role": "Owner"}).status == 422
    assert api.post(f"/projects/{pid}/members", as_=ADMIN, org="acme", body={"userId": str(uuid.uuid4()), "tags": ["x" * 51]}).status == 422


def test_member_rights(api, project, people):
    pid = project["id"]
    body = {"userId": people["lee"]["id"]}
    assert api.post(f"/projects/{pid}/members", as_="kim@acme.test", org="acme", body=body).status == 403
    assert api.post(f"/projects/{pid}/members", as_="lee@acme.test", org="acme", body=body).status == 404
    assert api.get(f"/projects/{pid}/members", as_="kim@acme.test", org="acme").status == 200
    assert api.get(f"/projects/{pid}/members", as_="lee@acme.test", org="acme").status == 404
    kim = member_id(project, people["kim"])
    assert api.put(f"/projects/{pid}/members/{kim}", as_="kim@acme.test", org="acme", body={"role": "Administrator"}).status == 403
    assert api.delete(f"/projects/{pid}/members/{kim}", as_="kim@acme.test", org="acme").status == 403
    assert api.get(f"/projects/{pid}/members/{kim}", as_="lee@acme.test", org="acme").status == 404


def test_get_update_delete_member(api, project, people):
    pid, kim = project["id"], member_id(project, people["kim"])
    with counting() as calls:
        reply = api.get(f"/projects/{pid}/members/{kim}", as_="kim@acme.test", org="acme")
    assert reply.status == 200 and reply.json()["userId"] == people["kim"]["id"]
    assert handler_reads(calls) <= 2
    update = {"notes": "Delivery owner", "role": "Administrator", "tags": ["handover", "qa"], "title": "Delivery Manager"}
    reply = api.put(f"/projects/{pid}/members/{kim}", as_="sam@acme.test", org="acme", body=update)
    assert reply.status == 200 and {k: reply.json()[k] for k in update} == update
    assert api.put(f"/projects/{pid}/members/{kim}", as_=ADMIN, org="acme", body={"role": "Boss"}).status == 422
    assert api.put(f"/projects/{pid}/members/{kim}", as_=ADMIN, org="acme", body={"userId": people["lee"]["id"]}).status == 422
    # kim is now a project Administrator and can manage members
    assert api.post(f"/projects/{pid}/members", as_="kim@acme.test", org="acme", body={"userId": people["lee"]["id"]}).status == 200
    assert api.get(f"/projects/{pid}/members/{uuid.uuid4()}", as_=ADMIN, org="acme").status == 404
    assert api.get(f"/projects/{pid}/members/garbage", as_=ADMIN, org="acme").status == 404
    # removing a member: gone, their revenue rates too, and they lose sight of the project
    lee = member_id(project, people["lee"])
    assert api.post(f"/projects/{pid}/members/{lee}/rates/revenue", as_=ADMIN, org="acme", body=RATE).status == 200
    with counting() as calls:
        assert api.delete(f"/projects/{pid}/members/{lee}", as_="sam@acme.test", org="acme").status == 200
    assert handler_reads(calls) <= 2 and calls.writes == 1
    assert api.get(f"/projects/{pid}/members/{lee}", as_=ADMIN, org="acme").status == 404
    assert api.get(f"/projects/{pid}", as_="lee@acme.test", org="acme").status == 404
    assert api.post(f"/projects/{pid}/members", as_=ADMIN, org="acme", body={"userId": people["lee"]["id"]}).status == 200
    assert api.get(f"/projects/{pid}/members/{lee}/rates/revenue", as_=ADMIN, org="acme").json() == {}


def test_archived_membership_loses_visibility(api, project, people):
    pid, kim = project["id"], member_id(project, people["kim"])
    assert api.put(f"/projects/{pid}/members/{kim}", as_=ADMIN, org="acme", body={"archived": True}).status == 200
    assert api.get(f"/projects/{pid}", as_="kim@acme.test", org="acme").status == 404
    assert api.get("/projects", as_="kim@acme.test", org="acme").json() == {}


# --- revenue rates -------------------------------------------------------------------------------------

def test_revenue_rate_crud_reference_shape(api, project, people):
    pid, kim = project["id"], member_id(project, people["kim"])
    base = f"/projects/{pid}/members/{kim}/rates/revenue"
    with counting() as calls:
        reply = api.post(base, as_="sam@acme.test", org="acme", body=RATE)
    assert reply.status == 200, reply.body
    assert handler_reads(calls) <= 2 and calls.calls["TransactWriteItems"] == 1 and calls.writes == 1
    rate = reply.json()
    assert rate == {"currency": "USD", "from": "2026-06-30T22:00:00.000Z", "id": rate["id"], "memberId": kim, "projectId": pid,
                    "taxRate": 23, "to": "2026-12-31T22:59:59.000Z", "value": 145}
    with counting() as calls:
        assert api.get(f"{base}/{rate['id']}", as_=ADMIN, org="acme").json() == rate
    assert handler_reads(calls) <= 2
    assert api.get(base, as_=ADMIN, org="acme").json() == {rate["id"]: rate}
    reply = api.put(f"{base}/{rate['id']}", as_=ADMIN, org="acme", body={**RATE, "value": 155.25})
    assert reply.status == 200 and reply.json()["value"] == 155.25
    assert api.put(f"{base}/{rate['id']}", as_=ADMIN, org="acme", body={"to": None}).json()["to"] is None
    assert api.delete(f"{base}/{rate['id']}", as_=ADMIN, org="acme").json() == {}
    assert api.get(f"{base}/{rate['id']}", as_=ADMIN, org="acme").status == 404
    assert api.delete(f"{base}/{rate['id']}", as_=ADMIN, org="acme").status == 404


def test_revenue_rate_rights(api, project, people):
    pid, kim = project["id"], member_id(project, people["kim"])
    base = f"/projects/{pid}/members/{kim}/rates/revenue"
    assert api.get(base, as_="kim@acme.test", org="acme").status == 403
    assert api.post(base, as_="kim@acme.test", org="acme", body=RATE).status == 403
    assert api.get(base, as_="lee@acme.test", org="acme").status == 404
    assert api.post(f"/projects/{pid}/members/{uuid.uuid4()}/rates/revenue", as_=ADMIN, org="acme", body=RATE).status == 404
    api.signup("globex", "boss@globex.test")
    assert api.get(base, as_="boss@globex.test", org="globex").status == 404
    assert api.post(base, as_="boss@globex.test", org="globex", body=RATE).status == 404


@pytest.mark.parametrize("patch", [
    {"value": 1.234}, {"value": -1}, {"value": "lots"}, {"value": True}, {"taxRate": 101}, {"taxRate": -0.5},
    {"currency": "XYZ"}, {"currency": "usd"}, {"from": "2026-07-01"}, {"from": "2026-07-01T00:00:00"}, {"from": "yesterday"},
    {"to": "2026-06-01T00:00:00Z"}, {"to": "2026-07-01T00:00:00+02:00"}, {"value": 1e20}, {"extra": 1},
])
def test_revenue_rate_validation(api, project, people, patch):
    kim = member_id(project, people["kim"])
    reply = api.post(f"/projects/{project['id']}/members/{kim}/rates/revenue", as_=ADMIN, org="acme", body={**RATE, **patch})
    assert reply.status == 422, (patch, reply.body)


def test_revenue_windows_of_a_member_never_overlap(api, project, people):
    pid, kim, sam = project["id"], member_id(project, people["kim"]), member_id(project, people["sam"])
    base = f"/projects/{pid}/members/{kim}/rates/revenue"
    first = api.post(base, as_=ADMIN, org="acme", body={**RATE, "from": "2026-01-01T00:00:00Z", "to": "2026-07-01T00:00:00Z"}).json()
    clash = api.post(base, as_=ADMIN, org="acme", body={**RATE, "from": "2026-06-30T00:00:00Z", "to": None})
    assert clash.status == 409 and clash.json()["error"]["code"] == "RATE_OVERLAP"
    # touching windows are fine (to is exclusive), and another member's windows are independent
    nxt = api.post(base, as_=ADMIN, org="acme", body={**RATE, "from": "2026-07-01T00:00:00Z", "to": None})
    assert nxt.status == 200
    assert api.post(f"/projects/{pid}/members/{sam}/rates/revenue", as_=ADMIN, org="acme", body={**RATE, "from": "2026-01-01T00:00:00Z", "to": None}).status == 200
    # moving a window onto its neighbour is refused too
    assert api.put(f"{base}/{first['id']}", as_=ADMIN, org="acme", body={"to": "2026-08-01T00:00:00Z"}).status == 409
    assert api.put(f"{base}/{first['id']}", as_=ADMIN, org="acme", body={"to": "2026-03-01T00:00:00Z"}).status == 200


def test_concurrent_rate_writes_are_serialised_by_the_lock(api, project, people, seed):
    """Two writers that validated against the same snapshot: the second commit fails."""
    from sandglass.errors import Conflict
    from sandglass.models.rates import RateCreate
    from sandglass.repositories.rates import RateRepository, revenue_set
    from sandglass.storage.transaction import UnitOfWork

    org_id, pid = seed.org_id("acme"), project["id"]
    kim = member_id(project, people["kim"])
    repository = RateRepository()
    rate_set = revenue_set(org_id, pid, kim, people["kim"]["id"])
    snapshot = repository.snapshot(rate_set)  # both writers saw this
    body = RateCreate.model_validate({**RATE})
    first = {"id": str(uuid.uuid4()), "currency": "USD", "from": "2026-01-01T00:00:00.000Z", "to": None, "taxRate": body.taxRate, "value": body.value}
    second = {**first, "id": str(uuid.uuid4())}
    def save(rate):
        tx = UnitOfWork(repository.table)
        repository.stage_save(tx, rate_set, rate, snapshot.version)
        tx.commit()

    save(first)
    with pytest.raises(Conflict):
        save(second)
    assert len(repository.snapshot(rate_set).rates) == 1


def test_revenue_rate_lists_page(api, project, people):
    kim = member_id(project, people["kim"])
    base = f"/projects/{project['id']}/members/{kim}/rates/revenue"
    for month in range(1, 6):
        body = {**RATE, "from": f"2026-{month:02d}-01T00:00:00Z", "to": f"2026-{month + 1:02d}-01T00:00:00Z"}
        assert api.post(base, as_=ADMIN, org="acme", body=body).status == 200
    first = api.get(base, as_=ADMIN, org="acme", query={"limit": "3"})
    assert len(first.json()) == 3 and first.header("X-Next-Cursor")
    second = api.get(base, as_=ADMIN, org="acme", query={"limit": "3", "cursor": first.header("X-Next-Cursor")})
    assert len(second.json()) == 2 and not set(first.json()) & set(second.json())


def test_project_put_with_null_for_a_required_field_is_422(api, acme):
    project = api.post("/projects", as_="admin@acme.test", org="acme", body={"name": "Keep"}).json()
    for body in ({"name": None}, {"billable": None}, {"archived": None}):
        reply = api.put(f"/projects/{project['id']}", as_="admin@acme.test", org="acme", body=body)
        assert reply.status == 422, (body, reply.body)
    assert api.get(f"/projects/{project['id']}", as_="admin@acme.test", org="acme").json()["name"] == "Keep"


def test_an_activity_racing_a_project_delete_never_lands_in_the_deleted_project(api, project, people, monkeypatch):
    """The delete decided "no activities" from its reads; an entry recorded before its write marks
    the project (hasActivities), so the delete's condition fails instead of orphaning the entry."""
    from sandglass.repositories.projects import ProjectRepository

    pid = project["id"]
    recorded = []

    def no_activities_yet(self, org_id, project_id):
        recorded.append(api.post("/activities", as_="kim@acme.test", org="acme", body={
            "name": "just now", "projectId": pid, "startedAt": "2026-07-03T08:30:00Z", "endedAt": "2026-07-03T09:30:00Z"}))
        return False  # what the (eventually consistent) index showed the delete

    monkeypatch.setattr(ProjectRepository, "has_activities", no_activities_yet)
    raced = api.delete(f"/projects/{pid}", as_=ADMIN, org="acme")
    assert recorded[0].status == 200, recorded[0].body
    assert raced.status == 409, raced.body
    monkeypatch.undo()
    again = api.delete(f"/projects/{pid}", as_=ADMIN, org="acme")
    assert again.status == 409 and again.json()["error"]["code"] == "PROJECT_HAS_ACTIVITIES"
    assert api.get(f"/activities/{recorded[0].json()['id']}", as_="kim@acme.test", org="acme").json()["projectId"] == pid


def test_an_activity_after_a_project_delete_is_refused(api, project, people, seed):
    pid = project["id"]
    assert api.delete(f"/projects/{pid}", as_=ADMIN, org="acme").status == 200
    late = api.post("/activities", as_=ADMIN, org="acme", body={
        "name": "late", "projectId": pid, "startedAt": "2026-07-03T08:30:00Z", "endedAt": "2026-07-03T09:30:00Z"})
    assert late.status == 422, late.body
