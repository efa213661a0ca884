"""The one month helper: UTC months at month and year boundaries, and across DST changes."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandglass.months import month_of, month_start, months_between, next_month

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_month_of_an_instant_is_its_utc_month():
    assert month_of(datetime(2026, 7, 3, 8, 30, tzinfo=UTC)) == "2026-07"
    assert month_of("2026-07-31T23:59:59.999Z") == "2026-07"
    assert month_of("2026-08-01T00:00:00.000Z") == "2026-08"
    # local New Year's Eve evening in New York is already January in UTC
    assert month_of(datetime(2026, 12, 31, 20, 0, tzinfo=NEW_YORK)) == "2027-01"
    # local 1 March 00:30 in Berlin is still February in UTC
    assert month_of(datetime(2026, 3, 1, 0, 30, tzinfo=BERLIN)) == "2026-02"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        month_of(datetime(2026, 7, 3))


def test_months_between_at_month_boundaries():
    assert months_between("2026-07-01T00:00:00.000Z", "2026-08-01T00:00:00.000Z") == ["2026-07"]
    assert months_between("2026-07-01T00:00:00.000Z", "2026-08-01T00:00:00.001Z") == ["2026-07", "2026-08"]
    assert months_between("2026-07-31T23:59:59.999Z", "2026-08-01T00:00:00.000Z") == ["2026-07"]
    assert months_between("2026-07-15T00:00:00.000Z", "2026-07-15T00:00:00.000Z") == []
    assert months_between("2026-08-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z") == []


def test_months_between_across_a_year_boundary():
    assert months_between(datetime(2026, 11, 15, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)) == ["2026-11", "2026-12", "2027-01"]
    assert months_between(datetime(2026, 12, 5, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC)) == ["2026-12", "2027-01"]
    assert next_month(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)


def test_months_between_across_dst_changes_counts_utc_months():
    # Berlin's local March (DST starts on 29 March) begins at 28 Feb 23:00 UTC: one UTC hour of February
    local_march = (datetime(2026, 3, 1, tzinfo=BERLIN), datetime(2026, 4, 1, tzinfo=BERLIN))
    assert months_between(*local_march) == ["2026-02", "2026-03"]
    # New York's local November (DST ends on 1 November) starts at 04:00 UTC and ends at 05:00 UTC
    assert months_between(datetime(2026, 11, 1, tzinfo=NEW_YORK), datetime(2026, 12, 1, tzinfo=NEW_YORK)) == ["2026-11", "2026-12"]
    assert month_start(datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)) == datetime(2026, 10, 1, tzinfo=UTC)


instants = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9997, 12, 1), timezones=st.just(UTC))


@given(instants, st.integers(min_value=1, max_value=5 * 366 * 24 * 60))
def test_months_between_holds_exactly_the_months_of_the_range(lower, minutes):
    upper = lower + timedelta(minutes=minutes)
    found = months_between(lower, upper)
    assert found[0] == month_of(lower)
    assert found[-1] == month_of(upper - timedelta(microseconds=1))
    assert found == sorted(set(found))
    assert len(found) == (upper - timedelta(microseconds=1)).year * 12 + (upper - timedelta(microseconds=1)).month - lower.year * 12 - lower.month + 1
