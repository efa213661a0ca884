"""Months through the 4me dialect, their figures computed by hand here (never by the code under
test), and the same figures read from the Sandtime surface for the same data.

The world (tests/api/timesheets/conftest.py): acme in Europe/Warsaw (UTC+1 in winter, UTC+2 from
29 March 2026 02:00 until 25 October 2026 03:00), core hours 09:00-17:00 (a workday of 480 minutes);
days are local, an activity across midnight is split at it. Sam is in Sales from 5 January 2026 and
in Support from 10 February 2026 (February 2026 has 28 days)."""

from __future__ import annotations

from tests.api.timesheets.conftest import ADMIN
from tests.api.timesheets.test_fourme import fourme, groups, sandtime

WORKDAY = 480


def zeros(days: range, **minutes: int) -> dict[str, str]:
    """Day totals as 4me writes them: every day of `days` of February 2026, "0" unless given (d02=270)."""
    return {f"2026-02-{day:02d}": str(minutes.get(f"d{day:02d}", 0)) for day in days}


def february(w):
    w.settings(coreHours={"start": "09:00", "end": "17:00"})
    sales, support = groups(w)
    w.activity(w.sam, "2026-01-31T22:30:00Z", "2026-02-01T00:00:00Z")   # 23:30 31 Jan - 01:00 1 Feb: 30 in January, 60 on the 1st (Sales)
    w.activity(w.sam, "2026-02-02T08:00:00Z", "2026-02-02T12:30:00Z")   # 270 on the 2nd (Sales)
    w.activity(w.sam, "2026-02-09T21:00:00Z", "2026-02-10T01:00:00Z")   # 22:00 9th - 02:00 10th: 120 on the 9th (Sales), 120 on the 10th (Support)
    w.activity(w.sam, "2026-02-27T08:00:00Z", "2026-02-27T15:15:00Z")   # 435 on the 27th (Support)
    return sales, support


def test_february_with_a_switch_of_group_on_the_10th(world):
    w = world
    sales, support = february(w)
    sheets = fourme(w, "", person_id=w.sam["id"], month_of="2026-02-15")
    assert sheets.status == 200, sheets.body
    unlocked = "0" * 28
    assert sheets.json() == [  # generation order: the Sales span (1st-9th), then the Support span (10th-28th)
        {"person": {"id": w.sam["id"], "name": "Sam"}, "workday": 480, "sum_time_spent": 60 + 270 + 120, "workdays": 0.94,    # 450 / 480 = 0.9375
         "locked": False, "locked_days": unlocked},
        {"person": {"id": w.sam["id"], "name": "Sam"}, "workday": 480, "sum_time_spent": 120 + 435, "workdays": 1.16,          # 555 / 480 = 1.15625
         "locked": False, "locked_days": unlocked},
    ]
    month = sandtime(w, "/timesheets", userId=w.sam["id"], monthOf="2026-02-01")
    assert (month["workday"], month["sumTimeSpent"], month["workdays"], month["locked"], month["lockedDays"]) == (480, 1005, 2.09, False, unlocked)

    by_hand = zeros(range(1, 29), d01=60, d02=270, d09=120, d10=120, d27=435)
    assert fourme(w, "/day_totals", person_id=w.sam["id"], month_of="2026-02-28").json() == by_hand
    assert sandtime(w, "/timesheets/dayTotals", userId=w.sam["id"], monthOf="2026-02-01") == {day: int(m) for day, m in by_hand.items()}
    assert fourme(w, "/day_totals", person_id=w.sam["id"], organization_id=sales, month_of="2026-02-01").json() == zeros(range(1, 10), d01=60, d02=270, d09=120)
    assert fourme(w, "/day_totals", person_id=w.sam["id"], organization_id=support, date="2026-02-10").json() == {"2026-02-10": "120"}
    assert fourme(w, "/day_totals", person_id=w.sam["id"], organization_id=sales, date="2026-02-10").json() == {}

    # the week of the switch: 5 workdays x 480 expected, 120 + 120 spent
    sams = [row for row in sandtime(w, "/timesheets/incomplete", weekOf="2026-02-10") if row["id"] == w.sam["id"]]
    assert [(row["completeness"], row["remainingTime"]) for row in sams] == [(1, 2400 - 240)]
    incomplete = fourme(w, "/incomplete", organization_id=support, week_of="2026-02-10").json()
    assert incomplete == [{"id": w.sam["id"], "name": "Sam", "primary_email": "sam@acme.test", "completeness": 1, "remaining_time": 2160}]


