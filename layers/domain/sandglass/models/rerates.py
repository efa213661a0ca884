"""Re-rates on the Sandtime surface: the requests and views (RerateRequest, RerateView,
RerateApplied) and the entities -> those shapes.

Apart from models/rates.py so that the functions serving rates do not load the re-rate models and entities."""

from typing import Annotated, Any, Optional

from pydantic import BaseModel, Field

from sandglass import timefmt
from sandglass.entities.rerates import Amount, AmountChange, CurrencyChange, Rerate, RerateOutcome
from sandglass.models import ApiModel
from sandglass.models.common import InstantText as Instant
from sandglass.models.formats import InstantOut


class RerateRequest(ApiModel):
    """POST /activities/rerate/preview and /apply: the activities starting in [from, to) (at most
    366 days), optionally only some members' or projects', priced again by the rate windows in force
    at their start. `force` (apply only) re-rates entries in locked or approved periods too."""

    from_: Instant = Field(alias="from")
    to: Instant
    userIds: Optional[list[Annotated[str, Field(max_length=36)]]] = Field(None, max_length=100)
    projectIds: Optional[list[Annotated[str, Field(max_length=36)]]] = Field(None, max_length=100)
    force: bool = False


class RerateAmount(BaseModel, defer_build=True):
    """An entry's amount at one rate: the rate's currency and hourly value, and the amount for
    the entry's (rounded; for revenue, billable) duration, as decimal strings."""

    currency: str
    value: str
    amount: str


class RerateChange(BaseModel, defer_build=True):
    old: Optional[RerateAmount] = None
    new: Optional[RerateAmount] = None


class RerateEntry(BaseModel, defer_build=True):
    activityId: str
    userId: str
    projectId: str
    startedAt: InstantOut
    endedAt: InstantOut
    billable: bool
    duration: int = Field(description="Milliseconds, rounded by the organization's rounding")
    locked: bool
    approved: bool
    revenue: RerateChange
    cost: RerateChange
    version: int


class MoneyChange(BaseModel, defer_build=True):
    old: dict[str, str] = Field(description="Amount per currency (decimal strings) before")
    new: dict[str, str] = Field(description="Amount per currency (decimal strings) after")


class RerateTotals(BaseModel, defer_build=True):
    revenue: MoneyChange
    cost: MoneyChange


class RerateView(BaseModel):
    """What a re-rate changes: every entry whose kept rates differ from the windows in force."""

    from_: InstantOut = Field(alias="from", serialization_alias="from")
    to: InstantOut
    entries: list[RerateEntry]
    totals: RerateTotals
    lockedEntries: int = Field(description="Entries in locked or approved periods (apply needs force: true)")

    model_config = {"populate_by_name": True, "defer_build": True}


class RerateApplied(RerateView):
    """The applied re-rate: its change record's id, when, and whether locked periods were forced."""

    id: str
    appliedAt: InstantOut
    forced: bool


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
