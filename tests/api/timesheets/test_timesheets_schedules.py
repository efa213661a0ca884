"""Auto-lock and reminders: the due index, idempotent ticks (same tick twice, racing ticks, a
retried tick), the runner routes and the notifier adapters."""

from __future__ import annotations

import threading

import pytest

from sandglass import keys

ADMIN = "admin@acme.test"
SAM = "sam@acme.test"

# NOW (conftest) is Friday 2026-11-13 13:00 in Warsaw (CET, +01:00)
MONDAY_MIDNIGHT = "2026-11-15T23:00:00Z"   # Monday 16 November 00:00 Warsaw
FRIDAY_1500 = "2026-11-13T14:00:00Z"       # Friday 13 November 15:00 Warsaw


def due_entry(table, org_id, job):
    return table.get_item(TableName="sandglass-test", Key=keys.due_entry(org_id, job)).get("Item")


def organization(world):
    return world.api.get("/organization", as_=ADMIN, org="acme").json()


def tick(world, function, at):
    return world.api.gateway.invoke(function, {"scheduledTime": at})


def test_settings_keep_the_due_index(world, table):
    w = world
    assert due_entry(table, w.org_id, keys.JOB_AUTO_LOCK) is None
    w.settings(lockingTimesheets={"enabled": True})
    entry = due_entry(table, w.org_id, keys.JOB_AUTO_LOCK)
    assert entry["nextRun"] == "2026-11-15T23:00:00.000Z"
    assert entry[keys.gsi_pk(keys.GSI_DUE)] == keys.due_partition(keys.JOB_AUTO_LOCK)
    w.settings(autoLock={"graceHours": 30}, timeZone="America/New_York")  # Tuesday 06:00 New York (EST)
    assert due_entry(table, w.org_id, keys.JOB_AUTO_LOCK)["nextRun"] == "2026-11-17T11:00:00.000Z"
    w.settings(lockingTimesheets={"timeZone": "Asia/Kathmandu"})  # the lock time zone wins: Tuesday 06:00 +05:45
    assert due_entry(table, w.org_id, keys.JOB_AUTO_LOCK)["nextRun"] == "2026-11-17T00:15:00.000Z"
    w.settings(reminders={"enabled": True, "weekday": "SUNDAY", "time": "18:30"})
    assert due_entry(table, w.org_id, keys.JOB_REMINDERS)["nextRun"] == "2026-11-15T12:45:00.000Z"
    w.settings(lockingTimesheets={"enabled": False}, reminders={"enabled": False})
    assert due_entry(table, w.org_id, keys.JOB_AUTO_LOCK) is None and due_entry(table, w.org_id, keys.JOB_REMINDERS) is None


@pytest.mark.parametrize("body, field", [
    ({"reminders": {"weekday": "FRIDAYS"}}, "reminders.weekday"),
    ({"reminders": {"time": "25:00"}}, "reminders.time"),
    ({"reminders": {"enabled": "yes"}}, "reminders.enabled"),
    ({"autoLock": {"graceHours": 168}}, "autoLock.graceHours"),
    ({"autoLock": {"graceHours": -1}}, "autoLock.graceHours"),
    ({"reminders": {"moment": "x"}}, "reminders.moment"),
])
def test_reminder_and_grace_settings_are_validated(world, body, field):
    reply = world.api.put("/organization", as_=ADMIN, org="acme", body=body)
    assert reply.status == 422, reply.body
    assert field in {d["field"] for d in reply.json()["error"]["details"]}


def test_auto_lock_tick_advances_once(world, table):
    w = world
    w.settings(lockingTimesheets={"enabled": True})
    organization(w)
    assert tick(w, "AutoLockFunction", "2026-11-15T22:45:00Z")["due"] == 0  # Sunday 23:45: not yet
    result = tick(w, "AutoLockFunction", MONDAY_MIDNIGHT)
    assert result["scheduledTime"] == MONDAY_MIDNIGHT and (result["due"], result["changed"]) == (1, 1)
    after = organization(w)
    assert after["lockingTimesheets"] == {"enabled": True, "timeZone": None, "year": 2026, "week": 46}
    # the same tick again (a duplicate delivery): nothing due, nothing changes
    assert tick(w, "AutoLockFunction", MONDAY_MIDNIGHT)["due"] == 0
    assert organization(w) == after
    assert due_entry(table, w.org_id, keys.JOB_AUTO_LOCK)["nextRun"] == "2026-11-22T23:00:00.000Z"


