"""An activity (a time entry) and the rates it keeps from its start."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from msgspec import Struct


# How an organization treats entries of one member that overlap (its overlapPolicy setting).
OVERLAP_POLICIES = ("allow", "warn", "reject")
DEFAULT_OVERLAP_POLICY = "allow"

# What kind of time an activity records: work, or a break (never billable, outside worked totals).
REGULAR, BREAK = "REGULAR", "BREAK"
ACTIVITY_TYPES = (REGULAR, BREAK)
# How reports and summaries name the group of activities without a project.
NO_PROJECT = "(no project)"


class RateRef(Struct, frozen=True, kw_only=True):
    """A rate window's price as an activity recorded it (the window may change later)."""

    currency: str
    value: Decimal
    rate_id: str


class RateSnapshot(Struct, frozen=True, kw_only=True):
    """The revenue and cost rates in force at the activity's start; None: no window then."""

    revenue: RateRef | None = None
    cost: RateRef | None = None


class Activity(Struct, frozen=True, kw_only=True):
    id: str
    user_id: str
    project_id: str | None  # None: no project (written on the Clockify surface; reports group it as "no project")
    started_at: datetime
    ended_at: datetime | None = None  # None while the timer runs
    name: str = ""
    billable: bool = False
    locked: bool = False
    version: int = 1
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    rate_snapshot: RateSnapshot | None = None  # None: written before rates were kept (priced by today's windows)
    geofence_id: str | None = None  # the geofence whose enter event started it (not shown on the API)
    rerate_id: str | None = None  # the last re-rate that replaced its rate snapshot
    task_id: str | None = None  # an ACTIVE task of its project when set (entities/catalog.py)
    tag_ids: tuple[str, ...] = ()  # tags of the organization (entities/catalog.py)
    type: str = REGULAR  # one of ACTIVITY_TYPES
    notes: str = ""  # free text about what was worked on (several lines; Sonderplan's `description`)
    booking_ids: tuple[int, ...] = ()  # bookings of an external planner it was recorded against (references only)
    number: int | None = None  # the integer id (4me, Sonderplan; repositories/int_ids.py); None until assigned

    @property
    def is_break(self) -> bool:
        return self.type == BREAK

    @property
    def running(self) -> bool:
        return self.ended_at is None

    def duration(self, now: datetime) -> timedelta:
        """Wall time from start to end (to `now` while running)."""
        return (self.ended_at or now) - self.started_at


class IdempotencyRecord(Struct, frozen=True, kw_only=True):
    """A create's first answer under its Idempotency-Key: a retry of the same member with the same
    body gets it back (the activity as created) until the record expires."""

    user_id: str  # the caller (keys are scoped to them)
    key_hash: str  # sha256 of the key
    request_hash: str | None  # sha256 of the body
    activity: Activity  # as created
    overlapping: tuple[str, ...] = ()  # the entries it overlapped then (overlapPolicy warn)
    created_at: datetime
    expires_at: datetime  # whole seconds

    def expired(self, now: datetime) -> bool:
        return int(self.expires_at.timestamp()) < int(now.timestamp())
