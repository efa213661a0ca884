"""The tick's claim / work / finish protocol with in-memory repositories (no moto)."""

from __future__ import annotations

from datetime import datetime, timezone

from sandglass import keys
from sandglass.entities.timesheets import IncompleteWeek, TimesheetMember
from sandglass.entities.schedules import DueEntry
from sandglass.notifications import MemoryNotifier
from sandglass.repositories.organizations import organization_from_item
from sandglass.services.schedules import ScheduleService
from sandglass.timefmt import iso, parse


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


class FakeSchedules:
    """The ScheduleRepository contract in memory (conditional writes as compare-and-set), entries
    stored as the table stores them (UTC text)."""

    def __init__(self):
        self.entries: dict[tuple[str, str], dict] = {}
        self.watermarks: dict[str, tuple[int, int]] = {}
        self.markers: set[tuple[str, str, str]] = set()
        self.fail_next_advance = False

    @staticmethod
    def _entry(item):
        claimed = item.get("claimedRun")
        return DueEntry(org_id=item["orgId"], job=item["job"], next_run=parse(item["nextRun"]), claimed_run=parse(claimed) if claimed else None)

    def due(self, job, now, page_size=100):
        yield [self._entry(e) for (org, j), e in sorted(self.entries.items()) if j == job and e["nextRun"] <= iso(now)]

    def schedule(self, org_id, job, next_run):
        self.entries[(org_id, job)] = {"orgId": org_id, "job": job, "nextRun": iso(next_run)}

    def unschedule(self, org_id, job):
        self.entries.pop((org_id, job), None)

    def claim(self, due, lease):
        entry = self.entries.get((due.org_id, due.job))
        if not entry or entry["nextRun"] != iso(due.next_run):
            return None
        entry.setdefault("claimedRun", entry["nextRun"])
        entry["nextRun"] = iso(lease)
        return self._entry(entry)

    def finish(self, org_id, job, lease, next_run):
        entry = self.entries.get((org_id, job))
        if not entry or entry["nextRun"] != iso(lease):
            return False
        entry.pop("claimedRun", None)
        entry["nextRun"] = iso(next_run)
        return True

    def advance_watermark(self, org_id, year, week):
        if self.fail_next_advance:
            self.fail_next_advance = False
            raise RuntimeError("timed out")
        if self.watermarks.get(org_id, (0, 0)) >= (year, week):
            return False
        self.watermarks[org_id] = (year, week)
        return True

    def mark_reminded(self, org_id, label, user_id, **_):
        if (org_id, label, user_id) in self.markers:
            return False
        self.markers.add((org_id, label, user_id))
        return True

    def unmark_reminded(self, org_id, label, user_id):
        self.markers.discard((org_id, label, user_id))


class FakeOrganizations:
    def __init__(self, *orgs):
        self.orgs = {org.id: org for org in orgs}

    def get(self, org_id):
        return self.orgs.get(org_id)


class FakeTimesheets:
    def __init__(self, incomplete):
        self.incomplete = incomplete
        self.asked = []

    def incomplete_members(self, org_id, monday, now):
        self.asked.append(monday)
        return self.incomplete


def org(org_id="o1", tz="Asia/Kathmandu", **extra):
    return organization_from_item({"id": org_id, "name": "Org", "domain": org_id, "timeZone": tz,
                                   "lockingTimesheets": {"enabled": True}, "reminders": {"enabled": True, "weekday": "FRIDAY", "time": "15:00"},
                                   **extra})


def service(*orgs, incomplete=()):
    schedules, notifier = FakeSchedules(), MemoryNotifier()
    svc = ScheduleService(schedules, FakeOrganizations(*orgs), FakeTimesheets(list(incomplete)), notifier)
    return svc, schedules, notifier


def test_auto_lock_tick_runs_once_and_moves_to_next_week():
    svc, schedules, _ = service(org())
    svc.sync(org(), utc("2026-03-25T00:00"))
    assert schedules.entries[("o1", keys.JOB_AUTO_LOCK)]["nextRun"] == "2026-03-29T18:15:00.000Z"  # Monday 00:00 +05:45
    assert svc.tick(keys.JOB_AUTO_LOCK, utc("2026-03-29T18:00")).due == 0
    first = svc.tick(keys.JOB_AUTO_LOCK, utc("2026-03-29T18:15"))
    assert (first.due, first.changed) == (1, 1) and schedules.watermarks["o1"] == (2026, 13)
    again = svc.tick(keys.JOB_AUTO_LOCK, utc("2026-03-29T18:15"))
    assert again.due == 0
    assert schedules.entries[("o1", keys.JOB_AUTO_LOCK)]["nextRun"] == "2026-04-05T18:15:00.000Z"


