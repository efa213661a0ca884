"""Timesheet locks through the API: the Sandtime and 4me routes, and their enforcement on every
activity write path (world: Europe/Warsaw, now = Friday 2026-11-13 13:00 local, ISO week 46)."""

from __future__ import annotations

import threading
import pytest

from sandglass.timefmt import iso

ADMIN = "admin@acme.test"
SAM = "sam@acme.test"
PIA = "pia@acme.test"
OTHER_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def lock(w, who=ADMIN, body=None, **query):
    path = "/timesheets/lock" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return w.api.post(path, as_=who, org="acme", body=body)


def unlock(w, who=ADMIN, **query):
    return w.api.delete("/timesheets/lock?" + "&".join(f"{k}={v}" for k, v in query.items()), as_=who, org="acme")


def week_lock(w, user, year=2026, week=45, **extra):
    reply = lock(w, body={"userId": user["id"], "year": year, "week": week, **extra})
    assert reply.status == 200, reply.body
    return reply.json()


def create(w, who, start, end=None, user=None, **extra):
    body = {"name": "Work", "projectId": w.project["id"], "startedAt": start, **extra}
    if end is None:
        body["pending"] = True
    else:
        body["endedAt"] = end
    if user is not None:
        body["userId"] = user["id"]
    return w.api.post("/activities", as_=who, org="acme", body=body)


def created(w, who, start, end=None, user=None):
    reply = create(w, who, start, end, user)
    assert reply.status == 200, reply.body
    return reply.json()


def assert_locked(reply, period):
    assert reply.status == 409, reply.body
    error = reply.json()["error"]
    assert error["code"] == "PERIOD_LOCKED" and period in error["message"], error


def stored(w, activity_id):
    from sandglass.repositories.activities import ActivityRepository

    return ActivityRepository().get(w.org_id, activity_id)


# --- Sandtime routes ----------------------------------------------------------------------------------

def test_sandtime_lock_shape_replace_and_delete(world, clock):
    w = world
    first = week_lock(w, w.sam, 2026, 27)
    assert set(first) == {"createdAt", "id", "unlockedTo", "updatedAt", "userId", "week", "year"}
    assert first["userId"] == w.sam["id"] and (first["year"], first["week"]) == (2026, 27) and first["unlockedTo"] is None
    assert first["createdAt"] == first["updatedAt"] == "2026-11-13T12:00:00.000Z"
    clock.advance(minutes=5)
    again = week_lock(w, w.sam, 2026, 27, unlockedTo="2026-11-14T20:00:00+02:00")  # replaces: same id, window opened
    assert again == {**first, "unlockedTo": "2026-11-14T18:00:00.000Z", "updatedAt": "2026-11-13T12:05:00.000Z"}
    other = week_lock(w, w.pia, 2026, 27)
    assert other["id"] != first["id"]
    listed = w.api.get("/timesheets/locks", as_=ADMIN, org="acme").json()
    assert set(listed["weekLocks"]) == {first["id"], other["id"]} and listed["weekLocks"][first["id"]] == again
    assert listed["timeZone"] == "Europe/Warsaw" and listed["watermark"] is None
    reply = w.api.delete(f"/timesheets/lock/{first['id']}", as_=ADMIN, org="acme")
    assert reply.status == 200 and reply.json() == {}
    assert w.api.delete(f"/timesheets/lock/{first['id']}", as_=ADMIN, org="acme").status == 404
    assert set(w.api.get("/timesheets/locks", as_=ADMIN, org="acme").json()["weekLocks"]) == {other["id"]}
    # a User reads only their own (and the organization's)
    mine = w.api.get("/timesheets/locks", as_=SAM, org="acme").json()
    assert mine["weekLocks"] == {} and w.api.get(f"/timesheets/locks?userId={w.pia['id']}", as_=SAM, org="acme").status == 404
    assert set(w.api.get("/timesheets/locks", as_=PIA, org="acme").json()["weekLocks"]) == {other["id"]}


