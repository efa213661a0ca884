"""Geofence definitions: shapes, ETags, rights, validation, and their lookup entries following them."""

from __future__ import annotations

import pytest

from sandglass import keys

ADMIN, SAM, WARSAW = "admin@acme.test", "sam@acme.test", (52.2297, 21.0122)

MISSING = "00000000-0000-4000-8000-000000000000"


def _cells(table, world, geofence_id):
    items = table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
                        ExpressionAttributeValues={":pk": keys.org_pk(world.org_id), ":p": keys.GEOFENCE_CELL_SK_PREFIX})["Items"]
    return sorted(item["cell"] for item in items if item["geofenceId"] == geofence_id)


def test_create_returns_the_reference_shape_with_an_etag(world):
    reply = world.api.post("/geofences", as_=ADMIN, org="acme", body={
        "enterAction": "START_TRACKING_PROJECT", "exitAction": "STOP_TRACKING", "latitude": 52.2297, "longitude": 21.0122,
        "name": "Warsaw office", "projectId": world.p["id"], "radius": 120})
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body == {"enterAction": "START_TRACKING_PROJECT", "exitAction": "STOP_TRACKING", "id": body["id"], "latitude": 52.2297,
                    "longitude": 21.0122, "name": "Warsaw office", "projectId": world.p["id"], "radius": 120}
    assert reply.header("ETag") == '"1"'


def test_every_member_reads_the_list_and_one(world):
    first = world.geofence()
    second = world.geofence(name="Depot", latitude=50.0, longitude=19.9, radius=500.5, enterAction="NONE", exitAction="NONE", projectId=None)
    listed = world.api.get("/geofences", as_=SAM, org="acme")
    assert listed.status == 200
    assert set(listed.json()) == {first["id"], second["id"]}
    assert listed.json()[second["id"]] == {**second, "projectId": None}
    one = world.api.get(f"/geofences/{first['id']}", as_=SAM, org="acme")
    assert one.status == 200 and one.json() == first and one.header("ETag") == '"1"'


def test_list_pages_with_a_cursor(world):
    made = {world.geofence(name=f"G{n}")["id"] for n in range(3)}
    page = world.api.get("/geofences", as_=SAM, org="acme", query={"limit": "2"})
    assert len(page.json()) == 2 and page.header("X-Next-Cursor")
    rest = world.api.get("/geofences", as_=SAM, org="acme", query={"limit": "2", "cursor": page.header("X-Next-Cursor")})
    assert set(page.json()) | set(rest.json()) == made


def test_update_any_subset_with_if_match(world):
    made = world.geofence()
    path = f"/geofences/{made['id']}"
    reply = world.api.put(path, as_=ADMIN, org="acme", body={"radius": 150}, headers={"If-Match": '"1"'})
    assert reply.status == 200, reply.body
    assert reply.json() == {**made, "radius": 150} and reply.header("ETag") == '"2"'
    stale = world.api.put(path, as_=ADMIN, org="acme", body={"name": "Old"}, headers={"If-Match": '"1"'})
    assert stale.status == 412
    full = world.api.put(path, as_=ADMIN, org="acme", body={**{k: v for k, v in made.items() if k != "id"}, "radius": 200,
                                                            "enterAction": "START_TRACKING", "projectId": None})
    assert full.status == 200 and full.json()["projectId"] is None and full.json()["enterAction"] == "START_TRACKING"
    assert world.api.get(path, as_=SAM, org="acme").json()["radius"] == 200


def test_delete_removes_the_geofence_and_its_cells(world, table):
    made = world.geofence()
    assert _cells(table, world, made["id"])
    path = f"/geofences/{made['id']}"
    assert world.api.delete(path, as_=ADMIN, org="acme", headers={"If-Match": '"7"'}).status == 412
    reply = world.api.delete(path, as_=ADMIN, org="acme")
    assert reply.status == 200 and reply.json() == {}
    assert world.api.get(path, as_=SAM, org="acme").status == 404
    assert world.api.delete(path, as_=ADMIN, org="acme").status == 404
    assert _cells(table, world, made["id"]) == []
    assert world.enter(*WARSAW).json() is None


def test_moving_a_geofence_moves_its_cells(world, table):
    made = world.geofence()
    before = _cells(table, world, made["id"])
    reply = world.api.put(f"/geofences/{made['id']}", as_=ADMIN, org="acme", body={"latitude": 50.0614, "longitude": 19.9366})
    assert reply.status == 200
    after = _cells(table, world, made["id"])
    assert after and not set(after) & set(before)
    assert world.enter(*WARSAW).json() is None
    assert world.enter(50.0614, 19.9366).json()["name"] == "Warsaw office"


