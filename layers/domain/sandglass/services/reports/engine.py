"""Report arithmetic: price activities, group them, total them. Pure Python (no I/O, no clock).

- Duration: ``endedAt - startedAt`` in ms; a running timer counts up to `now` and is flagged.
  With the organization's rounding enabled, each activity's duration is rounded (NEAREST: half
  up, UP, DOWN) to the interval; the raw times stay as stored.
- Overlaps: wall time counts once per member. Where a member's entries overlap (whatever the
  organization's overlapPolicy let in), the shared time belongs to the entry that started first
  (ties: the smaller id), on that entry's project; a later entry counts from where the earlier
  ones end (counted_starts). ``rawDuration`` stays the stored span; ``duration`` is the counted part.
- Billable time: the (rounded) duration of billable activities.
- Breaks (activities of type BREAK): counted apart, in the ``breaks`` metric. They are never
  billable, carry no revenue and no cost, are not part of ``time`` (worked time), and take no part
  in the overlap rule (a break never moves a worked entry's counted start, nor the other way round).
  ``count`` counts them with the rest. Activities without a project group under the project key
  None ("(no project)").
- Revenue: billable duration x the member's revenue rate (project, user) in force at the
  activity's start; cost: duration x the user's cost rate in force then. An activity carrying a
  ``rateSnapshot`` (the rates kept when it was written or last re-rated) is priced by it, never by
  the windows as they are now; older activities without one by the windows. Rates are hourly values
  in their own currency; money is Decimal, totalled per currency, never summed across currencies,
  and shown rounded half up to cents only at the end. Profit per currency = revenue - cost.
  An activity without a rate in force has no revenue (or no cost).
- Time buckets (day, week, month, weekday) are local to the organization's time zone, with its
  week start; an activity belongs to the bucket of its start.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from msgspec import Struct, field

from sandglass.amounts import EPOCH, MS, round_duration, to_ms
from sandglass.entities.activities import BREAK, NO_PROJECT
from sandglass.entities.rates import RateWindow
from sandglass.repositories.activities import ActivityRow
from sandglass.services.reports.periods import WEEKDAYS, Range, first_of_week

HOUR_MS = Decimal(3_600_000)
BUCKET_MS = 900_000  # every zone's offset (and its changes) fall on quarter hours
PERIOD_DIMENSIONS = ("day", "week", "month")
OPEN_END = 1 << 62  # the `to` of an open-ended rate window, as epoch milliseconds

# An activity as a report reads it: a lean row of the activity repository (ActivityRow, a TypedDict:
# declared keys, a plain dict at run time). A report counts up to a million of them: no
# per-activity object before pricing. Imported from here by the report modules.


@contextmanager
def gc_paused():
    """A report allocates an object per activity and no reference cycle: with 100,000 of them the
    cyclic collector's passes cost a third of the aggregation, so it waits until the report is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- rates ----------------------------------------------------------------------------------------

class RateTimeline:
    """The windows of one owner, parsed once: ``from <= T < to`` (`to` null: open-ended), the same
    rule as sandglass.services.rates.pick, for thousands of lookups per report."""

    __slots__ = ("windows",)

    def __init__(self, windows: Iterable[RateWindow]):
        parsed = []
        for window in windows:
            start = (window.starts_at - EPOCH) // MS
            end = (window.ends_at - EPOCH) // MS if window.ends_at is not None else OPEN_END
            parsed.append((start, end, (window.currency, window.value)))
        parsed.sort(key=lambda item: item[0])
        self.windows = parsed

    def at(self, instant_ms: int) -> tuple[str, Decimal] | None:
        for start, end, rate in self.windows:
            if start <= instant_ms < end:
                return rate
        return None


# --- priced activities ------------------------------------------------------------------------------

class Entry:
    __slots__ = ("id", "name", "project_id", "user_id", "billable", "approved", "started_at", "ended_at", "start_ms", "running",
                 "raw_ms", "duration_ms", "billable_ms", "revenue_rate", "cost_rate", "is_break")

    def amount(self, which: str) -> tuple[str, Decimal] | None:
        """(currency, exact amount) of the entry's revenue (its billable time) or cost (its time); None: no rate."""
        rate = self.revenue_rate if which == "revenue" else self.cost_rate
        if rate is None:
            return None
        currency, value = rate
        return currency, value * (self.billable_ms if which == "revenue" else self.duration_ms) / HOUR_MS


