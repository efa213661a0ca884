"""The activity rules that need no storage: who may see an entry, how long it may last, which
month partitions a time window covers, and the errors the rules raise."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any, Collection, Mapping, Optional

from msgspec import Struct, field

from sandglass.context import TenantContext
from sandglass.errors import Conflict, NotFound, ValidationFailed, detail
from sandglass.months import month_start, next_month
from sandglass.entities.activities import DEFAULT_OVERLAP_POLICY, OVERLAP_POLICIES, Activity
from sandglass.entities.organizations import Organization
from sandglass.models.activities import ActivityCreate
from sandglass.entities.projects import ProjectMembership
from sandglass.timefmt import iso

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
MAX_MONTHS = 12
DEFAULT_MAX_HOURS = 24
IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_IDEMPOTENCY_KEY = 255
# A client clock may run ahead of ours; a start further in the future than this is a mistake
# (a timer started in year 9998 would block the member's timers until stopped).
MAX_CLOCK_SKEW = timedelta(minutes=5)


class ActivityResult(Struct):
    """The activity read or written (each dialect maps it to its wire shape)."""

    activity: Activity
    # ids of the member's other entries this write overlaps (the organization's policy is warn)
    overlapping: list[str] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.activity.version

    @property
    def number(self) -> Optional[int]:
        """The activity's integer id (docs/ids.md); None until numbered."""
        return self.activity.number


class ActivityList(Struct):
    activities: dict[str, Activity]  # by id, in list order
    cursor: Optional[str]
    pages: int = 1


