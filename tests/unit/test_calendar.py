"""The one calendar-day and ISO-week parser (sandglass/calendar.py)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandglass.calendar import check_iso_week, parse_day
from sandglass.errors import ValidationFailed
from sandglass.timefmt import MAX_YEAR, MIN_YEAR


def test_a_day_parses_and_none_stays_none():
    assert parse_day("2026-02-28", "date") == date(2026, 2, 28)
    assert parse_day("2028-02-29", "date") == date(2028, 2, 29)
    assert parse_day(None, "date") is None


@pytest.mark.parametrize("raw", ["2026-02-30", "2027-02-29", "2026-13-01", "2026-1-01", "20260101", "2026-W05-1", "2026-032",
                                 "2026-01-01T00:00:00Z", " 2026-01-01", "", "yesterday", "1969-12-31", "9999-01-01", "0001-01-01"])
def test_anything_but_a_day_in_range_is_422_naming_the_field(raw):
    with pytest.raises(ValidationFailed) as raised:
        parse_day(raw, "weekOf")
    assert raised.value.status == 422
    assert raised.value.details[0]["field"] == "weekOf"
    assert raised.value.details[0]["in"] == "query"


@given(st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31)))
def test_every_day_in_range_round_trips(day):
    assert parse_day(day.isoformat(), "date") == day


def test_iso_weeks():
    assert check_iso_week(2026, 53) == date(2026, 12, 28)  # 2026 has 53 ISO weeks
    with pytest.raises(ValidationFailed) as raised:
        check_iso_week(2027, 53)
    assert raised.value.details[0]["field"] == "week"
    with pytest.raises(ValidationFailed) as raised:
        check_iso_week(1969, 1)
    assert raised.value.details[0]["field"] == "year"
