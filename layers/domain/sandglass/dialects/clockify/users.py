"""Users: `GET /v1/user` (the caller, a person) and `GET /v1/workspaces/{ws}/users` (members)."""

from typing import Callable, Optional

from pydantic import Field

from sandglass import ids
from sandglass.dialects.clockify.models import ClockifyModel, Membership, documented_default
from sandglass.entities.organizations import Organization
from sandglass.entities.people import ADMINISTRATOR, Member

ACTIVE, INACTIVE, PENDING = "ACTIVE", "INACTIVE", "PENDING"
WORKSPACE_ADMIN = "WORKSPACE_ADMIN"


class UserSettings(ClockifyModel):
    """Clockify's user settings: the time zone is the workspace's; the rest are Clockify's defaults
    (Sandglass keeps no web-app preferences of these kinds)."""

    timeZone: str = "UTC"
    weekStart: str = "MONDAY"
    timeFormat: str = "HOUR24"
    dateFormat: str = "YYYY-MM-DD"
    myStartOfDay: str = "09:00"
    lang: str = "EN"
    theme: str = "DEFAULT"
    alerts: bool = False
    approval: bool = False
    collapseAllProjectLists: bool = False
    dashboardPinToTop: bool = False
    dashboardSelection: str = "ME"
    dashboardViewType: str = "PROJECT"
    groupSimilarEntriesDisabled: bool = False
    invoiceReminders: bool = False
    isCompactViewOn: bool = False
    longRunning: bool = False
    multiFactorEnabled: bool = False
    onboarding: bool = False
    projectListCollapse: int = 50
    projectPickerTaskFilter: bool = False
    pto: bool = False
    reminders: bool = False
    scheduledReports: bool = False
    scheduling: bool = False
    sendNewsletter: bool = False
    showOnlyWorkingDays: bool = False
    summaryReportSettings: dict = {"group": "PROJECT", "subgroup": "CLIENT"}
    timeTrackingManual: bool = False
    weeklyUpdates: bool = False


class Role(ClockifyModel):
    role: str
    entities: list[dict] = []
    source: Optional[dict] = None


class User(ClockifyModel):
    id: str
    email: str
    name: str
    profilePicture: str = ""
    status: str = ACTIVE
    activeWorkspace: Optional[str] = None
    defaultWorkspace: Optional[str] = None
    memberships: list[Membership] = []
    settings: UserSettings = Field(default_factory=UserSettings, json_schema_extra=documented_default(UserSettings))
    customFields: list[dict] = []
    roles: Optional[list[Role]] = None


def member_status(member: Member) -> str:
    """ACTIVE, INACTIVE (archived) or PENDING (invited, not joined yet)."""
    if member.archived:
        return INACTIVE
    if member.status == "INVITED":
        return PENDING
    return ACTIVE


def current_user(email: str, name: str, organizations: list[Organization], *, with_memberships: bool) -> User:
    """The calling person: one id in every workspace; the first workspace is their default."""
    person = ids.person_short_id(email)
    workspaces = [ids.short_id(organization.id) for organization in organizations]
    zone = (organizations[0].settings.time_zone if organizations else None) or "UTC"
    memberships = [Membership(userId=person, targetId=w) for w in workspaces] if with_memberships else []
    return User(id=person, email=email, name=name or email.split("@")[0], activeWorkspace=workspaces[0] if workspaces else None,
                defaultWorkspace=workspaces[0] if workspaces else None, memberships=memberships, settings=UserSettings(timeZone=zone))


def to_clockify(member: Member, workspace_id: str, *, time_zone: str = "UTC", with_roles: bool = False,
                with_memberships: bool = False) -> User:
    """A member of the workspace as a Clockify user (the person's id)."""
    person = ids.person_short_id(member.email)
    roles = None
    if with_roles:
        roles = [Role(role=WORKSPACE_ADMIN, entities=[{"id": workspace_id}])] if member.role == ADMINISTRATOR else []
    memberships = [Membership(userId=person, targetId=workspace_id, membershipStatus=member_status(member))] if with_memberships else []
    return User(id=person, email=member.email, name=member.name or "", profilePicture=member.avatar or "",
                status=member_status(member), activeWorkspace=workspace_id, defaultWorkspace=workspace_id, memberships=memberships,
                settings=UserSettings(timeZone=time_zone), roles=roles)


_SORT: dict[str, Callable[[Member], str]] = {"EMAIL": lambda member: member.email, "NAME": lambda member: member.name,
                                             "NAME_LOWERCASE": lambda member: member.name, "ID": lambda member: member.id}


def filtered(members: list[Member], *, email: str | None, name: str | None, status: str | None,
             sort_column: str | None = None, sort_order: str | None = None) -> list[Member]:
    """Clockify's user filters: `email`, `name` (substring, any case), `status` (default: every
    status but INACTIVE... Clockify lists ACTIVE and PENDING; ALL lists everyone)."""
    wanted = (status or "").upper()
    chosen = []
    for member in members:
        state = member_status(member)
        if wanted and wanted != "ALL" and state != wanted:
            continue
        if not wanted and state == INACTIVE:
            continue
        if email and email.lower() not in member.email.lower():
            continue
        if name and name.lower() not in (member.name or "").lower():
            continue
        chosen.append(member)
    key = _SORT.get((sort_column or "EMAIL").upper(), _SORT["EMAIL"])
    chosen.sort(key=lambda member: (str(key(member) or "").lower(), member.id), reverse=(sort_order or "").upper() == "DESCENDING")
    return chosen
