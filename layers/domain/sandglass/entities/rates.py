"""Rate windows: the price of a member's time (revenue, per project) or a user's time (cost) over a span."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Iterable

from msgspec import Struct

from sandglass.entities.activities import RateRef, RateSnapshot

# Which owner a window prices: a project member's billed time, or what a user's time costs.
REVENUE, COST = "revenue", "cost"


class RateOwner(Struct, frozen=True, kw_only=True):
    """Whose time a set of windows prices: a project membership (revenue) or a user (cost)."""

    user_id: str
    project_id: str | None = None  # revenue: the project and the membership on it
    member_id: str | None = None

    @property
    def kind(self) -> str:
        return REVENUE if self.project_id is not None else COST


class RateWindow(Struct, frozen=True, kw_only=True):
    """A rate in force over ``starts_at <= T < ends_at`` (``ends_at`` None: never ends).

    Revenue windows belong to a project membership (``project_id``, ``member_id``, ``user_id``);
    cost windows to a user (``user_id`` only). The windows of one owner never overlap."""

    id: str
    currency: str
    value: Decimal  # per hour
    tax_rate: Decimal
    starts_at: datetime
    ends_at: datetime | None = None
    user_id: str
    project_id: str | None = None  # revenue windows only
    member_id: str | None = None  # revenue windows only

    @property
    def kind(self) -> str:
        return REVENUE if self.project_id is not None else COST

    def covers(self, instant: datetime) -> bool:
        return self.starts_at <= instant and (self.ends_at is None or instant < self.ends_at)

    def overlaps(self, other: RateWindow) -> bool:
        return ((other.ends_at is None or self.starts_at < other.ends_at)
                and (self.ends_at is None or other.starts_at < self.ends_at))

    def ref(self) -> RateRef:
        """The window's price as an activity keeps it."""
        return RateRef(currency=self.currency, value=self.value, rate_id=self.id)


def in_force(windows: Iterable[RateWindow], instant: datetime) -> RateWindow | None:
    """The window in force at `instant` (windows of one owner never overlap: at most one applies)."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return next((window for window in windows if window.covers(instant)), None)


def snapshot(revenue: RateWindow | None, cost: RateWindow | None) -> RateSnapshot:
    """What an activity keeps of the windows in force at its start (None: no window of that kind then)."""
    return RateSnapshot(revenue=revenue.ref() if revenue else None, cost=cost.ref() if cost else None)
