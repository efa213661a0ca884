"""The organization's overlap policy (allow / warn / reject) and totals that count wall time once."""

from __future__ import annotations


def _policy(world, policy: str) -> None:
    reply = world.api.put("/organization", as_=world.admin, org="acme", body={"overlapPolicy": policy})
    assert reply.status == 200, reply.body
    assert reply.json()["overlapPolicy"] == policy


def _post(world, who, project, start, end=None, **extra):
    body = {"name": "Work", "projectId": project["id"], "startedAt": start, **extra}
    if end is not None:
        body["endedAt"] = end
    return world.api.post("/activities", as_=who, org="acme", body=body)


def _stored_ids(world, who="sam@acme.test"):
    reply = world.api.get("/activities", as_=who, org="acme", query={"from": "2026-07-01T00:00:00Z", "to": "2026-08-01T00:00:00Z"})
    assert reply.status == 200, reply.body
    return set(reply.json())


def test_the_default_is_allow_and_totals_count_wall_time_once(world):
    sam = "sam@acme.test"
    assert world.api.get("/organization", as_=world.admin, org="acme").json()["overlapPolicy"] == "allow"
    first = _post(world, sam, world.p, "2026-07-03T09:00:00Z", "2026-07-03T10:00:00Z")
    second = _post(world, sam, world.q, "2026-07-03T09:30:00Z", "2026-07-03T10:30:00Z")
    assert first.status == second.status == 200
    assert "X-Overlapping-Activities" not in second.headers
    totals = world.api.get("/timesheets/dayTotals", as_=sam, org="acme", query={"date": "2026-07-03"})
    assert totals.status == 200, totals.body
    assert totals.json() == {"2026-07-03": 90}
    month = world.api.get("/timesheets", as_=sam, org="acme", query={"monthOf": "2026-07-01", "userId": world.sam["id"]})
    assert month.json()["sumTimeSpent"] == 90


def test_warn_accepts_and_names_the_conflicts(world):
    sam = "sam@acme.test"
    _policy(world, "warn")
    first = _post(world, sam, world.p, "2026-07-03T09:00:00Z", "2026-07-03T10:00:00Z")
    assert "X-Overlapping-Activities" not in first.headers
    second = _post(world, sam, world.q, "2026-07-03T09:30:00Z", "2026-07-03T10:30:00Z")
    assert second.status == 200
    assert second.headers["X-Overlapping-Activities"] == first.json()["id"]
    assert _stored_ids(world) == {first.json()["id"], second.json()["id"]}


def test_reject_is_409_naming_the_conflicting_entry_on_any_project(world):
    sam = "sam@acme.test"
    _policy(world, "reject")
    first = _post(world, sam, world.p, "2026-07-03T09:00:00Z", "2026-07-03T10:00:00Z").json()
    for project in (world.p, world.q):
        refused = _post(world, sam, project, "2026-07-03T09:30:00Z", "2026-07-03T10:30:00Z")
        assert refused.status == 409, refused.body
        error = refused.json()["error"]
        assert error["code"] == "ACTIVITY_OVERLAP"
        assert first["id"] in error["message"]
        assert [item["activityId"] for item in error["details"]] == [first["id"]]
    assert _stored_ids(world) == {first["id"]}
    # touching is not overlapping, and another member's time is theirs
    assert _post(world, sam, world.p, "2026-07-03T10:00:00Z", "2026-07-03T11:00:00Z").status == 200
    assert _post(world, "pia@acme.test", world.p, "2026-07-03T09:30:00Z", "2026-07-03T10:30:00Z").status == 200


def test_reject_covers_running_timers_both_ways(world):
    sam = "sam@acme.test"
    _policy(world, "reject")
    finished = _post(world, sam, world.p, "2026-07-15T09:00:00Z", "2026-07-15T10:00:00Z").json()
    # a timer started inside a finished entry
    refused = _post(world, sam, world.q, "2026-07-15T09:30:00Z", pending=True)
    assert refused.status == 409 and refused.json()["error"]["details"][0]["activityId"] == finished["id"]
    timer = _post(world, sam, world.q, "2026-07-15T10:30:00Z", pending=True)
    assert timer.status == 200, timer.body
    # a finished entry inside the running timer
    refused = _post(world, sam, world.p, "2026-07-15T11:00:00Z", "2026-07-15T11:15:00Z")
    assert refused.status == 409 and refused.json()["error"]["details"][0]["activityId"] == timer.json()["id"]
    # starting a new timer stops the running one at its start: no overlap
    assert _post(world, sam, world.p, "2026-07-15T11:30:00Z", pending=True).status == 200


