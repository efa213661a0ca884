"""Report cells: one member's local day of activities, totalled per (project, billable), so a month
summary reads a few thousand member-days instead of a million activities. Pure (no I/O, no clock).

A member-day (MemberDay) holds, per (project or None, billable): count, counted and rounded time,
billable time, break time, and money as engine.Totals keeps it (milliseconds per (currency, hourly value) of
the activities' rate snapshots), so merging cells is merging Totals: the same integer and Decimal
sums a report over the activities makes. It also keeps what decides whether the cells may stand
for the activities in a given report:

- ``basis``: the settings the cells were computed under (time zone, rounding interval and mode);
  a report whose organization's settings differ never reads them (it reads the activities);
- ``first`` / ``last``: the earliest and latest start (ms), so a report range that cuts a day
  is seen (that member is then counted from their activities);
- ``reach``: the latest end (a running timer: never ends), and ``overlapped``: whether two of the
  day's activities share time. A report counts shared time once, for the entry that started first,
  among the activities it reads: when a member's earlier day reaches into a later one, or the
  report reads only some of an overlapping day's projects, that member is counted from activities;
- ``unpriced``: an activity without a rate snapshot (priced by today's windows, which may change
  without the activity changing): such members are counted from activities when money is asked;
- ``open``: running timers, kept as activity rows: a report prices them at its own now.

Whatever cannot be told from cells falls back to the activities of that member only (overlaps
and carry-over are per member), so a report from cells equals the report from activities
(tests/unit/test_report_rollups.py checks it over random data).
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable

from msgspec import Struct, field

from sandglass import amounts
from sandglass.entities.reports import ReportSettings
from sandglass.services.reports import engine
from sandglass.services.reports.engine import ActivityRow, Totals

FOREVER = engine.OPEN_END
CellKey = tuple  # (project id or None, user id, local day, billable)


def basis_of(settings: ReportSettings) -> str:
    """What cells depend on among the organization's settings (the week start is applied when read)."""
    return f"{settings.time_zone}|{settings.rounding_interval}|{settings.rounding_mode}"


class MemberDay(Struct):
    user_id: str
    day: str  # local yyyy-mm-dd
    basis: str
    first: int
    last: int
    reach: int
    overlapped: bool = False
    unpriced: bool = False
    cells: dict[tuple[str | None, bool], Totals] = field(default_factory=dict)
    open: list[ActivityRow] = field(default_factory=list)
    dirty: bool = False  # a computation of the day failed: it may not hold what the activities do


def member_days(rows: Iterable[ActivityRow], settings: ReportSettings) -> list[MemberDay]:
    """The member-days of activity rows (any members, any days), each computed from its own rows."""
    calendar = engine.Calendar(settings.time_zone)
    grouped: dict[tuple[str, str], list[ActivityRow]] = {}
    for row in rows:
        day = calendar.buckets(amounts.to_ms(row["startedAt"]))[0]
        grouped.setdefault((day, row["userId"]), []).append(row)
    return [member_day(user_id, day, day_rows, settings) for (day, user_id), day_rows in sorted(grouped.items())]


def member_day(user_id: str, day: str, rows: list[ActivityRow], settings: ReportSettings) -> MemberDay:
    """One member's local day from all of its activities (rows of that member starting that day)."""
    spans = sorted((amounts.to_ms(row["startedAt"]), row["id"], amounts.to_ms(row["endedAt"]) if row.get("endedAt") else FOREVER)
                   for row in rows)
    overlapped, covered = False, None
    for start, _, end in spans:
        if covered is not None and covered > start:
            overlapped = True
        covered = end if covered is None else max(covered, end)
    closed = [row for row in rows if row.get("endedAt")]
    pricing = engine.Pricing(now_ms=0, counted_from=engine.counted_starts(closed, 0), rounding_interval=settings.rounding_interval,
                             rounding_mode=settings.rounding_mode, revenue={}, cost={})
    cells: dict[tuple[str | None, bool], Totals] = {}
    for entry in engine.price(closed, pricing):
        key = (entry.project_id, entry.billable)
        totals = cells.get(key)
        if totals is None:
            totals = cells[key] = Totals()
        totals.add(entry)
    return MemberDay(user_id=user_id, day=day, basis=basis_of(settings), first=spans[0][0], last=spans[-1][0], reach=covered,
                     overlapped=overlapped, unpriced=any(row.get("rateSnapshot") is None for row in closed), cells=cells,
                     open=[row for row in rows if not row.get("endedAt")])


