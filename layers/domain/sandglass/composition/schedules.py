"""Auto-lock and reminders: the watermark auto-lock advances reaches members' lock versions;
reminders go through the notifier."""

from __future__ import annotations

from sandglass.composition import clock, once, table
from sandglass.composition.notifier import notifier
from sandglass.composition.listeners import lock_versions
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.schedules import ScheduleRepository
from sandglass.services.schedules import ScheduleService
from sandglass.services.timesheets import TimesheetService


@once
def schedules() -> ScheduleService:
    return ScheduleService(ScheduleRepository(table()), OrganizationRepository(table()), TimesheetService(clock=clock()), notifier(), clock(),
                           listeners=(lock_versions(),))
