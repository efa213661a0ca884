"""Workspace = organization: `GET /v1/workspaces`, `GET /v1/workspaces/{workspaceId}`."""

from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from sandglass import ids
from sandglass.dialects.clockify import wire
from sandglass.dialects.clockify.models import ClockifyModel, Membership, Rate
from sandglass.entities.organizations import Locking, Organization

_ROUND = {"NEAREST": "Round to nearest", "UP": "Round up to", "DOWN": "Round down to"}


class Round(ClockifyModel):
    round: str
    minutes: str


class WorkspaceSettings(ClockifyModel):
    """The knobs Sandglass has are mapped (rounding, lock); the others say what Sandglass does
    (a time entry may have no project on this surface; only Administrators create projects and see
    others' entries)."""

    timeRoundingInReports: bool
    round: Round
    lockTimeEntries: Optional[str] = None
    lockTimeZone: Optional[str] = None
    trackTimeDownToSecond: bool = True
    forceProjects: bool = False
    forceDescription: bool = False
    forceTasks: bool = False
    forceTags: bool = False
    onlyAdminsSeeAllTimeEntries: bool = True
    defaultBillableProjects: bool = True
    timeTrackingMode: str = "DEFAULT"
    activeBillableHours: bool = True
    adminOnlyPages: str = "[]"
    automaticLock: Optional[dict] = None
    canSeeTimeSheet: bool = True
    canSeeTracker: bool = True
    currencyFormat: str = "CURRENCY_SPACE_VALUE"
    durationFormat: str = "FULL"
    entityCreationPermissions: dict = {}
    isProjectPublicByDefault: bool = False
    multiFactorEnabled: bool = False
    numberFormat: str = "COMMA_PERIOD"
    onlyAdminsCanChangeBillableStatus: bool = False
    onlyAdminsCreateProject: bool = True
    onlyAdminsCreateTag: bool = True
    onlyAdminsCreateTask: bool = True
    onlyAdminsSeeBillableRates: bool = True
    onlyAdminsSeeDashboard: bool = False
    onlyAdminsSeePublicProjectsEntries: bool = True
    projectFavorites: bool = False
    projectGroupingLabel: str = "client"
    projectLabel: str = "project"
    projectPickerSpecialFilter: bool = False
    taskLabel: str = "task"
    workingDays: list[str] = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]


class Subdomain(ClockifyModel):
    enabled: bool
    name: str


class Currency(ClockifyModel):
    code: str
    isDefault: bool = True


class Workspace(ClockifyModel):
    id: str
    name: str
    hourlyRate: Rate
    costRate: Rate
    memberships: list[Membership] = []
    workspaceSettings: WorkspaceSettings
    imageUrl: str = ""
    featureSubscriptionType: Optional[str] = None
    cakeOrganizationId: Optional[str] = None
    subdomain: Optional[Subdomain] = None
    features: list[str] = []
    currencies: list[Currency] = []


def lock_cutoff(locking: Locking, zone: str) -> tuple[Optional[str], Optional[str]]:
    """Sandglass locks whole ISO weeks up to `year`/`week`; Clockify names the instant before which
    entries are locked: the Monday after the last locked week, at midnight in the lock's zone."""
    if not locking.enabled or not locking.year or not locking.week:
        return None, None
    zone = locking.time_zone or zone or "UTC"
    monday = date.fromisocalendar(locking.year, locking.week, 1) + timedelta(days=7)
    return wire.instant(datetime.combine(monday, time(), ZoneInfo(zone))), zone


def to_clockify(organization: Organization) -> Workspace:
    """An organization as a Clockify workspace. `subdomain` stays null: a Sandglass domain is not a
    Clockify subdomain (clients would build `https://<name>.clockify.me` links from it)."""
    settings, rounding = organization.settings, organization.settings.rounding
    currency = settings.currency or "USD"
    lock, lock_zone = lock_cutoff(settings.locking, settings.time_zone or "UTC")
    interval = rounding.interval // timedelta(milliseconds=1) or 900000
    workspace_settings = WorkspaceSettings(
        timeRoundingInReports=rounding.enabled,
        round=Round(round=_ROUND.get(rounding.mode or "NEAREST", _ROUND["NEAREST"]), minutes=str(interval // 60000)),
        lockTimeEntries=lock, lockTimeZone=lock_zone,
    )
    return Workspace(id=ids.short_id(organization.id), name=organization.name or "", hourlyRate=Rate(amount=0, currency=currency),
                     costRate=Rate(amount=0, currency=currency), workspaceSettings=workspace_settings, currencies=[Currency(code=currency)],
                     featureSubscriptionType=str(organization.plan or "free").upper())
