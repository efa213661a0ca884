"""Re-rates on the Sandtime surface: the entities -> RerateView / RerateApplied (models/rates.py).

Apart from models/rates.py so that the functions serving rates do not load the re-rate entities."""

from __future__ import annotations

from typing import Any

from sandglass import timefmt
from sandglass.entities.rerates import Amount, AmountChange, CurrencyChange, Rerate, RerateOutcome


# --- re-rates: the entities -> this dialect's shapes (plain dicts of RerateView / RerateApplied) -------

def _amount_view(amount: Amount | None) -> dict[str, str] | None:
    return None if amount is None else {"currency": amount.currency, "value": str(amount.value), "amount": str(amount.amount)}


def _change_view(change: AmountChange) -> dict[str, Any]:
    return {"old": _amount_view(change.old), "new": _amount_view(change.new)}


def _money_view(change: CurrencyChange) -> dict[str, dict[str, str]]:
    return {"old": {currency: str(amount) for currency, amount in change.old.items()},
            "new": {currency: str(amount) for currency, amount in change.new.items()}}


def rerate_view(outcome: RerateOutcome) -> dict[str, Any]:
    """A re-rate preview (RerateView)."""
    return {
        "from": timefmt.iso(outcome.starts_at), "to": timefmt.iso(outcome.ends_at),
        "entries": [{
            "activityId": entry.activity_id, "userId": entry.user_id, "projectId": entry.project_id,
            "startedAt": timefmt.iso(entry.started_at), "endedAt": timefmt.iso(entry.ended_at), "billable": entry.billable,
            "duration": entry.duration_ms, "locked": entry.locked, "approved": entry.approved,
            "revenue": _change_view(entry.revenue), "cost": _change_view(entry.cost), "version": entry.version,
        } for entry in outcome.entries],
        "totals": {"revenue": _money_view(outcome.totals.revenue), "cost": _money_view(outcome.totals.cost)},
        "lockedEntries": outcome.locked_entries,
    }


def rerate_applied_view(rerate: Rerate) -> dict[str, Any]:
    """An applied re-rate (RerateApplied): its preview, its change record's id, when, forced or not."""
    return {**rerate_view(rerate.outcome), "id": rerate.id, "appliedAt": timefmt.iso(rerate.applied_at), "forced": rerate.forced}