def counted_starts(items: Iterable[ActivityRow], now_ms: int) -> dict[str, int]:
    """{activity id: epoch ms its counted part starts at} for the entries that share time with an
    earlier entry of the same member (the others count from their own start)."""
    by_user: dict[str, list[tuple[int, str, int]]] = {}
    for item in items:
        if item.get("type") == BREAK:
            continue
        start = to_ms(item["startedAt"])
        end = to_ms(item["endedAt"]) if item.get("endedAt") else max(now_ms, start)
        by_user.setdefault(item["userId"], []).append((start, item["id"], end))
    moved: dict[str, int] = {}
    for spans in by_user.values():
        spans.sort()
        covered = None
        for start, activity_id, end in spans:
            if covered is not None and covered > start:
                moved[activity_id] = min(covered, end)
            covered = end if covered is None else max(covered, end)
    return moved


class Pricing(Struct):
    now_ms: int
    counted_from: dict[str, int] = field(default_factory=dict)  # counted_starts
    rounding_interval: int = 0  # 0: rounding off
    rounding_mode: str = "NEAREST"
    revenue: dict[tuple[str, str], RateTimeline] | None = None  # (projectId, userId) -> windows; None: not needed
    cost: dict[str, RateTimeline] | None = None  # userId -> windows; None: not needed


def price(items: Iterable[ActivityRow], pricing: Pricing) -> list[Entry]:
    """One Entry per activity item (the stored attributes), in the order given: its counted and
    rounded duration, then the rates it is priced by. The hot loops of a report (100,000
    activities a month in a large organization), hence one pass each and local names."""
    items = items if isinstance(items, list) else list(items)
    entries = timed(items, pricing)
    if pricing.revenue is not None or pricing.cost is not None:
        rated(entries, items, pricing)
    else:
        for entry in entries:
            entry.revenue_rate = entry.cost_rate = None
    return entries


def timed(items: list[ActivityRow], pricing: Pricing) -> list[Entry]:
    """Entries with their times: raw span (a running timer up to now), the part no earlier entry of
    the member covers (counted_starts), rounded by the organization's rule; no rates yet."""
    entries = []
    append = entries.append
    parse, epoch, ms, new = datetime.fromisoformat, EPOCH, MS, Entry
    now_ms, interval, mode = pricing.now_ms, pricing.rounding_interval, pricing.rounding_mode
    counted_from = pricing.counted_from
    for item in items:
        entry = new()
        started_at = item["startedAt"]
        ended_at = item.get("endedAt")
        start = (parse(started_at) - epoch) // ms
        if ended_at:
            raw = (parse(ended_at) - epoch) // ms - start
            entry.running = False
        else:
            raw = now_ms - start if now_ms > start else 0
            entry.running = True
        counted = raw
        if counted_from:
            moved = counted_from.get(item["id"])
            if moved is not None:
                counted = max(0, raw - (moved - start))
        duration = round_duration(counted, interval, mode) if interval else counted
        is_break = item.get("type") == BREAK
        billable = item.get("billable") is True and not is_break
        entry.is_break = is_break
        entry.project_id = item.get("projectId")
        entry.user_id = item["userId"]
        entry.id = item["id"]
        entry.name = item.get("name", "")
        entry.billable = billable
        entry.approved = item.get("approved") is True
        entry.started_at = started_at
        entry.ended_at = ended_at
        entry.start_ms = start
        entry.raw_ms = raw
        entry.duration_ms = duration
        entry.billable_ms = duration if billable else 0
        append(entry)
    return entries


