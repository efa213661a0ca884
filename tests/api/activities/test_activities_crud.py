"""Activities CRUD: Sandtime shapes, ETag/If-Match, idempotent create, locks, moves across indexes."""

from __future__ import annotations

from sandglass import keys


def test_create_answers_the_reference_shape_in_utc(world):
    api = world.api
    reply = api.post("/activities", as_="sam@acme.test", org="acme", body={
        "name": "Implement API docs page", "projectId": world.p["id"],
        "startedAt": "2026-07-03T09:00:00+02:00", "endedAt": "2026-07-03T10:30:00+02:00"})
    assert reply.status == 200, reply.body
    body = reply.json()
    assert set(body) == {"id", "name", "projectId", "userId", "billable", "startedAt", "endedAt"}
    assert body["startedAt"] == "2026-07-03T07:00:00.000Z"
    assert body["endedAt"] == "2026-07-03T08:30:00.000Z"
    assert body["userId"] == world.sam["id"] and body["projectId"] == world.p["id"]
    assert body["billable"] is True  # from the project
    assert reply.header("ETag") == '"1"'
    got = api.get(f"/activities/{body['id']}", as_="sam@acme.test", org="acme")
    assert got.status == 200 and got.json() == body and got.header("ETag") == '"1"'


def test_billable_defaults_from_project_and_can_be_overridden(world):
    assert world.entry("sam@acme.test", world.q)["billable"] is False
    assert world.entry("sam@acme.test", world.q, billable=True)["billable"] is True
    assert world.entry("sam@acme.test", world.p, billable=False)["billable"] is False


def test_milliseconds_are_kept_and_offsets_honoured(world):
    body = world.entry("sam@acme.test", start="2026-07-03T09:00:00.123456-05:00", end="2026-07-03T16:00:00.5Z")
    assert body["startedAt"] == "2026-07-03T14:00:00.123Z"
    assert body["endedAt"] == "2026-07-03T16:00:00.500Z"


def test_update_and_delete(world):
    api = world.api
    created = world.entry("sam@acme.test")
    reply = api.put(f"/activities/{created['id']}", as_="sam@acme.test", org="acme",
                    body={"billable": False, "endedAt": "2026-07-03T11:00:00+02:00", "name": "Polish the REST API guide"})
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body == {**created, "billable": False, "endedAt": "2026-07-03T09:00:00.000Z", "name": "Polish the REST API guide"}
    assert reply.header("ETag") == '"2"'
    deleted = api.delete(f"/activities/{created['id']}", as_="sam@acme.test", org="acme")
    assert deleted.status == 200 and deleted.json() == {}
    assert api.get(f"/activities/{created['id']}", as_="sam@acme.test", org="acme").status == 404
    assert api.delete(f"/activities/{created['id']}", as_="sam@acme.test", org="acme").status == 404


def test_stale_if_match_gives_412_and_changes_nothing(world):
    api = world.api
    created = world.entry("sam@acme.test")
    path = f"/activities/{created['id']}"
    first = api.put(path, as_="sam@acme.test", org="acme", body={"name": "one"}, headers={"If-Match": '"1"'})
    assert first.status == 200 and first.header("ETag") == '"2"'
    stale = api.put(path, as_="sam@acme.test", org="acme", body={"name": "two"}, headers={"If-Match": '"1"'})
    assert stale.status == 412, stale.body
    assert api.delete(path, as_="sam@acme.test", org="acme", headers={"If-Match": '"1"'}).status == 412
    assert api.get(path, as_="sam@acme.test", org="acme").json()["name"] == "one"
    assert api.put(path, as_="sam@acme.test", org="acme", body={"name": "x"}, headers={"If-Match": "garbage"}).status == 400
    assert api.delete(path, as_="sam@acme.test", org="acme", headers={"If-Match": '"2"'}).status == 200


def test_stale_version_lost_inside_the_transaction_is_412(world):
    """Two writers read version 1; the second's conditional Put fails in DynamoDB (not in Python)."""
    from sandglass.context import TenantContext
    from sandglass.errors import PreconditionFailed
    from sandglass.models.activities import ActivityUpdate
    from sandglass.services.activities import ActivityService

    created = world.entry("sam@acme.test")
    tenant = TenantContext(world.org_id, "acme", world.sam["id"], "sam@acme.test", "User")
    service = ActivityService()
    real_get = service.repository.get
    snapshot = real_get(world.org_id, created["id"])
    service.repository.get = lambda org_id, activity_id: snapshot  # a reader that saw version 1
    service.update(tenant, created["id"], ActivityUpdate(name="first"), if_match=1)
    try:
        service.update(tenant, created["id"], ActivityUpdate(name="second"), if_match=1)
    except PreconditionFailed:
        pass
    else:
        raise AssertionError("the stale write was applied")
    assert real_get(world.org_id, created["id"]).name == "first"