def test_rights_unknown_ids_and_validation(world, api, seed):
    w = world
    body = {"userId": w.sam["id"], "year": 2026, "week": 45}
    assert lock(w, SAM, body).status == 403
    assert lock(w, SAM, date="2026-11-02").status == 403
    assert unlock(w, SAM, date="2026-11-02").status == 403
    own = week_lock(w, w.sam)
    assert w.api.delete(f"/timesheets/lock/{own['id']}", as_=SAM, org="acme").status == 403
    # unknown or another organization's ids: 404
    api.signup("globex", "boss@globex.test", "Globex")
    stranger = seed.member("globex", "joe@globex.test")
    assert lock(w, body={**body, "userId": stranger["id"]}).status == 404
    assert lock(w, body={**body, "userId": OTHER_ID}).status == 404
    assert lock(w, userId=stranger["id"], date="2026-11-02").status == 404
    assert unlock(w, userId=OTHER_ID, date="2026-11-02").status == 404
    assert w.api.delete(f"/timesheets/lock/{OTHER_ID}", as_=ADMIN, org="acme").status == 404
    assert w.api.delete(f"/timesheets/lock/{own['id']}", as_="boss@globex.test", org="globex").status == 404
    # 422s
    for bad in ({**body, "week": 53, "year": 2025}, {**body, "week": 0}, {**body, "year": 1969}, {**body, "userId": "sam"},
                {**body, "unlockedTo": "tomorrow"}, {**body, "extra": 1}, {"year": 2026, "week": 45}):
        assert lock(w, body=bad).status == 422, bad
    assert lock(w).status == 422  # neither a body nor a query
    assert lock(w, body=body, date="2026-11-02").status == 422  # both styles at once
    for query in ({"date": "2026-11-02", "weekOf": "2026-11-02"}, {}, {"date": "2026-02-30"}, {"monthOf": "2026-11"},
                  {"weekOf": "9999-12-31"}, {"userId": "sam", "date": "2026-11-02"}):
        assert lock(w, **query).status == 422, query
        assert unlock(w, **query).status == 422, query
    assert w.api.delete("/timesheets/lock/not-a-uuid", as_=ADMIN, org="acme").status == 422


# --- enforcement on every write path ---------------------------------------------------------------------

def test_a_user_cannot_write_on_a_locked_day_an_administrator_can(world):
    w = world
    open_entry = created(w, SAM, "2026-11-10T09:00:00+01:00", "2026-11-10T10:00:00+01:00")          # week 46
    in_locked = created(w, SAM, "2026-11-04T09:00:00+01:00", "2026-11-04T10:00:00+01:00")            # week 45
    week_lock(w, w.sam, 2026, 45)
    period = "2026-W45"
    assert_locked(create(w, SAM, "2026-11-05T09:00:00+01:00", "2026-11-05T10:00:00+01:00"), period)  # create into
    put = lambda activity, who=SAM, **body: w.api.put(f"/activities/{activity['id']}", as_=who, org="acme", body=body)  # noqa: E731
    assert_locked(put(open_entry, startedAt="2026-11-06T09:00:00+01:00", endedAt="2026-11-06T10:00:00+01:00"), period)  # move into
    assert_locked(put(in_locked, startedAt="2026-11-11T09:00:00+01:00", endedAt="2026-11-11T10:00:00+01:00"), period)  # move out of
    assert_locked(put(in_locked, name="Renamed"), period)  # edit
    assert_locked(w.api.delete(f"/activities/{in_locked['id']}", as_=SAM, org="acme"), period)  # delete
    assert_locked(create(w, SAM, "2026-11-08T23:30:00+01:00", "2026-11-09T00:30:00+01:00"), period)  # an entry touching the locked Sunday
    assert stored(w, in_locked["id"]).name == "Work" and iso(stored(w, open_entry["id"]).started_at) == "2026-11-10T08:00:00.000Z"
    # other members and other weeks are open; an entry ending at the locked week's start does not touch it
    assert create(w, PIA, "2026-11-05T09:00:00+01:00", "2026-11-05T10:00:00+01:00").status == 200
    assert create(w, SAM, "2026-11-01T23:00:00+01:00", "2026-11-02T00:00:00+01:00").status == 200
    assert put(open_entry, name="Renamed").status == 200
    # organization Administrators may do all of it
    assert create(w, ADMIN, "2026-11-05T09:00:00+01:00", "2026-11-05T10:00:00+01:00", user=w.sam).status == 200
    assert put(open_entry, ADMIN, startedAt="2026-11-06T09:00:00+01:00", endedAt="2026-11-06T10:00:00+01:00").status == 200
    assert put(in_locked, ADMIN, name="Corrected").status == 200
    assert w.api.delete(f"/activities/{in_locked['id']}", as_=ADMIN, org="acme").status == 200


