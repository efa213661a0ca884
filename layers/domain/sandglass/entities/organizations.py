"""An organization (a tenant, "workspace") and its settings, and the event its settings changes publish.

What other rooms read (the accessor surface; keep it small):
- ``organization.settings.time_zone`` / ``.lock_time_zone`` (the auto-lock zone, else the organization's);
- ``.settings.rounding`` (``enabled``, ``interval``, ``mode``), ``.settings.overlap_policy``,
  ``.settings.max_activity_hours``, ``.settings.unlock_window_hours``, ``.settings.currency``;
- ``.settings.locking`` (``enabled``, ``time_zone``, ``year``, ``week``: the last locked ISO week),
  ``.settings.watermark`` (``(year, week)`` or None) and ``.settings.locked_through`` (the watermark
  while auto-lock is enabled: what the lock rules enforce);
- ``organization.admin_count`` (active Administrators: the last one may resolve their own requests);
- ``.settings.week_start`` (reports' weeks);
- ``.settings.core_hours`` / ``.settings.holidays`` (timesheets and reminders).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal, Protocol

from msgspec import Struct, field
from msgspec.structs import replace


RoundingMode = Literal["NEAREST", "UP", "DOWN"]
OverlapPolicy = Literal["allow", "warn", "reject"]
FREE_PLAN = "free"
ONBOARDING_STEPS = ("assignMembers", "inviteMembers", "organization", "preferences", "projects")


class CoreHours(Struct, frozen=True, kw_only=True):
    start: time = time(9)
    end: time = time(17)


class Holidays(Struct, frozen=True, kw_only=True):
    country: str | None = None  # ISO 3166 alpha-2: that country's public holidays count as days off
    excluded: tuple[date, ...] = ()  # single days off on top


class Rounding(Struct, frozen=True, kw_only=True):
    """How durations are rounded in reports and totals (the raw times are kept)."""

    enabled: bool = False
    interval: timedelta = timedelta(minutes=15)
    mode: RoundingMode = "NEAREST"


class Locking(Struct, frozen=True, kw_only=True):
    """Auto-lock: ``year``/``week`` is the last locked ISO week (the watermark), in ``time_zone``
    (None: the organization's)."""

    enabled: bool = False
    time_zone: str | None = None
    year: int | None = None
    week: int | None = None


class Reminders(Struct, frozen=True, kw_only=True):
    """When members with an incomplete week are reminded, local to the lock time zone."""

    enabled: bool = False
    weekday: str = "FRIDAY"  # MONDAY..SUNDAY
    at: time = time(15)


class OnboardingStep(Struct, frozen=True, kw_only=True):
    done: bool = False
    viewed: bool = False


class OrganizationSettings(Struct, frozen=True, kw_only=True):
    """Every mutable setting (one versioned document: a settings change replaces it whole)."""

    name: str
    notes: str = ""
    currency: str = "USD"
    time_zone: str = "UTC"
    core_hours: CoreHours = field(default_factory=CoreHours)
    holidays: Holidays = field(default_factory=Holidays)
    rounding: Rounding = field(default_factory=Rounding)
    locking: Locking = field(default_factory=Locking)
    # step name (ONBOARDING_STEPS) -> its state, in ONBOARDING_STEPS order
    onboarding: tuple[tuple[str, OnboardingStep], ...] = tuple((step, OnboardingStep()) for step in ONBOARDING_STEPS)
    reminders: Reminders = field(default_factory=Reminders)
    auto_lock_grace: timedelta = timedelta(0)  # after Monday 00:00 local before the week that ended is locked
    max_activity_hours: int = 24
    unlock_window_hours: int = 48
    overlap_policy: OverlapPolicy = "allow"
    week_start: str = "MONDAY"  # the first day of a report's week (MONDAY..SUNDAY); no route sets it

    @property
    def lock_time_zone(self) -> str:
        return self.locking.time_zone or self.time_zone or "UTC"

    @property
    def watermark(self) -> tuple[int, int] | None:
        """The last locked ISO week (year, week), or None when none is."""
        if self.locking.year is None or self.locking.week is None:
            return None
        return self.locking.year, self.locking.week

    @property
    def locked_through(self) -> tuple[int, int] | None:
        """The last ISO week auto-lock locks (the watermark while locking is enabled), or None."""
        return self.watermark if self.locking.enabled and self.locking.year and self.locking.week else None

    def with_watermark(self, year: int, week: int) -> OrganizationSettings:
        return replace(self, locking=replace(self.locking, year=year, week=week))


class Organization(Struct, frozen=True, kw_only=True):
    id: str
    domain: str
    settings: OrganizationSettings
    plan: str = FREE_PLAN
    version: int = 1
    created_at: datetime | None = None
    created_by: str | None = None  # the email that signed up
    admin_count: int = 0  # active Administrators (a counter the member writes keep; read-only here)

    @property
    def name(self) -> str:
        return self.settings.name


class SettingsChanged(Struct, frozen=True, kw_only=True):
    """An organization's settings moved from ``before`` to ``after`` (a settings PUT, or auto-lock
    advancing the watermark), published to the settings listeners after the write committed."""

    before: Organization
    after: Organization
    at: datetime  # when it happened (the service's clock)
    by: str | None = None  # the member who changed them; None for the system (auto-lock)

    @property
    def org_id(self) -> str:
        return self.after.id


class SettingsListener(Protocol):
    """Whoever follows organization settings (the schedules' due index, members' lock versions).
    The composition root subscribes them; the publisher imports none of them."""

    def settings_changed(self, event: SettingsChanged) -> None: ...
