"""Which rate applies at an instant, and when two windows overlap: the pure rules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from msgspec.structs import replace

from sandglass.errors import Conflict, ValidationFailed
from sandglass.repositories.rates import from_item as rate_item
from sandglass.timefmt import parse
from sandglass.services import rates


def window(rate_id, start, end, value="10"):
    return rate_item({"id": rate_id, "userId": "u", "from": start, "to": end, "value": Decimal(value), "currency": "USD", "taxRate": Decimal(0)})


WINDOWS = [
    window("a", "2026-01-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z", "100"),
    window("b", "2026-07-01T00:00:00.000Z", None, "120.50"),
]


@pytest.mark.parametrize("instant, expected", [
    ("2025-12-31T23:59:59.999Z", None),
    ("2026-01-01T00:00:00.000Z", "a"),
    ("2026-06-30T23:59:59.999Z", "a"),
    ("2026-07-01T00:00:00.000Z", "b"),  # `to` is exclusive: the next window takes over
    ("2026-07-01T01:30:00+02:00", "a"),  # offsets count: that is 23:30 UTC on June 30
    ("2099-01-01T00:00:00.000Z", "b"),  # open-ended
])
def test_pick(instant, expected):
    found = rates.pick(WINDOWS, parse(instant))
    assert (found.id if found else None) == expected


def test_pick_refuses_naive_instants():
    with pytest.raises(ValueError):
        rates.pick(WINDOWS, datetime(2026, 1, 1))


def test_overlap_rules():
    assert rates.overlaps(WINDOWS[0], window("c", "2026-06-30T00:00:00.000Z", "2026-06-30T01:00:00.000Z"))
    assert not rates.overlaps(WINDOWS[0], WINDOWS[1])
    assert rates.overlaps(WINDOWS[1], window("c", "2030-01-01T00:00:00.000Z", None))
    with pytest.raises(Conflict):
        rates.check_no_overlap(window("c", "2025-01-01T00:00:00.000Z", None), WINDOWS)
    rates.check_no_overlap(replace(WINDOWS[0], ends_at=parse("2026-05-01T00:00:00.000Z")), WINDOWS)  # itself does not count
    with pytest.raises(ValidationFailed):
        rates.check_window(window("c", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"))
