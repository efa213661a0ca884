"""Running timers: one per member (by DynamoDB), start-stops-previous, stop by PUT, races."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sandglass import keys


def _start(world, who="sam@acme.test", start=None, **extra):
    body = {"name": "Timer", "projectId": world.p["id"], "pending": True, **extra}
    if start:
        body["startedAt"] = start
    return world.api.post("/activities", as_=who, org="acme", body=body)


def _marker(table, world, user_id):
    return table.get_item(TableName="sandglass-test", Key=keys.running_timer(world.org_id, user_id)).get("Item")


def _running(world, who="sam@acme.test"):
    listed = world.api.get("/activities", as_=who, org="acme", query={"pending": "true"}).json()
    return list(listed.values())


def test_start_timer_defaults_to_now_and_writes_the_marker(world, table):
    reply = _start(world)
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["pending"] is True and body["endedAt"] is None
    assert body["startedAt"] == "2026-07-15T12:00:00.000Z"
    assert _marker(table, world, world.sam["id"])["activityId"] == body["id"]


def test_starting_a_timer_stops_the_running_one_at_the_new_start(world, table):
    first = _start(world, start="2026-07-15T08:00:00Z").json()
    second = _start(world, start="2026-07-15T10:30:00+02:00").json()
    old = world.api.get(f"/activities/{first['id']}", as_="sam@acme.test", org="acme")
    assert old.json()["endedAt"] == "2026-07-15T08:30:00.000Z" and "pending" not in old.json()
    assert old.header("ETag") == '"2"'
    assert [a["id"] for a in _running(world)] == [second["id"]]
    assert _marker(table, world, world.sam["id"])["activityId"] == second["id"]


def test_new_timer_must_start_after_the_running_one(world):
    _start(world, start="2026-07-15T08:00:00Z")
    reply = _start(world, start="2026-07-15T07:00:00Z")
    assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == "startedAt"
    assert len(_running(world)) == 1


def test_a_timer_running_too_long_is_stopped_at_the_limit(world):
    first = _start(world, start="2026-07-13T08:00:00Z").json()
    _start(world, start="2026-07-15T09:00:00Z")
    old = world.api.get(f"/activities/{first['id']}", as_="sam@acme.test", org="acme").json()
    assert old["endedAt"] == "2026-07-14T08:00:00.000Z"


def test_put_ended_at_stops_the_timer_and_frees_the_marker(world, table):
    started = _start(world, start="2026-07-15T08:00:00Z").json()
    stopped = world.api.put(f"/activities/{started['id']}", as_="sam@acme.test", org="acme", body={"endedAt": "2026-07-15T11:00:00+02:00"})
    assert stopped.status == 200, stopped.body
    assert stopped.json()["endedAt"] == "2026-07-15T09:00:00.000Z" and "pending" not in stopped.json()
    assert _marker(table, world, world.sam["id"]) is None
    fresh = _start(world, start="2026-07-15T08:30:00Z")  # nothing runs: no stop, no ordering rule
    assert fresh.status == 200


def test_pending_false_stops_at_now_and_a_stopped_timer_cannot_restart(world, table):
    started = _start(world, start="2026-07-15T08:00:00Z").json()
    path = f"/activities/{started['id']}"
    stopped = world.api.put(path, as_="sam@acme.test", org="acme", body={"pending": False})
    assert stopped.json()["endedAt"] == "2026-07-15T12:00:00.000Z"
    assert world.api.put(path, as_="sam@acme.test", org="acme", body={"pending": True}).status == 422
    assert _marker(table, world, world.sam["id"]) is None


def test_stopping_a_timer_still_checks_the_duration(world):
    started = _start(world, start="2026-07-13T08:00:00Z").json()
    reply = world.api.put(f"/activities/{started['id']}", as_="sam@acme.test", org="acme", body={"pending": False})
    assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == "endedAt"


def test_deleting_a_running_timer_frees_the_marker(world, table):
    started = _start(world).json()
    assert world.api.delete(f"/activities/{started['id']}", as_="sam@acme.test", org="acme").status == 200
    assert _marker(table, world, world.sam["id"]) is None


def test_timer_shape_errors(world):
    reply = _start(world, endedAt="2026-07-15T13:00:00Z")
    assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == "endedAt"
    reply = world.api.post("/activities", as_="sam@acme.test", org="acme", body={"name": "x", "projectId": world.p["id"], "startedAt": "2026-07-15T08:00:00Z"})
    assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == "endedAt"


def test_timers_are_per_member(world, table):
    assert _start(world).status == 200
    assert _start(world, who="pia@acme.test").status == 200
    assert len(_running(world)) == 1 and len(_running(world, "pia@acme.test")) == 1


def test_admin_moving_a_running_timer_moves_the_marker(world, table):
    started = _start(world).json()
    moved = world.api.put(f"/activities/{started['id']}", as_="admin@acme.test", org="acme", body={"userId": world.pia["id"]})
    assert moved.status == 200, moved.body
    assert _marker(table, world, world.sam["id"]) is None
    assert _marker(table, world, world.pia["id"])["activityId"] == started["id"]
    # pia already runs one now: moving another running timer onto her is refused by the marker
    other = _start(world).json()
    clash = world.api.put(f"/activities/{other['id']}", as_="admin@acme.test", org="acme", body={"userId": world.pia["id"]})
    assert clash.status == 409 and clash.json()["error"]["code"] == "TIMER_RUNNING"


def test_twenty_concurrent_starts_leave_exactly_one_running(world, table):
    # Each thread is its own client going through the gateway (authorizer and handler, with a
    # module instance per thread as Lambda gives each concurrent request its own environment).
    # tests/conftest.py makes each emulated DynamoDB call atomic, as the real service does; the
    # gaps between our own calls stay fully concurrent.
    base = datetime(2026, 7, 15, 9, 0, tzinfo=timezone.utc)
    barrier = threading.Barrier(20)
    statuses: list[int] = [0] * 20

    def start(index: int) -> None:
        barrier.wait()
        statuses[index] = _start(world, start=(base + timedelta(minutes=index)).isoformat()).status

    threads = [threading.Thread(target=start, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("statuses", sorted(statuses))
    assert set(statuses) <= {200, 409, 422}, statuses
    assert statuses.count(200) >= 1
    running = _running(world)
    assert len(running) == 1, running
    assert _marker(table, world, world.sam["id"])["activityId"] == running[0]["id"]
    every = world.api.get("/activities", as_="sam@acme.test", org="acme").json()
    assert len(every) == statuses.count(200)  # losers stored nothing
    assert all(a.get("endedAt") for a in every.values() if a["id"] != running[0]["id"])


def test_a_timer_purged_with_its_project_does_not_block_the_next_one(world, table, gateway):
    running = _start(world, start="2026-07-15T08:00:00Z").json()
    reply = world.api.delete(f"/projects/{world.p['id']}", as_=world.admin, org="acme", query={"cascade": "true"})
    assert reply.status == 200, reply.body
    gateway.run_jobs()
    assert world.api.get(f"/activities/{running['id']}", as_="sam@acme.test", org="acme").status == 404
    # the marker still points at the purged activity; the next timer takes it over
    body = {"name": "Next", "projectId": world.q["id"], "pending": True, "startedAt": "2026-07-15T09:00:00Z"}
    reply = world.api.post("/activities", as_="sam@acme.test", org="acme", body=body)
    assert reply.status == 200, reply.body
    assert _marker(table, world, world.sam["id"])["activityId"] == reply.json()["id"]


def test_a_running_timer_put_back_as_read_is_accepted(world, table):
    """GET -> edit -> PUT of a running timer restates `pending: true` and `endedAt: null`: both
    describe its current state, so they are no-ops (not 422); contradictions stay 422."""
    started = _start(world, start="2026-07-15T08:00:00Z").json()
    path = f"/activities/{started['id']}"
    body = {key: value for key, value in started.items() if key != "id"}
    reply = world.api.put(path, as_="sam@acme.test", org="acme", body={**body, "name": "Renamed"})
    assert reply.status == 200, reply.body
    assert reply.json() == {**started, "name": "Renamed"}
    assert _marker(table, world, world.sam["id"])["activityId"] == started["id"]
    for contradiction, field in (({"pending": False, "endedAt": None}, "endedAt"),
                                 ({"pending": True, "endedAt": "2026-07-15T09:00:00Z"}, "pending")):
        refused = world.api.put(path, as_="sam@acme.test", org="acme", body=contradiction)
        assert refused.status == 422 and field in [d["field"] for d in refused.json()["error"]["details"]], refused.body
    assert _running(world)[0]["name"] == "Renamed"
    # a stopped activity still refuses both
    stopped = world.api.put(path, as_="sam@acme.test", org="acme", body={"endedAt": "2026-07-15T09:00:00Z"}).json()
    for again in ({"pending": True}, {"endedAt": None}):
        assert world.api.put(path, as_="sam@acme.test", org="acme", body=again).status == 422
    # and none of this reveals another member's activity
    assert world.api.put(path, as_="ola@acme.test", org="acme", body={"endedAt": None}).status == 404
    assert world.api.get(path, as_="sam@acme.test", org="acme").json() == stopped