def rated(entries: list[Entry], items: list[ActivityRow], pricing: Pricing) -> None:
    """Set each entry's revenue and cost rate: the ``rateSnapshot`` its item keeps (the rates in
    force when it was written or last re-rated), else the window in force at its start. Revenue
    only for billable entries; a kind the pricing does not ask for (None) stays None."""
    # the windows themselves, so the lookup below is an inline loop rather than a call per activity
    revenue = {key: timeline.windows for key, timeline in pricing.revenue.items()} if pricing.revenue is not None else None
    cost = {key: timeline.windows for key, timeline in pricing.cost.items()} if pricing.cost is not None else None
    for entry, item in zip(entries, items):
        if entry.is_break:  # unpriced
            entry.revenue_rate = entry.cost_rate = None
            continue
        snapshot = item.get("rateSnapshot")
        rate = None
        if snapshot is not None:
            if entry.billable and revenue is not None:
                kept = snapshot.get("revenue")
                rate = (str(kept["currency"]), Decimal(str(kept["value"]))) if kept else None
            entry.revenue_rate = rate
            rate = None
            if cost is not None:
                kept = snapshot.get("cost")
                rate = (str(kept["currency"]), Decimal(str(kept["value"]))) if kept else None
            entry.cost_rate = rate
            continue
        start = entry.start_ms
        if entry.billable and revenue is not None:
            for low, high, found in revenue.get((entry.project_id, entry.user_id), ()):
                if low <= start < high:
                    rate = found
                    break
        entry.revenue_rate = rate
        rate = None
        if cost is not None:
            for low, high, found in cost.get(entry.user_id, ()):
                if low <= start < high:
                    rate = found
                    break
        entry.cost_rate = rate


# --- the calendar of the organization -------------------------------------------------------------

class Calendar:
    """Local day / week / month keys of instants, cached per quarter hour of UTC."""

    def __init__(self, time_zone: str, week_start: int = 0):
        self.zone = ZoneInfo(time_zone)
        self.week_start = week_start
        self._cache: dict[int, tuple[str, str, str, int]] = {}

    def buckets(self, instant_ms: int) -> tuple[str, str, str, int]:
        """(day, week, month, weekday index from the week start) of an instant."""
        bucket = instant_ms // BUCKET_MS
        found = self._cache.get(bucket)
        if found is None:
            day = datetime.fromtimestamp(bucket * (BUCKET_MS // 1000), self.zone).date()
            found = (day.isoformat(), first_of_week(day, self.week_start).isoformat(), day.isoformat()[:7], (day.weekday() - self.week_start) % 7)
            self._cache[bucket] = found
        return found

    def days_of(self, span: Range) -> list[date]:
        first = span.lower.astimezone(self.zone).date()
        last = (span.upper - MS).astimezone(self.zone).date()
        return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]

    def period_keys(self, dimension: str, span: Range) -> list[str]:
        days = self.days_of(span)
        if dimension == "day":
            return [day.isoformat() for day in days]
        if dimension == "week":
            return sorted({first_of_week(day, self.week_start).isoformat() for day in days})
        return sorted({day.isoformat()[:7] for day in days})

    def weekday_names(self) -> list[str]:
        return [WEEKDAYS[(self.week_start + offset) % 7] for offset in range(7)]

    def week_label(self, key: str) -> str:
        first = date.fromisoformat(key)
        if self.week_start == 0:
            year, week, _ = first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"Week of {key}"


# --- totals and groups ------------------------------------------------------------------------------

class Totals:
    """Sums of one group. Money is kept as milliseconds per (currency, hourly value) and priced
    once per group, so the per-activity work stays integer additions."""

    __slots__ = ("time", "billable", "count", "running", "revenue", "cost", "breaks")

    def __init__(self):
        self.time = self.billable = self.count = self.running = self.breaks = 0
        self.revenue: dict[tuple[str, Decimal], int] | None = None
        self.cost: dict[tuple[str, Decimal], int] | None = None

    def add(self, entry: Entry) -> None:
        self.count += 1
        if entry.running:
            self.running += 1
        if entry.is_break:
            self.breaks += entry.duration_ms
            return
        self.time += entry.duration_ms
        self.billable += entry.billable_ms
        rate = entry.revenue_rate
        if rate is not None:
            spent = self.revenue
            if spent is None:
                spent = self.revenue = {}
            spent[rate] = spent.get(rate, 0) + entry.billable_ms
        rate = entry.cost_rate
        if rate is not None:
            spent = self.cost
            if spent is None:
                spent = self.cost = {}
            spent[rate] = spent.get(rate, 0) + entry.duration_ms

    def merge(self, other: "Totals") -> None:
        self.time += other.time
        self.billable += other.billable
        self.count += other.count
        self.running += other.running
        self.breaks += other.breaks
        theirs = other.revenue
        if theirs:
            mine = self.revenue
            if mine is None:
                self.revenue = dict(theirs)
            else:
                for rate, duration in theirs.items():
                    mine[rate] = mine.get(rate, 0) + duration
        theirs = other.cost
        if theirs:
            mine = self.cost
            if mine is None:
                self.cost = dict(theirs)
            else:
                for rate, duration in theirs.items():
                    mine[rate] = mine.get(rate, 0) + duration

    @staticmethod
    def _rate_ms(spent: dict[tuple[str, Decimal], int] | None) -> dict[str, Decimal]:
        """Per currency, the sum of rate × milliseconds: exact (a rate has few decimals)."""
        sums: dict[str, Decimal] = {}
        for (currency, value), duration in (spent or {}).items():
            sums[currency] = sums.get(currency, Decimal(0)) + value * duration
        return sums

    def revenue_amounts(self) -> dict[str, Decimal]:
        return {currency: total / HOUR_MS for currency, total in self._rate_ms(self.revenue).items()}

    def cost_amounts(self) -> dict[str, Decimal]:
        return {currency: total / HOUR_MS for currency, total in self._rate_ms(self.cost).items()}

    def profit_amounts(self) -> dict[str, Decimal]:
        """Revenue less cost, subtracted before the one division: two quotients cut to Decimal's
        precision could land either side of a half cent that the exact difference sits on."""
        revenue, cost = self._rate_ms(self.revenue), self._rate_ms(self.cost)
        zero = Decimal(0)
        return {currency: (revenue.get(currency, zero) - cost.get(currency, zero)) / HOUR_MS for currency in set(revenue) | set(cost)}

class Labels(Struct):
    projects: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)

    def project(self, project_id: str | None) -> str:
        if project_id is None:
            return NO_PROJECT
        return self.projects.get(project_id) or "(deleted project)"

    def user(self, user_id: str) -> str:
        return self.users.get(user_id) or "(deleted member)"


