"""A report equals the one computed naively from its activities: random members, projects and
activities (running timers and overlaps included), rate windows and rate snapshots, the
organization's rounding in every mode. The naive model works per activity with exact fractions:
its counted part is what no earlier entry of the member (by start, then id) covers; it is rounded,
priced by its snapshot or else the window in force at its start, and money is rounded to cents
only at the end, per currency."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandglass.clock import FixedClock
from sandglass.context import TenantContext
from sandglass.models.reports import ReportQuery, spec_of
from sandglass.services.reports.service import ReportService
from tests.unit import report_strategies as strategies
from tests.unit.report_fakes import InMemoryReports
from tests.unit.report_strategies import one_in, text

NOW = datetime(2026, 8, 5, tzinfo=timezone.utc)
JULY = datetime(2026, 7, 1, tzinfo=timezone.utc)
ZONE = "Europe/Warsaw"
PROJECTS = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"]
USERS = ["33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444", "55555555-5555-4555-8555-555555555555"]
HOUR = 3_600_000
METRICS = ["time", "billable", "revenue", "cost", "profit", "count"]


def ms(value: str) -> int:
    return int((datetime.fromisoformat(value) - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds() * 1000)


def windows():
    """Consecutive windows over July, the last one open-ended or not."""
    return strategies.windows(JULY, 31 * 24, 3, closed_last=True)


def activity(number: int):
    return strategies.activity(number, begin=JULY, days=31, projects=PROJECTS, users=USERS, running=one_in(10),
                               minutes=st.integers(0, 300), priced=st.booleans())


@st.composite
def worlds(draw):
    count = draw(st.integers(0, 25))
    items = [draw(activity(number)) for number in range(count)]
    revenue = {(project, user): draw(windows()) for project in PROJECTS for user in USERS}
    cost = {user: draw(windows()) for user in USERS}
    rounding = draw(st.one_of(st.none(), st.tuples(st.sampled_from([60_000, 300_000, 900_000, 3_600_000]), st.sampled_from(["NEAREST", "UP", "DOWN"]))))
    return items, revenue, cost, rounding


def repository(items, revenue, cost, rounding) -> InMemoryReports:
    organization = {"timeZone": ZONE, **({"rounding": {"enabled": True, "interval": rounding[0], "mode": rounding[1]}} if rounding else {})}
    return InMemoryReports(items, organization, revenue, cost, projects=PROJECTS, users=USERS)


# --- the naive model -----------------------------------------------------------------------------

def uncovered(start: int, end: int, earlier: list[tuple[int, int]]) -> int:
    """Milliseconds of [start, end) that no interval of `earlier` covers."""
    pieces = [(start, end)]
    for low, high in earlier:
        pieces = [part for a, b in pieces for part in ((a, min(b, low)), (max(a, high), b)) if part[0] < part[1]]
    return sum(b - a for a, b in pieces)


def rounded(duration: int, rounding) -> int:
    if not rounding:
        return duration
    interval, mode = rounding
    if mode == "UP":
        return -(-duration // interval) * interval
    if mode == "DOWN":
        return duration // interval * interval
    return int(Fraction(duration, interval) + Fraction(1, 2)) * interval


def in_force(found: list[dict], instant: int):
    for window in found:
        if ms(window["from"]) <= instant and (window["to"] is None or instant < ms(window["to"])):
            return window["currency"], window["value"]
    return None


def naive(items, revenue, cost, rounding):
    """{activity id: (raw, duration, billable ms, revenue rate, cost rate, running)}"""
    now = ms(text(NOW))
    spans = {item["id"]: (ms(item["startedAt"]), ms(item["endedAt"]) if item["endedAt"] else max(now, ms(item["startedAt"]))) for item in items}
    priced = {}
    for item in items:
        start, end = spans[item["id"]]
        earlier = [spans[other["id"]] for other in items if other["userId"] == item["userId"]
                   and (spans[other["id"]][0], other["id"]) < (start, item["id"])]
        duration = rounded(uncovered(start, end, earlier), rounding)
        billable = item["billable"] is True
        snapshot = item.get("rateSnapshot")
        if snapshot is not None:
            kept = snapshot.get("revenue")
            revenue_rate = (kept["currency"], kept["value"]) if kept and billable else None
            kept = snapshot.get("cost")
            cost_rate = (kept["currency"], kept["value"]) if kept else None
        else:
            revenue_rate = in_force(revenue[(item["projectId"], item["userId"])], start) if billable else None
            cost_rate = in_force(cost[item["userId"]], start)
        priced[item["id"]] = (end - start, duration, duration if billable else 0, revenue_rate, cost_rate, item["endedAt"] is None)
    return priced


def cents(amount: Fraction) -> str:
    return str((Decimal(amount.numerator) / Decimal(amount.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def naive_totals(ids, priced):
    revenue, cost = {}, {}
    for activity_id in ids:
        _, duration, billable, revenue_rate, cost_rate, _ = priced[activity_id]
        if revenue_rate:
            revenue[revenue_rate[0]] = revenue.get(revenue_rate[0], 0) + Fraction(revenue_rate[1]) * billable / HOUR
        if cost_rate:
            cost[cost_rate[0]] = cost.get(cost_rate[0], 0) + Fraction(cost_rate[1]) * duration / HOUR
    return {
        "time": sum(priced[i][1] for i in ids), "billable": sum(priced[i][2] for i in ids), "count": len(ids),
        "revenue": {c: cents(a) for c, a in sorted(revenue.items())}, "cost": {c: cents(a) for c, a in sorted(cost.items())},
        "profit": {c: cents(revenue.get(c, 0) - cost.get(c, 0)) for c in sorted(set(revenue) | set(cost))},
        "running": sum(1 for i in ids if priced[i][5]),
    }


def run(world, view, dimensions=(), hide_empty=True):
    items, revenue, cost, rounding = world
    service = ReportService(repository(items, revenue, cost, rounding), FixedClock(NOW))
    query = ReportQuery(period="custom", start="2026-07-01T00:00:00+02:00", end="2026-07-31T23:59:59+02:00", dimensions=list(dimensions),
                        metrics=METRICS, hideEmptyRows=hide_empty)
    return service.results(TenantContext("org", "acme", USERS[0], "a@acme.test", "Administrator"), spec_of(query), view=view, limit=1000).body


def in_period(items):
    return [item for item in items if "2026-06-30T22:00:00.000Z" <= item["startedAt"] < "2026-07-31T22:00:00.000Z"]


def key_of(dimension, item):
    if dimension == "project":
        return item["projectId"]
    if dimension == "user":
        return item["userId"]
    if dimension == "day":
        return datetime.fromisoformat(item["startedAt"]).astimezone(ZoneInfo(ZONE)).date().isoformat()
    return item["billable"] is True


def naive_groups(items, dimensions, priced):
    if not dimensions:
        return None
    keys = {}
    for item in items:
        keys.setdefault(key_of(dimensions[0], item), []).append(item)
    shown = {key: (naive_totals([i["id"] for i in chosen], priced), naive_groups(chosen, dimensions[1:], priced)) for key, chosen in keys.items()}
    return {key: group for key, group in shown.items() if group[0]["time"] or group[0]["running"]}  # hideEmptyRows


def shown_groups(groups):
    if groups is None:
        return None
    return {group["key"]: (group["totals"], shown_groups(group.get("groups"))) for group in groups}


SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(worlds(), st.sampled_from([["project"], ["user", "project"], ["day"], ["project", "user", "day"], ["billable", "user"]]))
def test_summary_equals_the_naive_report(world, dimensions):
    items, revenue, cost, rounding = world
    counted = in_period(items)
    priced = naive(counted, revenue, cost, rounding)  # overlaps among the activities the report reads
    body = run(world, "summary", dimensions)
    assert body["totals"] == naive_totals([item["id"] for item in counted], priced)
    assert shown_groups(body["groups"]) == naive_groups(counted, dimensions, priced)
    assert body["truncated"] is False and body["nextCursor"] is None


@SETTINGS
@given(worlds())
def test_detailed_rows_equal_the_naive_ones(world):
    items, revenue, cost, rounding = world
    counted = sorted(in_period(items), key=lambda item: (ms(item["startedAt"]), item["id"]))
    priced = naive(counted, revenue, cost, rounding)
    body = run(world, "detailed")
    assert [row["id"] for row in body["rows"]] == [item["id"] for item in counted]
    for row in body["rows"]:
        raw, duration, billable, revenue_rate, cost_rate, running = priced[row["id"]]
        assert (row["rawDuration"], row["duration"], row["running"]) == (raw, duration, running)
        assert row["revenue"] == (None if revenue_rate is None else {"currency": revenue_rate[0], "amount": cents(Fraction(revenue_rate[1]) * billable / HOUR)})
        assert row["cost"] == (None if cost_rate is None else {"currency": cost_rate[0], "amount": cents(Fraction(cost_rate[1]) * duration / HOUR)})
    assert body["totals"] == naive_totals([item["id"] for item in counted], priced)


@SETTINGS
@given(worlds())
def test_empty_days_are_shown_unless_hidden(world):
    body = run(world, "summary", ["day"], hide_empty=False)
    assert [group["key"] for group in body["groups"]] == [f"2026-07-{day:02d}" for day in range(1, 32)]
