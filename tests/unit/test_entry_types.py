"""Breaks and project-less activities in the pure rules: the create/update decisions (a break is
never billable), report totals (breaks counted apart, never priced; "(no project)" is a group like
any other) and worked day totals (breaks are not worked time). Totals are the sum of their parts."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sandglass import amounts
from sandglass.entities.activities import BREAK, NO_PROJECT, REGULAR, Activity
from sandglass.repositories.rates import from_item as rate_item
from sandglass.repositories.activities import from_item
from sandglass.services import timesheet_rules
from sandglass.services.activities.decide import billable_of
from sandglass.services.reports import engine, views
from sandglass.services.reports.periods import resolve
from sandglass.timefmt import iso

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
NOW_MS = amounts.to_ms(iso(NOW))
BASE = datetime(2026, 7, 6, 6, 0, tzinfo=timezone.utc)
USERS = ("u-sam", "u-pia")
PROJECTS = ("p-web", "p-app", None)
RATES = {("p-web", "u-sam"): [{"currency": "EUR", "value": Decimal("100"), "from": "2026-01-01T00:00:00.000Z", "to": None}],
         ("p-app", "u-pia"): [{"currency": "EUR", "value": Decimal("80"), "from": "2026-01-01T00:00:00.000Z", "to": None}]}
COSTS = {"u-sam": [{"currency": "EUR", "value": Decimal("40"), "from": "2026-01-01T00:00:00.000Z", "to": None}],
         "u-pia": [{"currency": "EUR", "value": Decimal("30"), "from": "2026-01-01T00:00:00.000Z", "to": None}]}


def typed(windows, user_id):
    return [rate_item({**window, "id": str(n), "userId": user_id}) for n, window in enumerate(windows)]


def test_a_break_is_never_billable():
    assert billable_of(BREAK, True) is False and billable_of(BREAK, False) is False
    assert billable_of(REGULAR, True) is True and billable_of(REGULAR, False) is False


def test_an_activity_is_regular_unless_said_otherwise():
    activity = Activity(id="a", user_id="u", project_id=None, started_at=NOW)
    assert activity.type == REGULAR and not activity.is_break and activity.project_id is None


rows = st.lists(st.tuples(st.sampled_from(USERS), st.sampled_from(PROJECTS), st.sampled_from((REGULAR, BREAK)), st.booleans(),
                          st.integers(0, 60 * 24 * 6), st.integers(1, 60 * 8), st.booleans()), max_size=25)


def _items(drawn) -> list[dict]:
    items = []
    for index, (user, project, kind, billable, offset, minutes, with_snapshot) in enumerate(drawn):
        start = BASE + timedelta(minutes=offset)
        item = {"id": f"a{index:03d}", "name": "", "userId": user, "billable": billable, "startedAt": iso(start),
                "endedAt": iso(start + timedelta(minutes=minutes))}
        if project is not None:
            item["projectId"] = project
        if kind == BREAK:
            item["type"] = BREAK
        if with_snapshot:
            item["rateSnapshot"] = {"revenue": {"currency": "EUR", "value": Decimal("90")}, "cost": {"currency": "EUR", "value": Decimal("20")}}
        items.append(item)
    return items


def _grouping(dimensions):
    span = resolve("custom", "2026-07-01T00:00:00Z", "2026-07-31T23:59:59Z", NOW, "UTC")
    labels = engine.Labels(projects={"p-web": "Website", "p-app": "App"}, users={"u-sam": "Sam", "u-pia": "Pia"})
    return engine.Grouping(list(dimensions), ["time", "billable", "breaks", "count", "revenue", "cost"], span, engine.Calendar("UTC"), labels, True)


def _priced(items, interval=0):
    pricing = engine.Pricing(now_ms=NOW_MS, counted_from=engine.counted_starts(items, NOW_MS), rounding_interval=interval,
                             rounding_mode="UP", revenue={key: engine.RateTimeline(typed(value, key[1])) for key, value in RATES.items()},
                             cost={key: engine.RateTimeline(typed(value, key)) for key, value in COSTS.items()})
    return engine.price(items, pricing)


@settings(max_examples=150, deadline=None)
@given(rows, st.sampled_from((0, 900_000)))
def test_totals_with_breaks_and_projectless_entries_are_the_sum_of_their_parts(drawn, interval):
    items = _items(drawn)
    entries = _priced(items, interval)
    total, tree = engine.group(entries, _grouping(["project", "user"]))
    breaks = [entry for entry in entries if entry.is_break]
    worked = [entry for entry in entries if not entry.is_break]
    # breaks: counted apart, at their own (rounded) length, never billable, never priced
    assert total.breaks == sum(entry.duration_ms for entry in breaks)
    assert all(entry.billable_ms == 0 and entry.revenue_rate is None and entry.cost_rate is None for entry in breaks)
    assert all(entry.duration_ms == amounts.round_duration(entry.raw_ms, interval, "UP") if interval else entry.raw_ms for entry in breaks)
    # worked time is the worked entries' time only; billable is part of it; count is every entry
    assert total.time == sum(entry.duration_ms for entry in worked) and total.billable <= total.time
    assert total.count == len(entries)
    # every group (the no-project group, key None, among them) adds up to the total
    for metric in ("time", "billable", "breaks", "count"):
        assert sum(getattr(node.totals, metric) for node in tree.values()) == getattr(total, metric)
    for kind in ("revenue", "cost"):  # money as milliseconds per (currency, rate): exact
        parts: dict = {}
        for node in tree.values():
            for rate, spent in (getattr(node.totals, kind) or {}).items():
                parts[rate] = parts.get(rate, 0) + spent
        assert parts == (getattr(total, kind) or {})
    priced_ms = sum(spent for spent in (total.cost or {}).values())
    assert priced_ms <= total.time  # breaks carry no cost
    # a project-less entry without a kept snapshot has no revenue rate (revenue rates live on project memberships)
    assert all(entry.revenue_rate is None for entry, item in zip(entries, items) if entry.project_id is None and "rateSnapshot" not in item)
    # without breaks in the data the break total is zero and time is as before
    if not breaks:
        assert total.breaks == 0


@settings(max_examples=100, deadline=None)
@given(rows)
def test_worked_day_totals_leave_breaks_out(drawn):
    items = [item for item in _items(drawn) if item["userId"] == "u-sam"]
    with_breaks = timesheet_rules.day_milliseconds([from_item(item) for item in items], "UTC", NOW)
    without = timesheet_rules.day_milliseconds([from_item(item) for item in items if item.get("type") != BREAK], "UTC", NOW)
    assert with_breaks == without


def test_the_no_project_group_is_labelled_and_breaks_are_shown_apart():
    items = [
        {"id": "a1", "name": "", "userId": "u-sam", "projectId": "p-web", "billable": True, "startedAt": "2026-07-06T08:00:00.000Z",
         "endedAt": "2026-07-06T09:00:00.000Z"},
        {"id": "a2", "name": "", "userId": "u-sam", "billable": True, "startedAt": "2026-07-06T09:00:00.000Z",
         "endedAt": "2026-07-06T09:30:00.000Z"},
        {"id": "a3", "name": "", "userId": "u-sam", "type": BREAK, "billable": True, "startedAt": "2026-07-06T09:30:00.000Z",
         "endedAt": "2026-07-06T09:45:00.000Z"},
    ]
    shape = _grouping(["project"])
    total, tree = engine.group(_priced(items), shape)
    shown = views.totals_view(total, shape.metrics)
    assert shown["time"] == 90 * 60_000 and shown["breaks"] == 15 * 60_000 and shown["billable"] == 90 * 60_000 and shown["count"] == 3
    groups = {group["label"]: group for group in views.groups_view(tree, shape)}
    assert groups[NO_PROJECT]["key"] is None
    assert groups[NO_PROJECT]["totals"]["time"] == 30 * 60_000 and groups[NO_PROJECT]["totals"]["breaks"] == 15 * 60_000
    assert groups[NO_PROJECT]["totals"]["revenue"] == {}  # no project: no revenue rate; cost from the member's rate
    assert groups[NO_PROJECT]["totals"]["cost"] == {"EUR": "20.00"}
    assert groups["Website"]["totals"]["revenue"] == {"EUR": "100.00"}
    rows_ = [views.detailed_row(entry, shape.labels, shape.metrics) for entry in _priced(items)]
    assert [(row["project"], row["type"], row["billable"]) for row in rows_] == [
        ("Website", REGULAR, True), (NO_PROJECT, REGULAR, True), (NO_PROJECT, BREAK, False)]
    grid = engine.weekly_grid(_priced(items), engine.Calendar("UTC"))
    assert sum(grid.days) == 90 * 60_000 and grid.total.breaks == 15 * 60_000


def test_a_month_of_day_totals_ignores_a_break():
    items = [{"id": "a", "userId": "u", "startedAt": "2026-07-06T08:00:00.000Z", "endedAt": "2026-07-06T09:00:00.000Z"},
             {"id": "b", "userId": "u", "type": BREAK, "startedAt": "2026-07-06T09:00:00.000Z", "endedAt": "2026-07-06T10:00:00.000Z"}]
    assert timesheet_rules.day_minutes([from_item(item) for item in items], "UTC", [date(2026, 7, 6)], NOW) == {date(2026, 7, 6): 60}


def test_a_projectless_break_is_stored_without_project_index_keys_and_read_back():
    from sandglass import keys
    from sandglass.repositories.activities import from_item, to_item

    activity = Activity(id="a", user_id="u", project_id=None, started_at=NOW, ended_at=NOW + timedelta(minutes=15), type=BREAK)
    item = to_item("org", activity)
    assert item["type"] == BREAK and "projectId" not in item
    assert keys.gsi_pk(keys.GSI_PROJECT) not in item and keys.gsi_sk(keys.GSI_PROJECT) not in item
    assert from_item(item) == activity
    regular = to_item("org", Activity(id="b", user_id="u", project_id="p", started_at=NOW))
    assert "type" not in regular and from_item(regular).type == REGULAR  # absent: REGULAR (items written before types)
