"""Timesheet unlock and approval requests: creation rights, each resolution's effect on the lock check
of the Timesheets routes, REJECTED changing nothing, duplicates and double resolution."""

from __future__ import annotations

from tests.api.requests.conftest import ADMIN, BOSS, OLA, PIA, SAM

WEEK_45_ENTRY = ("2026-11-03T08:00:00Z", "2026-11-03T10:00:00Z")  # Tuesday of ISO week 45 (Warsaw)


def lock_week(w, user, year=2026, week=45):
    reply = w.call("POST", "/timesheets/lock", ADMIN, {"userId": user["id"], "year": year, "week": week})
    assert reply.status == 200, reply.body


def write_entry(w, who=SAM, span=WEEK_45_ENTRY):
    return w.call("POST", "/activities", who, {"name": "Work", "projectId": w.project["id"], "startedAt": span[0], "endedAt": span[1]})


def test_unlock_request_is_pending_with_the_reference_fields_and_administrators_hear_of_it(world, outbox):
    lock_week(world, world.sam)
    request = world.create("/requests/timesheets/2026/45/unlock")
    assert request == {"createdAt": "2026-11-13T12:00:00.000Z", "createdBy": world.sam["id"], "id": request["id"], "resolvedAt": None,
                       "resolvedBy": None, "status": "PENDING", "type": "TIMESHEET_UNLOCK", "year": 2026, "week": 45, "unlockedTo": None}
    notified = {message["to"] for message in outbox() if message["kind"] == "request-created"}
    assert notified == {ADMIN, BOSS}  # every active Administrator, not the requester or other members
    assert world.stored_request(request["id"])["status"] == "PENDING"


def test_a_duplicate_pending_request_returns_the_existing_one(world):
    lock_week(world, world.sam)
    first = world.create("/requests/timesheets/2026/45/unlock")
    again = world.create("/requests/timesheets/2026/45/unlock")
    assert again["id"] == first["id"]
    listed = world.call("GET", "/requests", ADMIN).json()
    assert list(listed) == [first["id"]]
    # once resolved, asking again is a new request
    world.resolve(first["id"], "/timesheets/unlock", status="REJECTED")
    assert world.create("/requests/timesheets/2026/45/unlock")["id"] != first["id"]


def test_an_unlock_request_needs_a_locked_week_and_a_real_week(world):
    reply = world.call("POST", "/requests/timesheets/2026/46/unlock", SAM)
    assert reply.status == 409 and reply.json()["error"]["code"] == "WEEK_NOT_LOCKED"
    assert world.call("POST", "/requests/timesheets/2026/54/unlock", SAM).status == 422
    assert world.call("POST", "/requests/timesheets/2026/0/unlock", SAM).status == 422
    assert world.call("POST", "/requests/timesheets/20x6/45/unlock", SAM).status == 422
    assert world.call("POST", "/requests/timesheets/1900/1/unlock", SAM).status == 422
    assert world.call("GET", "/requests", ADMIN).json() == {}


def test_resolving_an_unlock_opens_a_window_the_lock_check_honours(world, clock, outbox):
    lock_week(world, world.sam)
    assert write_entry(world).status == 409
    request = world.create("/requests/timesheets/2026/45/unlock")
    resolved = world.resolve(request["id"], "/timesheets/unlock", who=BOSS)
    assert resolved["status"] == "RESOLVED" and resolved["resolvedBy"] == world.boss["id"]
    assert resolved["resolvedAt"] == "2026-11-13T12:00:00.000Z" and resolved["unlockedTo"] == "2026-11-15T12:00:00.000Z"
    window = world.locks(world.sam["id"]).weeks[(2026, 45)]
    assert window.unlocked_to.isoformat().startswith("2026-11-15T12:00")
    assert write_entry(world).status == 200  # the Timesheets lock check sees the window
    told = [message for message in outbox() if message["kind"] == "request-resolved"]
    assert [message["to"] for message in told] == [SAM] and "2026-11-15T12:00:00.000Z" in told[0]["text"]
    clock.advance(hours=49)
    assert write_entry(world, span=("2026-11-04T08:00:00Z", "2026-11-04T09:00:00Z")).status == 409  # locked again