def test_stop_into_a_locked_day_and_the_implicit_stop_of_a_previous_timer(world):
    w = world
    timer = created(w, SAM, "2026-11-12T22:00:00+01:00")  # Thursday evening, still running on Friday 13:00
    assert lock(w, userId=w.sam["id"], date="2026-11-13").status == 204
    reply = w.api.put(f"/activities/{timer['id']}", as_=SAM, org="acme", body={"pending": False})
    assert_locked(reply, "2026-11-13")
    assert stored(w, timer["id"]).running is True
    # a new timer today is refused anyway; lock the start day only: the implicit stop is what is refused
    assert unlock(w, userId=w.sam["id"], date="2026-11-13").status == 204
    assert lock(w, userId=w.sam["id"], date="2026-11-12").status == 204
    assert_locked(create(w, SAM, "2026-11-13T12:00:00+01:00"), "2026-11-12")
    assert stored(w, timer["id"]).running is True
    assert w.api.put(f"/activities/{timer['id']}", as_=SAM, org="acme", body={"name": "Late"}).status == 409  # still its start day
    # an Administrator stops it
    assert w.api.put(f"/activities/{timer['id']}", as_=ADMIN, org="acme", body={"pending": False}).status == 200


def test_unlock_window_opens_and_expires(world, clock):
    w = world
    w.settings(lockingTimesheets={"enabled": True, "year": 2026, "week": 45})
    assert_locked(create(w, SAM, "2026-11-04T09:00:00+01:00", "2026-11-04T10:00:00+01:00"), "locked through week 2026-W45")
    week_lock(w, w.sam, 2026, 45, unlockedTo="2026-11-13T14:00:00+01:00")  # one hour from now
    entry = created(w, SAM, "2026-11-04T09:00:00+01:00", "2026-11-04T10:00:00+01:00")
    assert_locked(create(w, PIA, "2026-11-04T09:00:00+01:00", "2026-11-04T10:00:00+01:00"), "2026-W45")  # the window is Sam's
    assert_locked(create(w, SAM, "2026-10-28T09:00:00+01:00", "2026-10-28T10:00:00+01:00"), "2026-W44")  # and for week 45 only
    clock.advance(hours=1)  # unlockedTo is exclusive
    assert_locked(w.api.put(f"/activities/{entry['id']}", as_=SAM, org="acme", body={"name": "Late"}), "2026-W45")
    week_lock(w, w.sam, 2026, 45, unlockedTo="2026-11-20T00:00:00Z")  # reopened by replacing the record
    assert w.api.put(f"/activities/{entry['id']}", as_=SAM, org="acme", body={"name": "Late"}).status == 200
    lock_id = w.api.get("/timesheets/locks", as_=ADMIN, org="acme").json()
    (lock_id,) = lock_id["weekLocks"]
    assert w.api.delete(f"/timesheets/lock/{lock_id}", as_=ADMIN, org="acme").status == 200  # the watermark rules again
    assert_locked(w.api.delete(f"/activities/{entry['id']}", as_=SAM, org="acme"), "2026-W45")


def test_a_week_lock_without_window_and_an_expired_window_lock(world, clock):
    w = world
    week_lock(w, w.sam, 2026, 46, unlockedTo="2026-11-13T11:00:00Z")  # a window that already closed: locked
    assert_locked(create(w, SAM, "2026-11-10T09:00:00+01:00", "2026-11-10T10:00:00+01:00"), "2026-W46")


def test_organization_and_member_date_locks(world):
    w = world
    assert lock(w, date="2026-11-03").status == 204              # whole organization
    assert lock(w, userId=w.sam["id"], date="2026-11-04").status == 204
    assert_locked(create(w, SAM, "2026-11-03T09:00:00+01:00", "2026-11-03T10:00:00+01:00"), "2026-11-03 is locked for the organization")
    assert_locked(create(w, PIA, "2026-11-03T09:00:00+01:00", "2026-11-03T10:00:00+01:00"), "2026-11-03")
    assert_locked(create(w, SAM, "2026-11-04T09:00:00+01:00", "2026-11-04T10:00:00+01:00"), "2026-11-04 is locked for this member")
    assert create(w, PIA, "2026-11-04T09:00:00+01:00", "2026-11-04T10:00:00+01:00").status == 200
    listed = w.api.get("/timesheets/locks", as_=ADMIN, org="acme").json()
    assert listed["organizationDays"] == ["2026-11-03"] and listed["memberDays"] == {w.sam["id"]: ["2026-11-04"]}
    # unlocking the organization's day does not lift a member's own lock (and vice versa)
    assert unlock(w, date="2026-11-04").status == 204
    assert_locked(create(w, SAM, "2026-11-04T09:00:00+01:00", "2026-11-04T10:00:00+01:00"), "2026-11-04")
    assert unlock(w, date="2026-11-03").status == 204
    assert create(w, SAM, "2026-11-03T09:00:00+01:00", "2026-11-03T10:00:00+01:00").status == 200
    assert unlock(w, userId=w.sam["id"], weekOf="2026-11-05").status == 204
    assert create(w, SAM, "2026-11-04T09:00:00+01:00", "2026-11-04T10:00:00+01:00").status == 200


