"""A result's body in the view asked for (summary, detailed, weekly), from the activities a report
counts: engine.py prices, groups and totals them (typed: Entry, Totals, Node, WeeklyGrid); this
module shapes them into the result's wire body (the Sandtime `ReportResult`: labels, money in
cents per currency, camelCase names) and cuts a page. Pure (no I/O, no clock).

A JSON page holds as many groups or rows as fit in the page budget (PAGE_BYTES, under Lambda's
6 MB) from a position in their depth-first order; ``start`` None means every group or row (a file).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

from msgspec import Struct, field

from sandglass import ids, timefmt
from sandglass.entities.activities import BREAK, REGULAR
from sandglass.entities.reports import ReportSettings, ReportSpec
from sandglass.services.reports import engine
from sandglass.amounts import cents, money
from sandglass.services.reports.engine import PERIOD_DIMENSIONS, Calendar, Entry, Grouping, Labels, Node, Totals, weekly_grid
from sandglass.services.reports.periods import WEEKDAYS, Range
from sandglass.services.reports.selection import Item

VIEWS = ("summary", "detailed", "weekly")


class Counted(Struct):
    """Everything a result is computed from, once read and narrowed."""

    spec: ReportSpec
    view: str
    span: Range
    now: datetime
    settings: ReportSettings
    items: list[Item]
    pricing: engine.Pricing
    calendar: Calendar
    labels: Labels
    fill: dict[str, list[str]]  # selected projects / users shown without time (empty rows not hidden)
    cells: list[tuple[tuple, Totals]] = field(default_factory=list)  # report cells counted besides `items` (rollups.py)

    @property
    def metrics(self) -> list[str]:
        return list(self.spec.metrics)

    @property
    def dimensions(self) -> list[str]:
        return list(self.spec.dimensions)


def header(counted: Counted) -> dict[str, Any]:
    settings, span = counted.settings, counted.span
    return {
        "period": counted.spec.period, "start": span.start, "end": span.end, "timeZone": settings.time_zone,
        "weekStart": WEEKDAYS[settings.week_start], "view": counted.view, "dimensions": counted.dimensions,
        "metrics": counted.metrics, "generatedAt": timefmt.iso(counted.now),
        "rounding": {"interval": settings.rounding_interval, "mode": settings.rounding_mode} if settings.rounding_interval else None,
    }


def body(counted: Counted, start: int | None, limit: int, budget: int) -> tuple[dict[str, Any], int | None]:
    """The body (header, groups or rows, totals) and the position the next page starts at (None:
    this is the last page, or ``start`` None: unpaged)."""
    entries = engine.price(counted.items, counted.pricing)
    if counted.view == "summary":
        shown, following = summary(counted, entries, start, budget)
    elif counted.view == "weekly":
        shown, following = weekly(counted, entries, start, budget)
    else:
        shown, following = detailed(counted, entries, start, limit, budget)
    return {**header(counted), **shown}, following


def summary(counted: Counted, entries: list[Entry], start: int | None, budget: int) -> tuple[dict[str, Any], int | None]:
    grouping = Grouping(counted.dimensions, counted.metrics, counted.span, counted.calendar, counted.labels,
                               counted.spec.hide_empty_rows, counted.fill)
    total, tree = engine.group(entries, grouping, counted.cells)
    following = None
    if start is None:
        shown = groups_view(tree, grouping)
    else:  # only the groups on the page are rendered
        shown, following = page_groups(tree, grouping, start, budget)
    return {"groups": shown, "totals": totals_view(total, counted.metrics)}, following


def weekly(counted: Counted, entries: list[Entry], start: int | None, budget: int) -> tuple[dict[str, Any], int | None]:
    hide_empty = counted.spec.hide_empty_rows
    shown = weekly_view(entries, counted.calendar, counted.labels, counted.metrics, hide_empty, () if hide_empty else counted.fill["user"])
    following = None
    if start is not None:
        shown["rows"], following = page_rows(shown["rows"], start, budget)
    return shown, following


def detailed(counted: Counted, entries: list[Entry], start: int | None, limit: int, budget: int) -> tuple[dict[str, Any], int | None]:
    """Activity rows in start order: at most `limit` a page, and at most `budget` bytes."""
    entries.sort(key=lambda entry: (entry.start_ms, entry.id))
    total = Totals()
    for entry in entries:
        total.add(entry)
    metrics = counted.metrics
    following = None
    if start is None:
        rows = [detailed_row(entry, counted.labels, metrics) for entry in entries]
    else:
        rows = [detailed_row(entry, counted.labels, metrics) for entry in entries[start:start + limit]]
        rows, cut = page_rows(rows, 0, budget)
        if cut is not None:
            following = start + cut
        elif start + limit < len(entries):
            following = start + limit
    return {"rows": rows, "totals": totals_view(total, metrics)}, following


# --- totals, groups and rows as shown ----------------------------------------------------------------

def totals_view(totals: Totals, metrics: Iterable[str]) -> dict[str, Any]:
    """The metrics asked for (money per currency, in cents) and `running`."""
    if not totals.count and not totals.running and not totals.time and not totals.breaks:  # an empty group (filled in): no money to price
        shown = {metric: ({} if metric in ("revenue", "cost", "profit") else 0) for metric in metrics}
        shown["running"] = 0
        return shown
    shown: dict[str, Any] = {}
    revenue = cost = None
    for metric in metrics:
        if metric == "time":
            shown["time"] = totals.time
        elif metric == "billable":
            shown["billable"] = totals.billable
        elif metric == "count":
            shown["count"] = totals.count
        elif metric == "breaks":
            shown["breaks"] = totals.breaks
        elif metric in ("revenue", "cost", "profit"):
            if revenue is None:
                revenue, cost = totals.revenue_amounts(), totals.cost_amounts()
            if metric == "revenue":
                shown["revenue"] = money(revenue)
            elif metric == "cost":
                shown["cost"] = money(cost)
            else:
                shown["profit"] = money(totals.profit_amounts())
    shown["running"] = totals.running
    return shown


def money_row(entry: Entry, which: str) -> dict[str, str] | None:
    found = entry.amount(which)
    return None if found is None else {"currency": found[0], "amount": cents(found[1])}


def _label(dimension: str, key: Any, grouping: Grouping) -> dict[str, Any]:
    labels = grouping.labels
    if dimension == "project":
        return {"key": key, "label": labels.project(key)}
    if dimension == "user":
        return {"key": key, "label": labels.user(key)}
    if dimension == "member":
        project_id, user_id = key
        return {"key": ids.project_member_id(project_id or "", user_id), "label": f"{labels.user(user_id)} ({labels.project(project_id)})",
                "projectId": project_id, "userId": user_id}
    if dimension == "week":
        return {"key": key, "label": grouping.calendar.week_label(key)}
    if dimension == "billable":
        return {"key": key, "label": "Billable" if key else "Non-billable"}
    if dimension == "approved":
        return {"key": key, "label": "Approved" if key else "Not approved"}
    return {"key": key, "label": key}


def _order(dimension: str, shown: dict[str, Any]):
    if dimension in PERIOD_DIMENSIONS:
        return (shown["key"],)
    if dimension in ("billable", "approved"):
        return (not shown["key"],)
    return (shown["label"].lower(), shown["key"] or "")


def groups_view(tree: dict[Any, Node], grouping: Grouping, depth: int = 0, fills: list[list[Any]] | None = None) -> list[dict[str, Any]]:
    if depth >= len(grouping.dimensions):
        return []
    if fills is None:
        fills = engine.fill_keys(grouping)
    dimension = grouping.dimensions[depth]
    shown = []
    for key, node in engine.shown_level(tree, fills[depth]).items():
        if grouping.hide_empty and node.totals.time == 0 and node.totals.running == 0:
            continue
        row = {"dimension": dimension, **_label(dimension, key, grouping), "totals": totals_view(node.totals, grouping.metrics)}
        if depth + 1 < len(grouping.dimensions):
            row["groups"] = groups_view(node.children, grouping, depth + 1, fills)
        shown.append(row)
    shown.sort(key=lambda row: _order(dimension, row))
    return shown


def detailed_row(entry: Entry, labels: Labels, metrics: Iterable[str]) -> dict[str, Any]:
    metrics = set(metrics)
    return {
        "id": entry.id,
        "name": entry.name,
        "projectId": entry.project_id,
        "project": labels.project(entry.project_id),
        "userId": entry.user_id,
        "user": labels.user(entry.user_id),
        "billable": entry.billable,
        "type": BREAK if entry.is_break else REGULAR,
        "approved": entry.approved,
        "startedAt": entry.started_at,
        "endedAt": entry.ended_at,
        "running": entry.running,
        "rawDuration": entry.raw_ms,
        "duration": entry.duration_ms,
        "revenue": money_row(entry, "revenue") if metrics & {"revenue", "profit"} else None,
        "cost": money_row(entry, "cost") if metrics & {"cost", "profit"} else None,
    }


def weekly_view(entries: Iterable[Entry], calendar: Calendar, labels: Labels, metrics: list[str], hide_empty: bool,
                users: Iterable[str] = ()) -> dict[str, Any]:
    """Per user x day of the week (from the organization's week start): time in ms, with totals."""
    grid = weekly_grid(entries, calendar, users)
    rows = []
    for user_id, days in grid.cells.items():
        totals = grid.user_totals[user_id]
        if hide_empty and totals.time == 0 and totals.running == 0:
            continue
        rows.append({"userId": user_id, "label": labels.user(user_id), "days": days, "totals": totals_view(totals, metrics)})
    rows.sort(key=lambda row: (row["label"].lower(), row["userId"]))
    return {"weekdays": calendar.weekday_names(), "rows": rows, "days": grid.days, "totals": totals_view(grid.total, metrics)}


# --- bounded pages ----------------------------------------------------------------------------------

# A JSON page of groups or rows stays under this many bytes: Lambda's response payload (the API
# Gateway proxy object, the body inside it as an escaped string) is at most 6 MB, and the header
# and grand totals need a few kilobytes more.
PAGE_BYTES = 4_500_000


def shown_size(row: dict[str, Any]) -> int:
    """Bytes a row adds to the Lambda response: its JSON, each quote and backslash escaped again
    when the body travels as a string, plus separators (its nested ``groups`` not counted)."""
    text = json.dumps({name: value for name, value in row.items() if name != "groups"})
    return len(text) + text.count('"') + text.count("\\") + 16


def page_rows(rows: list[dict[str, Any]], start: int, budget: int = PAGE_BYTES) -> tuple[list[dict[str, Any]], int | None]:
    """The rows (or group trees) from position ``start`` of their depth-first order that fit in
    ``budget`` bytes (at least one), and the position the next page starts at (None: none left).

    A group whose place is before ``start`` but has children on this page comes again with
    ``continued: true`` (its totals whole, its ``groups`` only those on this page), so every
    page is a tree of complete groups and the pages together hold each group once (plus those
    repeated ancestors)."""
    position = 0
    used = 0
    stopped: int | None = None

    def walk(level: list[dict[str, Any]]) -> list[dict[str, Any]]:
        nonlocal position, used, stopped
        shown = []
        for row in level:
            if stopped is not None:
                break
            mine = position
            position += 1
            children = row.get("groups")
            if mine < start:
                if children:
                    inner = walk(children)
                    if inner:
                        used += shown_size(row)
                        shown.append({**row, "continued": True, "groups": inner})
                continue
            size = shown_size(row)
            if used and used + size > budget:
                stopped = mine
                break
            used += size
            if children is None:
                shown.append(row)
            else:
                shown.append({**row, "groups": walk(children)})
        return shown

    page = walk(rows)
    return page, stopped


def page_groups(tree: dict[Any, Node], grouping: Grouping, start: int, budget: int = PAGE_BYTES) -> tuple[list[dict[str, Any]], int | None]:
    """``page_rows(groups_view(tree, grouping), start, budget)`` without rendering the groups that
    are not on the page: positions before ``start`` are skipped by their subtree sizes."""
    if not grouping.dimensions:
        return [], None
    pager = _GroupPager(grouping, start, budget)
    return pager.walk(tree, 0), pager.stopped


class _GroupPager:
    """One walk over the group tree in shown order, counting positions (a group is one, its
    subtree the sum) and bytes; it stops at the first group that does not fit. The groups shown
    without time (engine.EMPTY, added level by level) are counted by arithmetic, and rendered and
    measured once per key."""

    def __init__(self, grouping: Grouping, start: int, budget: int):
        self.grouping, self.start, self.budget = grouping, start, budget
        self.depth_count = len(grouping.dimensions)
        self.fills = engine.fill_keys(grouping)
        self.fill_sets = [set(keys) for keys in self.fills]
        self.empty_sizes = [0] * (self.depth_count + 1)  # positions an EMPTY group at each depth takes (its filled subtree)
        for depth in range(self.depth_count - 1, -1, -1):
            self.empty_sizes[depth] = 1 + len(self.fills[depth + 1]) * self.empty_sizes[depth + 1] if depth + 1 < self.depth_count else 1
        self.empty_rows: dict[tuple[int, Any], tuple[dict[str, Any], int]] = {}
        self.money_names = [metric for metric in grouping.metrics if metric in ("revenue", "cost", "profit")]
        self.sizes: dict[int, int] = {}
        self.position = 0
        self.used = 0
        self.stopped: int | None = None

    def visible(self, node: Node) -> bool:
        return not self.grouping.hide_empty or node.totals.time != 0 or node.totals.running != 0

    def size_of(self, node: Node, depth: int) -> int:
        """Positions the group and its visible subtree take."""
        if node is engine.EMPTY:
            return self.empty_sizes[depth]
        found = self.sizes.get(id(node))
        if found is None:
            found = 1
            if depth + 1 < self.depth_count:
                children, fill = node.children, self.fill_sets[depth + 1]
                found += sum(self.size_of(child, depth + 1) for child in children.values() if self.visible(child))
                found += (len(fill) - sum(1 for key in children if key in fill)) * self.empty_sizes[depth + 1]
            self.sizes[id(node)] = found
        return found

    def ordered(self, level: dict[Any, Node], depth: int) -> list[tuple[Any, dict[str, Any], Node]]:
        dimension = self.grouping.dimensions[depth]
        shown = [(key, _label(dimension, key, self.grouping), node) for key, node in engine.shown_level(level, self.fills[depth]).items()
                 if self.visible(node)]
        shown.sort(key=lambda found: _order(dimension, found[1]))
        return shown

    def row(self, depth: int, label: dict[str, Any], node: Node) -> dict[str, Any]:
        return {"dimension": self.grouping.dimensions[depth], **label, "totals": totals_view(node.totals, self.grouping.metrics)}

    def sized_row(self, depth: int, key: Any, label: dict[str, Any], node: Node) -> tuple[dict[str, Any], int]:
        """The group's row and its shown_size (an EMPTY group's: the same for its key wherever it is)."""
        if node is not engine.EMPTY:
            row = self.row(depth, label, node)
            return row, shown_size(row)
        found = self.empty_rows.get((depth, key))
        if found is None:
            row = self.row(depth, label, node)
            found = self.empty_rows[(depth, key)] = (row, shown_size(row))
        row, size = found
        totals = dict(row["totals"])
        for name in self.money_names:  # an empty group's money: no currency
            totals[name] = {}
        return {**row, "totals": totals}, size

    def walk(self, level: dict[Any, Node], depth: int) -> list[dict[str, Any]]:
        rows = []
        for key, label, node in self.ordered(level, depth):
            if self.stopped is not None:
                break
            mine = self.position
            if mine < self.start:
                whole = self.size_of(node, depth)
                self.position += whole if mine + whole <= self.start else 1
                if mine + whole > self.start:  # began on an earlier page, goes on here
                    rows.append(self.continued(level=node.children, depth=depth, row=self.row(depth, label, node)))
                continue
            self.position += 1
            row, size = self.sized_row(depth, key, label, node)
            if self.used and self.used + size > self.budget:
                self.stopped = mine
                break
            self.used += size
            if depth + 1 < self.depth_count:
                row["groups"] = self.walk(node.children, depth + 1)
            rows.append(row)
        return rows

    def continued(self, *, level: dict[Any, Node], depth: int, row: dict[str, Any]) -> dict[str, Any]:
        row["continued"] = True
        row["groups"] = self.walk(level, depth + 1)
        self.used += shown_size(row)
        return row