def _count_activities(table, org_id):
    response = table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
                           ExpressionAttributeValues={":pk": keys.org_pk(org_id), ":p": keys.ACTIVITY_SK_PREFIX})
    return len(response["Items"])


def test_idempotent_create_returns_the_first_result(world, table):
    api = world.api
    body = {"name": "Once", "projectId": world.p["id"], "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z"}
    first = api.post("/activities", as_="sam@acme.test", org="acme", body=body, headers={"Idempotency-Key": "abc-1"})
    again = api.post("/activities", as_="sam@acme.test", org="acme", body=body, headers={"Idempotency-Key": "abc-1"})
    assert first.status == again.status == 200
    assert first.json() == again.json()
    assert again.header("ETag") == '"1"'
    assert _count_activities(table, world.org_id) == 1
    record = table.get_item(TableName="sandglass-test", Key=keys.idempotency(world.org_id, world.sam["id"], __import__("hashlib").sha256(b"abc-1").hexdigest()))["Item"]
    assert int(record["expiresAt"]) > 0
    reused = api.post("/activities", as_="sam@acme.test", org="acme", body={**body, "name": "Other"}, headers={"Idempotency-Key": "abc-1"})
    assert reused.status == 422 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    # the key is scoped to the caller: another member's same key is a new create
    other = api.post("/activities", as_="admin@acme.test", org="acme", body=body, headers={"Idempotency-Key": "abc-1"})
    assert other.status == 200 and other.json()["id"] != first.json()["id"]
    assert _count_activities(table, world.org_id) == 2
    assert api.post("/activities", as_="sam@acme.test", org="acme", body=body, headers={"Idempotency-Key": "x" * 300}).status == 422


def test_expired_idempotency_record_is_ignored(world, clock, table):
    api = world.api
    body = {"name": "Once", "projectId": world.p["id"], "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z"}
    first = api.post("/activities", as_="sam@acme.test", org="acme", body=body, headers={"Idempotency-Key": "k"})
    clock.advance(hours=25)
    later = api.post("/activities", as_="sam@acme.test", org="acme", body=body, headers={"Idempotency-Key": "k"})
    assert later.status == 200 and later.json()["id"] != first.json()["id"]


def test_locked_activity_only_org_admins_change_it(world):
    api = world.api
    created = world.entry("sam@acme.test")
    path = f"/activities/{created['id']}"
    assert api.put(path, as_="sam@acme.test", org="acme", body={"locked": True}).status == 403
    locked = api.put(path, as_="admin@acme.test", org="acme", body={"locked": True})
    assert locked.status == 200 and locked.json()["locked"] is True
    assert api.get(path, as_="sam@acme.test", org="acme").json()["locked"] is True
    refused = api.put(path, as_="sam@acme.test", org="acme", body={"name": "sneaky"})
    assert refused.status == 409 and refused.json()["error"]["code"] == "ACTIVITY_LOCKED"
    assert api.put(path, as_="pia@acme.test", org="acme", body={"name": "sneaky"}).status == 409
    assert api.delete(path, as_="sam@acme.test", org="acme").status == 409
    assert api.put(path, as_="admin@acme.test", org="acme", body={"name": "fixed"}).status == 200
    unlocked = api.put(path, as_="admin@acme.test", org="acme", body={"locked": False})
    assert "locked" not in unlocked.json()
    assert api.delete(path, as_="sam@acme.test", org="acme").status == 200
    # users cannot create locked entries either
    body = {"name": "x", "projectId": world.p["id"], "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z", "locked": True}
    assert api.post("/activities", as_="sam@acme.test", org="acme", body=body).status == 403
    assert api.post("/activities", as_="admin@acme.test", org="acme", body=body).json()["locked"] is True


def _index_keys(table, org_id, activity_id):
    item = table.get_item(TableName="sandglass-test", Key=keys.activity(org_id, activity_id))["Item"]
    return item["GSI1PK"], item["GSI2PK"], item["GSI3PK"], item["GSI1SK"], item["GSI3SK"]


