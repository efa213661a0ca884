"""4me-style reads against hand-computed months (Europe/Warsaw, core hours 09:00-17:00 = 480 min)."""

from __future__ import annotations

import pytest

from sandglass_local.callcounter import counting

ADMIN = "admin@acme.test"

SAM = "sam@acme.test"


def get(world, path, who=ADMIN):
    return world.api.get(path, as_=who, org="acme")


@pytest.fixture
def february(world):
    w = world
    w.activity(w.sam, "2026-02-02T09:00:00+01:00", "2026-02-02T17:00:00+01:00")  # Mon 2: 480
    w.activity(w.sam, "2026-02-03T22:30:00+01:00", "2026-02-04T01:15:00+01:00")  # across midnight: 90 + 75
    w.activity(w.sam, "2026-01-31T23:00:00+01:00", "2026-02-01T02:00:00+01:00")  # starts in January: 120 on Feb 1
    w.activity(w.sam, "2026-02-28T23:30:00+01:00", "2026-03-01T00:30:00+01:00")  # ends in March: 30 on Feb 28
    w.activity(w.pia, "2026-02-10T08:00:00Z", "2026-02-10T16:00:00Z")            # 480
    w.activity(w.ola, "2026-03-02T09:00:00+01:00", "2026-03-02T10:00:00+01:00")  # March only
    return w


def test_monthly_timesheet_of_february(february):
    w = february
    reply = get(w, f"/timesheets?monthOf=2026-02-15&userId={w.sam['id']}")
    assert reply.status == 200, reply.body
    assert reply.json() == {
        "user": {"id": w.sam["id"], "name": "Sam", "email": SAM},
        "workday": 480,
        "sumTimeSpent": 795,
        "workdays": 1.66,
        "locked": False,
        "lockedDays": "0" * 28,
        "approved": False,
        "approvedDays": "0" * 28,
    }


def test_day_totals_of_february(february):
    w = february
    totals = get(w, f"/timesheets/dayTotals?userId={w.sam['id']}&monthOf=2026-02-01").json()
    assert len(totals) == 28 and list(totals)[0] == "2026-02-01" and list(totals)[-1] == "2026-02-28"
    assert {day: minutes for day, minutes in totals.items() if minutes} == {"2026-02-01": 120, "2026-02-02": 480, "2026-02-03": 90, "2026-02-04": 75, "2026-02-28": 30}
    week = get(w, "/timesheets/dayTotals?weekOf=2026-02-04", SAM).json()  # a User's own, userId omitted
    assert week == {"2026-02-02": 480, "2026-02-03": 90, "2026-02-04": 75, "2026-02-05": 0, "2026-02-06": 0, "2026-02-07": 0, "2026-02-08": 0}
    assert get(w, f"/timesheets/dayTotals?userId={w.sam['id']}&date=2026-03-01").json() == {"2026-03-01": 30}


def test_organization_list_and_locked_days_from_the_watermark(february):
    w = february
    w.settings(lockingTimesheets={"enabled": True, "year": 2026, "week": 6})  # through Sunday 8 February
    reply = get(w, "/timesheets?monthOf=2026-02-01")
    assert reply.status == 200, reply.body
    rows = {row["user"]["email"]: row for row in reply.json()}
    assert set(rows) == {ADMIN, SAM, "pia@acme.test", "ola@acme.test"}
    assert rows[SAM]["sumTimeSpent"] == 795 and rows["pia@acme.test"]["sumTimeSpent"] == 480 and rows["ola@acme.test"]["sumTimeSpent"] == 0
    assert all(row["lockedDays"] == "1" * 8 + "0" * 20 and row["locked"] is False for row in rows.values())
    w.settings(lockingTimesheets={"year": 2026, "week": 9})  # through 1 March
    assert get(w, f"/timesheets?monthOf=2026-02-01&userId={w.sam['id']}").json()["locked"] is True
    w.settings(lockingTimesheets={"enabled": False})
    assert get(w, f"/timesheets?monthOf=2026-02-01&userId={w.sam['id']}").json()["lockedDays"] == "0" * 28


