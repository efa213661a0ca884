"""Organization (workspace) bodies and responses, in the Sandtime reference's shapes."""

import datetime as dt
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, Field, StrictBool, ValidationError, model_validator

from sandglass import reference
from sandglass.entities.activities import DEFAULT_OVERLAP_POLICY
from sandglass.documents import deep_merge
from sandglass.entities import organizations as entity
from sandglass.errors import invalid_request
from sandglass.models import ApiModel, Versioned
from sandglass.models.common import Name, Omittable, Text, TimeZone
from sandglass.models.formats import CLOCK_TIME, CURRENCY
from sandglass.timefmt import hhmm

Currency = Annotated[str, AfterValidator(reference.check_currency), CURRENCY]
ClockTime = Annotated[str, AfterValidator(reference.check_hhmm), CLOCK_TIME]
Country = Annotated[str, AfterValidator(reference.check_country)]
DomainName = Annotated[str, Field(min_length=3, max_length=63), AfterValidator(reference.check_domain)]
RoundingMode = Literal["NEAREST", "UP", "DOWN"]
# What a write does with a member's entry that overlaps another of theirs (finished entries and
# running timers alike, on any project): allow it silently, accept it and name the conflicts
# (X-Overlapping-Activities), or refuse it (409 ACTIVITY_OVERLAP). Totals count wall time once
# whatever the policy.
OverlapPolicy = Literal["allow", "warn", "reject"]


class CoreHours(ApiModel):
    start: ClockTime = "09:00"
    end: ClockTime = "17:00"

    @model_validator(mode="after")
    def _start_before_end(self):
        if self.start >= self.end:
            raise ValueError("coreHours.start must be before coreHours.end")
        return self


class Holidays(ApiModel):
    country: Optional[Country] = None
    excluded: list[dt.date] = Field(default_factory=list, max_length=366)


class Rounding(ApiModel):
    enabled: StrictBool = False
    interval: int = Field(900000, gt=0, le=86_400_000, description="Rounding interval in milliseconds")
    mode: RoundingMode = "NEAREST"


class LockingTimesheets(ApiModel):
    enabled: StrictBool = False
    timeZone: Optional[TimeZone] = None
    week: Optional[int] = Field(None, ge=1, le=53)
    year: Optional[int] = Field(None, ge=1970, le=9999)

    @model_validator(mode="after")
    def _an_iso_week(self):
        """The watermark names a week of the ISO calendar (2025 has no week 53, 2026 has)."""
        if self.year is not None and self.week is not None:
            try:
                dt.date.fromisocalendar(self.year, self.week, 1)
            except ValueError:
                raise ValueError(f"lockingTimesheets: {self.year} has no ISO week {self.week}") from None
        return self


Weekday = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


class Reminders(ApiModel):
    """Extra (beyond Sandtime): when members with an incomplete week are reminded, in the
    organization's local time (the lock time zone), once per user-week."""

    enabled: StrictBool = False
    weekday: Weekday = "FRIDAY"
    time: ClockTime = "15:00"


class AutoLock(ApiModel):
    """Extra (beyond Sandtime): hours after Monday 00:00 local before auto-lock locks the week that ended."""

    graceHours: int = Field(0, ge=0, le=167)


class OnboardingStep(ApiModel):
    done: StrictBool = False
    viewed: StrictBool = False


class Onboarding(ApiModel):
    assignMembers: OnboardingStep = Field(default_factory=OnboardingStep)
    inviteMembers: OnboardingStep = Field(default_factory=OnboardingStep)
    organization: OnboardingStep = Field(default_factory=OnboardingStep)
    preferences: OnboardingStep = Field(default_factory=OnboardingStep)
    projects: OnboardingStep = Field(default_factory=OnboardingStep)