def test_the_unlock_window_follows_the_organization_setting(world):
    assert world.call("PUT", "/organization", ADMIN, {"unlockWindowHours": 3}).json()["unlockWindowHours"] == 3
    assert world.call("PUT", "/organization", ADMIN, {"unlockWindowHours": 0}).status == 422
    lock_week(world, world.sam)
    request = world.create("/requests/timesheets/2026/45/unlock")
    assert world.resolve(request["id"], "/timesheets/unlock")["unlockedTo"] == "2026-11-13T15:00:00.000Z"


def test_rejecting_changes_nothing_but_the_request(world, outbox):
    lock_week(world, world.sam)
    before = world.locks(world.sam["id"])
    request = world.create("/requests/timesheets/2026/45/unlock")
    rejected = world.resolve(request["id"], "/timesheets/unlock", status="REJECTED")
    assert rejected["status"] == "REJECTED" and rejected["unlockedTo"] is None
    after = world.locks(world.sam["id"])
    assert (after.version, after.weeks) == (before.version, before.weeks)
    assert write_entry(world).status == 409
    assert any(message["kind"] == "request-resolved" and "rejected" in message["subject"] for message in outbox())


def test_a_request_is_resolved_once(world):
    lock_week(world, world.sam)
    request = world.create("/requests/timesheets/2026/45/unlock")
    world.resolve(request["id"], "/timesheets/unlock", status="REJECTED")
    for status in ("RESOLVED", "REJECTED"):
        reply = world.call("PUT", f"/requests/{request['id']}/timesheets/unlock", ADMIN, {"status": status})
        assert reply.status == 409 and reply.json()["error"]["code"] == "REQUEST_ALREADY_RESOLVED", reply.body
    assert world.stored_request(request["id"])["status"] == "REJECTED"
    assert world.locks(world.sam["id"]).weeks[(2026, 45)].unlocked_to is None


def test_who_may_resolve(world):
    lock_week(world, world.sam)
    request = world.create("/requests/timesheets/2026/45/unlock")
    path = f"/requests/{request['id']}/timesheets/unlock"
    own = world.call("PUT", path, SAM, {"status": "RESOLVED"})
    assert own.status == 403, own.body
    assert world.call("PUT", path, PIA, {"status": "RESOLVED"}).status == 404  # not theirs to see
    assert world.call("PUT", path, ADMIN, {"status": "MAYBE"}).status == 422
    assert world.call("PUT", path, ADMIN, {}).status == 422
    wrong = world.call("PUT", f"/requests/{request['id']}/timesheets/approvals", ADMIN, {"status": "RESOLVED"})
    assert wrong.status == 409 and wrong.json()["error"]["code"] == "WRONG_REQUEST_TYPE"
    assert "/timesheets/unlock" in wrong.json()["error"]["message"]
    assert world.stored_request(request["id"])["status"] == "PENDING"


def test_administrators_resolve_their_own_requests_only_when_they_are_the_only_one(api, seed, clock, outbox):
    api.signup("solo", "owner@solo.test", "Solo")
    owner_id = api.get("/auth", as_="owner@solo.test", org="solo").json()["userId"]
    assert api.post("/timesheets/lock", as_="owner@solo.test", org="solo", body={"userId": owner_id, "year": 2026, "week": 45}).status == 200
    request = api.post("/requests/timesheets/2026/45/unlock", as_="owner@solo.test", org="solo").json()
    reply = api.put(f"/requests/{request['id']}/timesheets/unlock", as_="owner@solo.test", org="solo", body={"status": "RESOLVED"})
    assert reply.status == 200 and reply.json()["status"] == "RESOLVED"
    # with a second Administrator the first may no longer answer their own
    seed.member("solo", "second@solo.test", role="Administrator")
    request = api.post("/requests/timesheets/2026/45/approvals", as_="owner@solo.test", org="solo").json()
    reply = api.put(f"/requests/{request['id']}/timesheets/approvals", as_="owner@solo.test", org="solo", body={"status": "RESOLVED"})
    assert reply.status == 403 and reply.json()["error"]["code"] == "OWN_REQUEST"


