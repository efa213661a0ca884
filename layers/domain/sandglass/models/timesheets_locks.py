"""Timesheet lock shapes: the Sandtime user-week lock (body and response) and the list of locks."""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from sandglass.models import ApiModel
from sandglass.models.common import EntityId, Instant
from sandglass.models.formats import DateText, InstantOut


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