def test_auto_lock_catches_up_to_the_last_completed_week_only(world):
    w = world
    w.settings(lockingTimesheets={"enabled": True, "year": 2026, "week": 30})
    tick(w, "AutoLockFunction", "2026-11-18T10:00:00Z")  # a late tick (Wednesday): still only week 46
    assert organization(w)["lockingTimesheets"]["week"] == 46
    w.settings(lockingTimesheets={"year": 2027, "week": 2})  # set ahead by hand: never moved back
    tick(w, "AutoLockFunction", "2026-11-23T00:00:00Z")
    assert organization(w)["lockingTimesheets"] == {"enabled": True, "timeZone": None, "year": 2027, "week": 2}


def test_racing_auto_lock_ticks_change_once(world):
    w = world
    w.settings(lockingTimesheets={"enabled": True})
    version = w.api.get("/organization", as_=ADMIN, org="acme").headers["ETag"]
    barrier, results = threading.Barrier(4), []

    def run():
        barrier.wait()
        results.append(tick(w, "AutoLockFunction", MONDAY_MIDNIGHT))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["changed"] for r in results) == 1
    assert organization(w)["lockingTimesheets"]["week"] == 46
    assert w.api.get("/organization", as_=ADMIN, org="acme").headers["ETag"] == f'"{int(version.strip(chr(34))) + 1}"'


def test_a_failed_run_is_retried_when_its_lease_ends(world, table, monkeypatch):
    w = world
    w.settings(lockingTimesheets={"enabled": True})
    from sandglass.repositories.schedules import ScheduleRepository

    real = ScheduleRepository.advance_watermark
    calls = []

    def flaky(self, *args):
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("Lambda timed out")
        return real(self, *args)

    monkeypatch.setattr(ScheduleRepository, "advance_watermark", flaky)
    assert tick(w, "AutoLockFunction", MONDAY_MIDNIGHT)["failed"] == 1
    assert organization(w)["lockingTimesheets"]["week"] is None
    assert tick(w, "AutoLockFunction", MONDAY_MIDNIGHT)["due"] == 0  # the retried tick: leased, not due yet
    result = tick(w, "AutoLockFunction", "2026-11-15T23:15:00Z")  # the next tick takes the lapsed lease
    assert (result["due"], result["changed"]) == (1, 1)
    assert organization(w)["lockingTimesheets"]["week"] == 46
    entry = due_entry(table, w.org_id, keys.JOB_AUTO_LOCK)
    assert entry["nextRun"] == "2026-11-22T23:00:00.000Z" and "claimedRun" not in entry


def test_reminders_once_per_user_week(world, outbox):
    w = world
    w.settings(reminders={"enabled": True})
    for day in ("09", "10", "11", "12", "13"):
        w.activity(w.pia, f"2026-11-{day}T08:00:00+01:00", f"2026-11-{day}T16:00:00+01:00")  # complete
    w.activity(w.sam, "2026-11-09T09:00:00+01:00", "2026-11-09T12:00:00+01:00")
    assert tick(w, "RemindersFunction", "2026-11-13T13:45:00Z")["due"] == 0  # 14:45 local: not yet
    result = tick(w, "RemindersFunction", FRIDAY_1500)
    assert (result["due"], result["ran"], result["changed"]) == (1, 1, 1)
    sent = outbox()
    assert sorted(n["to"] for n in sent) == sorted([ADMIN, SAM, "ola@acme.test"])
    sam = next(n for n in sent if n["to"] == SAM)
    assert sam["kind"] == "timesheet-reminder" and sam["data"]["week"] == "2026-W46" and sam["data"]["remainingTime"] == 2400 - 180
    assert "2026-W46" in sam["subject"] and "37 h 00 min" in sam["text"]
    # the same tick again, a manual run, and next week's reminder moment not yet: nothing more
    tick(w, "RemindersFunction", FRIDAY_1500)
    assert w.api.post("/timesheets/reminder", as_=ADMIN, org="acme", body={"reason": "friday-evening-check"}).json() is None
    assert len(outbox()) == 3
    # next Friday, a new week: new reminders
    tick(w, "RemindersFunction", "2026-11-20T14:00:00Z")
    assert len(outbox()) == 3 + 4  # pia logged nothing that week