# --- stored form -------------------------------------------------------------------------------

def _spent(spent: dict[tuple[str, Decimal], int] | None) -> list[list[Any]]:
    return [[currency, str(value), duration] for (currency, value), duration in (spent or {}).items()]


_decimal = lru_cache(maxsize=4096)(Decimal)  # a month's cells name a few rates thousands of times


def _unspent(listed: list[list[Any]]) -> dict[tuple[str, Decimal], int] | None:
    if not listed:
        return None
    decimal = _decimal
    return {(currency, decimal(value)): duration for currency, value, duration in listed}


def _cells_listed(cells: dict[tuple[str | None, bool], Totals]) -> list[list[Any]]:
    return [[project_id, billable, totals.time, totals.billable, totals.count, _spent(totals.revenue), _spent(totals.cost), totals.breaks]
            for (project_id, billable), totals in cells.items()]


def _cells_of(listed: list[list[Any]]) -> dict[tuple[str | None, bool], Totals]:
    cells = {}
    new = Totals.__new__
    for project_id, billable, time, billable_ms, count, revenue, cost, *breaks in listed:
        totals = new(Totals)
        totals.time, totals.billable, totals.count, totals.running = time, billable_ms, count, 0
        totals.breaks = breaks[0] if breaks else 0  # cells stored before breaks were kept apart have none
        totals.revenue, totals.cost = _unspent(revenue), _unspent(cost)
        cells[(project_id, billable)] = totals
    return cells


def cells_text(cells: dict[tuple[str | None, bool], Totals]) -> str:
    """The cells as one compact JSON text (the first layout's ``cells`` attribute)."""
    return json.dumps(_cells_listed(cells), separators=(",", ":"))


def cells_from(text: str) -> dict[tuple[str | None, bool], Totals]:
    return _cells_of(json.loads(text))


def open_text(rows: list[ActivityRow]) -> str:
    return json.dumps(rows, default=str, separators=(",", ":")) if rows else ""


def open_from(text: str | None) -> list[ActivityRow]:
    return json.loads(text) if text else []


def record_of(day: MemberDay) -> dict[str, Any]:
    """A member-day as the plain attributes it is stored with (repositories/rollups.py): who and
    which day, and everything else in one compact JSON text, ``memberDay``: [basis, first, last,
    reach, overlapped, unpriced, cells, running timers' rows]. One attribute instead of nine makes
    a Query page of member-days about half as costly to decode."""
    packed = [day.basis, day.first, day.last, day.reach, day.overlapped, day.unpriced, _cells_listed(day.cells), day.open]
    return {"userId": day.user_id, "day": day.day, "memberDay": json.dumps(packed, default=str, separators=(",", ":"))}


def first_layout_record_of(day: MemberDay) -> dict[str, Any]:
    """A member-day in the layout written before ``memberDay`` (one attribute per field): still read."""
    record = {"userId": day.user_id, "day": day.day, "basis": day.basis, "first": day.first, "last": day.last, "reach": day.reach,
              "overlapped": day.overlapped, "unpriced": day.unpriced, "cells": cells_text(day.cells)}
    if day.open:
        record["open"] = open_text(day.open)
    return record