def test_week_of_spans_a_month_boundary_and_month_of_covers_february(world):
    w = world
    assert lock(w, userId=w.sam["id"], weekOf="2026-12-02").status == 204  # Monday 30 November .. Sunday 6 December
    days = w.api.get(f"/timesheets/locks?userId={w.sam['id']}", as_=ADMIN, org="acme").json()["memberDays"][w.sam["id"]]
    assert days == ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]
    assert lock(w, monthOf="2028-02-10").status == 204  # a leap February, for everyone
    listed = w.api.get("/timesheets/locks", as_=ADMIN, org="acme").json()["organizationDays"]
    assert len(listed) == 29 and listed[0] == "2028-02-01" and listed[-1] == "2028-02-29"
    w.settings(maxActivityHours=24 * 10)
    # the monthly timesheet reads see the same model
    november = w.api.get(f"/timesheets?monthOf=2026-11-01&userId={w.sam['id']}", as_=ADMIN, org="acme").json()
    assert november["lockedDays"] == "0" * 29 + "1" and november["locked"] is False
    december = w.api.get(f"/timesheets?monthOf=2026-12-01&userId={w.sam['id']}", as_=SAM, org="acme").json()
    assert december["lockedDays"] == "1" * 6 + "0" * 25
    assert w.api.get(f"/timesheets?monthOf=2026-12-01&userId={w.pia['id']}", as_=ADMIN, org="acme").json()["lockedDays"] == "0" * 31


def test_days_and_weeks_are_local_to_the_lock_time_zone(world, clock):
    w = world
    clock.advance(days=30)
    w.settings(timeZone="Pacific/Auckland")
    assert lock(w, date="2026-11-10").status == 204
    # 2026-11-09T12:00Z is 10 November 01:00 in Auckland (NZDT, +13): locked; 10 November 12:00Z is the 11th there
    assert_locked(create(w, SAM, "2026-11-09T12:00:00Z", "2026-11-09T13:00:00Z"), "2026-11-10")
    assert create(w, SAM, "2026-11-10T12:00:00Z", "2026-11-10T13:00:00Z").status == 200
    assert create(w, SAM, "2026-11-09T09:00:00Z", "2026-11-09T10:59:59Z").status == 200  # 9 November 23:59:59 local
    # the lock zone (lockingTimesheets.timeZone) wins over the organization's zone
    w.settings(lockingTimesheets={"timeZone": "UTC"})
    assert create(w, SAM, "2026-11-09T12:00:00Z", "2026-11-09T13:00:00Z").status == 200
    assert_locked(create(w, SAM, "2026-11-10T12:00:00Z", "2026-11-10T13:00:00Z"), "2026-11-10")
    # ISO weeks too: watermark week 45 ends Sunday 8 November 24:00 in the lock zone
    w.settings(lockingTimesheets={"timeZone": "Pacific/Auckland", "enabled": True, "year": 2026, "week": 45})
    assert_locked(create(w, SAM, "2026-11-08T10:30:00Z", "2026-11-08T10:45:00Z"), "2026-W45")    # Sunday 23:30 NZDT
    assert create(w, SAM, "2026-11-08T11:00:00Z", "2026-11-08T11:30:00Z").status == 200          # Monday 00:00 NZDT


def test_the_watermark_from_settings_and_from_auto_lock(world):
    w = world
    w.settings(lockingTimesheets={"enabled": True, "year": 2026, "week": 44})
    assert_locked(create(w, SAM, "2026-11-01T23:00:00+01:00", "2026-11-01T23:30:00+01:00"), "2026-W44")  # Sunday of week 44
    assert create(w, SAM, "2026-11-02T00:00:00+01:00", "2026-11-02T00:30:00+01:00").status == 200
    reply = w.api.put("/timesheets/auto-lock", as_=ADMIN, org="acme")  # Friday of week 46: week 45 is the last completed
    assert reply.status == 200 and reply.json()["lockingTimesheets"]["week"] == 45
    assert_locked(create(w, SAM, "2026-11-02T09:00:00+01:00", "2026-11-02T10:00:00+01:00"), "2026-W45")
    assert create(w, SAM, "2026-11-09T09:00:00+01:00", "2026-11-09T10:00:00+01:00").status == 200
    w.settings(lockingTimesheets={"enabled": False})
    assert create(w, SAM, "2026-11-02T09:00:00+01:00", "2026-11-02T10:00:00+01:00").status == 200


