"""Report arithmetic on hand-made activities: durations, rounding, rates in force, currencies,
groups at three levels, local calendar buckets across a clock change, the weekly grid."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from sandglass import amounts
from sandglass.repositories.rates import from_item as rate_item
from sandglass.services import rates
from sandglass.services.reports import engine, views
from sandglass.services.reports.periods import resolve

NOW_MS = amounts.to_ms("2026-07-15T12:00:00.000Z")
P, Q, SAM, PIA = "p-website", "q-internal", "u-sam", "u-pia"


def item(user, project, start, end, billable=True, name="Work", id_=None):
    item.counter = getattr(item, "counter", 0) + 1
    return {"id": id_ or f"a{item.counter:03d}", "name": name, "projectId": project, "userId": user, "billable": billable,
            "startedAt": start, "endedAt": end}


REVENUE = {
    (P, SAM): [  # the rate changes in the middle of July
        {"currency": "EUR", "value": Decimal("100"), "from": "2026-01-01T00:00:00.000Z", "to": "2026-07-10T00:00:00.000Z"},
        {"currency": "EUR", "value": Decimal("120"), "from": "2026-07-10T00:00:00.000Z", "to": None},
    ],
    (P, PIA): [{"currency": "USD", "value": Decimal("50"), "from": "2026-01-01T00:00:00.000Z", "to": None}],
}
COST = {
    SAM: [{"currency": "EUR", "value": Decimal("40"), "from": "2026-01-01T00:00:00.000Z", "to": None}],
    PIA: [{"currency": "USD", "value": Decimal("30.50"), "from": "2026-07-01T00:00:00.000Z", "to": None}],
}


def typed(windows, user_id):
    """Stored window attributes -> RateWindow entities (as the repository reads them)."""
    return [rate_item({**window, "id": str(n), "userId": user_id}) for n, window in enumerate(windows)]


def pricing(**kwargs):
    return engine.Pricing(now_ms=NOW_MS, revenue={k: engine.RateTimeline(typed(v, k[1])) for k, v in REVENUE.items()},
                          cost={k: engine.RateTimeline(typed(v, k)) for k, v in COST.items()}, **kwargs)


def july():
    return [
        item(SAM, P, "2026-07-03T07:00:00.000Z", "2026-07-03T08:30:00.000Z"),   # 1.5 h at 100 EUR, cost 40
        item(SAM, P, "2026-07-13T08:00:00.000Z", "2026-07-13T10:00:00.000Z"),   # 2 h at 120 EUR (after the change)
        item(SAM, Q, "2026-07-04T07:00:00.000Z", "2026-07-04T08:00:00.000Z", billable=False),  # 1 h, cost only
        item(PIA, P, "2026-07-06T22:30:00.000Z", "2026-07-06T23:30:00.000Z"),   # 1 h USD; local day 2026-07-07 in Warsaw
        item(PIA, P, "2026-07-15T11:00:00.000Z", None),                         # running: 1 h up to now
    ]


def grouping(dimensions, metrics=("time", "billable", "revenue", "cost", "profit", "count"), hide_empty=True, time_zone="Europe/Warsaw", **kwargs):
    span = resolve("custom", "2026-07-01T00:00:00+02:00", "2026-07-31T23:59:59+02:00", datetime(2026, 7, 15, tzinfo=timezone.utc), time_zone)
    labels = engine.Labels(projects={P: "Website", Q: "Internal"}, users={SAM: "Sam", PIA: "Pia"})
    return engine.Grouping(list(dimensions), list(metrics), span, engine.Calendar(time_zone), labels, hide_empty, **kwargs)


def summary(dimensions, items=None, **kwargs):
    shape = grouping(dimensions, **kwargs)
    total, tree = engine.group(engine.price(items or july(), pricing()), shape)
    return views.totals_view(total, shape.metrics), views.groups_view(tree, shape)


def by_label(groups):
    return {group["label"]: group for group in groups}


def test_totals_every_metric_per_currency():
    totals, _ = summary([])
    assert totals == {
        "time": 23_400_000, "billable": 19_800_000, "count": 5, "running": 1,
        "revenue": {"EUR": "390.00", "USD": "100.00"},   # 1.5x100 + 2x120 ; (1 + 1 running) x 50
        "cost": {"EUR": "180.00", "USD": "61.00"},       # 4.5 h x 40 ; 2 h x 30.50
        "profit": {"EUR": "210.00", "USD": "39.00"},
    }


def test_project_then_user():
    _, groups = summary(["project", "user"])
    projects = by_label(groups)
    assert list(projects) == ["Internal", "Website"]
    website = projects["Website"]
    assert website["totals"]["time"] == 19_800_000 and website["totals"]["revenue"] == {"EUR": "390.00", "USD": "100.00"}
    users = by_label(website["groups"])
    assert users["Sam"]["totals"]["revenue"] == {"EUR": "390.00"} and users["Sam"]["totals"]["cost"] == {"EUR": "140.00"}
    assert users["Pia"]["totals"]["running"] == 1 and users["Pia"]["totals"]["profit"] == {"USD": "39.00"}
    assert by_label(projects["Internal"]["groups"])["Sam"]["totals"] == {
        "time": 3_600_000, "billable": 0, "count": 1, "running": 0, "revenue": {}, "cost": {"EUR": "40.00"}, "profit": {"EUR": "-40.00"}}


def test_member_dimension_is_the_project_membership():
    from sandglass import ids

    _, groups = summary(["member"], metrics=["time"])
    members = {group["key"]: group for group in groups}
    key = ids.project_member_id(P, PIA)
    assert members[key]["label"] == "Pia (Website)" and members[key]["totals"]["time"] == 7_200_000
    assert members[key]["projectId"] == P and members[key]["userId"] == PIA
    assert len(members) == 3


def test_day_is_the_local_day_of_the_start():
    _, groups = summary(["day"], metrics=["time"])
    days = {group["key"]: group["totals"]["time"] for group in groups}
    assert days == {"2026-07-03": 5_400_000, "2026-07-04": 3_600_000, "2026-07-07": 3_600_000, "2026-07-13": 7_200_000, "2026-07-15": 3_600_000}
    _, groups = summary(["day"], metrics=["time"], time_zone="UTC")
    assert "2026-07-06" in {group["key"] for group in groups}


def test_week_and_month():
    _, groups = summary(["week"], metrics=["time", "count"])
    weeks = {group["label"]: group["totals"]["count"] for group in groups}
    assert weeks == {"2026-W27": 2, "2026-W28": 1, "2026-W29": 2}
    assert [group["key"] for group in groups] == ["2026-06-29", "2026-07-06", "2026-07-13"]
    _, groups = summary(["month"], metrics=["time"])
    assert [(g["key"], g["totals"]["time"]) for g in groups] == [("2026-07", 23_400_000)]


def test_billable_and_approved():
    _, groups = summary(["billable", "approved"], metrics=["time"])
    assert [(g["label"], g["totals"]["time"]) for g in groups] == [("Billable", 19_800_000), ("Non-billable", 3_600_000)]
    # no week of these fixtures is approved (tests/api/requests covers approved weeks)
    assert [(g["label"], g["totals"]["time"]) for g in groups[0]["groups"]] == [("Not approved", 19_800_000)]


def test_three_levels():
    _, groups = summary(["project", "user", "day"], metrics=["time"])
    sam_days = by_label(by_label(groups)["Website"]["groups"])["Sam"]["groups"]
    assert [(g["key"], g["totals"]["time"]) for g in sam_days] == [("2026-07-03", 5_400_000), ("2026-07-13", 7_200_000)]


def test_empty_rows_are_filled_unless_hidden():
    _, groups = summary(["day"], metrics=["time"], hide_empty=False)
    assert len(groups) == 31 and groups[0]["key"] == "2026-07-01" and groups[0]["totals"]["time"] == 0
    _, groups = summary(["project", "billable"], metrics=["time"], hide_empty=False, selected={"project": [P, Q, "p-empty"]})
    assert [g["label"] for g in groups] == ["(deleted project)", "Internal", "Website"]
    assert [g["label"] for g in by_label(groups)["Internal"]["groups"]] == ["Billable", "Non-billable"]
    _, groups = summary(["week"], metrics=["time"], hide_empty=False)
    assert [g["key"] for g in groups] == ["2026-06-29", "2026-07-06", "2026-07-13", "2026-07-20", "2026-07-27"]


def test_hidden_empty_rows_leave_out_zero_time():
    items = july() + [item(SAM, Q, "2026-07-20T08:00:00.000Z", "2026-07-20T08:00:00.000Z")]
    _, groups = summary(["day"], items=items, metrics=["time"])
    assert "2026-07-20" not in {g["key"] for g in groups}


@pytest.mark.parametrize("mode, expected", [("NEAREST", [900_000, 1_800_000, 0]), ("UP", [900_000, 1_800_000, 900_000]), ("DOWN", [0, 900_000, 0])])
def test_rounding_applies_to_each_duration(mode, expected):
    items = [
        item(SAM, P, "2026-07-03T07:00:00.000Z", "2026-07-03T07:07:30.000Z"),   # 7.5 min: half rounds up
        item(SAM, P, "2026-07-03T08:00:00.000Z", "2026-07-03T08:23:00.000Z"),   # 23 min
        item(SAM, P, "2026-07-03T09:00:00.000Z", "2026-07-03T09:00:01.000Z"),   # 1 s
    ]
    entries = engine.price(items, pricing(rounding_interval=900_000, rounding_mode=mode))
    assert [entry.duration_ms for entry in entries] == expected
    assert [entry.raw_ms for entry in entries] == [450_000, 1_380_000, 1_000]
    assert [entry.started_at for entry in entries] == [i["startedAt"] for i in items]  # raw times stay


def test_revenue_uses_the_rounded_billable_duration():
    items = [item(SAM, P, "2026-07-13T08:00:00.000Z", "2026-07-13T08:50:00.000Z")]  # 50 min -> 1 h (UP, 30 min)
    entry = engine.price(items, pricing(rounding_interval=1_800_000, rounding_mode="UP"))[0]
    assert entry.duration_ms == 3_600_000
    assert views.money_row(entry, "revenue") == {"currency": "EUR", "amount": "120.00"}
    assert views.money_row(entry, "cost") == {"currency": "EUR", "amount": "40.00"}


def test_no_rate_in_force_means_no_revenue():
    items = [item(PIA, P, "2026-06-30T10:00:00.000Z", "2026-06-30T11:00:00.000Z")]  # before Pia's cost window
    entry = engine.price(items, pricing())[0]
    assert entry.cost_rate is None and views.money_row(entry, "cost") is None
    assert views.money_row(entry, "revenue") == {"currency": "USD", "amount": "50.00"}


def test_rate_timeline_agrees_with_rates_pick():
    windows = typed(REVENUE[(P, SAM)], SAM)
    timeline = engine.RateTimeline(windows)
    for instant in ("2025-12-31T23:59:59.999Z", "2026-01-01T00:00:00.000Z", "2026-07-09T23:59:59.999Z", "2026-07-10T00:00:00.000Z", "2030-01-01T00:00:00.000Z"):
        picked = rates.pick(windows, datetime.fromisoformat(instant))
        found = timeline.at(amounts.to_ms(instant))
        assert (found[1] if found else None) == (picked.value if picked else None), instant


def test_dst_week_buckets_by_local_time():
    # Warsaw leaves summer time on Sunday 2026-10-25 at 03:00 (+02:00 -> +01:00)
    items = [
        item(SAM, P, "2026-10-25T22:30:00.000Z", "2026-10-25T23:00:00.000Z"),  # 23:30 Sunday (would be Monday at +02:00)
        item(SAM, P, "2026-10-25T23:30:00.000Z", "2026-10-26T00:00:00.000Z"),  # 00:30 Monday
        item(SAM, P, "2026-10-24T22:30:00.000Z", "2026-10-24T23:00:00.000Z"),  # 00:30 Sunday (still +02:00)
    ]
    calendar = engine.Calendar("Europe/Warsaw")
    entries = engine.price(items, pricing())
    assert [calendar.buckets(entry.start_ms)[:2] for entry in entries] == [
        ("2026-10-25", "2026-10-19"), ("2026-10-26", "2026-10-26"), ("2026-10-25", "2026-10-19")]
    span = resolve("custom", "2026-10-19T00:00:00+02:00", "2026-10-25T23:59:59.999+01:00", datetime(2026, 10, 30, tzinfo=timezone.utc), "Europe/Warsaw")
    assert calendar.period_keys("day", span)[-1] == "2026-10-25" and len(calendar.period_keys("day", span)) == 7
    grid = views.weekly_view(entries, calendar, engine.Labels(users={SAM: "Sam"}), ["time"], True)
    assert grid["rows"][0]["days"] == [1_800_000, 0, 0, 0, 0, 0, 3_600_000]


def test_weekly_grid_per_user_and_weekday():
    entries = engine.price(july(), pricing())
    grid = views.weekly_view(entries, engine.Calendar("Europe/Warsaw"), engine.Labels(users={SAM: "Sam", PIA: "Pia"}), ["time"], False, users=["u-ola"])
    assert grid["weekdays"][0] == "MONDAY"
    rows = {row["label"]: row for row in grid["rows"]}
    assert rows["Sam"]["days"] == [7_200_000, 0, 0, 0, 5_400_000, 3_600_000, 0]   # Mon 13th, Fri 3rd, Sat 4th
    assert rows["Pia"]["days"] == [0, 3_600_000, 3_600_000, 0, 0, 0, 0]           # Tue 7th (local), Wed 15th (running)
    assert rows["(deleted member)"]["days"] == [0] * 7                            # a selected member without time
    assert grid["days"] == [7_200_000, 3_600_000, 3_600_000, 0, 5_400_000, 3_600_000, 0]
    assert grid["totals"] == {"time": 23_400_000, "running": 1}
    sunday_first = views.weekly_view(entries, engine.Calendar("Europe/Warsaw", 6), engine.Labels(), ["time"], True)
    assert sunday_first["weekdays"][0] == "SUNDAY" and sum(sunday_first["days"]) == 23_400_000


def test_running_timer_counts_up_to_now_and_is_flagged():
    entry = engine.price([item(PIA, P, "2026-07-15T11:15:00.000Z", None)], pricing())[0]
    assert entry.running and entry.duration_ms == 2_700_000
    row = views.detailed_row(entry, engine.Labels(), ["time"])
    assert row["running"] is True and row["endedAt"] is None and row["revenue"] is None


def test_money_is_never_summed_across_currencies():
    total = engine.Totals()
    for entry in engine.price(july(), pricing()):
        total.add(entry)
    assert set(total.revenue_amounts()) == {"EUR", "USD"}
    assert total.revenue_amounts()["USD"] == Decimal(100)


def merged_pages(pages):
    """Consecutive pages of groups joined back: a `continued` group is the previous page's last one."""
    whole = []
    for groups in pages:
        for group in groups:
            group = dict(group)
            if group.pop("continued", False):
                assert whole and (whole[-1]["key"], whole[-1]["totals"]) == (group["key"], group["totals"])
                whole[-1]["groups"] = merged_pages([whole[-1]["groups"], group["groups"]])
            else:
                whole.append(group)
    return whole


@pytest.mark.parametrize("dimensions", [["project"], ["project", "user", "day"], ["week", "billable"], ["user", "member", "month"]])
@pytest.mark.parametrize("hide_empty", [True, False])
@pytest.mark.parametrize("budget", [1, 400, 1_500, 10**9])
def test_pages_of_groups_join_into_the_whole_tree(dimensions, hide_empty, budget):
    shape = grouping(dimensions, hide_empty=hide_empty)
    _, tree = engine.group(engine.price(july(), pricing()), shape)
    whole = views.groups_view(tree, shape)
    pages, start = [], 0
    while start is not None:
        page, following = views.page_groups(tree, shape, start, budget)
        assert page and (following is None or following > start)
        # within the budget, but for the first group (always shown) and the continued ancestors (two at most)
        largest = max(views.shown_size(row) for row in flattened(page))
        assert sum(views.shown_size(row) for row in flattened(page)) <= max(budget, largest) + 2 * largest
        pages.append(page)
        start = following
    assert merged_pages(pages) == whole
    assert views.page_rows(whole, 0, budget)[0] == pages[0]


def flattened(groups):
    for group in groups:
        yield group
        yield from flattened(group.get("groups") or [])
