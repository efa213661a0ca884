"""The stream consumer reads a batch's month markers before it knows the organizations' time zones:
the months it reads (services.rollups.possible_months) must hold the local month of every start, in
every zone the zone database knows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from sandglass.services.rollups import possible_months
from tests.unit.report_strategies import text

ZONES = sorted(available_timezones())
# starts near month ends, where the local month differs from the UTC one
NEAR_MONTH_ENDS = st.builds(lambda month, hours: datetime(2026, month, 1, tzinfo=timezone.utc) + timedelta(hours=hours),
                            st.integers(1, 12), st.integers(-16, 16))
ANY_TIME = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc))


@settings(max_examples=300, deadline=None)
@given(st.one_of(NEAR_MONTH_ENDS, ANY_TIME), st.sampled_from(ZONES))
def test_the_months_read_hold_the_local_month_of_a_start_in_every_zone(start, zone):
    start = start.replace(microsecond=start.microsecond // 1000 * 1000)
    image = {"userId": "u", "startedAt": text(start)}
    found = possible_months([("a", {}, image)])
    assert start.astimezone(ZoneInfo(zone)).strftime("%Y-%m") in found
    assert 1 <= len(found) <= 2


def test_every_image_that_starts_a_member_day_counts_and_no_other():
    old = {"userId": "u", "startedAt": "2026-07-15T10:00:00.000Z"}
    new = {"userId": "u", "startedAt": "2026-09-30T23:00:00.000Z"}
    assert possible_months([("a", old, new)]) == {"2026-07", "2026-09", "2026-10"}
    assert possible_months([("a", {}, {"startedAt": "2026-07-15T10:00:00.000Z"}), ("b", {"userId": "u"}, {})]) == set()