class OrganizationSettings(ApiModel):
    """Every mutable setting, fully validated (what is stored)."""

    name: Name = Field(min_length=1, max_length=200)
    notes: Text = Field("", max_length=5000)
    currency: Currency = "USD"
    timeZone: TimeZone = "UTC"
    coreHours: CoreHours = Field(default_factory=CoreHours)
    holidays: Holidays = Field(default_factory=Holidays)
    rounding: Rounding = Field(default_factory=Rounding)
    lockingTimesheets: LockingTimesheets = Field(default_factory=LockingTimesheets)
    onboarding: Onboarding = Field(default_factory=Onboarding)
    reminders: Reminders = Field(default_factory=Reminders)
    autoLock: AutoLock = Field(default_factory=AutoLock)
    # Longest activity a member may record, in hours (Activities use it; 24 unless raised).
    maxActivityHours: int = Field(24, ge=1, le=24 * 31)
    # Hours a resolved timesheet-unlock request keeps the member's week open (48 unless changed).
    unlockWindowHours: int = Field(48, ge=1, le=24 * 30)
    overlapPolicy: OverlapPolicy = Field(DEFAULT_OVERLAP_POLICY, description="allow | warn | reject: entries of one member that overlap (allow unless changed)")


class CoreHoursPatch(ApiModel):
    start: Omittable[ClockTime] = None
    end: Omittable[ClockTime] = None


class HolidaysPatch(ApiModel):
    country: Optional[Country] = None
    excluded: Omittable[list[dt.date]] = Field(None, max_length=366)


class RoundingPatch(ApiModel):
    enabled: Omittable[StrictBool] = None
    interval: Omittable[int] = Field(None, gt=0, le=86_400_000)
    mode: Omittable[RoundingMode] = None


class LockingTimesheetsPatch(ApiModel):
    enabled: Omittable[StrictBool] = None
    timeZone: Optional[TimeZone] = None
    week: Optional[int] = Field(None, ge=1, le=53)
    year: Optional[int] = Field(None, ge=1970, le=9999)


class RemindersPatch(ApiModel):
    enabled: Omittable[StrictBool] = None
    weekday: Omittable[Weekday] = None
    time: Omittable[ClockTime] = None


class AutoLockPatch(ApiModel):
    graceHours: Omittable[int] = Field(None, ge=0, le=167)


class OnboardingPatch(ApiModel):
    assignMembers: Omittable[OnboardingStep] = None
    inviteMembers: Omittable[OnboardingStep] = None
    organization: Omittable[OnboardingStep] = None
    preferences: Omittable[OnboardingStep] = None
    projects: Omittable[OnboardingStep] = None


class OrganizationUpdate(ApiModel):
    """PUT /organization: any subset; nested objects merge into the stored ones."""

    name: Omittable[Name] = Field(None, min_length=1, max_length=200)
    notes: Omittable[Text] = Field(None, max_length=5000)
    currency: Omittable[Currency] = None
    timeZone: Omittable[TimeZone] = None
    coreHours: Omittable[CoreHoursPatch] = None
    holidays: Omittable[HolidaysPatch] = None
    rounding: Omittable[RoundingPatch] = None
    lockingTimesheets: Omittable[LockingTimesheetsPatch] = None
    onboarding: Omittable[OnboardingPatch] = None
    reminders: Omittable[RemindersPatch] = None
    autoLock: Omittable[AutoLockPatch] = None
    maxActivityHours: Omittable[int] = Field(None, ge=1, le=24 * 31)
    unlockWindowHours: Omittable[int] = Field(None, ge=1, le=24 * 30)
    overlapPolicy: Omittable[OverlapPolicy] = None


class OrganizationCreate(ApiModel):
    """POST /organizations (sign-up)."""

    name: Name = Field(min_length=1, max_length=200)
    domain: DomainName
    timeZone: TimeZone = "UTC"
    currency: Currency = "USD"
    notes: Text = Field("", max_length=5000)


class RenameRequest(ApiModel):
    domain: DomainName


class Organization(OrganizationSettings, Versioned):
    id: str
    plan: str = "free"


class OrganizationSummary(BaseModel, defer_build=True):
    active: bool
    domain: str
    name: str


class AuthSnapshot(BaseModel, defer_build=True):
    domain: Optional[str]
    email: str
    token: str
    # Beyond the Sandtime reference: the caller's own user id and role in `domain`, so a client can
    # call /users/{userId}/... for itself; null when the caller is not an active member of it.
    userId: Optional[str] = Field(None, description="The caller's user id in this organization (null if not an active member)")
    role: Optional[Literal["Administrator", "Auditor", "User"]] = Field(None, description="The caller's organization role (null if not an active member)")


