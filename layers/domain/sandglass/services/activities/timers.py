"""Running timers: one per member, starting a timer stops the running one, stopping by PUT.

The one-per-member rule is DynamoDB's: a marker item (keys.running_timer) is claimed with
``attribute_not_exists`` in the transaction that writes the running activity, re-pointed with
``activityId = :old`` when a new timer replaces it, and released with ``activityId = :id`` when
the timer stops or is deleted (repositories/activities.py builds those operations).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sandglass import timefmt
from sandglass.context import TenantContext
from sandglass.errors import Conflict, detail
from sandglass.repositories.activities import ActivityChange, TimerChange
from sandglass.services.activities.rules import invalid, locked, max_hours
from sandglass.timefmt import iso

RACE_LOST = "Another request stopped or changed the running timer at the same time; retry"


def stop_previous(tenant: TenantContext, organization: dict[str, Any], old: dict[str, Any] | None,
                  started: datetime, now: datetime) -> ActivityChange | None:
    """The running timer `old` (what the member's marker points at), stopped at `started` (the new
    timer's start), or at start + maxActivityHours when it ran longer. None when the marker is
    orphaned (its activity went with a purged project or user): the new timer then simply takes
    the marker over, still conditioned on it pointing there."""
    lost = Conflict(RACE_LOST, code="TIMER_RUNNING")
    if old is None:
        return None
    if not old.get("pending"):
        raise lost
    old_start = timefmt.parse_instant(old["startedAt"])
    if started <= old_start:
        raise invalid(detail("startedAt", f"A timer has been running since {old['startedAt']}; a new timer must start after it"))
    if old.get("locked") and not tenant.is_admin:
        raise locked()
    stop_at = min(started, old_start + timedelta(hours=max_hours(organization)))
    stopped = {**old, "endedAt": iso(stop_at), "pending": None, "version": int(old["version"]) + 1,
               "updatedAt": iso(now), "updatedBy": tenant.user_id}
    return ActivityChange(old, stopped, expected_version=int(old["version"]), fail=lost, require_running=True)


def claim(activity: dict[str, Any], marker: dict[str, Any] | None) -> TimerChange:
    """The new running timer takes the member's marker: a fresh claim, or a re-point from the
    timer it replaces (losing a race to another start is a 409)."""
    if marker is None:
        return TimerChange("claim", activity["userId"], activity["id"], activity["startedAt"])
    return TimerChange("claim", activity["userId"], activity["id"], activity["startedAt"], replacing=marker["activityId"],
                       fail=Conflict("Another timer was started at the same time; retry", code="TIMER_RUNNING"))


def changes_for_update(current: dict[str, Any], updated: dict[str, Any], *, stopping: bool) -> list[TimerChange]:
    """What an update does to the marker: a stop releases it; a running timer moved to another
    member moves it; a running timer whose start changes re-points it (keeping its startedAt)."""
    running = bool(current.get("pending"))
    if stopping:
        return [TimerChange("release", current["userId"], current["id"])]
    if running and updated["userId"] != current["userId"]:
        return [TimerChange("release", current["userId"], current["id"]),
                TimerChange("claim", updated["userId"], current["id"], updated["startedAt"])]
    if running and updated["startedAt"] != current["startedAt"]:
        return [TimerChange("claim", updated["userId"], current["id"], updated["startedAt"], replacing=current["id"])]
    return []


def release_on_delete(current: dict[str, Any]) -> list[TimerChange]:
    return [TimerChange("release", current["userId"], current["id"])] if current.get("pending") else []