def test_a_user_write_stays_within_its_call_budget(world):
    from sandglass_local.callcounter import counting

    w = world
    entry = created(w, SAM, "2026-11-10T09:00:00+01:00", "2026-11-10T10:00:00+01:00")
    with counting() as counter:
        assert create(w, SAM, "2026-11-11T09:00:00+01:00", "2026-11-11T10:00:00+01:00").status == 200
    assert counter.calls["BatchGetItem"] == 1 and counter.calls["TransactWriteItems"] == 1
    with counting() as counter:
        assert w.api.put(f"/activities/{entry['id']}", as_=SAM, org="acme", body={"name": "x"}).status == 200
    assert counter.calls["BatchGetItem"] == 1 and counter.calls["TransactWriteItems"] == 1
    with counting() as counter:  # a delete reads the lock state in one BatchGetItem of its own
        assert w.api.delete(f"/activities/{entry['id']}", as_=SAM, org="acme").status == 200
    assert counter.calls["BatchGetItem"] == 1 and counter.calls["TransactWriteItems"] == 1


# --- races -----------------------------------------------------------------------------------------------

@pytest.fixture
def lock_lands_before_commit(monkeypatch):
    """Run `action` once, between a write's reads and its transaction (as a concurrent request would)."""
    from sandglass.repositories.activities import ActivityRepository

    original = ActivityRepository.commit
    pending = []
    calls = []

    def commit(self, *args, **kwargs):
        calls.append(1)
        while pending:
            pending.pop()()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ActivityRepository, "commit", commit)

    def arm(action):
        pending.append(action)
        return calls

    return arm


@pytest.mark.parametrize("scope", ["member", "organization", "watermark", "week"])
def test_a_lock_landing_between_read_and_commit_stops_the_write(world, lock_lands_before_commit, scope):
    from sandglass.repositories.locks import LockRepository
    from sandglass.repositories.activities import ActivityRepository

    w = world
    entry = created(w, SAM, "2026-11-10T09:00:00+01:00", "2026-11-10T10:00:00+01:00")
    actions = {
        "member": lambda: LockRepository().change_days(w.org_id, w.sam["id"], [entry_day], lock=True),
        "organization": lambda: LockRepository().change_days(w.org_id, None, [entry_day], lock=True),
        "watermark": lambda: w.settings(lockingTimesheets={"enabled": True, "year": 2026, "week": 46}),
        "week": lambda: week_lock(w, w.sam, 2026, 46),
    }
    from datetime import date

    entry_day = date(2026, 11, 10)
    calls = lock_lands_before_commit(actions[scope])
    reply = w.api.put(f"/activities/{entry['id']}", as_=SAM, org="acme", body={"name": "Raced"})
    assert_locked(reply, "2026-11-10" if scope in ("member", "organization") else "2026-W46")
    assert len(calls) == 2  # the first transaction failed on the member's lock version, the re-read refused
    assert ActivityRepository().get(w.org_id, entry["id"]).name == "Work"


def test_an_unrelated_lock_change_meanwhile_costs_a_retry_not_a_refusal(world, lock_lands_before_commit):
    from datetime import date

    from sandglass.repositories.locks import LockRepository

    w = world
    calls = lock_lands_before_commit(lambda: LockRepository().change_days(w.org_id, w.sam["id"], [date(2026, 1, 5)], lock=True))
    assert create(w, SAM, "2026-11-10T09:00:00+01:00", "2026-11-10T10:00:00+01:00").status == 200
    assert len(calls) == 2
    calls.clear()
    calls = lock_lands_before_commit(lambda: LockRepository().change_days(w.org_id, w.pia["id"], [date(2026, 11, 11)], lock=True))
    assert create(w, SAM, "2026-11-11T09:00:00+01:00", "2026-11-11T10:00:00+01:00").status == 200
    assert len(calls) == 1  # another member's lock never touches Sam's writes


