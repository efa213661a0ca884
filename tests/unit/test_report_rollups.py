"""A report from cells (services/reports/rollups.py) equals the report from the activities: random
members, projects, activities (running timers, overlaps, activities across midnight, a DST change
included), rate snapshots and windows, every rounding, random report ranges (cut days too), groupings,
selections, filters and viewers. Cells go through their stored form (records, JSON) on the way."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandglass.clock import FixedClock
from sandglass.context import TenantContext
from sandglass.entities.reports import ReportFilter, ReportSpec
from sandglass.services.reports import rollups
from sandglass.services.reports.service import ReportService
from tests.unit import report_strategies as strategies
from tests.unit.report_fakes import InMemoryCells, InMemoryReports
from tests.unit.report_strategies import one_in, text

NOW = datetime(2026, 11, 3, 12, tzinfo=timezone.utc)
BEGIN = datetime(2026, 10, 20, tzinfo=timezone.utc)  # Europe/Warsaw leaves summer time on 25 October
DAYS = 16
PROJECTS = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", "66666666-6666-4666-8666-666666666666"]
USERS = ["33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444", "55555555-5555-4555-8555-555555555555"]
METRICS = ("time", "billable", "revenue", "cost", "profit", "count", "breaks")
ZONES = ["Europe/Warsaw", "UTC", "America/New_York", "Asia/Kathmandu"]


def windows():
    return strategies.windows(BEGIN, DAYS * 24, 2)


def activity(number: int, priced: bool):
    """Mostly with rates kept (five in six), as the activities service writes them; all of them when `priced`."""
    return strategies.activity(number, begin=BEGIN, days=DAYS, projects=PROJECTS + [None], users=USERS, running=one_in(15),
                               minutes=st.sampled_from([0, 5, 20, 45, 90, 200, 600]), breaks=one_in(6),
                               priced=st.just(True) if priced else st.integers(0, 5).map(bool))


@st.composite
def organizations(draw):
    priced = draw(st.booleans())
    items = [draw(activity(number, priced)) for number in range(draw(st.integers(0, 40)))]
    rounding = draw(st.one_of(st.none(), st.tuples(st.sampled_from([60_000, 300_000, 900_000, 3_600_000]), st.sampled_from(["NEAREST", "UP", "DOWN"]))))
    organization = {"timeZone": draw(st.sampled_from(ZONES)), "weekStart": draw(st.sampled_from(["MONDAY", "SUNDAY"])),
                    **({"rounding": {"enabled": True, "interval": rounding[0], "mode": rounding[1]}} if rounding else {})}
    revenue = {(project, user): draw(windows()) for project in PROJECTS for user in USERS}
    cost = {user: draw(windows()) for user in USERS}
    archived = draw(st.sets(st.sampled_from(PROJECTS + USERS), max_size=1))
    return items, organization, revenue, cost, archived


@st.composite
def reports(draw):
    dimensions = draw(st.lists(st.sampled_from(["project", "user", "member", "day", "week", "month", "billable"]), max_size=3, unique=True))
    aligned = draw(st.booleans())
    if aligned:  # whole local days: midnight to midnight (the organization's zone)
        start, end = None, None
        first, last = sorted(draw(st.lists(st.integers(-1, DAYS), min_size=2, max_size=2)))
        days = (first, last)
    else:
        lower = BEGIN + timedelta(minutes=draw(st.integers(-600, DAYS * 24 * 60)))
        start, end, days = lower, lower + timedelta(minutes=draw(st.integers(0, DAYS * 24 * 60))), None
    filters = []
    for field in draw(st.lists(st.sampled_from(["billable", "pending", "project", "user"]), max_size=2, unique=True)):
        if field in ("billable", "pending"):
            filters.append(ReportFilter(field=field, operator=draw(st.sampled_from(["is", "isNot"])), value=draw(st.booleans())))
        else:
            chosen = tuple(draw(st.lists(st.sampled_from(PROJECTS if field == "project" else USERS), min_size=1, max_size=2, unique=True)))
            filters.append(ReportFilter(field=field, operator=draw(st.sampled_from(["in", "notIn"])), value=chosen))
    selected_projects = draw(st.one_of(st.none(), st.lists(st.sampled_from(PROJECTS), min_size=1, max_size=2, unique=True).map(tuple)))
    selected_members = draw(st.one_of(st.none(), st.lists(st.sampled_from(USERS), min_size=1, max_size=2, unique=True).map(tuple)))
    metrics = tuple(draw(st.lists(st.sampled_from(METRICS), min_size=1, max_size=3, unique=True)))
    spec = dict(dimensions=tuple(dimensions), metrics=metrics, filters=tuple(filters), selected_projects=selected_projects,
                selected_members=selected_members, hide_empty_rows=draw(st.booleans()), show_archived_projects=draw(st.booleans()))
    viewer = draw(st.sampled_from(["admin", "member", "project admin"]))
    return spec, start, end, days, viewer


def repository(items, organization, revenue, cost, archived, administered, cells=None):
    return InMemoryReports(items, organization, revenue, cost, projects=PROJECTS, users=USERS, archived=archived, administered=administered,
                           cells=cells)


def the_spec(report, organization):
    spec, start, end, days, _ = report
    if days is not None:  # local midnights of the organization's zone
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(organization["timeZone"])
        first = BEGIN.date() + timedelta(days=days[0])
        start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(BEGIN.date() + timedelta(days=days[1] + 1), datetime.min.time(), tzinfo=zone) - timedelta(milliseconds=1)
    return ReportSpec(period="custom", start=start.astimezone(timezone.utc), end=end.astimezone(timezone.utc), **spec)


def tenant(viewer):
    role = "Administrator" if viewer == "admin" else "User"
    return TenantContext("org", "acme", USERS[0], "a@acme.test", role)


def both(world, report, view="summary"):
    items, organization, revenue, cost, archived = world
    administered = [PROJECTS[1]] if report[4] == "project admin" else []
    cells = InMemoryCells(items, organization)
    spec, caller = the_spec(report, organization), tenant(report[4])
    from_activities = ReportService(repository(items, organization, revenue, cost, archived, administered), FixedClock(NOW))
    from_cells = ReportService(repository(items, organization, revenue, cost, archived, administered, cells), FixedClock(NOW))
    expected = from_activities.results(caller, spec, view=view, limit=1000).body
    found = from_cells.results(caller, spec, view=view, limit=1000).body
    return expected, found, cells


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
used = {"cells": 0, "reports": 0}


@SETTINGS
@given(organizations(), reports())
def test_a_summary_from_cells_equals_the_summary_from_activities(world, report):
    expected, found, cells = both(world, report)
    assert found == expected
    used["reports"] += 1
    used["cells"] += cells.reads > 0


def test_the_property_reads_cells_in_most_examples():
    """The property above is not vacuous: most of its reports were told from cells."""
    if not used["reports"]:
        pytest.skip("run with the property test")
    assert used["cells"] > used["reports"] // 2


def test_cells_are_read_for_a_cell_compatible_report_and_equal_over_a_busy_month():
    """Hundreds of activities, none overlapping, over a month: the summary comes from cells (no
    member falls back) and equals the one from activities."""
    items = []
    for n in range(600):
        start = BEGIN + timedelta(minutes=37 * n)
        items.append({"id": f"b{n:04d}", "name": "x", "projectId": PROJECTS[n % 3], "userId": USERS[n % 3], "billable": n % 4 != 0,
                      "startedAt": text(start), "endedAt": text(start + timedelta(minutes=25 + n % 70)),
                      "rateSnapshot": {"cost": {"currency": "EUR", "value": "40.50", "rateId": "c"},
                                       **({"revenue": {"currency": "USD", "value": "99.99", "rateId": "r"}} if n % 2 else {})}})
    organization = {"timeZone": "Europe/Warsaw", "rounding": {"enabled": True, "interval": 900_000, "mode": "UP"}}
    world = (items, organization, {(p, u): [] for p in PROJECTS for u in USERS}, {u: [] for u in USERS}, set())
    report = (dict(dimensions=("project", "user", "day"), metrics=METRICS, hide_empty_rows=False), None, None, (-1, DAYS + 1), "admin")
    expected, found, cells = both(world, report)
    assert found == expected and cells.reads and expected["totals"]["count"] == 600


def test_cells_built_under_other_settings_are_not_read():
    items = [{"id": "a1", "name": "x", "projectId": PROJECTS[0], "userId": USERS[0], "billable": True, "startedAt": text(BEGIN + timedelta(hours=30)),
              "endedAt": text(BEGIN + timedelta(hours=31, minutes=7)), "rateSnapshot": {}}]
    organization = {"timeZone": "UTC", "rounding": {"enabled": True, "interval": 900_000, "mode": "UP"}}
    cells = InMemoryCells(items, {"timeZone": "UTC"})  # built before rounding was turned on
    repository = InMemoryReports(items, organization, {}, {u: [] for u in USERS}, projects=PROJECTS, users=USERS, cells=cells)
    spec = ReportSpec(period="custom", start=BEGIN, end=BEGIN + timedelta(days=3), dimensions=("day",), metrics=("time",))
    body = ReportService(repository, FixedClock(NOW)).results(tenant("admin"), spec).body
    assert body["totals"]["time"] == 75 * 60_000 and cells.reads == 0


def test_a_member_day_computed_under_other_settings_is_not_read():
    """A keeper that read the settings before they changed may store a member-day after the rebuild
    under the new ones: that member is read from activities."""
    items = [{"id": "a1", "name": "x", "projectId": PROJECTS[0], "userId": USERS[0], "billable": True, "startedAt": text(BEGIN + timedelta(hours=30)),
              "endedAt": text(BEGIN + timedelta(hours=31, minutes=7)), "rateSnapshot": {}},
             {"id": "a2", "name": "x", "projectId": PROJECTS[0], "userId": USERS[1], "billable": True, "startedAt": text(BEGIN + timedelta(hours=30)),
              "endedAt": text(BEGIN + timedelta(hours=30, minutes=7)), "rateSnapshot": {}}]
    organization = {"timeZone": "UTC", "rounding": {"enabled": True, "interval": 900_000, "mode": "UP"}}
    cells = InMemoryCells(items, organization)
    stale = InMemoryCells(items[:1], {"timeZone": "UTC"}).records[0]  # the first member's day, computed without rounding
    cells.records = [stale if record["userId"] == USERS[0] else record for record in cells.records]
    repository = InMemoryReports(items, organization, {}, {u: [] for u in USERS}, projects=PROJECTS, users=USERS, cells=cells)
    spec = ReportSpec(period="custom", start=BEGIN, end=BEGIN + timedelta(days=3), dimensions=("user",), metrics=("time",))
    body = ReportService(repository, FixedClock(NOW)).results(tenant("admin"), spec).body
    assert body["totals"]["time"] == (75 + 15) * 60_000 and cells.reads == 1


def test_a_member_with_a_day_marked_dirty_is_read_from_activities():
    """A day whose computation failed (only the mark is stored) sends its member to activities,
    whatever part of the day the report covers; the other members still come from cells."""
    items = [{"id": f"a{n}", "name": "x", "projectId": PROJECTS[0], "userId": USERS[n % 2], "billable": True,
              "startedAt": text(BEGIN + timedelta(hours=30 + n)), "endedAt": text(BEGIN + timedelta(hours=30 + n, minutes=40)), "rateSnapshot": {}}
             for n in range(4)]
    organization = {"timeZone": "UTC"}
    cells = InMemoryCells(items, organization)
    day = cells.records[0]["day"]
    cells.records = [{"userId": USERS[0], "day": day, "dirty": 1} if record["userId"] == USERS[0] else record for record in cells.records]
    found = rollups.assemble((rollups.from_record(record) for record in cells.records), 0, 1 << 62, [("organization", "org")], False,
                             cells.basis)
    assert found.fallback == {USERS[0]} and {key[1] for key, _ in found.cells} == {USERS[1]}
    repository = InMemoryReports(items, organization, {}, {u: [] for u in USERS}, projects=PROJECTS, users=USERS, cells=cells)
    spec = ReportSpec(period="custom", start=BEGIN, end=BEGIN + timedelta(days=3), dimensions=("user",), metrics=("time", "count"))
    body = ReportService(repository, FixedClock(NOW)).results(tenant("admin"), spec).body
    assert body["totals"]["count"] == 4 and body["totals"]["time"] == 4 * 40 * 60_000