def from_record(record: dict[str, Any]) -> MemberDay:
    """A stored member-day, in either layout (record_of, first_layout_record_of), or only marked
    dirty (repositories/rollups.py mark_dirty: its computation failed)."""
    if record.get("dirty") is not None:
        return MemberDay(user_id=record["userId"], day=record["day"], basis="", first=0, last=0, reach=0, dirty=True)
    packed = record.get("memberDay")
    if packed is None:
        return MemberDay(user_id=record["userId"], day=record["day"], basis=record["basis"], first=int(record["first"]),
                         last=int(record["last"]), reach=int(record["reach"]), overlapped=bool(record.get("overlapped")),
                         unpriced=bool(record.get("unpriced")), cells=cells_from(record["cells"]), open=open_from(record.get("open")))
    basis, first, last, reach, overlapped, unpriced, cells, open_rows = json.loads(packed)
    return MemberDay(user_id=record["userId"], day=record["day"], basis=basis, first=first, last=last, reach=reach, overlapped=overlapped,
                     unpriced=unpriced, cells=_cells_of(cells), open=open_rows)


# --- a report from cells ---------------------------------------------------------------------------

Sources = list[tuple[str, str]]


def reads(sources: Sources, user_id: str, project_id: str | None) -> bool:
    """Whether a report reading these partitions (selection.sources) reads an activity of this member and project."""
    for kind, owner in sources:
        if kind == "organization" or (kind == "user" and owner == user_id) or (kind == "project" and owner == project_id):
            return True
    return False


def reads_whole_member(sources: Sources, user_id: str) -> bool:
    return any(kind == "organization" or (kind == "user" and owner == user_id) for kind, owner in sources)


class Assembled(Struct):
    cells: list[tuple[CellKey, Totals]] = field(default_factory=list)
    open: list[ActivityRow] = field(default_factory=list)  # running timers of members counted from cells
    fallback: set[str] = field(default_factory=set)  # members counted from their activities


def assemble(days: Iterable[MemberDay], lower: int, upper: int, sources: Sources, needs_money: bool, basis: str) -> Assembled:
    """The cells a report over ``lower <= start < upper`` reading `sources` under the settings
    `basis` counts, and the members whose activities it must read instead (see the module's rules;
    a member-day computed under other settings, written by a keeper that read them before they
    changed, is one more reason, and so is a member-day marked dirty: its computation failed)."""
    by_member: dict[str, list[MemberDay]] = {}
    dirty: set[str] = set()
    for member_day_ in days:
        if member_day_.dirty:  # whatever part of the day the range covers
            dirty.add(member_day_.user_id)
            continue
        if member_day_.last < lower or member_day_.first >= upper:
            continue  # wholly outside the range
        by_member.setdefault(member_day_.user_id, []).append(member_day_)
    assembled = Assembled(fallback=set(dirty))
    for user_id, member in by_member.items():
        if user_id in dirty:
            continue
        member.sort(key=lambda found: found.day)
        if any(found.basis != basis for found in member) or not _whole(member, lower, upper, reads_whole_member(sources, user_id), needs_money):
            assembled.fallback.add(user_id)
            continue
        whole_member = reads_whole_member(sources, user_id)
        append = assembled.cells.append
        for found in member:
            day = found.day
            for (project_id, billable), totals in found.cells.items():
                if whole_member or reads(sources, user_id, project_id):
                    append(((project_id, user_id, day, billable), totals))
            assembled.open.extend(row for row in found.open if reads(sources, user_id, row.get("projectId")))
    return assembled


def _whole(member: list[MemberDay], lower: int, upper: int, whole_member: bool, needs_money: bool) -> bool:
    """Whether a member's days (in day order) stand for their activities in this report."""
    reach = None
    for found in member:
        if found.first < lower or found.last >= upper:
            return False  # the range cuts the day
        if reach is not None and reach > found.first:
            return False  # an earlier day's entry reaches into this one
        if found.overlapped and (found.open or not whole_member):
            return False  # shared time is given to entries the report may not read, or up to a running timer's now
        if found.unpriced and needs_money:
            return False
        reach = found.reach if reach is None else max(reach, found.reach)
    return True