def test_a_month_with_a_dst_change(world):
    w = world
    w.activity(w.sam, "2026-03-28T23:00:00+01:00", "2026-03-29T01:00:00+01:00")  # 60 + 60
    w.activity(w.sam, "2026-03-29T01:00:00+01:00", "2026-03-29T04:00:00+02:00")  # 01:00 -> 04:00 on the short day: 120
    w.activity(w.sam, "2026-10-25T00:00:00+02:00", "2026-10-25T05:00:00+01:00")  # the long day: 360
    march = get(w, f"/timesheets/dayTotals?userId={w.sam['id']}&monthOf=2026-03-10").json()
    assert len(march) == 31 and march["2026-03-28"] == 60 and march["2026-03-29"] == 180
    assert get(w, f"/timesheets?monthOf=2026-03-10&userId={w.sam['id']}").json()["sumTimeSpent"] == 240
    assert get(w, f"/timesheets/dayTotals?userId={w.sam['id']}&date=2026-10-25").json() == {"2026-10-25": 360}


def test_running_timer_counts_up_to_now_and_rounding_applies(world):
    w = world  # now: Friday 2026-11-13 13:00 Warsaw
    w.activity(w.sam, "2026-11-13T09:00:00+01:00")  # running: 240 so far
    w.activity(w.sam, "2026-11-12T09:00:00+01:00", "2026-11-12T09:52:00+01:00")
    totals = get(w, "/timesheets/dayTotals?weekOf=2026-11-13", SAM).json()
    assert totals["2026-11-13"] == 240 and totals["2026-11-12"] == 52
    w.settings(rounding={"enabled": True, "interval": 900000, "mode": "UP"})
    totals = get(w, "/timesheets/dayTotals?weekOf=2026-11-13", SAM).json()
    assert totals["2026-11-13"] == 240 and totals["2026-11-12"] == 60


def test_a_timer_running_since_before_the_range_still_counts(world):
    w = world
    w.activity(w.sam, "2026-10-30T12:00:00Z")  # running for two weeks (longer than maxActivityHours)
    totals = get(w, f"/timesheets/dayTotals?userId={w.sam['id']}&weekOf=2026-11-13").json()
    assert totals["2026-11-09"] == 1440 and totals["2026-11-13"] == 13 * 60
    rows = {row["user"]["email"]: row for row in get(w, "/timesheets?monthOf=2026-11-01").json()}
    assert rows[SAM]["sumTimeSpent"] == 12 * 1440 + 13 * 60


def test_incomplete_week_with_a_holiday_and_an_excluded_holiday(world):
    w = world
    w.settings(holidays={"country": "PL"})  # Wednesday 11 November 2026 is a holiday: 4 x 480 expected
    w.activity(w.sam, "2026-11-09T09:00:00+01:00", "2026-11-09T17:00:00+01:00")
    for day in ("09", "10", "12", "13"):
        w.activity(w.pia, f"2026-11-{day}T09:00:00+01:00", f"2026-11-{day}T17:00:00+01:00")
    reply = get(w, "/timesheets/incomplete?weekOf=2026-11-15")
    assert reply.status == 200, reply.body
    assert {row["email"]: (row["completeness"], row["remainingTime"]) for row in reply.json()} == {
        ADMIN: (0, 1920), SAM: (1, 1440), "ola@acme.test": (0, 1920)}
    assert set(reply.json()[0]) == {"id", "name", "email", "completeness", "remainingTime"}
    w.settings(holidays={"excluded": ["2026-11-11"]})  # the organization works that day: 5 x 480
    rows = {row["email"]: row for row in get(w, "/timesheets/incomplete?weekOf=2026-11-09").json()}
    assert rows[SAM]["remainingTime"] == 1920 and rows["pia@acme.test"]["remainingTime"] == 480


def test_fields_select_what_comes_back(february):
    w = february
    reply = get(w, f"/timesheets?monthOf=2026-02-15&userId={w.sam['id']}&fields=sumTimeSpent,user")
    assert reply.json() == {"sumTimeSpent": 795, "user": {"id": w.sam["id"], "name": "Sam", "email": SAM}}
    rows = get(w, "/timesheets/incomplete?weekOf=2026-02-02&fields=email,remainingTime").json()
    assert all(set(row) == {"email", "remainingTime"} for row in rows)
    reply = get(w, "/timesheets?monthOf=2026-02-15&fields=user,password")
    assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == "fields"