def test_users_cannot_manage(world):
    made = world.geofence()
    body = {"name": "Mine", "latitude": 1, "longitude": 1, "radius": 100, "enterAction": "NONE", "exitAction": "NONE"}
    assert world.api.post("/geofences", as_=SAM, org="acme", body=body).status == 403
    assert world.api.put(f"/geofences/{made['id']}", as_=SAM, org="acme", body={"radius": 300}).status == 403
    assert world.api.delete(f"/geofences/{made['id']}", as_=SAM, org="acme").status == 403
    assert world.api.get(f"/geofences/{made['id']}", as_=SAM, org="acme").json()["radius"] == 120


def test_another_organizations_geofence_is_404(world, api):
    api.signup("globex", "boss@globex.test", "Globex")
    theirs = api.post("/geofences", as_="boss@globex.test", org="globex", body={
        "name": "HQ", "latitude": WARSAW[0], "longitude": WARSAW[1], "radius": 120, "enterAction": "NONE", "exitAction": "NONE"}).json()
    for call in (api.get, api.delete):
        assert call(f"/geofences/{theirs['id']}", as_=ADMIN, org="acme").status == 404
    assert api.put(f"/geofences/{theirs['id']}", as_=ADMIN, org="acme", body={"radius": 300}).status == 404
    assert theirs["id"] not in api.get("/geofences", as_=ADMIN, org="acme").json()
    # their geofence never fires for our members
    assert world.enter(*WARSAW).json() is None
    for bad in (MISSING, "not-a-uuid", MISSING.upper().replace("-", "")):
        assert api.get(f"/geofences/{bad}", as_=ADMIN, org="acme").status == 404


@pytest.mark.parametrize("field,value", [
    ("latitude", 90.0001), ("latitude", -90.0001), ("latitude", "52.1"), ("latitude", True), ("latitude", None),
    ("longitude", 180.0001), ("longitude", -180.0001),
    ("radius", 9.99), ("radius", 50000.01), ("radius", 0), ("radius", -5),
    ("enterAction", "STOP_TRACKING"), ("enterAction", "start_tracking"), ("exitAction", "START_TRACKING"),
    ("name", ""), ("name", "x" * 201), ("projectId", "nope"), ("bogus", 1),
])
def test_invalid_fields_are_422(world, field, value):
    body = {"name": "G", "latitude": 1.5, "longitude": 2.5, "radius": 100, "enterAction": "NONE", "exitAction": "NONE", field: value}
    reply = world.api.post("/geofences", as_=ADMIN, org="acme", body=body)
    assert reply.status == 422, reply.body
    assert reply.json()["error"]["details"][0]["field"] == field


def test_bounds_are_inclusive(world):
    for lat, lon, radius in ((90, 180, 10), (-90, -180, 50000)):
        made = world.geofence(latitude=lat, longitude=lon, radius=radius)
        assert (made["latitude"], made["longitude"], made["radius"]) == (lat, lon, radius)


def test_project_rules(world):
    def post(**fields):
        body = {"name": "G", "latitude": 1.5, "longitude": 2.5, "radius": 100, "exitAction": "NONE", **fields}
        return world.api.post("/geofences", as_=ADMIN, org="acme", body=body)

    for reply, message in ((post(enterAction="START_TRACKING_PROJECT"), "required"),
                           (post(enterAction="START_TRACKING_PROJECT", projectId=None), "required"),
                           (post(enterAction="START_TRACKING_PROJECT", projectId=MISSING), "No such project"),
                           (post(enterAction="START_TRACKING_PROJECT", projectId=world.archived["id"]), "archived"),
                           (post(enterAction="START_TRACKING", projectId=world.archived["id"]), "archived")):
        assert reply.status == 422, reply.body
        detail = reply.json()["error"]["details"][0]
        assert detail["field"] == "projectId" and message in detail["message"]
    assert post(enterAction="START_TRACKING").status == 200
    assert post(enterAction="NONE", projectId=world.q["id"]).status == 200


def test_update_validates_the_result(world):
    made = world.geofence(enterAction="NONE", projectId=None)
    path = f"/geofences/{made['id']}"
    assert world.api.put(path, as_=ADMIN, org="acme", body={"enterAction": "START_TRACKING_PROJECT"}).status == 422
    tracked = world.geofence()
    cleared = world.api.put(f"/geofences/{tracked['id']}", as_=ADMIN, org="acme", body={"projectId": None})
    assert cleared.status == 422 and cleared.json()["error"]["details"][0]["field"] == "projectId"
    for field in ("name", "radius", "enterAction"):
        reply = world.api.put(path, as_=ADMIN, org="acme", body={field: None})
        assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == field
    assert world.api.put(path, as_=ADMIN, org="acme", body={"radius": 5}).status == 422
    assert world.api.get(path, as_=ADMIN, org="acme").json() == made
