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
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from msgspec.structs import replace

from sandglass import keys
from sandglass.clock import Clock, CurrentClock
from sandglass.context import TenantContext
from sandglass.entities.schedules import DueEntry, TickSummary
from sandglass.entities.organizations import Organization, OrganizationSettings, SettingsChanged, SettingsListener
from sandglass.errors import NotFound
from sandglass.ports.notifier import Notification, Notifier
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
from sandglass.services.timesheets import TimesheetService
from sandglass.timefmt import iso

logger = logging.getLogger("sandglass.schedules")

JOBS = (keys.JOB_AUTO_LOCK, keys.JOB_REMINDERS)
TICK_PERIOD = timedelta(minutes=15)  # the schedules' rate
LEASE = timedelta(minutes=10)  # a claimed run that does not finish comes due again after this
REMINDER_MARKER_DAYS = 120


def grace_hours(settings: OrganizationSettings) -> int:
    return settings.auto_lock_grace // timedelta(hours=1)


def enabled(settings: OrganizationSettings, job: str) -> bool:
    return settings.locking.enabled if job == keys.JOB_AUTO_LOCK else settings.reminders.enabled


def next_run(settings: OrganizationSettings, job: str, after: datetime) -> datetime | None:
    """The job's next run strictly after `after`, or None when the job is off."""
    if not enabled(settings, job):
        return None
    if job == keys.JOB_AUTO_LOCK:
        weekday, at = grace_moment(grace_hours(settings))
    else:
        weekday, at = WEEKDAYS.index(settings.reminders.weekday), settings.reminders.at
    return next_weekly_run(settings.lock_time_zone, weekday, at, after)


def schedule_changed(before: OrganizationSettings, after: OrganizationSettings) -> bool:
    """Whether a settings change moves a job's runs (zone, lock settings, reminders, grace)."""
    return ((before.time_zone, before.locking, before.reminders, before.auto_lock_grace)
            != (after.time_zone, after.locking, after.reminders, after.auto_lock_grace))


class ScheduleService:
    """The due index, the ticks and the routes that run a job now. `listeners` hear of the watermark
    auto-lock advances (members' lock versions follow it); `notifier` sends the reminders."""

    def __init__(self, schedules: ScheduleRepository | None = None, organizations: OrganizationRepository | None = None,
                 timesheets: TimesheetService | None = None, notifier: Notifier | None = None, clock: Clock | None = None,
                 listeners: Sequence[SettingsListener] = ()):
        self.schedules = schedules or ScheduleRepository()
        self.organizations = organizations or OrganizationRepository()
        self.clock = clock or CurrentClock()
        self.timesheets = timesheets or TimesheetService(clock=self.clock)
        self.notifier = notifier
        self.listeners = tuple(listeners)

    # --- the due index --------------------------------------------------------------------------
    def settings_changed(self, event: SettingsChanged) -> None:
        """A settings listener: the due entries follow the settings."""
        if schedule_changed(event.before.settings, event.after.settings):
            self.sync(event.after, event.at)

    def sync(self, organization: Organization, now: datetime) -> None:
        """Point the organization's due entries at its next runs (settings changed). A moment
        passed within the last tick period stays due, so a settings change just after a moment
        and before its tick cannot skip that run (the work is idempotent, a repeat is harmless)."""
        for job in JOBS:
            upcoming = next_run(organization.settings, job, now - TICK_PERIOD)
            if upcoming is None:
                self.schedules.unschedule(organization.id, job)
            else:
                self.schedules.schedule(organization.id, job, upcoming)

    # --- ticks ----------------------------------------------------------------------------------
    def tick(self, job: str, now: datetime, scheduled_time: str | None = None) -> TickSummary:
        """Run every organization whose `job` is due at `now` (the scheduler's scheduledTime)."""
        outcomes: Counter[str] = Counter()
        for page in self.schedules.due(job, now):
            for entry in page:
                outcomes[self._run_entry(entry, now)] += 1
        return TickSummary(job=job, scheduled_time=scheduled_time or iso(now), due=outcomes.total(), ran=outcomes["ran"] + outcomes["changed"],
                           skipped=outcomes["skipped"], failed=outcomes["failed"], changed=outcomes["changed"])

    def _run_entry(self, entry: DueEntry, now: datetime) -> str:
        org_id, job = entry.org_id, entry.job
        lease = now + LEASE
        claimed = self.schedules.claim(entry, lease)
        if claimed is None:
            return "skipped"  # another tick has it, or settings moved it
        organization = self.organizations.get(org_id)
        if organization is None or not enabled(organization.settings, job):
            self.schedules.unschedule(org_id, job)
            return "skipped"
        run_moment = claimed.claimed_run or entry.next_run
        try:
            changed = self._auto_lock(organization, now) if job == keys.JOB_AUTO_LOCK else self._remind(organization, run_moment, now)
        except Exception:
            logger.exception("scheduled run failed; it comes due again when its lease ends", extra={"orgId": org_id, "job": job})
            return "failed"
        upcoming = next_run(organization.settings, job, max(now, run_moment))
        if upcoming is not None:
            self.schedules.finish(org_id, job, lease, upcoming)
        return "changed" if changed else "ran"

    # --- the work -------------------------------------------------------------------------------
    def _auto_lock(self, organization: Organization, now: datetime) -> bool:
        settings = organization.settings
        year, week = last_lockable_week(settings.lock_time_zone, grace_hours(settings), now)
        if not self.schedules.advance_watermark(organization.id, year, week):
            return False
        after = replace(organization, settings=settings.with_watermark(year, week))
        event = SettingsChanged(before=organization, after=after, at=now)
        for listener in self.listeners:
            listener.settings_changed(event)
        return True

    def _remind(self, organization: Organization, moment: datetime, now: datetime) -> int:
        """Remind every member whose week (the one containing `moment`, local) is incomplete."""
        if self.notifier is None:
            raise RuntimeError("ScheduleService needs a notifier to send reminders")
        tz = organization.settings.lock_time_zone
        monday = week_monday(local_date(moment, tz))
        label = week_label(*iso_week(monday))
        keep_until = now + timedelta(days=REMINDER_MARKER_DAYS)
        sent = 0
        for week in self.timesheets.incomplete_members(organization.id, monday, now):
            member = week.member
            if not self.schedules.mark_reminded(organization.id, label, member.id, sent_at=now, expires_at=keep_until):
                continue
            hours, minutes = divmod(week.remaining, 60)
            try:
                self.notifier.send(Notification(
                    to=member.email,
                    subject=f"Your timesheet for {label} is incomplete",
                    text=(f"Hello {member.name},\n\nyour timesheet in {organization.name or 'your organization'} for {label} "
                          f"is missing {hours} h {minutes:02d} min. Please complete it before it is locked.\n"),
                    kind="timesheet-reminder",
                    data={"organization": organization.domain, "week": label, "remainingTime": week.remaining, "userId": member.id},
                ))
            except Exception:
                self.schedules.unmark_reminded(organization.id, label, member.id)  # let the retry send it
                raise
            sent += 1
        return sent

    # --- routes: run now for the caller's organization --------------------------------------------
    def run_auto_lock(self, tenant: TenantContext) -> Organization:
        """PUT /timesheets/auto-lock: lock up to the last lockable week now; the organization (its settings)."""
        tenant.require_admin()
        organization = self.organizations.get(tenant.org_id)
        if organization is None:
            raise NotFound("Organization not found")
        if enabled(organization.settings, keys.JOB_AUTO_LOCK) and self._auto_lock(organization, self.clock.now()):
            organization = self.organizations.require(tenant.org_id)
        return organization

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

