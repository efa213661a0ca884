"""Timesheet locks: what a lock decision reads (services/lock_rules.py holds the model itself).

Three kinds of explicit lock exist beside the organization's auto-lock watermark:
- a Sandtime user-week lock of one member's ISO week (``WeekLock``), which with ``unlocked_to``
  in the future is a temporary unlock window instead;
- 4me-style date locks of a day, the ISO week of a day or the month of a day, for one member or
  the whole organization (``DateLock``); stored as the set of locked days of their scope;
- approvals: an approved ISO week of a member (a resolved timesheet-approval request).
``LockState`` is one scope's explicit locks as read together (with the version that guards them);
``LockOverview`` what locks days for a set of members, as the lock reads answer it.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Literal, Mapping

from msgspec import Struct, field


Period = Literal["day", "week", "month"]


class WeekLock(Struct, frozen=True, kw_only=True):
    """A Sandtime lock of one member's ISO week; with `unlocked_to` in the future it is a
    temporary unlock window instead (until then the week is open, afterwards locked)."""

    id: str
    user_id: str
    year: int
    week: int
    unlocked_to: datetime | None = None
    created_at: datetime
    updated_at: datetime


class WeekApproval(Struct, frozen=True, kw_only=True):
    """An approved ISO week of a member: who approved it, when, through which request."""

    request_id: str
    approved_at: datetime
    approved_by: str


class DateLock(Struct, frozen=True, kw_only=True):
    """A 4me lock of a period: one day, the ISO week of `anchor` or its month, for one member or
    (user_id None) the whole organization."""

    user_id: str | None = None
    period: Period
    anchor: date

    @property
    def days(self) -> list[date]:
        if self.period == "day":
            return [self.anchor]
        if self.period == "week":
            monday = self.anchor - timedelta(days=self.anchor.weekday())
            return [monday + timedelta(days=offset) for offset in range(7)]
        length = calendar.monthrange(self.anchor.year, self.anchor.month)[1]
        return [self.anchor.replace(day=day) for day in range(1, length + 1)]


class LockState(Struct, frozen=True, kw_only=True):
    """One scope's explicit locks: a member's, or (user_id None) the whole organization's."""

    user_id: str | None = None
    days: frozenset[date] = frozenset()
    weeks: Mapping[tuple[int, int], WeekLock] = field(default_factory=dict)
    version: int | None = None  # None: nothing stored yet
    approvals: Mapping[tuple[int, int], WeekApproval] = field(default_factory=dict)


class LockStates(Struct, frozen=True, kw_only=True):
    organization: LockState
    members: Mapping[str, LockState]

    def of(self, user_id: str) -> LockState:
        return self.members.get(user_id) or LockState(user_id=user_id)


class LockOverview(Struct, frozen=True, kw_only=True):
    """Everything that locks days, for the organization and the members asked about."""

    watermark: tuple[int, int] | None = None  # auto-lock: every ISO week up to this (year, week) is locked
    time_zone: str  # the zone local days and ISO weeks are counted in
    week_locks: tuple[WeekLock, ...] = ()  # per member, by ISO week
    organization_days: tuple[date, ...] = ()  # sorted
    member_days: Mapping[str, tuple[date, ...]] = field(default_factory=dict)  # by member id, sorted; members with locked days only