class Node:
    """A group. A leaf (the deepest level) holds its totals; an inner group sums its children's the
    first time they are asked for, so only the groups a page shows are ever totalled."""

    __slots__ = ("_totals", "children")

    def __init__(self, totals: Totals | None = None):
        self._totals = totals
        self.children: dict[Any, Node] = {}

    @property
    def totals(self) -> Totals:
        found = self._totals
        if found is None:
            found = self._totals = Totals()
            merge = found.merge
            for child in self.children.values():
                merge(child.totals)
        return found


EMPTY = Node(Totals())  # every group shown without time (empty rows not hidden): no totals, no children of its own


class Grouping(Struct):
    dimensions: list[str]
    metrics: list[str]
    span: Range
    calendar: Calendar
    labels: Labels
    hide_empty: bool = False
    # keys shown even without time when hide_empty is off (selected projects / users)
    selected: dict[str, list[str]] = field(default_factory=dict)


def _key_function(dimension: str, calendar: Calendar):
    buckets = calendar.buckets
    if dimension == "project":
        return lambda entry: entry.project_id
    if dimension == "user":
        return lambda entry: entry.user_id
    if dimension == "member":
        return lambda entry: (entry.project_id, entry.user_id)
    if dimension == "day":
        return lambda entry: buckets(entry.start_ms)[0]
    if dimension == "week":
        return lambda entry: buckets(entry.start_ms)[1]
    if dimension == "month":
        return lambda entry: buckets(entry.start_ms)[2]
    if dimension == "billable":
        return lambda entry: entry.billable
    if dimension == "approved":
        return lambda entry: entry.approved
    raise ValueError(dimension)


def _cell_key_function(dimension: str, calendar: Calendar):
    """A dimension's key of a report cell ((project id, user id, local day, billable), rollups.py)."""
    if dimension == "project":
        return lambda key: key[0]
    if dimension == "user":
        return lambda key: key[1]
    if dimension == "member":
        return lambda key: (key[0], key[1])
    if dimension == "day":
        return lambda key: key[2]
    if dimension == "week":
        return lambda key: first_of_week(date.fromisoformat(key[2]), calendar.week_start).isoformat()
    if dimension == "month":
        return lambda key: key[2][:7]
    if dimension == "billable":
        return lambda key: key[3]
    raise ValueError(dimension)  # approvals are not kept in cells