def test_dst_months_count_real_minutes_on_local_days(world):
    w = world
    w.settings(coreHours={"start": "09:00", "end": "17:00"})
    w.activity(w.sam, "2026-03-28T22:30:00Z", "2026-03-29T01:30:00Z")   # 23:30 CET 28 Mar - 03:30 CEST 29 Mar: 30 + 150 (the 29th has 23 hours)
    w.activity(w.sam, "2026-03-31T21:00:00Z", "2026-03-31T23:00:00Z")   # 23:00 31 Mar - 01:00 1 Apr (CEST): 60 in March, 60 in April
    w.activity(w.sam, "2026-10-24T23:00:00Z", "2026-10-25T02:00:00Z")   # 01:00 CEST - 03:00 CET 25 Oct: 180 on the 25th (a 25-hour day)
    march = fourme(w, "", person_id=w.sam["id"], month_of="2026-03-15").json()
    assert march == {"person": {"id": w.sam["id"], "name": "Sam"}, "workday": 480, "sum_time_spent": 240, "workdays": 0.5,
                     "locked": False, "locked_days": "0" * 31}
    assert sandtime(w, "/timesheets", userId=w.sam["id"], monthOf="2026-03-01")["sumTimeSpent"] == 240
    days = fourme(w, "/day_totals", person_id=w.sam["id"], week_of="2026-03-26").json()   # Monday 23 - Sunday 29 March
    assert days == {"2026-03-23": "0", "2026-03-24": "0", "2026-03-25": "0", "2026-03-26": "0", "2026-03-27": "0", "2026-03-28": "30", "2026-03-29": "150"}
    assert fourme(w, "/day_totals", person_id=w.sam["id"], date="2026-04-01").json() == {"2026-04-01": "60"}
    october = fourme(w, "", person_id=w.sam["id"], month_of="2026-10-01").json()
    assert (october["sum_time_spent"], october["workdays"], october["locked_days"]) == (180, 0.38, "0" * 31)     # 180 / 480 = 0.375 -> 0.38
    assert sandtime(w, "/timesheets/dayTotals", userId=w.sam["id"], date="2026-10-25") == {"2026-10-25": 180}


def test_a_locked_week_a_group_month_lock_and_an_organization_wide_month_lock(world):
    w = world
    sales, support = february(w)
    assert fourme(w, "/lock", method="POST", person_id=w.sam["id"], week_of="2026-02-12").status == 204     # Monday 9 - Sunday 15 February
    week = "0" * 8 + "1" * 7 + "0" * 13
    assert [s["locked_days"] for s in fourme(w, "", person_id=w.sam["id"], month_of="2026-02-01").json()] == [week, week]
    assert sandtime(w, "/timesheets", userId=w.sam["id"], monthOf="2026-02-01")["lockedDays"] == week

    # 4me's organization (the Support group) for the month: Sam's days in Support, the 10th to the 28th
    assert fourme(w, "/lock", method="POST", organization_id=support, month_of="2026-02-01").status == 204
    support_month = "0" * 8 + "1" * 20   # the week (9th-15th) and Support's days (10th-28th)
    sheets = fourme(w, "", person_id=w.sam["id"], month_of="2026-02-01").json()
    assert [(s["locked_days"], s["locked"], s["sum_time_spent"]) for s in sheets] == [(support_month, False, 450), (support_month, False, 555)]
    assert sandtime(w, "/timesheets", userId=w.sam["id"], monthOf="2026-02-01")["lockedDays"] == support_month
    assert fourme(w, "", person_id=w.ola["id"], month_of="2026-02-01").json()["locked_days"] == "0" * 28   # Ola is in no group

    # the whole organization's month (Sandtime's lock): every day of every member
    locked = w.api.post("/timesheets/lock", as_=ADMIN, org="acme", query={"monthOf": "2026-02-01"})
    assert locked.status in (200, 204), locked.body
    for person in (w.sam, w.ola):
        for sheet in (lambda r: r if isinstance(r, list) else [r])(fourme(w, "", person_id=person["id"], month_of="2026-02-01").json()):
            assert (sheet["locked"], sheet["locked_days"]) == (True, "1" * 28)
        assert sandtime(w, "/timesheets", userId=person["id"], monthOf="2026-02-01")["lockedDays"] == "1" * 28
    assert fourme(w, "", person_id=w.sam["id"], month_of="2026-03-01").json()["locked_days"] == "0" * 31          # March stays open