def test_racing_reminder_ticks_send_once(world, outbox):
    w = world
    w.settings(reminders={"enabled": True})
    barrier, results = threading.Barrier(3), []

    def run():
        barrier.wait()
        results.append(tick(w, "RemindersFunction", FRIDAY_1500))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(n["to"] for n in outbox()) == sorted([ADMIN, SAM, "pia@acme.test", "ola@acme.test"])


def test_concurrent_runs_of_the_reminder_routine_send_once(world, outbox):
    """Not only the claim: the per user-week marker alone stops a second reminder."""
    w = world
    barrier = threading.Barrier(3)

    def run():
        barrier.wait()
        assert w.api.post("/timesheets/reminder", as_=ADMIN, org="acme").status == 200

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outbox()) == 4


def test_put_auto_lock_runs_now_and_returns_the_organization(world, clock):
    w = world
    reply = w.api.put("/timesheets/auto-lock", as_=ADMIN, org="acme", body={"reason": "scheduled-reminder-run"})
    assert reply.status == 200 and reply.json()["lockingTimesheets"]["week"] is None  # locking is off
    w.settings(lockingTimesheets={"enabled": True})
    reply = w.api.put("/timesheets/auto-lock", as_=ADMIN, org="acme")
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["lockingTimesheets"] == {"enabled": True, "timeZone": None, "year": 2026, "week": 45}  # Friday: last week
    assert set(body) >= {"coreHours", "currency", "holidays", "id", "name", "plan", "rounding", "timeZone", "reminders", "autoLock"}
    assert reply.headers["ETag"]
    assert w.api.put("/timesheets/auto-lock", as_=ADMIN, org="acme", body={"unknown": 1}).status == 422


def test_a_deleted_organization_leaves_the_due_index(world, table):
    w = world
    w.settings(lockingTimesheets={"enabled": True})
    assert w.api.delete("/organization", as_=ADMIN, org="acme").status == 200
    result = tick(w, "AutoLockFunction", MONDAY_MIDNIGHT)
    assert (result["due"], result["changed"]) == (1, 0)
    assert due_entry(table, w.org_id, keys.JOB_AUTO_LOCK) is None


def test_a_tick_without_scheduled_time_fails_loudly(world):
    with pytest.raises(ValueError, match="scheduledTime"):
        world.api.gateway.invoke("AutoLockFunction", {})


def test_ses_adapter_sends_through_sesv2(aws):
    import boto3

    from sandglass.notifications import Notification, SesNotifier

    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress="timesheets@acme.test")
    SesNotifier("timesheets@acme.test").send(Notification(to=SAM, subject="Week 46", text="Please fill it in"))
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert len(sent) == 1 and sent[0].destinations["ToAddresses"] == [SAM]


def test_the_notifier_comes_from_the_environment(monkeypatch, tmp_path):
    from sandglass import notifications

    monkeypatch.setenv("NOTIFIER", "ses")
    monkeypatch.setenv("NOTIFICATION_SENDER", "")
    assert isinstance(notifications.notifier_from_env(), notifications.LogNotifier)
    monkeypatch.setenv("NOTIFICATION_SENDER", "timesheets@acme.test")
    assert isinstance(notifications.notifier_from_env(), notifications.SesNotifier)
    monkeypatch.setenv("NOTIFIER", "outbox")
    monkeypatch.setenv("OUTBOX_PATH", str(tmp_path / "o.jsonl"))
    outbox = notifications.notifier_from_env()
    outbox.send(notifications.Notification(to=SAM, subject="s", text="t"))
    assert outbox.read() == [notifications.Notification(to=SAM, subject="s", text="t")]