def invalid(*details: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(details[0]["message"] if len(details) == 1 else "The activity is invalid", details=list(details))


def locked() -> Conflict:
    return Conflict("This activity is locked; only organization Administrators can change it", code="ACTIVITY_LOCKED")


def not_found() -> NotFound:
    return NotFound("Activity not found")


# --- reading the other entities a write decides on ------------------------------------------------
# Organization settings, projects, project memberships and members arrive as their repositories
# return them; these accessors are the only places the activity rules read them.

def is_project_admin(membership: ProjectMembership | None) -> bool:
    return membership is not None and membership.administers


def is_project_member(membership: ProjectMembership | None) -> bool:
    return membership is not None and not membership.archived


def project_archived(project: Mapping[str, Any]) -> bool:
    return bool(project.get("archived"))


def project_billable(project: Mapping[str, Any] | None) -> bool:
    """A new entry's default billable flag: its project's (no project: not billable)."""
    return bool((project or {}).get("billable", False))


def project_has_activities(project: Mapping[str, Any] | None) -> bool:
    """Whether the project already carries its hasActivities mark (no project: nothing to mark)."""
    return project is None or bool(project.get("hasActivities"))


def member_active(member: Mapping[str, Any] | None) -> bool:
    return member is not None and not member.get("archived")


def max_hours(organization: Organization | None) -> int:
    return (organization.settings.max_activity_hours if organization is not None else None) or DEFAULT_MAX_HOURS


def overlap_policy(organization: Organization | None) -> str:
    policy = organization.settings.overlap_policy if organization is not None else DEFAULT_OVERLAP_POLICY
    return policy if policy in OVERLAP_POLICIES else DEFAULT_OVERLAP_POLICY


def check_times(organization: Organization | None, started: datetime, ended: datetime | None) -> list[dict[str, str]]:
    """An entry ends after it starts and lasts at most the organization's maxActivityHours."""
    if ended is None:
        return []
    if ended <= started:
        return [detail("endedAt", "endedAt must be after startedAt")]
    limit = max_hours(organization)
    if ended - started > timedelta(hours=limit):
        return [detail("endedAt", f"An activity may last at most {limit} hours in this organization")]
    return []


def check_not_ahead(now: datetime, **instants: datetime | None) -> list[dict[str, str]]:
    """Starts (and ends of stopped entries) may not lie beyond the clock-skew window ahead of now."""
    horizon = now + MAX_CLOCK_SKEW
    return [detail(name, f"{name} lies in the future; it may be at most {int(MAX_CLOCK_SKEW.total_seconds() // 60)} minutes ahead of now")
            for name, instant in instants.items() if instant is not None and instant > horizon]


def check_assignment(tenant: TenantContext, project: Mapping[str, Any] | None, membership: ProjectMembership | None,
                     member: Mapping[str, Any] | None, *, check_member: bool, projectless: bool = False) -> list[dict[str, str]]:
    """The project exists and is active, the member belongs to it (organization Administrators are
    exempt), and, when recording for someone else, that someone is an active member. With
    `projectless` (an entry without a project) only the member is checked."""
    problems = []
    if projectless:
        pass
    elif project is None:
        problems.append(detail("projectId", "No such project in this organization"))
    elif project_archived(project):
        problems.append(detail("projectId", "The project is archived"))
    elif not tenant.is_admin and not is_project_member(membership):
        problems.append(detail("projectId", "The user is not a member of this project; a project Administrator can add them"))
    if check_member and not member_active(member):
        problems.append(detail("userId", "No such active member in this organization"))
    return problems


def overlap_window(organization: Organization | None, started: datetime, ended: datetime | None) -> tuple[datetime, datetime | None]:
    """The start instants of the entries that can overlap [started, ended): from `started` minus the
    longest entry the organization allows (a running timer, which may be older, is known from the
    member's timer marker) up to `ended` (None: open, a running timer)."""
    return started - timedelta(hours=max_hours(organization)), ended


class Interval(Struct, frozen=True):
    """Another entry of the member as the overlap rule sees it (ended None: running)."""

    id: str
    started_at: datetime
    ended_at: datetime | None
    project_id: str | None = None


def interval_of(activity: Activity) -> Interval:
    return Interval(activity.id, activity.started_at, activity.ended_at, activity.project_id)


def overlaps(started: datetime, ended: datetime | None, others: list[Interval], *, exclude: Collection[str] = frozenset()) -> list[Interval]:
    """The entries among `others` whose interval [started_at, ended_at) meets [started, ended) in
    more than an instant; a running timer (no end, or `ended` None) runs on without an end."""
    found = [other for other in others if other.id not in exclude
             and (ended is None or other.started_at < ended) and (other.ended_at is None or started < other.ended_at)]
    return sorted(found, key=lambda other: (other.started_at, other.id))


def overlap_conflict(conflicts: list[Interval]) -> Conflict:
    first = conflicts[0]
    return Conflict(
        f"This entry overlaps activity {first.id} ({iso(first.started_at)} to {iso(first.ended_at) if first.ended_at else 'running'}); "
        "the organization's overlapPolicy is reject",
        code="ACTIVITY_OVERLAP",
        details=[{"field": "activityId", "in": "body", "message": f"Overlaps activity {other.id}", "type": "overlap",
                  "activityId": other.id, "projectId": other.project_id, "startedAt": iso(other.started_at),
                  "endedAt": iso(other.ended_at) if other.ended_at else None} for other in conflicts])


def request_hash(request: ActivityCreate) -> str:
    payload = json.dumps(request.model_dump(mode="json", exclude_unset=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


# --- month partitions ------------------------------------------------------------------------------

def organization_window(now: datetime, lower: datetime | None, upper: datetime | None) -> tuple[datetime, datetime]:
    """The range an organization-wide list reads when `from` or `to` is missing (without both, the
    list walks every month newest first instead; the current UTC month is kept here for callers
    that need a bounded default); `from` alone runs to the end of the current month (or of `from`'s month when
    it lies ahead); `to` alone starts at the start of the current month (or of `to`'s month when it
    lies behind)."""
    if lower is None and upper is None:
        return month_start(now), next_month(now)
    if upper is None:
        return lower, next_month(max(now, lower))
    if lower is None:
        return month_start(min(now, upper - timedelta(milliseconds=1))), upper
    return lower, upper