def test_a_failed_run_stays_leased_then_reruns():
    svc, schedules, _ = service(org())
    svc.sync(org(), utc("2026-03-25T00:00"))
    schedules.fail_next_advance = True
    assert svc.tick(keys.JOB_AUTO_LOCK, utc("2026-03-29T18:15")).failed == 1
    entry = schedules.entries[("o1", keys.JOB_AUTO_LOCK)]
    assert entry["nextRun"] == "2026-03-29T18:25:00.000Z" and entry["claimedRun"] == "2026-03-29T18:15:00.000Z"
    assert svc.tick(keys.JOB_AUTO_LOCK, utc("2026-03-29T18:30")).changed == 1
    assert schedules.entries[("o1", keys.JOB_AUTO_LOCK)] == {"orgId": "o1", "job": keys.JOB_AUTO_LOCK, "nextRun": "2026-04-05T18:15:00.000Z"}


def test_a_settings_change_during_a_run_wins():
    svc, schedules, _ = service(org())
    svc.sync(org(), utc("2026-03-25T00:00"))
    real_advance = schedules.advance_watermark

    def advance_while_settings_change(org_id, year, week):
        svc.sync(org(tz="UTC"), utc("2026-03-29T18:20"))  # an admin moves the organization to UTC meanwhile
        return real_advance(org_id, year, week)

    schedules.advance_watermark = advance_while_settings_change
    svc.tick(keys.JOB_AUTO_LOCK, utc("2026-03-29T18:15"))
    assert schedules.entries[("o1", keys.JOB_AUTO_LOCK)]["nextRun"] == "2026-03-30T00:00:00.000Z"  # the sync's, not the tick's


def test_reminders_once_per_user_week_for_the_run_week():
    members = [IncompleteWeek(member=TimesheetMember(id="u1", name="Sam", email="sam@x.test"), completeness=1, remaining=125)]
    svc, schedules, notifier = service(org(tz="Pacific/Chatham"), incomplete=members)
    svc.sync(org(tz="Pacific/Chatham"), utc("2026-09-21T00:00"))
    run = schedules.entries[("o1", keys.JOB_REMINDERS)]["nextRun"]
    assert run == "2026-09-25T02:15:00.000Z"  # Friday 15:00 +12:45
    svc.tick(keys.JOB_REMINDERS, utc("2026-09-25T02:15"))
    svc.tick(keys.JOB_REMINDERS, utc("2026-09-25T02:15"))
    assert [n.to for n in notifier.sent] == ["sam@x.test"]
    assert notifier.sent[0].data["week"] == "2026-W39" and "2 h 05 min" in notifier.sent[0].text
    assert svc.timesheets.asked == [datetime(2026, 9, 21).date()]


def test_a_failed_send_unmarks_so_the_retry_sends():
    members = [IncompleteWeek(member=TimesheetMember(id="u1", name="Sam", email="sam@x.test"), completeness=0, remaining=2400)]
    svc, schedules, notifier = service(org(), incomplete=members)
    svc.sync(org(), utc("2026-03-23T00:00"))

    class Down:
        def send(self, notification):
            raise ConnectionError("SES unreachable")

    svc.notifier = Down()
    assert svc.tick(keys.JOB_REMINDERS, utc("2026-03-27T09:15")).failed == 1
    assert schedules.markers == set()
    svc.notifier = notifier
    assert svc.tick(keys.JOB_REMINDERS, utc("2026-03-27T09:30")).ran == 1
    assert len(notifier.sent) == 1


def test_disabled_or_deleted_organizations_leave_the_index():
    svc, schedules, _ = service()
    schedules.schedule("gone", keys.JOB_AUTO_LOCK, utc("2026-03-29T18:15"))
    result = svc.tick(keys.JOB_AUTO_LOCK, utc("2026-03-30T00:00"))
    assert (result.due, result.skipped) == (1, 1) and schedules.entries == {}
