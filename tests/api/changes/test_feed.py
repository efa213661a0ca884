"""GET /changes: the change log written from the table's stream, read as a feed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sandglass import keys
from tests.api.changes.conftest import ADMIN
from tests.api.cursors import tampered
from tests.conftest import fixed_clock

SAM = "sam@acme.test"


def _entry(api, who, project_id, start="2026-07-03T09:00:00Z", end="2026-07-03T10:00:00Z", name="Work"):
    reply = api.post("/activities", as_=who, org="acme", body={"name": name, "projectId": project_id, "startedAt": start, "endedAt": end})
    assert reply.status == 200, reply.body
    return reply.json()


def _project(api, name="Website"):
    reply = api.post("/projects", as_=ADMIN, org="acme", body={"name": name})
    assert reply.status == 200, reply.body
    return reply.json()


def _member(api, email=SAM, name="Sam"):
    reply = api.post("/users", as_=ADMIN, org="acme", body={"email": email, "name": name})
    assert reply.status == 200, reply.body
    return reply.json()


def test_create_update_delete_are_logged_in_order_with_state_actor_and_tombstone(api, acme, streaming, feed):
    project = _project(api)
    activity = _entry(api, ADMIN, project["id"])
    assert api.put(f"/activities/{activity['id']}", as_=ADMIN, org="acme", body={"name": "Renamed"}).status == 200
    assert api.delete(f"/activities/{activity['id']}", as_=ADMIN, org="acme").status == 200
    changes, _ = feed(types="activity")
    assert [c["operation"] for c in changes] == ["created", "updated", "deleted"]
    assert {c["entityId"] for c in changes} == {activity["id"]}
    created, updated, deleted = changes
    assert created["state"]["name"] == "Work" and updated["state"]["name"] == "Renamed"
    assert not any(name in created["state"] for name in keys.KEY_ATTRIBUTES)
    assert deleted["state"] is None
    assert created["actor"] == created["state"]["userId"]
    assert created["id"] < updated["id"] < deleted["id"]
    assert created["at"].endswith("Z")


def test_markers_fences_and_idempotency_records_are_not_changes(api, acme, streaming, feed):
    project = _project(api)
    reply = api.post("/activities", as_=ADMIN, org="acme", headers={"Idempotency-Key": "k-1"},
                     body={"name": "Timer", "projectId": project["id"], "startedAt": "2026-07-03T09:00:00Z", "pending": True})
    assert reply.status == 200, reply.body
    changes, _ = feed()
    kinds = {c["entityType"] for c in changes}
    assert kinds <= set(keys.CHANGE_ENTITY_TYPES)
    assert [c["entityType"] for c in changes if c["entityId"] == reply.json()["id"]] == ["activity"]
    stored = [c for c in changes if c["entityType"] == "activity"]
    assert len(stored) == 1  # the running-timer marker and the idempotency record are not activities


def test_types_filter_and_unknown_type(api, acme, streaming, feed):
    _project(api)
    changes, _ = feed(types="project")
    assert changes and {c["entityType"] for c in changes} == {"project"}
    _entry(api, ADMIN, changes[0]["entityId"])
    both, _ = feed(types="project,activity")
    assert {c["entityType"] for c in both} == {"project", "activity"}
    reply = api.get("/changes", as_=ADMIN, org="acme", query={"types": "project,unicorn"})
    assert reply.status == 422 and "unicorn" in reply.body


def test_pages_and_polling_with_the_cursor(api, acme, streaming, feed):
    project = _project(api)
    for n in range(5):
        _entry(api, ADMIN, project["id"], start=f"2026-07-0{n + 1}T09:00:00Z", end=f"2026-07-0{n + 1}T10:00:00Z")
    whole, cursor = feed(types="activity")
    paged, cursor2 = feed(types="activity", limit=2)
    assert [c["id"] for c in paged] == [c["id"] for c in whole] and len(whole) == 5
    # nothing new: an empty page and a cursor to poll with
    again, _ = feed(since=cursor)
    assert again == []
    _entry(api, ADMIN, project["id"], start="2026-07-09T09:00:00Z", end="2026-07-09T10:00:00Z")
    fresh, _ = feed(since=cursor, types="activity")
    assert len(fresh) == 1 and fresh[0]["operation"] == "created"


def test_since_now_starts_at_the_end(api, acme, streaming, feed):
    _project(api, "Before")
    reply = api.get("/changes", as_=ADMIN, org="acme", query={"since": "now"})
    assert reply.status == 200 and reply.json()["changes"] == []
    _project(api, "After")
    changes, _ = feed(since=reply.json()["nextCursor"])
    assert [c["state"]["name"] for c in changes if c["entityType"] == "project"] == ["After"]


def test_a_cursor_older_than_the_retention_is_gone(api, acme, streaming):
    start = datetime(2026, 8, 1, tzinfo=timezone.utc)
    clock = fixed_clock(start)
    next(clock)
    try:
        cursor = api.get("/changes", as_=ADMIN, org="acme").json()["nextCursor"]
        from sandglass.clock import get_clock

        get_clock().advance(days=29)
        assert api.get("/changes", as_=ADMIN, org="acme", query={"since": cursor}).status == 200
        get_clock().advance(days=2)
        reply = api.get("/changes", as_=ADMIN, org="acme", query={"since": cursor})
        assert reply.status == 410 and reply.json()["error"]["code"] == "CURSOR_EXPIRED"
        assert "since=now" in reply.json()["error"]["message"]
    finally:
        next(clock, None)


def test_a_tampered_or_foreign_cursor_is_refused(api, acme, streaming):
    api.signup("globex", "boss@globex.test")
    cursor = api.get("/changes", as_=ADMIN, org="acme").json()["nextCursor"]
    assert api.get("/changes", as_=ADMIN, org="acme", query={"since": tampered(cursor)}).status == 400
    foreign = api.get("/changes", as_="boss@globex.test", org="globex").json()["nextCursor"]
    assert api.get("/changes", as_=ADMIN, org="acme", query={"since": foreign}).status == 400


def test_users_read_only_the_changes_of_their_own_entities(api, acme, streaming, feed):
    project = _project(api)
    sam = _member(api)
    assert api.post(f"/projects/{project['id']}/members", as_=ADMIN, org="acme", body={"userId": sam["id"], "role": "User"}).status == 200
    mine = _entry(api, SAM, project["id"])
    _entry(api, ADMIN, project["id"], start="2026-07-04T09:00:00Z", end="2026-07-04T10:00:00Z")
    changes, _ = feed(SAM)
    assert {c["entityType"] for c in changes} <= {"activity", "member", "projectMember", "preferences", "memberLocks", "costRate", "report", "request"}
    activities = [c for c in changes if c["entityType"] == "activity"]
    assert [c["entityId"] for c in activities] == [mine["id"]]
    everything, _ = feed(ADMIN, types="activity")
    assert len(everything) == 2


def test_other_organizations_changes_never_show(api, acme, streaming, feed):
    api.signup("globex", "boss@globex.test")
    reply = api.post("/projects", as_="boss@globex.test", org="globex", body={"name": "Secret"})
    assert reply.status == 200
    changes, _ = feed()
    assert all(c["entityId"] != reply.json()["id"] for c in changes)


def test_a_redelivered_stream_record_is_logged_once(api, acme, gateway, feed):
    """Lambda redelivers a batch after a failure: the second delivery writes nothing."""
    pump = gateway.start_streams(after_requests=False)
    batches = []
    original = gateway.invoke

    def keep(logical_id, event):
        if logical_id == "ChangesStreamFunction":
            batches.append(event)
        return original(logical_id, event)

    gateway.invoke = keep
    project = _project(api)
    pump.pump()
    gateway.invoke = original
    before, _ = feed(types="project")
    for batch in batches:
        assert gateway.invoke("ChangesStreamFunction", batch) == {"batchItemFailures": []}
    after, _ = feed(types="project")
    assert after == before and [c["entityId"] for c in after] == [project["id"]]
