"""Bad input answers 4xx with field details and stores nothing; never a 500."""

from __future__ import annotations

import pytest

from sandglass import keys


def _post(world, **fields):
    body = {"name": "x", "projectId": world.p["id"], "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z", **fields}
    body = {k: v for k, v in body.items() if v is not ...}
    return world.api.post("/activities", as_="sam@acme.test", org="acme", body=body)


def _fields(reply):
    return [d["field"] for d in reply.json()["error"].get("details", [])]


@pytest.mark.parametrize("fields, field", [
    ({"endedAt": "2026-07-03T08:00:00Z"}, "endedAt"),
    ({"endedAt": "2026-07-03T09:00:00Z"}, "endedAt"),
    ({"endedAt": "2026-07-04T09:00:01Z"}, "endedAt"),
    ({"name": "n" * 3001}, "name"),
    ({"projectId": "0b5e4a51-6d0a-4a3b-9d7e-2b1c1f9a0c11"}, "projectId"),
    ({"projectId": "not-a-uuid"}, "projectId"),
    ({"projectId": ...}, "projectId"),
    ({"startedAt": "2026-07-03T09:00:00"}, "startedAt"),
    ({"startedAt": "yesterday"}, "startedAt"),
    ({"startedAt": "0001-01-01T00:00:00+01:00"}, "startedAt"),
    ({"startedAt": "9999-12-31T23:59:59-01:00"}, "startedAt"),
    ({"startedAt": "2026-07-03T09:00:00Z" * 1000}, "startedAt"),
    ({"startedAt": 1751533200}, "startedAt"),
    ({"billable": "yes"}, "billable"),
    ({"pending": "true"}, "pending"),
    ({"userId": "bogus"}, "userId"),
    ({"surprise": 1}, "surprise"),
])
def test_invalid_create_is_422_with_the_field_and_stores_nothing(world, table, fields, field):
    reply = _post(world, **fields)
    assert reply.status == 422, reply.body
    assert field in _fields(reply), reply.body
    stored = table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
                         ExpressionAttributeValues={":pk": keys.org_pk(world.org_id), ":p": "ACTIVITY#"})
    assert stored["Items"] == []


def test_longest_name_and_exactly_24_hours_pass(world):
    assert _post(world, name="n" * 3000, endedAt="2026-07-04T09:00:00Z").status == 200


def test_organization_may_allow_longer_activities(world):
    assert _post(world, endedAt="2026-07-04T21:00:00Z").status == 422
    raised = world.api.put("/organization", as_="admin@acme.test", org="acme", body={"maxActivityHours": 48})
    assert raised.status == 200, raised.body
    assert _post(world, endedAt="2026-07-04T21:00:00Z").status == 200


def test_malformed_requests(world):
    api = world.api
    reply = api.post("/activities", as_="sam@acme.test", org="acme", body="{not json", headers={"Content-Type": "application/json"})
    assert reply.status == 400
    assert api.post("/activities", as_="sam@acme.test", org="acme", body=[1, 2]).status == 422
    assert api.get("/activities/not-a-uuid", as_="sam@acme.test", org="acme").status == 422
    assert api.put("/activities/not-a-uuid", as_="sam@acme.test", org="acme", body={"name": "x"}).status == 422
    assert api.delete("/activities/" + "x" * 500, as_="sam@acme.test", org="acme").status == 422
    assert api.get("/activities/0b5e4a51-6d0a-4a3b-9d7e-2b1c1f9a0c11", as_="sam@acme.test", org="acme").status == 404


def test_invalid_updates(world):
    api = world.api
    created = world.entry("sam@acme.test")
    path = f"/activities/{created['id']}"
    for body, field in [({"name": None}, "name"), ({"endedAt": None}, "endedAt"), ({"projectId": None}, "projectId"),
                        ({"endedAt": "2026-07-03T06:00:00Z"}, "endedAt"), ({"startedAt": "2026-07-03T09:00:00"}, "startedAt"),
                        ({"billable": 3}, "billable"), ({"name": "n" * 3001}, "name"), ({"id": "x"}, "id")]:
        reply = api.put(path, as_="sam@acme.test", org="acme", body=body)
        assert reply.status == 422, (body, reply.body)
        assert field in _fields(reply), (body, reply.body)
    assert api.get(path, as_="sam@acme.test", org="acme").json() == created


@pytest.mark.parametrize("query, field", [
    ({"from": "tomorrow"}, "from"),
    ({"to": "2026-07-03T09:00:00"}, "to"),
    ({"from": "2026-07-03T09:00:00Z", "to": "2026-07-03T08:00:00Z"}, "to"),
    ({"userId": "nope"}, "userId"),
    ({"projectId": "nope"}, "projectId"),
    ({"pending": "maybe"}, "pending"),
    ({"limit": "0"}, "limit"),
    ({"limit": "1001"}, "limit"),
    ({"limit": "many"}, "limit"),
])
def test_invalid_list_query_is_422(world, query, field):
    reply = world.api.get("/activities", as_="sam@acme.test", org="acme", query=query)
    assert reply.status == 422, reply.body
    assert field in _fields(reply)


def test_org_wide_range_is_bounded(world):
    reply = world.api.get("/activities", as_="admin@acme.test", org="acme", query={"from": "2024-01-01T00:00:00Z"})
    assert reply.status == 422
    ok = world.api.get("/activities", as_="admin@acme.test", org="acme", query={"from": "2024-01-01T00:00:00Z", "userId": world.sam["id"]})
    assert ok.status == 200


@pytest.mark.parametrize("header", ["9" * 5000, "²", '"²"', "١", '"1x"', ""])
def test_malformed_if_match_is_400_not_500(world, header):
    created = world.entry("sam@acme.test")
    path = f"/activities/{created['id']}"
    for call in (lambda: world.api.put(path, as_="sam@acme.test", org="acme", body={"name": "x"}, headers={"If-Match": header}),
                 lambda: world.api.delete(path, as_="sam@acme.test", org="acme", headers={"If-Match": header})):
        reply = call()
        assert reply.status == 400, (header[:10], reply.body)
        assert reply.json()["error"]["code"] == "INVALID_IF_MATCH"
    assert world.api.get(path, as_="sam@acme.test", org="acme").json() == created