def group(entries: list[Entry], grouping: Grouping, cells: list[tuple[tuple, Totals]] | tuple = ()) -> tuple[Totals, dict[Any, Node]]:
    """Totals of everything, and the group tree (up to three levels) of the groups with entries or
    cells. Each activity is added once, to its leaf group, and each report cell (totals of
    activities already summed, rollups.py) merged into its leaf; inner groups sum their children
    when asked (Node.totals). The groups shown without time are not in the tree: shown_level adds
    them level by level, as a page walks it."""
    key_functions = [_key_function(dimension, grouping.calendar) for dimension in grouping.dimensions]
    keys = zip(*(map(key_of, entries) for key_of in key_functions)) if key_functions else repeat(())
    leaves: dict[tuple, Totals] = {}
    for entry, key in zip(entries, keys):
        leaf = leaves.get(key)
        if leaf is None:
            leaf = leaves[key] = Totals()
        leaf.add(entry)
    if cells:
        key_of_cell = _cell_key(grouping)
        for cell_key, totals in cells:
            key = key_of_cell(cell_key)
            leaf = leaves.get(key)
            if leaf is None:
                leaf = leaves[key] = Totals()
            leaf.merge(totals)
    total = Totals()
    tree: dict[Any, Node] = {}
    depth = len(grouping.dimensions)
    for key, leaf in leaves.items():
        total.merge(leaf)
        if not depth:
            continue
        level = tree
        for part in key[:-1]:
            node = level.get(part)
            if node is None:
                node = level[part] = Node()
            level = node.children
        level[key[-1]] = Node(leaf)
    return total, tree


def _cell_key(grouping: Grouping):
    """A report cell's key (project id, user id, local day, billable) -> its leaf's key."""
    picked = {"project": 0, "user": 1, "day": 2, "billable": 3}
    if all(dimension in picked for dimension in grouping.dimensions):
        indexes = [picked[dimension] for dimension in grouping.dimensions]
        if len(indexes) > 1:
            return itemgetter(*indexes)
        return (lambda key: (key[indexes[0]],)) if indexes else (lambda key: ())
    functions = [_cell_key_function(dimension, grouping.calendar) for dimension in grouping.dimensions]
    return lambda key: tuple(key_of(key) for key_of in functions)


def _fill_keys(dimension: str, grouping: Grouping) -> list[Any]:
    if dimension in PERIOD_DIMENSIONS:
        return grouping.calendar.period_keys(dimension, grouping.span)
    if dimension == "billable":
        return [True, False]
    if dimension == "approved":
        return [True, False]
    if dimension in ("project", "user"):
        return list(grouping.selected.get(dimension) or [])
    return []


def fill_keys(grouping: Grouping) -> list[list[Any]]:
    """Per depth, the keys shown even without time: none when empty rows are hidden."""
    if grouping.hide_empty:
        return [[] for _ in grouping.dimensions]
    return [_fill_keys(dimension, grouping) for dimension in grouping.dimensions]


def shown_level(level: dict[Any, Node], keys: list[Any]) -> dict[Any, Node]:
    """A level of the tree with the keys shown without time (fill_keys of its depth) it lacks, as EMPTY."""
    missing = [key for key in keys if key not in level]
    if not missing:
        return level
    return {**level, **dict.fromkeys(missing, EMPTY)}


# --- the weekly grid -------------------------------------------------------------------------------

class WeeklyGrid(Struct):
    """Time per member x day of the week (from the week start), with totals per member, per day and overall."""

    cells: dict[str, list[int]]
    user_totals: dict[str, Totals]
    days: list[int]
    total: Totals


def weekly_grid(entries: Iterable[Entry], calendar: Calendar, users: Iterable[str] = ()) -> WeeklyGrid:
    """The grid of the entries; `users` have a row even without time."""
    cells: dict[str, list[int]] = {user_id: [0] * 7 for user_id in users}
    user_totals: dict[str, Totals] = {user_id: Totals() for user_id in users}
    column = [0] * 7
    total = Totals()
    for entry in entries:
        weekday = calendar.buckets(entry.start_ms)[3]
        row = cells.get(entry.user_id)
        if row is None:
            row = cells[entry.user_id] = [0] * 7
            user_totals[entry.user_id] = Totals()
        if not entry.is_break:  # the grid shows worked time; breaks are in the totals' breaks
            row[weekday] += entry.duration_ms
            column[weekday] += entry.duration_ms
        user_totals[entry.user_id].add(entry)
        total.add(entry)
    return WeeklyGrid(cells, user_totals, column, total)
