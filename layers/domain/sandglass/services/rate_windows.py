"""Which rate window is in force at an instant, and what an activity keeps of it.

The light half of the rate rules (no request models): the activity writes load it to keep the
rates in force at an entry's start (``rateSnapshot``); services/rates.py (the rate routes)
builds on it. The rules themselves live on the typed window (entities/rates.py). A window covers ``from <= T < to`` (``to``
exclusive; ``to: null`` never ends); the windows of one owner never overlap.
"""

from __future__ import annotations

from datetime import datetime

from sandglass import ids
from sandglass.entities.activities import RateSnapshot
from sandglass.entities.rates import RateWindow, in_force, snapshot
from sandglass.repositories.rates import RateRepository, cost_set, revenue_set


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