def test_rights(february):
    w = february
    assert get(w, f"/timesheets?monthOf=2026-02-15&userId={w.sam['id']}", SAM).status == 200
    assert get(w, f"/timesheets?monthOf=2026-02-15&userId={w.pia['id']}", SAM).status == 404
    assert get(w, f"/timesheets/dayTotals?userId={w.pia['id']}&date=2026-02-10", SAM).status == 404
    assert get(w, "/timesheets?monthOf=2026-02-15", SAM).status == 403
    assert get(w, "/timesheets/incomplete?weekOf=2026-02-15", SAM).status == 403
    assert get(w, "/timesheets?monthOf=2026-02-15&userId=3fa85f64-5717-4562-b3fc-2c963f66afa6").status == 404
    assert w.api.put("/timesheets/auto-lock", as_=SAM, org="acme").status == 403
    assert w.api.post("/timesheets/reminder", as_=SAM, org="acme").status == 403
    # another organization's member is absent here
    other = w.api.signup("other", "boss@other.test")
    assert get(w, f"/timesheets?monthOf=2026-02-15&userId={w.sam['id']}", "boss@other.test").status == 403
    from sandglass import ids

    assert w.api.get(f"/timesheets?monthOf=2026-02-15&userId={ids.member_id(other['id'], 'boss@other.test')}", as_=ADMIN, org="acme").status == 404


@pytest.mark.parametrize("query, field", [
    ("/timesheets?monthOf=2026-02-30", "monthOf"),
    ("/timesheets?monthOf=15.02.2026", "monthOf"),
    ("/timesheets", "monthOf"),
    ("/timesheets?monthOf=2026-02-01&userId=nope", "userId"),
    ("/timesheets/dayTotals?date=2026-02-01&weekOf=2026-02-01", "date"),
    ("/timesheets/dayTotals", "date"),
    ("/timesheets/incomplete", "weekOf"),
])
def test_invalid_queries_are_422(world, query, field):
    reply = get(world, query)
    assert reply.status == 422, reply.body
    assert field in {d["field"] for d in reply.json()["error"]["details"]}


def test_reads_query_indexes_never_scan(february):
    w = february
    with counting() as counter:
        assert get(w, f"/timesheets?monthOf=2026-02-15&userId={w.sam['id']}").status == 200
    assert counter.scans == 0 and counter.writes == 0
    # settings/member/timer, then the lock state (services/lock_rules.py); + the authorizer's GetItems
    assert counter.calls["Query"] == 1 and counter.calls["BatchGetItem"] == 2
    with counting() as counter:
        assert get(w, "/timesheets?monthOf=2026-02-15").status == 200
    assert counter.scans == 0 and counter.writes == 0
    assert counter.calls["Query"] == 4  # members, timers, January and February month partitions


def test_activities_written_through_the_api_are_counted(world):
    w = world
    reply = w.api.post("/activities", as_=SAM, org="acme", body={"name": "Design", "projectId": w.project["id"],
                                                                  "startedAt": "2026-11-10T23:00:00+01:00", "endedAt": "2026-11-11T01:30:00+01:00"})
    assert reply.status == 200, reply.body
    reply = w.api.post("/activities", as_=SAM, org="acme", body={"name": "Timer", "projectId": w.project["id"], "pending": True,
                                                                  "startedAt": "2026-11-13T12:30:00+01:00"})
    assert reply.status == 200, reply.body
    totals = get(w, "/timesheets/dayTotals?weekOf=2026-11-10", SAM).json()
    assert (totals["2026-11-10"], totals["2026-11-11"], totals["2026-11-13"]) == (60, 90, 30)
    rows = {row["email"]: row for row in get(w, "/timesheets/incomplete?weekOf=2026-11-10").json()}
    assert rows[SAM]["remainingTime"] == 2400 - 180


@pytest.mark.parametrize("query", ["/timesheets?monthOf=9999-12-31", "/timesheets/dayTotals?date=0001-01-01", "/timesheets/incomplete?weekOf=9999-12-31"])
def test_dates_outside_the_supported_years_are_422(world, query):
    assert get(world, query).status == 422


def _set(world, user_id, **attributes):
    from sandglass import keys
    from sandglass.storage.table import Table

    key = keys.organization(world.org_id) if user_id is None else keys.user(world.org_id, user_id)
    names = {f"#n{index}": name for index, name in enumerate(attributes)}
    values = {f":v{index}": value for index, value in enumerate(attributes.values())}
    Table().update(key, "SET " + ", ".join(f"#n{index} = :v{index}" for index in range(len(attributes))), names, values)


