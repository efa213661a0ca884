"""Timesheet lock shapes: the Sandtime user-week lock (body and response) and the list of locks,
and the mapping of the lock entities (entities/locks.py) to them."""

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field

from sandglass.entities import locks as entities
from sandglass.models import ApiModel
from sandglass.models.common import EntityId, Instant
from sandglass.models.formats import DateText, InstantOut
from sandglass.timefmt import iso


class WeekLockRequest(ApiModel):
    """POST /timesheets/lock (Sandtime): lock one member's ISO week, or with `unlockedTo` open a
    temporary unlock window until that instant (the week is locked again afterwards)."""

    userId: EntityId
    year: int = Field(ge=1970, le=9998)
    week: int = Field(ge=1, le=53)
    unlockedTo: Optional[Instant] = Field(None, description="End of a temporary unlock window (any ISO-8601 offset)")


class WeekLock(BaseModel):
    model_config = ConfigDict(defer_build=True)

    createdAt: InstantOut
    id: str
    unlockedTo: Optional[InstantOut] = None
    updatedAt: InstantOut
    userId: str
    week: int
    year: int


class Watermark(BaseModel):
    model_config = ConfigDict(defer_build=True)

    year: int
    week: int


class Locks(BaseModel):
    """GET /timesheets/locks: everything that locks days, in one document."""

    model_config = ConfigDict(defer_build=True)

    watermark: Optional[Watermark] = Field(None, description="Auto-lock: every ISO week up to this one is locked (lockingTimesheets)")
    timeZone: str = Field(description="The zone local days and ISO weeks are counted in")
    weekLocks: dict[str, WeekLock] = Field(description="Sandtime user-week locks and unlock windows, by id")
    organizationDays: list[DateText] = Field(description="Dates locked for the whole organization (yyyy-mm-dd)")
    memberDays: dict[str, list[DateText]] = Field(description="Dates locked per member id (yyyy-mm-dd)")


# --- entity -> wire --------------------------------------------------------------------------------

def week_lock_view(lock: entities.WeekLock) -> dict[str, Any]:
    """A user-week lock as the WeekLock shape."""
    return {"createdAt": iso(lock.created_at), "id": lock.id, "unlockedTo": iso(lock.unlocked_to) if lock.unlocked_to else None,
            "updatedAt": iso(lock.updated_at), "userId": lock.user_id, "week": lock.week, "year": lock.year}


def locks_view(overview: entities.LockOverview) -> dict[str, Any]:
    """What locks days as the Locks shape."""
    return {
        "watermark": {"year": overview.watermark[0], "week": overview.watermark[1]} if overview.watermark else None,
        "timeZone": overview.time_zone,
        "weekLocks": {lock.id: week_lock_view(lock) for lock in overview.week_locks},
        "organizationDays": [day.isoformat() for day in overview.organization_days],
        "memberDays": {user_id: [day.isoformat() for day in days] for user_id, days in overview.member_days.items()},
    }
