"""Auto-lock and reminders: the scheduled ticks, the routes that run them now, and the due index.

Each organization with a job enabled has a due entry carrying its next run (UTC). A tick (its
"now" is the scheduler's scheduledTime) takes the entries due at or before now, claims each
(ScheduleRepository.claim: of two racing ticks one wins), does the work idempotently and moves
the entry to the next run. The work is safe to repeat:
- auto-lock advances lockingTimesheets.year/week to the last lockable week only if the stored
  watermark is older (a conditional update), so running twice changes nothing twice;
- reminders write a per user-week marker with attribute_not_exists before sending, so no member
  gets a second reminder for a week, whoever runs it.
Moments are local to the lock time zone (lockingTimesheets.timeZone, else the organization's),
computed DST-safely in sandglass.schedule.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from sandglass import keys
from sandglass.clock import Clock, get_clock
from sandglass.repositories.locks import LockRepository
from sandglass.services import locks
from sandglass.context import TenantContext
from sandglass.errors import NotFound
from sandglass.models.organization import Organization
from sandglass.notifications import Notification, Notifier, notifier_from_env
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.schedules import ScheduleRepository
from sandglass.schedule import (
    WEEKDAYS,
    grace_moment,
    iso_week,
    last_lockable_week,
    local_date,
    next_weekly_run,
    week_label,
    week_monday,
)
from sandglass.services.organizations import organization_view
from sandglass.services.timesheets import TimesheetService
from sandglass.timefmt import iso, parse

logger = logging.getLogger("sandglass.schedules")

JOBS = (keys.JOB_AUTO_LOCK, keys.JOB_REMINDERS)
TICK_PERIOD = timedelta(minutes=15)  # the schedules' rate
LEASE = timedelta(minutes=10)  # a claimed run that does not finish comes due again after this
REMINDER_MARKER_DAYS = 120
SCHEDULE_FIELDS = ("timeZone", "lockingTimesheets", "reminders", "autoLock")


def lock_time_zone(organization: dict[str, Any]) -> str:
    return (organization.get("lockingTimesheets") or {}).get("timeZone") or organization.get("timeZone") or "UTC"


def grace_hours(organization: dict[str, Any]) -> int:
    return int((organization.get("autoLock") or {}).get("graceHours") or 0)


def enabled(organization: dict[str, Any], job: str) -> bool:
    if job == keys.JOB_AUTO_LOCK:
        return bool((organization.get("lockingTimesheets") or {}).get("enabled"))
    return bool((organization.get("reminders") or {}).get("enabled"))


def next_run(organization: dict[str, Any], job: str, after: datetime) -> datetime | None:
    """The job's next run strictly after `after`, or None when the job is off."""
    if not enabled(organization, job):
        return None
    tz = lock_time_zone(organization)
    if job == keys.JOB_AUTO_LOCK:
        weekday, at = grace_moment(grace_hours(organization))
    else:
        reminders = organization.get("reminders") or {}
        weekday = WEEKDAYS.index(reminders.get("weekday", "FRIDAY"))
        hour, minute = (int(part) for part in str(reminders.get("time", "15:00")).split(":"))
        at = time(hour, minute)
    return next_weekly_run(tz, weekday, at, after)


def schedule_changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return any(before.get(name) != after.get(name) for name in SCHEDULE_FIELDS)