def test_expected_time_starts_when_the_organization_and_the_member_began(world):
    """weekOf=2020-01-08 listed every member 2400 minutes short, six years before the organization."""
    w = world
    _set(w, None, createdAt="2026-11-11T10:00:00.000Z")  # a Wednesday
    assert get(w, "/timesheets/incomplete?weekOf=2020-01-08").json() == []
    assert get(w, "/timesheets/incomplete?weekOf=2026-11-02").json() == []
    _set(w, w.pia["id"], createdAt="2026-11-13T08:00:00.000Z")  # invited on Friday
    _set(w, w.ola["id"], createdAt="2026-11-20T08:00:00.000Z")  # invited the week after
    rows = {row["email"]: row["remainingTime"] for row in get(w, "/timesheets/incomplete?weekOf=2026-11-09").json()}
    # Wednesday 11 November is Independence Day only with holidays.country set: Wed-Fri = 3 x 480
    assert rows == {ADMIN: 1440, SAM: 1440, "pia@acme.test": 480}


def test_expected_time_ends_when_a_member_is_archived_and_archived_members_with_time_stay_in_the_monthly_list(world):
    w = world
    w.activity(w.ola, "2026-11-02T09:00:00+01:00", "2026-11-02T13:00:00+01:00")
    reply = w.api.put(f"/users/{w.ola['id']}", as_=ADMIN, org="acme", body={"archived": True})  # Friday 13 November
    assert reply.status == 200, reply.body
    assert w.api.put(f"/users/{w.pia['id']}", as_=ADMIN, org="acme", body={"archived": True}).status == 200  # no time in November
    month = {row["user"]["email"]: row for row in get(w, "/timesheets?monthOf=2026-11-01").json()}
    assert "pia@acme.test" not in month
    assert month["ola@acme.test"]["user"] == {"id": w.ola["id"], "name": "Ola", "email": "ola@acme.test", "archived": True}
    assert month["ola@acme.test"]["sumTimeSpent"] == 240
    assert "archived" not in month[SAM]["user"]
    assert {row["email"] for row in get(w, "/timesheets/incomplete?weekOf=2026-11-16").json()} == {ADMIN, SAM}


def test_a_project_administrator_reads_the_time_of_their_projects_members_on_their_projects(world, seed):
    """A project Administrator saw a member's entries but got 404 on their timesheet and day totals."""
    from sandglass import ids, keys
    from sandglass.storage.table import Table

    w = world
    Table().update(keys.project_member(w.org_id, w.project["id"], ids.project_member_id(w.project["id"], w.pia["id"])),
                   "SET #r = :admin", {"#r": "role"}, {":admin": "Administrator"})
    other = seed.project("acme", "Elsewhere", members={w.sam["id"]: "User"})
    w.activity(w.sam, "2026-11-10T09:00:00+01:00", "2026-11-10T11:00:00+01:00")  # on Pia's project: 120
    stray = w.activity(w.sam, "2026-11-10T13:00:00+01:00", "2026-11-10T14:00:00+01:00")
    Table().update(keys.activity(w.org_id, stray["id"]), "SET projectId = :p", values={":p": other["id"]})
    totals = get(w, f"/timesheets/dayTotals?userId={w.sam['id']}&date=2026-11-10", who="pia@acme.test")
    assert totals.status == 200, totals.body
    assert totals.json() == {"2026-11-10": 120}
    month = get(w, f"/timesheets?monthOf=2026-11-01&userId={w.sam['id']}", who="pia@acme.test")
    assert month.status == 200 and month.json()["sumTimeSpent"] == 120
    assert get(w, f"/timesheets/dayTotals?userId={w.sam['id']}&date=2026-11-10").json() == {"2026-11-10": 180}  # the Administrator: all
    # a project User, and a project Administrator asking about a non-member, get 404
    assert get(w, f"/timesheets/dayTotals?userId={w.sam['id']}&date=2026-11-10", who="ola@acme.test").status == 404
    assert get(w, f"/timesheets/dayTotals?userId={w.admin_id}&date=2026-11-10", who="pia@acme.test").status == 404
    assert get(w, "/timesheets?monthOf=2026-11-01", who="pia@acme.test").status == 403


@pytest.mark.parametrize("path", ["/timesheets?monthOf={day}", "/timesheets/dayTotals?weekOf={day}", "/timesheets/dayTotals?date={day}",
                                  "/timesheets/incomplete?weekOf={day}"])
@pytest.mark.parametrize("day", ["2026-02-30", "2026-W05-1", "2026-02", "1969-12-31", "2026-02-01T00:00:00Z"])
def test_a_calendar_day_that_is_not_yyyy_mm_dd_in_range_is_422(world, path, day):
    reply = get(world, path.format(day=day))
    assert reply.status == 422, reply.body
    assert reply.json()["error"]["code"] == "VALIDATION_ERROR"
