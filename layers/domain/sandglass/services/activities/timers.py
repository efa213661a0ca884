"""Running timers: one per member, starting a timer stops the running one, stopping by PUT.

The one-per-member rule is DynamoDB's: a marker item (keys.running_timer) is claimed with
``attribute_not_exists`` in the transaction that writes the running activity, re-pointed with
``activityId = :old`` when a new timer replaces it, and released with ``activityId = :id`` when
the timer stops or is deleted (ActivityRepository.stage_timer_claim / stage_timer_release).
The functions here are pure: they decide what happens to the marker; writes.py stages it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from msgspec import Struct
from msgspec.structs import replace

from sandglass.context import TenantContext
from sandglass.entities.activities import Activity
from sandglass.entities.organizations import Organization
from sandglass.errors import Conflict, detail
from sandglass.repositories.activities import TimerMarker
from sandglass.services.activities.rules import invalid, locked, max_hours
from sandglass.timefmt import iso

RACE_LOST = "Another request stopped or changed the running timer at the same time; retry"


class TimerMove(Struct, frozen=True):
    """Claim (or re-point from `replacing`) or release a member's running-timer marker."""

    action: str  # claim | release
    user_id: str
    activity: Activity
    replacing: str | None = None
    fail: Conflict | None = None


def stop_previous(tenant: TenantContext, organization: Organization | None, old: Activity | None,
                  started: datetime, now: datetime) -> Activity | None:
    """The running timer `old` (what the member's marker points at), stopped at `started` (the new
    timer's start), or at start + maxActivityHours when it ran longer. None when the marker is
    orphaned (its activity went with a purged project or user): the new timer then simply takes
    the marker over, still conditioned on it pointing there."""
    if old is None:
        return None
    if not old.running:
        raise Conflict(RACE_LOST, code="TIMER_RUNNING")
    if started <= old.started_at:
        raise invalid(detail("startedAt", f"A timer has been running since {iso(old.started_at)}; a new timer must start after it"))
    if old.locked and not tenant.is_admin:
        raise locked()
    stop_at = min(started, old.started_at + timedelta(hours=max_hours(organization)))
    return replace(old, ended_at=stop_at, version=old.version + 1, updated_at=now, updated_by=tenant.user_id)


def claim(activity: Activity, marker: TimerMarker | None) -> TimerMove:
    """The new running timer takes the member's marker: a fresh claim, or a re-point from the
    timer it replaces (losing a race to another start is a 409)."""
    if marker is None:
        return TimerMove("claim", activity.user_id, activity)
    return TimerMove("claim", activity.user_id, activity, replacing=marker.activity_id,
                     fail=Conflict("Another timer was started at the same time; retry", code="TIMER_RUNNING"))


def moves_for_update(current: Activity, updated: Activity) -> list[TimerMove]:
    """What an update does to the marker: a stop releases it; a running timer moved to another
    member moves it; a running timer whose start changes re-points it (keeping its startedAt)."""
    if not current.running:
        return []
    if not updated.running:
        return [TimerMove("release", current.user_id, current)]
    if updated.user_id != current.user_id:
        return [TimerMove("release", current.user_id, current), TimerMove("claim", updated.user_id, updated)]
    if updated.started_at != current.started_at:
        return [TimerMove("claim", updated.user_id, updated, replacing=current.id)]
    return []


def moves_for_delete(current: Activity) -> list[TimerMove]:
    return [TimerMove("release", current.user_id, current)] if current.running else []
