"""Durations and money as the API shows them, shared by reports and re-rates: stored instants as
epoch milliseconds, a duration rounded to the organization's interval, amounts in cents.

A leaf (standard library only), so a function that only re-rates or prices does not load the
report engine to reach them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from sandglass import timefmt

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MS = timedelta(milliseconds=1)
CENT = Decimal("0.01")


def to_ms(text: str) -> int:
    """Stored instant text (``2026-07-03T08:30:00.000Z``) -> epoch milliseconds."""
    return (datetime.fromisoformat(text) - EPOCH) // MS


def from_ms(value: int) -> str:
    return timefmt.iso(EPOCH + timedelta(milliseconds=value))


def round_duration(duration: int, interval: int, mode: str) -> int:
    if interval <= 0:
        return duration
    if mode == "UP":
        return -(-duration // interval) * interval
    if mode == "DOWN":
        return duration // interval * interval
    return (duration + interval // 2) // interval * interval


def cents(amount: Decimal) -> str:
    """Money as shown: rounded half up to cents, only at the end."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def money(amounts: dict[str, Decimal]) -> dict[str, str]:
    return {currency: cents(amount) for currency, amount in sorted(amounts.items())}