def test_reject_applies_to_updates_that_move_an_entry_onto_another(world):
    sam = "sam@acme.test"
    _policy(world, "reject")
    first = _post(world, sam, world.p, "2026-07-03T09:00:00Z", "2026-07-03T10:00:00Z").json()
    second = _post(world, sam, world.q, "2026-07-03T11:00:00Z", "2026-07-03T12:00:00Z").json()
    moved = world.api.put(f"/activities/{second['id']}", as_=sam, org="acme", body={"startedAt": "2026-07-03T09:59:00Z"})
    assert moved.status == 409 and moved.json()["error"]["details"][0]["activityId"] == first["id"]
    renamed = world.api.put(f"/activities/{second['id']}", as_=sam, org="acme", body={"name": "Renamed", "startedAt": "2026-07-03T10:00:00Z"})
    assert renamed.status == 200, renamed.body


def test_reports_count_shared_time_once_for_the_entry_that_started_first(world):
    sam = "sam@acme.test"
    _post(world, sam, world.p, "2026-07-03T09:00:00Z", "2026-07-03T10:00:00Z")
    _post(world, sam, world.q, "2026-07-03T09:30:00Z", "2026-07-03T10:30:00Z")
    body = {"name": "Overlaps", "period": "custom", "start": "2026-07-01T00:00:00Z", "end": "2026-07-31T23:59:59Z", "dimensions": ["project"], "metrics": ["time"]}
    reply = world.api.post("/reports/results", as_=sam, org="acme", body=body)
    assert reply.status == 200, reply.body
    result = reply.json()
    assert result["totals"]["time"] == 90 * 60_000
    by_project = {group["key"]: group["totals"]["time"] for group in result["groups"]}
    assert by_project == {world.p["id"]: 60 * 60_000, world.q["id"]: 30 * 60_000}


def _interleaved(world, monkeypatch, policy: str, middle):
    """POST /activities for Sam at 09:00-10:00 while `middle` (another write of Sam's entries)
    lands between that write's overlap check and its transaction. Returns both replies and how
    many transactions the first write tried."""
    from sandglass.repositories.activities import ActivityRepository

    _policy(world, policy)
    commit = ActivityRepository.commit
    state = {"calls": 0, "middle": None}

    def commit_after_the_middle_write(self, *args, **kwargs):
        state["calls"] += 1
        if state["middle"] is None:
            state["middle"] = "running"
            state["middle"] = middle()
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(ActivityRepository, "commit", commit_after_the_middle_write)
    first = _post(world, "sam@acme.test", world.p, "2026-07-03T09:00:00Z", "2026-07-03T10:00:00Z")
    monkeypatch.setattr(ActivityRepository, "commit", commit)
    return first, state["middle"], state["calls"]


def test_reject_holds_when_a_concurrent_write_lands_between_check_and_commit(world, monkeypatch):
    first, middle, calls = _interleaved(world, monkeypatch, "reject",
                                        lambda: _post(world, "sam@acme.test", world.q, "2026-07-03T09:30:00Z", "2026-07-03T10:30:00Z"))
    assert middle.status == 200, middle.body
    assert first.status == 409, first.body
    error = first.json()["error"]
    assert error["code"] == "ACTIVITY_OVERLAP"
    assert middle.json()["id"] in error["message"]
    assert [item["activityId"] for item in error["details"]] == [middle.json()["id"]]
    assert _stored_ids(world) == {middle.json()["id"]}
    assert calls == 2  # the middle write's commit, then the first write's (refused by the fence)


def test_reject_catches_an_entry_moved_in_between_check_and_commit(world, monkeypatch):
    sam = "sam@acme.test"
    elsewhere = _post(world, sam, world.q, "2026-07-03T12:00:00Z", "2026-07-03T13:00:00Z").json()
    first, middle, _ = _interleaved(world, monkeypatch, "reject", lambda: world.api.put(
        f"/activities/{elsewhere['id']}", as_=sam, org="acme", body={"startedAt": "2026-07-03T09:30:00Z", "endedAt": "2026-07-03T10:30:00Z"}))
    assert middle.status == 200, middle.body
    assert first.status == 409, first.body
    assert first.json()["error"]["code"] == "ACTIVITY_OVERLAP"
    assert _stored_ids(world) == {elsewhere["id"]}


def test_warn_reports_an_entry_written_between_check_and_commit(world, monkeypatch):
    first, middle, _ = _interleaved(world, monkeypatch, "warn",
                                    lambda: _post(world, "sam@acme.test", world.q, "2026-07-03T09:30:00Z", "2026-07-03T10:30:00Z"))
    assert middle.status == first.status == 200
    assert "X-Overlapping-Activities" not in middle.headers
    assert first.headers["X-Overlapping-Activities"] == middle.json()["id"]
    assert _stored_ids(world) == {first.json()["id"], middle.json()["id"]}


def test_allow_writes_no_fence(world):
    from sandglass import keys
    from sandglass.storage.table import Table

    _post(world, "sam@acme.test", world.p, "2026-07-03T09:00:00Z", "2026-07-03T10:00:00Z")
    assert Table().get(keys.entries_fence(world.org_id, world.sam["id"])) is None