class DeletedOrganization(BaseModel, defer_build=True):
    domain: str
    redirectUrl: Optional[str] = None


class DomainResponse(BaseModel, defer_build=True):
    domain: str


class Health(BaseModel, defer_build=True):
    status: Literal["ok"]


# --- the Sandtime mapping of the organization entity ------------------------------------------------

def settings_model(settings: entity.OrganizationSettings) -> OrganizationSettings:
    """The settings entity in the Sandtime shape."""
    return OrganizationSettings.model_construct(
        name=settings.name, notes=settings.notes, currency=settings.currency, timeZone=settings.time_zone,
        coreHours=CoreHours.model_construct(start=hhmm(settings.core_hours.start), end=hhmm(settings.core_hours.end)),
        holidays=Holidays.model_construct(country=settings.holidays.country, excluded=list(settings.holidays.excluded)),
        rounding=Rounding.model_construct(enabled=settings.rounding.enabled, interval=settings.rounding.interval // dt.timedelta(milliseconds=1),
                                          mode=settings.rounding.mode),
        lockingTimesheets=LockingTimesheets.model_construct(enabled=settings.locking.enabled, timeZone=settings.locking.time_zone,
                                                            week=settings.locking.week, year=settings.locking.year),
        onboarding=Onboarding.model_construct(**{step: OnboardingStep.model_construct(done=state.done, viewed=state.viewed)
                                                 for step, state in settings.onboarding}),
        reminders=Reminders.model_construct(enabled=settings.reminders.enabled, weekday=settings.reminders.weekday, time=hhmm(settings.reminders.at)),
        autoLock=AutoLock.model_construct(graceHours=settings.auto_lock_grace // dt.timedelta(hours=1)),
        maxActivityHours=settings.max_activity_hours, unlockWindowHours=settings.unlock_window_hours, overlapPolicy=settings.overlap_policy,
    )


def settings_entity(model: OrganizationSettings) -> entity.OrganizationSettings:
    """Validated Sandtime settings as the entity."""
    return entity.OrganizationSettings(
        name=model.name, notes=model.notes, currency=model.currency, time_zone=model.timeZone,
        core_hours=entity.CoreHours(start=dt.time.fromisoformat(model.coreHours.start), end=dt.time.fromisoformat(model.coreHours.end)),
        holidays=entity.Holidays(country=model.holidays.country, excluded=tuple(model.holidays.excluded)),
        rounding=entity.Rounding(enabled=model.rounding.enabled, interval=dt.timedelta(milliseconds=model.rounding.interval), mode=model.rounding.mode),
        locking=entity.Locking(enabled=model.lockingTimesheets.enabled, time_zone=model.lockingTimesheets.timeZone,
                               year=model.lockingTimesheets.year, week=model.lockingTimesheets.week),
        onboarding=tuple((step, entity.OnboardingStep(done=getattr(model.onboarding, step).done, viewed=getattr(model.onboarding, step).viewed))
                         for step in entity.ONBOARDING_STEPS),
        reminders=entity.Reminders(enabled=model.reminders.enabled, weekday=model.reminders.weekday, at=dt.time.fromisoformat(model.reminders.time)),
        auto_lock_grace=dt.timedelta(hours=model.autoLock.graceHours),
        max_activity_hours=model.maxActivityHours, unlock_window_hours=model.unlockWindowHours, overlap_policy=model.overlapPolicy,
    )


def updated_settings(current: entity.OrganizationSettings, update: OrganizationUpdate) -> entity.OrganizationSettings:
    """PUT /organization's body over the current settings (nested objects merge), validated whole (422)."""
    merged = deep_merge(settings_model(current).model_dump(mode="json"), update.model_dump(mode="json", exclude_unset=True))
    try:
        return settings_entity(OrganizationSettings.model_validate(merged))
    except ValidationError as error:
        raise invalid_request(error.errors(), "body") from None


def organization_view(organization: entity.Organization) -> Organization:
    document = settings_model(organization.settings).model_dump(mode="json")
    return Organization.model_validate({**document, "id": organization.id, "plan": organization.plan}).at_version(organization.version)