def test_racing_writers_and_an_organization_lock(world):
    """Writers of two members hammer week 46 while an Administrator locks it for the organization:
    every answer is 200 or 409, every 200 is stored, and once the lock has answered nothing more lands."""
    from sandglass.repositories.activities import ActivityRepository

    w = world
    results: list[tuple[str, int, str]] = []
    locked_at = threading.Event()
    after_lock: list[int] = []
    start = threading.Barrier(5)

    def writer(who: str, hour: int):
        start.wait()
        for minute in range(0, 60, 5):
            began_after_lock = locked_at.is_set()
            reply = create(w, who, f"2026-11-10T{hour:02d}:{minute:02d}:00+01:00", f"2026-11-10T{hour:02d}:{minute + 4:02d}:00+01:00")
            assert reply.status in (200, 409), reply.body
            results.append((who, reply.status, reply.json()["id"] if reply.status == 200 else reply.json()["error"]["code"]))
            if began_after_lock:
                after_lock.append(reply.status)

    def locker():
        start.wait()
        assert lock(w, weekOf="2026-11-12").status == 204
        locked_at.set()

    threads = [threading.Thread(target=writer, args=(who, hour)) for who, hour in ((SAM, 8), (SAM, 10), (PIA, 8), (PIA, 10))]
    threads.append(threading.Thread(target=locker))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert locked_at.is_set()
    assert all(status == 409 for status in after_lock)
    assert {code for _, status, code in results if status == 409} <= {"PERIOD_LOCKED", "TIMER_RUNNING"}
    repository = ActivityRepository()
    landed = [activity_id for _, status, activity_id in results if status == 200]
    assert all(repository.get(w.org_id, activity_id) is not None for activity_id in landed)
    assert_locked(create(w, SAM, "2026-11-10T20:00:00+01:00", "2026-11-10T21:00:00+01:00"), "2026-11-10")



def test_the_lock_watermark_must_be_a_week_of_the_iso_calendar(world):
    """2025 has 52 ISO weeks: week 53 of 2025 was accepted and then made every lock of it 422."""
    reply = world.api.put("/organization", as_=ADMIN, org="acme", body={"lockingTimesheets": {"enabled": True, "year": 2025, "week": 53}})
    assert reply.status == 422, reply.body
    assert "2025 has no ISO week 53" in reply.body
    stored = world.api.get("/organization", as_=ADMIN, org="acme").json()["lockingTimesheets"]
    assert stored.get("week") != 53
    assert world.api.put("/organization", as_=ADMIN, org="acme", body={"lockingTimesheets": {"enabled": True, "year": 2026, "week": 53}}).status == 200
    for path in ("/requests/timesheets/2025/53/unlock",):
        assert world.api.post(path, as_="sam@acme.test", org="acme").status == 422
    assert world.api.post("/timesheets/lock", as_=ADMIN, org="acme", body={"userId": world.sam["id"], "year": 2025, "week": 53}).status == 422


def test_an_administrator_moves_the_watermark_back_and_the_change_is_recorded(world):
    from sandglass import keys
    from sandglass.storage.table import client

    assert world.api.put("/organization", as_=ADMIN, org="acme", body={"lockingTimesheets": {"enabled": True, "year": 2026, "week": 46}}).status == 200
    start = {"name": "Work", "projectId": world.project["id"], "startedAt": "2026-11-10T09:00:00+01:00", "endedAt": "2026-11-10T10:00:00+01:00"}
    assert world.api.post("/activities", as_="sam@acme.test", org="acme", body=start).status == 409  # week 46 is locked
    back = world.api.put("/organization", as_=ADMIN, org="acme", body={"lockingTimesheets": {"year": 2026, "week": 45}})
    assert back.status == 200 and back.json()["lockingTimesheets"]["week"] == 45
    assert world.api.post("/activities", as_="sam@acme.test", org="acme", body=start).status == 200  # reopened
    assert world.api.put("/organization", as_="sam@acme.test", org="acme", body={"lockingTimesheets": {"week": 40}}).status == 403
    records = client().query(TableName=world.api.gateway.table_name, KeyConditionExpression="PK = :pk AND begins_with(SK, :w)",
                             ExpressionAttributeValues={":pk": keys.org_pk(world.org_id), ":w": "WATERMARK#"})["Items"]
    changes = sorted(((r["direction"], r["from"]["week"], r["to"]["week"], r["changedBy"]) for r in records), key=str)
    assert changes == [("back", 46, 45, world.admin_id), ("forward", None, 46, world.admin_id)]
