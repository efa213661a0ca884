"""Which rate window is in force at an instant, and what an activity keeps of it.

The light half of the rate rules (no request models): the activity writes load it to keep the
rates in force at an entry's start (``rateSnapshot``), re-rates to price entries again;
services/rates.py (the rate routes) builds on it. A window covers ``from <= T < to`` (``to``
exclusive; ``to: null`` never ends); the windows of one owner never overlap.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable

from sandglass import ids, timefmt
from sandglass.entities.activities import RateSnapshot
from sandglass.entities.rates import RateWindow, in_force, snapshot
from sandglass.repositories.rates import RateRepository, cost_set, revenue_set


def bounds(rate: dict[str, Any]) -> tuple[datetime, datetime | None]:
    end = rate.get("to")
    return timefmt.parse(rate["from"]), (timefmt.parse(end) if end else None)


def applies(rate: dict[str, Any], instant: datetime) -> bool:
    start, end = bounds(rate)
    return start <= instant and (end is None or instant < end)


def pick(rates: Iterable[dict[str, Any]], instant: datetime) -> dict[str, Any] | None:
    """The window in force at `instant` (windows never overlap, so at most one applies)."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    for rate in rates:
        if applies(rate, instant):
            return rate
    return None


def oldest_first(rates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rates, key=lambda rate: bounds(rate)[0])


def snapshot_entry(rate: dict[str, Any] | None) -> dict[str, Any] | None:
    if rate is None:
        return None
    return {"currency": rate["currency"], "value": Decimal(str(rate["value"])), "rateId": rate["id"]}


def snapshot_of(revenue: dict[str, Any] | None, cost: dict[str, Any] | None) -> dict[str, Any]:
    """What an activity keeps of the rates in force at its start (`rateSnapshot`): absent kinds
    had no window then (no revenue / no cost, whatever windows are added later)."""
    snapshot: dict[str, Any] = {}
    if revenue is not None:
        snapshot["revenue"] = snapshot_entry(revenue)
    if cost is not None:
        snapshot["cost"] = snapshot_entry(cost)
    return snapshot


class RatesInForce:
    """The windows of one owner, read from the rate repository (one Query each)."""

    def __init__(self, repository: RateRepository):
        self.repository = repository

    def revenue_rates(self, org_id: str, project_id: str, user_id: str) -> list[RateWindow]:
        """Every revenue window of a user on a project, oldest first (one Query)."""
        member_id = ids.project_member_id(project_id, user_id)
        return self.repository.snapshot(revenue_set(org_id, project_id, member_id, user_id)).windows()

    def cost_rates(self, org_id: str, user_id: str) -> list[RateWindow]:
        return self.repository.snapshot(cost_set(org_id, user_id)).windows()

    def cost_snapshot_at(self, org_id: str, user_id: str, instant: datetime) -> RateSnapshot:
        """The user's cost window in force at `instant`, as kept by an entry without a project (one Query)."""
        return snapshot(None, in_force(self.cost_rates(org_id, user_id), instant))

    def snapshot_at(self, org_id: str, project_id: str, user_id: str, instant: datetime) -> RateSnapshot:
        """The member's revenue window on the project and cost window in force at `instant`, as kept (two Queries)."""
        return snapshot(in_force(self.revenue_rates(org_id, project_id, user_id), instant), in_force(self.cost_rates(org_id, user_id), instant))
