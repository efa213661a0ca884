"""The 9:00 rush on real DynamoDB terms: concurrent transactions that include one item conflict
(sandglass_local.txconflicts makes the test table raise TransactionConflict as DynamoDB does)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sandglass import ids, keys
from sandglass_local import txconflicts

RUSH = 20


def _rush(world, members, projects):
    """Every member starts a timer at once, through the gateway, each on their project."""
    barrier = threading.Barrier(len(members))
    replies = [None] * len(members)
    start = datetime(2026, 7, 15, 7, 0, tzinfo=timezone.utc)

    def run(index):
        barrier.wait()
        replies[index] = world.api.post("/activities", as_=members[index]["email"], org="acme", body={
            "name": "Stand-up", "projectId": projects[index]["id"], "pending": True,
            "startedAt": (start + timedelta(seconds=index)).isoformat()})

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(members))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return replies


def _members(seed, count):
    return [seed.member("acme", f"rush{i}@acme.test") for i in range(count)]


def test_a_rush_of_starts_on_separate_projects_shares_no_item(world, seed):
    """No organization-wide item (such as a month marker) takes part in an activity's transaction:
    twenty members starting at once raise not a single transaction conflict."""
    members = _members(seed, RUSH)
    projects = [seed.project("acme", f"P{i}", members={m["id"]: "User"}) for i, m in enumerate(members)]
    txconflicts.reset()
    replies = _rush(world, members, projects)
    assert [r.status for r in replies] == [200] * RUSH, [r.body for r in replies if r.status != 200]
    assert txconflicts.conflicts() == {}


def test_a_rush_of_starts_on_one_project_shares_no_item(world, seed):
    """Members' entries are guarded by their own membership item, not by the project item, so a
    busy project's rush does not conflict either."""
    members = _members(seed, RUSH)
    project = seed.project("acme", "Daily", members={m["id"]: "User" for m in members})
    txconflicts.reset()
    replies = _rush(world, members, [project] * RUSH)
    assert [r.status for r in replies] == [200] * RUSH, [r.body for r in replies if r.status != 200]
    listed = world.api.get("/activities", as_=world.admin, org="acme", query={"projectId": project["id"], "pending": "true"}).json()
    assert len(listed) == RUSH
    assert txconflicts.conflicts() == {}


def test_a_rush_on_a_shared_item_answers_200_or_409_and_stores_exactly_the_200s(world, seed):
    """Administrators' entries ConditionCheck the project item, so twenty at once on one project
    conflict; retries land most or all of them, and whatever is refused stored nothing."""
    admins = [seed.member("acme", f"boss{i}@acme.test", role="Administrator") for i in range(RUSH)]
    txconflicts.reset()
    replies = _rush(world, admins, [world.p] * RUSH)
    assert {r.status for r in replies} <= {200, 409}
    assert all(r.json()["error"]["code"] == "TRANSACTION_CONFLICT" for r in replies if r.status == 409)
    listed = world.api.get("/activities", as_=world.admin, org="acme", query={"projectId": world.p["id"], "pending": "true"}).json()
    assert sorted(listed) == sorted(r.json()["id"] for r in replies if r.status == 200)


def _hold(world, membership_of):
    key = keys.project_member(world.org_id, world.p["id"], ids.project_member_id(world.p["id"], membership_of))
    holder = txconflicts._key_of("sandglass-test", {name: {"S": value} for name, value in key.items()})
    with txconflicts._lock:
        txconflicts._in_flight[holder] += 1  # another transaction holds the item
    return holder


def _release(holder):
    with txconflicts._lock:
        txconflicts._in_flight.pop(holder, None)


def test_a_conflicting_transaction_is_retried_and_lands(world, monkeypatch):
    from sandglass.storage import retry

    holder = _hold(world, world.sam["id"])
    waits = []

    def pause(seconds):
        waits.append(len(waits))
        if len(waits) == 3:
            _release(holder)  # the other transaction commits meanwhile

    monkeypatch.setattr(retry, "sleep", pause)
    try:
        reply = world.api.post("/activities", as_=world.sam["email"], org="acme", body={
            "name": "x", "projectId": world.p["id"], "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z"})
    finally:
        _release(holder)
    assert reply.status == 200, reply.body
    assert waits == [0, 1, 2] and txconflicts.conflicts() == {"TransactionConflict": 3}


def test_a_conflict_that_persists_is_a_409_and_changes_nothing(world, monkeypatch):
    """When every attempt conflicts, the caller gets 409 TRANSACTION_CONFLICT and nothing is stored."""
    from sandglass.storage import retry

    monkeypatch.setattr(retry, "sleep", lambda seconds: None)
    sam = world.sam
    holder = _hold(world, sam["id"])  # held throughout
    try:
        reply = world.api.post("/activities", as_=sam["email"], org="acme", body={
            "name": "x", "projectId": world.p["id"], "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z"})
    finally:
        _release(holder)
    assert reply.status == 409 and reply.json()["error"]["code"] == "TRANSACTION_CONFLICT", reply.body
    assert world.api.get("/activities", as_=sam["email"], org="acme").json() == {}
    assert txconflicts.conflicts()["TransactionConflict"] == retry.CONFLICTS.attempts
