"""A re-rate: stopped activities priced again by the rate windows in force at their start.

What one previews (RerateOutcome: the entries whose kept rates differ, old and new amounts, totals
per currency) and, once applied, its change record (Rerate: who, when, the scope, forced or not).
Amounts are money rounded half up to cents (the entry's rounded duration at an hourly rate);
totals per currency are sums of those amounts, never summed across currencies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from msgspec import Struct

from sandglass.entities.activities import RateSnapshot


class Amount(Struct, frozen=True, kw_only=True):
    """An entry's amount at one rate: the rate's currency and hourly value, and the amount for the
    entry's duration (for revenue its billable duration), in cents."""

    currency: str
    value: Decimal  # per hour
    amount: Decimal


class AmountChange(Struct, frozen=True, kw_only=True):
    old: Amount | None = None  # None: no rate of this kind
    new: Amount | None = None


class EntryRerate(Struct, frozen=True, kw_only=True):
    """One activity a re-rate changes: its times, its old and new revenue and cost, whether its day is
    locked or approved, and the rates it keeps once applied (`snapshot`)."""

    activity_id: str
    user_id: str
    project_id: str | None
    started_at: datetime
    ended_at: datetime
    billable: bool
    duration_ms: int  # with the organization's rounding
    locked: bool  # its day is locked for its member, or the activity itself is
    approved: bool  # its week is approved
    revenue: AmountChange
    cost: AmountChange
    version: int  # the activity's version read (an apply is conditioned on it)
    snapshot: RateSnapshot

    @property
    def frozen(self) -> bool:
        """In a locked or approved period: applied only with force."""
        return self.locked or self.approved


class CurrencyChange(Struct, frozen=True, kw_only=True):
    old: dict[str, Decimal]  # amount per currency, before
    new: dict[str, Decimal]  # after


class RerateTotals(Struct, frozen=True, kw_only=True):
    revenue: CurrencyChange
    cost: CurrencyChange


class RerateOutcome(Struct, frozen=True, kw_only=True):
    """What a re-rate of [starts_at, ends_at) changes (a preview, or what an apply wrote)."""

    starts_at: datetime
    ends_at: datetime
    entries: tuple[EntryRerate, ...]
    totals: RerateTotals

    @property
    def locked_entries(self) -> int:
        return sum(1 for entry in self.entries if entry.frozen)


class Rerate(Struct, frozen=True, kw_only=True):
    """An applied re-rate's change record."""

    id: str
    applied_at: datetime
    applied_by: str
    forced: bool  # entries in locked or approved periods were re-rated (force)
    user_ids: tuple[str, ...] | None  # the scope asked for (None: every member)
    project_ids: tuple[str, ...] | None  # (None: every project)
    outcome: RerateOutcome

    @property
    def activity_ids(self) -> list[str]:
        return [entry.activity_id for entry in self.outcome.entries]