def test_approval_marks_the_week_approved_and_locks_it(world):
    assert write_entry(world).status == 200  # week 45 is open
    request = world.create("/requests/timesheets/2026/45/approvals")
    assert request["type"] == "TIMESHEET_APPROVAL" and set(request) == {"createdAt", "createdBy", "id", "resolvedAt", "resolvedBy", "status",
                                                                         "type", "year", "week"}
    world.resolve(request["id"], "/timesheets/approvals")
    state = world.locks(world.sam["id"])
    assert state.approvals[(2026, 45)].request_id == request["id"]
    assert state.weeks[(2026, 45)].unlocked_to is None
    reply = write_entry(world, span=("2026-11-05T08:00:00Z", "2026-11-05T09:00:00Z"))
    assert reply.status == 409 and reply.json()["error"]["code"] == "PERIOD_LOCKED"
    again = world.call("POST", "/requests/timesheets/2026/45/approvals", SAM)
    assert again.status == 409 and again.json()["error"]["code"] == "WEEK_ALREADY_APPROVED"
    # the monthly timesheet shows it
    month = world.call("GET", f"/timesheets?monthOf=2026-11-01&userId={world.sam['id']}", SAM).json()
    assert month["approvedDays"] == "0" + "1" * 7 + "0" * 22 and month["approved"] is False
    assert month["lockedDays"][1:8] == "1" * 7


def test_an_approval_request_waits_for_the_week_to_start(world):
    reply = world.call("POST", "/requests/timesheets/2026/47/approvals", SAM)
    assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == "week"
    assert world.call("POST", "/requests/timesheets/2026/46/approvals", SAM).status == 200  # the current week


def test_rejected_approval_leaves_the_week_open(world):
    request = world.create("/requests/timesheets/2026/45/approvals")
    world.resolve(request["id"], "/timesheets/approvals", status="REJECTED")
    assert world.locks(world.sam["id"]).approvals == {}
    assert write_entry(world).status == 200


def test_unlocking_an_approved_week_withdraws_the_approval(world):
    approval = world.create("/requests/timesheets/2026/45/approvals")
    world.resolve(approval["id"], "/timesheets/approvals")
    unlock = world.create("/requests/timesheets/2026/45/unlock")
    world.resolve(unlock["id"], "/timesheets/unlock")
    state = world.locks(world.sam["id"])
    assert state.approvals == {} and state.weeks[(2026, 45)].unlocked_to is not None
    assert write_entry(world).status == 200


def test_members_ask_for_their_own_week_only(world):
    lock_week(world, world.ola)
    request = world.create("/requests/timesheets/2026/45/unlock", who=OLA)
    assert request["createdBy"] == world.ola["id"]
    assert world.call("POST", "/requests/timesheets/2026/45/unlock", SAM).status == 409  # Sam's week is not locked


def test_approved_weeks_show_in_reports(world):
    in_45 = write_entry(world).json()
    in_46 = write_entry(world, span=("2026-11-10T08:00:00Z", "2026-11-10T09:00:00Z")).json()
    request = world.create("/requests/timesheets/2026/45/approvals")
    world.resolve(request["id"], "/timesheets/approvals")
    november = {"period": "custom", "start": "2026-11-01T00:00:00+01:00", "end": "2026-11-30T23:59:59+01:00"}

    detailed = world.call("POST", "/reports/results?view=detailed", ADMIN, november)
    assert detailed.status == 200, detailed.body
    rows = {row["id"]: row["approved"] for row in detailed.json()["rows"]}
    assert rows == {in_45["id"]: True, in_46["id"]: False}

    approved_only = {**november, "filters": [{"field": "approved", "operator": "is", "value": True}]}
    rows = world.call("POST", "/reports/results?view=detailed", ADMIN, approved_only).json()["rows"]
    assert [row["id"] for row in rows] == [in_45["id"]]

    summary = world.call("POST", "/reports/results", ADMIN, {**november, "dimensions": ["approved"], "metrics": ["time"]}).json()
    assert {group["label"]: group["totals"]["time"] for group in summary["groups"]} == {"Approved": 7_200_000, "Not approved": 3_600_000}


def test_concurrent_identical_requests_make_one(world):
    import threading

    lock_week(world, world.sam)
    barrier, replies = threading.Barrier(6), []

    def ask():
        barrier.wait()
        replies.append(world.call("POST", "/requests/timesheets/2026/45/unlock", SAM))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [reply.status for reply in replies] == [200] * 6, [reply.body for reply in replies]
    assert len({reply.json()["id"] for reply in replies}) == 1
    assert len(world.call("GET", "/requests", ADMIN).json()) == 1