def test_admin_correction_moves_user_project_and_month_consistently(world, table):
    api = world.api
    created = world.entry("sam@acme.test")
    path = f"/activities/{created['id']}"
    moved = api.put(path, as_="admin@acme.test", org="acme", body={
        "userId": world.ola["id"], "projectId": world.q["id"],
        "startedAt": "2026-08-02T09:00:00Z", "endedAt": "2026-08-02T10:00:00Z"})
    assert moved.status == 200, moved.body
    gsi1, gsi2, gsi3, gsi1sk, gsi3sk = _index_keys(table, world.org_id, created["id"])
    assert gsi1 == keys.user_partition(world.org_id, world.ola["id"])
    assert gsi2 == keys.project_partition(world.org_id, world.q["id"])
    assert gsi3 == keys.month_partition(world.org_id, "2026-08")
    assert gsi1sk == f"ACT#2026-08-02T09:00:00.000Z#{created['id']}" and gsi3sk == f"ACT#2026-08-02T09:00:00.000Z#{created['id']}"
    # the organization notes the month (outside the transaction: see test_activities_rush.py)
    assert table.get_item(TableName="sandglass-test", Key=keys.time_data_month(world.org_id, "2026-08"))["Item"]["month"] == "2026-08"
    as_admin = lambda **q: api.get("/activities", as_="admin@acme.test", org="acme", query=q).json()
    assert created["id"] in as_admin(userId=world.ola["id"])
    assert created["id"] not in as_admin(userId=world.sam["id"])
    assert created["id"] in as_admin(projectId=world.q["id"])
    assert created["id"] not in as_admin(projectId=world.p["id"])
    assert created["id"] in as_admin(**{"from": "2026-08-01T00:00:00Z", "to": "2026-09-01T00:00:00Z"})
    assert created["id"] not in as_admin(**{"from": "2026-07-01T00:00:00Z", "to": "2026-08-01T00:00:00Z"})
    # sam no longer sees it, ola does
    assert api.get(path, as_="sam@acme.test", org="acme").status == 404
    assert api.get(path, as_="ola@acme.test", org="acme").status == 200


def test_org_purge_removes_activities(world, api, gateway, table):
    world.entry("sam@acme.test")
    world.entry("sam@acme.test", start="2026-08-03T09:00:00Z", end="2026-08-03T10:00:00Z")
    assert api.delete("/organization", as_="admin@acme.test", org="acme").status == 200
    gateway.run_jobs()
    left = table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": keys.org_pk(world.org_id)})
    assert left["Items"] == []


def test_write_guards_join_every_write_transaction(world):
    """The hook the Timesheets locks use: a guard's ConditionCheck fails -> nothing is written."""
    from sandglass.context import TenantContext
    from sandglass.errors import Conflict
    from sandglass.models.activities import ActivityCreate, ActivityUpdate
    from sandglass.services.activities import ActivityService
    from sandglass.storage import table as db

    seen = []
    lock = {"on": False}

    class PeriodLock:
        def wanted(self, tenant, user_ids):
            return []

        def __call__(self, tx, tenant, images, reads, now):
            seen.append([(image.id, image.running) for image in images])
            if lock["on"]:
                # a lock item that does not exist: attribute_exists fails, as a "locked week" check would
                tx.check(keys.organization(tenant.org_id), "attribute_not_exists(PK)", fail=Conflict("The week is locked", code="PERIOD_LOCKED"))

    service = ActivityService(guards=[PeriodLock()])
    tenant = TenantContext(world.org_id, "acme", world.sam["id"], "sam@acme.test", "User")
    created = service.create(tenant, ActivityCreate(name="x", projectId=world.p["id"], startedAt="2026-07-03T09:00:00Z", endedAt="2026-07-03T10:00:00Z"))
    first = service.create(tenant, ActivityCreate(projectId=world.p["id"], pending=True, startedAt="2026-07-15T08:00:00Z"))
    second = service.create(tenant, ActivityCreate(projectId=world.p["id"], pending=True, startedAt="2026-07-15T09:00:00Z"))
    timer, new = first.activity.id, second.activity.id
    # the stopped timer is guarded too: its running and its stopped image
    assert seen == [[(created.activity.id, False)], [(timer, True)], [(new, True), (timer, True), (timer, False)]]
    lock["on"] = True
    for attempt in (lambda: service.update(tenant, created.activity.id, ActivityUpdate(name="y")),
                    lambda: service.delete(tenant, created.activity.id)):
        try:
            attempt()
        except Conflict as error:
            assert error.code == "PERIOD_LOCKED"
        else:
            raise AssertionError("the guard was not applied")
    assert service.get(tenant, created.activity.id).activity.name == "x"


def test_lowering_the_hour_limit_does_not_block_renaming_older_entries(world):
    long = world.entry(world.admin, start="2026-07-03T00:00:00Z", end="2026-07-03T20:00:00Z")
    assert world.api.put("/organization", as_=world.admin, org="acme", body={"maxActivityHours": 8}).status == 200
    reply = world.api.put(f"/activities/{long['id']}", as_=world.admin, org="acme", body={"name": "Renamed"})
    assert reply.status == 200, reply.body
    # changing its times is checked against the new limit
    reply = world.api.put(f"/activities/{long['id']}", as_=world.admin, org="acme", body={"endedAt": "2026-07-03T19:00:00Z"})
    assert reply.status == 422
