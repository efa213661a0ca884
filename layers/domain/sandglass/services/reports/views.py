"""A result's body in the view asked for (summary, detailed, weekly), from the activities a report
counts: price them, group or list them, total them, and cut a page. Pure (no I/O, no clock).

A JSON page holds as many groups or rows as fit in the page budget (engine.PAGE_BYTES, under
Lambda's 6 MB) from a position in their depth-first order; ``start`` None means every group or
row (a file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandglass import timefmt
from sandglass.entities.reports import ReportSettings, ReportSpec
from sandglass.services.reports import engine
from sandglass.services.reports.periods import WEEKDAYS, Range
from sandglass.services.reports.selection import Item

VIEWS = ("summary", "detailed", "weekly")


@dataclass(slots=True)
class Counted:
    """Everything a result is computed from, once read and narrowed."""

    spec: ReportSpec
    view: str
    span: Range
    now: datetime
    settings: ReportSettings
    items: list[Item]
    pricing: engine.Pricing
    calendar: engine.Calendar
    labels: engine.Labels
    fill: dict[str, list[str]]  # selected projects / users shown without time (empty rows not hidden)

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


def summary(counted: Counted, entries: list[engine.Entry], start: int | None, budget: int) -> tuple[dict[str, Any], int | None]:
    grouping = engine.Grouping(counted.dimensions, counted.metrics, counted.span, counted.calendar, counted.labels,
                               counted.spec.hide_empty_rows, counted.fill)
    total, tree = engine.group(entries, grouping)
    following = None
    if start is None:
        shown = engine.groups_view(tree, grouping)
    else:  # only the groups on the page are rendered
        shown, following = engine.page_groups(tree, grouping, start, budget)
    return {"groups": shown, "totals": total.view(counted.metrics)}, following


def weekly(counted: Counted, entries: list[engine.Entry], start: int | None, budget: int) -> tuple[dict[str, Any], int | None]:
    hide_empty = counted.spec.hide_empty_rows
    shown = engine.weekly(entries, counted.calendar, counted.labels, counted.metrics, hide_empty, () if hide_empty else counted.fill["user"])
    following = None
    if start is not None:
        shown["rows"], following = engine.page_rows(shown["rows"], start, budget)
    return shown, following


def detailed(counted: Counted, entries: list[engine.Entry], start: int | None, limit: int, budget: int) -> tuple[dict[str, Any], int | None]:
    """Activity rows in start order: at most `limit` a page, and at most `budget` bytes."""
    entries.sort(key=lambda entry: (entry.start_ms, entry.id))
    total = engine.Totals()
    for entry in entries:
        total.add(entry)
    metrics = counted.metrics
    following = None
    if start is None:
        rows = [engine.detailed_row(entry, counted.labels, metrics) for entry in entries]
    else:
        rows = [engine.detailed_row(entry, counted.labels, metrics) for entry in entries[start:start + limit]]
        rows, cut = engine.page_rows(rows, 0, budget)
        if cut is not None:
            following = start + cut
        elif start + limit < len(entries):
            following = start + limit
    return {"rows": rows, "totals": total.view(metrics)}, following
