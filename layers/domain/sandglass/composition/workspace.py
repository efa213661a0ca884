"""Organizations, their schedules (auto-lock, reminders) and their members, and who follows the
organization settings."""

from __future__ import annotations

from sandglass.composition import clock, notifier, once, table
from sandglass.entities.organizations import SettingsChanged
from sandglass.repositories.locks import LockRepository
from sandglass.repositories.organizations import OrganizationRepository, settings_to_item
from sandglass.repositories.rates import RateRepository
from sandglass.repositories.schedules import ScheduleRepository
from sandglass.repositories.users import UserRepository
from sandglass.services import locks as lock_rules
from sandglass.services.organizations import OrganizationService
from sandglass.services.rates import RateService
from sandglass.services.schedules import ScheduleService
from sandglass.services.timesheets import TimesheetService
from sandglass.services.users import UserService
from sandglass.settings import get_settings


class LockVersionsFollowSettings:
    """Settings listener: members' lock versions move when the watermark or the lock zone does, so
    an activity write that read the old settings cannot commit (services/locks.py)."""

    def __init__(self, repository: LockRepository):
        self.repository = repository

    def settings_changed(self, event: SettingsChanged) -> None:
        lock_rules.after_settings_change(self.repository, event.org_id, settings_to_item(event.before.settings),
                                         settings_to_item(event.after.settings))


@once
def lock_versions() -> LockVersionsFollowSettings:
    return LockVersionsFollowSettings(LockRepository(table()))


@once
def organizations() -> OrganizationService:
    """Settings changes reach the schedules' due index and members' lock versions."""
    return OrganizationService(OrganizationRepository(table()), clock(), listeners=(schedules(), lock_versions()),
                               offboarding_url=get_settings().offboarding_url)


@once
def schedules() -> ScheduleService:
    """The watermark auto-lock advances reaches members' lock versions; reminders go through the notifier."""
    return ScheduleService(ScheduleRepository(table()), OrganizationRepository(table()), TimesheetService(clock=clock()), notifier(), clock(),
                           listeners=(lock_versions(),))


@once
def users() -> UserService:
    return UserService(UserRepository(table()), RateService(RateRepository(table())), clock(), OrganizationRepository(table()))
