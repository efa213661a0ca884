"""An applied re-rate's change record (keys.rerate_record): its item and its one write.

Apart from the activity repository so that only the re-rate's code loads the re-rate entities."""

from __future__ import annotations

from typing import Any

from sandglass import keys, timefmt
from sandglass.entities.rerates import CurrencyChange, Rerate
from sandglass.storage.table import Table


def _money(change: CurrencyChange) -> dict[str, dict[str, str]]:
    return {"old": {currency: str(amount) for currency, amount in change.old.items()},
            "new": {currency: str(amount) for currency, amount in change.new.items()}}


def rerate_item(rerate: Rerate) -> dict[str, Any]:
    """An applied re-rate -> its change record's attributes (without keys)."""
    outcome = rerate.outcome
    return {"id": rerate.id, "appliedAt": timefmt.iso(rerate.applied_at), "appliedBy": rerate.applied_by, "forced": rerate.forced,
            "from": timefmt.iso(outcome.starts_at), "to": timefmt.iso(outcome.ends_at),
            "userIds": None if rerate.user_ids is None else list(rerate.user_ids),
            "projectIds": None if rerate.project_ids is None else list(rerate.project_ids),
            "activityIds": rerate.activity_ids, "totals": {"revenue": _money(outcome.totals.revenue), "cost": _money(outcome.totals.cost)}}


class RerateRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def record(self, org_id: str, rerate: Rerate) -> None:
        """An applied re-rate's change record, written once."""
        record = rerate_item(rerate)
        self.table.put({**keys.rerate_record(org_id, record["appliedAt"], record["id"]), **record}, "attribute_not_exists(PK)")
