"""The typed rate window: item mapping round trip and the rule of which window is in force."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from sandglass.entities.activities import RateRef, RateSnapshot
from sandglass.entities.rates import COST, REVENUE, RateWindow, in_force, snapshot
from sandglass.repositories.rates import from_item, to_item

JAN = datetime(2026, 1, 1, tzinfo=timezone.utc)


def window(rate_id: str, start: datetime, end: datetime | None, value: str = "10", project: bool = True) -> RateWindow:
    return RateWindow(id=rate_id, currency="EUR", value=Decimal(value), tax_rate=Decimal(0), starts_at=start, ends_at=end,
                      user_id="u", project_id="p" if project else None, member_id="m" if project else None)


def test_item_round_trip_keeps_strings_and_decimals():
    item = {"id": "r", "userId": "u", "projectId": "p", "memberId": "m", "currency": "EUR",
            "from": "2026-01-01T00:00:00.000Z", "to": None, "taxRate": Decimal("7.5"), "value": Decimal("120.50")}
    entity = from_item(item)
    assert entity.kind == REVENUE and entity.value == Decimal("120.50") and entity.ends_at is None
    assert to_item(entity) == item
    cost = {"id": "c", "userId": "u", "currency": "USD", "from": "2026-01-01T00:00:00.000Z",
            "to": "2026-07-01T00:00:00.000Z", "taxRate": Decimal(0), "value": Decimal("40.25")}
    assert from_item(cost).kind == COST and to_item(from_item(cost)) == cost


def test_in_force_is_half_open_and_refuses_naive_instants():
    windows = [window("a", JAN, JAN + timedelta(days=181)), window("b", JAN + timedelta(days=181), None)]
    assert in_force(windows, JAN - timedelta(milliseconds=1)) is None
    assert in_force(windows, JAN).id == "a"
    assert in_force(windows, JAN + timedelta(days=181)).id == "b"
    with pytest.raises(ValueError):
        in_force(windows, datetime(2026, 1, 1))


def test_snapshot_keeps_the_price_of_each_kind():
    revenue, cost = window("a", JAN, None, "100"), window("c", JAN, None, "40.25", project=False)
    assert snapshot(revenue, cost) == RateSnapshot(revenue=RateRef(currency="EUR", value=Decimal(100), rate_id="a"),
                                                   cost=RateRef(currency="EUR", value=Decimal("40.25"), rate_id="c"))
    assert snapshot(None, None) == RateSnapshot()


@given(st.integers(0, 10_000), st.integers(1, 10_000), st.integers(0, 10_000), st.one_of(st.none(), st.integers(1, 10_000)))
def test_overlap_is_symmetric_and_agrees_with_a_shared_instant(a_start, a_len, b_start, b_len):
    a = window("a", JAN + timedelta(minutes=a_start), JAN + timedelta(minutes=a_start + a_len))
    b = window("b", JAN + timedelta(minutes=b_start), None if b_len is None else JAN + timedelta(minutes=b_start + b_len))
    shared = any(a.covers(t) and b.covers(t) for t in (a.starts_at, b.starts_at))
    assert a.overlaps(b) == b.overlaps(a) == shared