class ScheduleService:
    def __init__(self, schedules: ScheduleRepository | None = None, organizations: OrganizationRepository | None = None,
                 timesheets: TimesheetService | None = None, notifier: Notifier | None = None, clock: Clock | None = None,
                 lock_repository: LockRepository | None = None):
        self.schedules = schedules or ScheduleRepository()
        # members' lock versions follow the watermark (in-memory schedules of unit tests have no table)
        table = getattr(self.schedules, "table", None)
        self.lock_repository = lock_repository or (LockRepository(table) if table is not None else None)
        self.organizations = organizations or OrganizationRepository()
        self.timesheets = timesheets or TimesheetService(clock=clock)
        self._notifier = notifier
        self._clock = clock

    @property
    def notifier(self) -> Notifier:
        if self._notifier is None:
            self._notifier = notifier_from_env()
        return self._notifier

    @property
    def clock(self) -> Clock:
        return self._clock or get_clock()

    # --- the due index --------------------------------------------------------------------------
    def sync(self, organization: dict[str, Any], now: datetime) -> None:
        """Point the organization's due entries at its next runs (settings changed). A moment
        passed within the last tick period stays due, so a settings change just after a moment
        and before its tick cannot skip that run (the work is idempotent, a repeat is harmless)."""
        for job in JOBS:
            upcoming = next_run(organization, job, now - TICK_PERIOD)
            if upcoming is None:
                self.schedules.unschedule(organization["id"], job)
            else:
                self.schedules.schedule(organization["id"], job, iso(upcoming))

    # --- ticks ----------------------------------------------------------------------------------
    def tick(self, job: str, now: datetime, scheduled_time: str | None = None) -> dict[str, Any]:
        """Run every organization whose `job` is due at `now` (the scheduler's scheduledTime)."""
        summary = {"job": job, "status": "OK", "scheduledTime": scheduled_time or iso(now), "due": 0, "ran": 0, "skipped": 0, "failed": 0, "changed": 0}
        for page in self.schedules.due(job, iso(now)):
            for entry in page:
                summary["due"] += 1
                outcome = self._run_entry(job, entry, now)
                summary["ran" if outcome == "changed" else outcome] += 1
                summary["changed"] += outcome == "changed"
        return summary

    def _run_entry(self, job: str, entry: dict[str, Any], now: datetime) -> str:
        org_id = entry["orgId"]
        lease = iso(now + LEASE)
        claimed = self.schedules.claim(org_id, job, entry["nextRun"], lease)
        if claimed is None:
            return "skipped"  # another tick has it, or settings moved it
        organization = self.organizations.get(org_id)
        if organization is None or not enabled(organization, job):
            self.schedules.unschedule(org_id, job)
            return "skipped"
        run_moment = parse(claimed.get("claimedRun") or entry["nextRun"])
        try:
            changed = self._auto_lock(organization, now) if job == keys.JOB_AUTO_LOCK else self._remind(organization, run_moment, now)
        except Exception:
            logger.exception("scheduled run failed; it comes due again when its lease ends", extra={"orgId": org_id, "job": job})
            return "failed"
        upcoming = next_run(organization, job, max(now, run_moment))
        if upcoming is not None:
            self.schedules.finish(org_id, job, lease, iso(upcoming))
        return "changed" if changed else "ran"

    # --- the work -------------------------------------------------------------------------------
    def _auto_lock(self, organization: dict[str, Any], now: datetime) -> bool:
        year, week = last_lockable_week(lock_time_zone(organization), grace_hours(organization), now)
        advanced = self.schedules.advance_watermark(organization["id"], year, week)
        if advanced is not None and self.lock_repository is not None:
            locks.after_settings_change(self.lock_repository, organization["id"], organization, advanced)
        return advanced is not None

    def _remind(self, organization: dict[str, Any], moment: datetime, now: datetime) -> int:
        """Remind every member whose week (the one containing `moment`, local) is incomplete."""
        tz = lock_time_zone(organization)
        monday = week_monday(local_date(moment, tz))
        label = week_label(*iso_week(monday))
        now_epoch = int(now.timestamp())
        sent = 0
        for member in self.timesheets.incomplete_members(organization["id"], monday, now):
            if not self.schedules.mark_reminded(organization["id"], label, member["id"], sent_at=iso(now), now_epoch=now_epoch,
                                                expires_at=now_epoch + REMINDER_MARKER_DAYS * 86400):
                continue
            hours, minutes = divmod(int(member["remainingTime"]), 60)
            try:
                self.notifier.send(Notification(
                    to=member["email"],
                    subject=f"Your timesheet for {label} is incomplete",
                    text=(f"Hello {member['name']},\n\nyour timesheet in {organization.get('name', 'your organization')} for {label} "
                          f"is missing {hours} h {minutes:02d} min. Please complete it before it is locked.\n"),
                    kind="timesheet-reminder",
                    data={"organization": organization.get("domain"), "week": label, "remainingTime": member["remainingTime"], "userId": member["id"]},
                ))
            except Exception:
                self.schedules.unmark_reminded(organization["id"], label, member["id"])  # let the retry send it
                raise
            sent += 1
        return sent

    # --- routes: run now for the caller's organization --------------------------------------------
    def run_auto_lock(self, tenant: TenantContext) -> Organization:
        """PUT /timesheets/auto-lock: lock up to the last lockable week now; the organization settings."""
        tenant.require_admin()
        organization = self.organizations.get(tenant.org_id)
        if organization is None:
            raise NotFound("Organization not found")
        if enabled(organization, keys.JOB_AUTO_LOCK) and self._auto_lock(organization, self.clock.now()):
            organization = self.organizations.require(tenant.org_id)
        return organization_view(organization)

    def run_reminders(self, tenant: TenantContext) -> None:
        """POST /timesheets/reminder: remind the members whose current week is incomplete (once
        per user-week, like the scheduled run)."""
        tenant.require_admin()
        organization = self.organizations.get(tenant.org_id)
        if organization is None:
            raise NotFound("Organization not found")
        now = self.clock.now()
        self._remind(organization, now, now)
        return None


def sync_schedules(organization: dict[str, Any], now: datetime) -> None:
    """The organizations service's hook after a settings change."""
    ScheduleService().sync(organization, now)


def scheduled_now(event: dict[str, Any] | None) -> datetime:
    """The tick's "now": the ScheduleV2 Input's scheduledTime (refused if absent or malformed,
    so a misconfigured schedule fails loudly instead of acting on the wall clock)."""
    from sandglass.timefmt import parse_instant

    raw = (event or {}).get("scheduledTime")
    if not raw:
        raise ValueError("The scheduled event carries no scheduledTime (ScheduleV2 Input must pass <aws.scheduler.scheduled-time>)")
    return parse_instant(raw)
