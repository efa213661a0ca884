"""Report cells (services/reports/rollups.py): one item per member and local day.

Member-day item: PK ``ORG#<orgId>`` (the organization's item collection: its purge deletes them),
SK ``ROLLUP#<yyyy-mm>#DAY#<yyyy-mm-dd>#<userId>`` (keys.rollup_day; the local month and day) — userId, day,
memberDay (one compact JSON text: [basis (the settings the cells were computed under), first,
last, reach (epoch ms), overlapped, unpriced, cells ([projectId, billable, time, billable time,
count, revenue, cost, breaks] each), running timers' rows]), computedAt (epoch ms: when the
activities it was computed from were read), and dirty (epoch ms; absent normally: a computation
of the day failed then, mark_dirty: such an item holds nothing else). Items written before ``memberDay`` hold basis, first,
last, reach, overlapped, unpriced, cells (JSON text) and open (JSON text) as attributes of their
own: still read (rollups.from_record reads both), and rewritten in the compact layout by the
stream's next change of that member-day or by the month's rebuild. A month's member-days are one
Query (a few thousand items where the month holds a million activities).

Month marker: PK as above, SK ``ROLLUP#<yyyy-mm>#BUILT`` (keys.rollup_marker) — basis, at, complete: the rebuild
job marks the month first as being built (complete false: the stream keeps its cells from then
on), then built (reports read a month's cells only then, and only under the same basis).
The stream consumer reads the organizations and month markers of a batch in one BatchGetItem
(``keeping``) before it recomputes any member-day.

Writes are conditional on ``computedAt``: a computation that read the activities earlier never
overwrites one that read them later (two stream records of one member-day handled concurrently,
or redelivered out of order, leave the newest).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

from msgspec import Struct

from sandglass import keys
from sandglass.entities.organizations import Organization
from sandglass.errors import Conflict
from sandglass.repositories.activities import ActivityRepository, TimeWindow
from sandglass.repositories.organizations import organization_from_item
from sandglass.storage.table import Table

# a computation that read earlier never overwrites one that read later, nor clears a later mark of
# a computation that failed (dirty: it may hold a change this one did not read)
NOT_NEWER = "attribute_not_exists(#pk) OR ((attribute_not_exists(#at) OR #at <= :at) AND (attribute_not_exists(#dirty) OR #dirty < :at))"
# what a report reads of a member-day, in either layout (an attribute an item lacks is not returned)
DAY_ATTRIBUTES = ("userId", "day", "memberDay", "basis", "first", "last", "reach", "overlapped", "unpriced", "cells", "open", "dirty")
DAY_NAMES = {f"#d{index}": name for index, name in enumerate(DAY_ATTRIBUTES)}
DAY_PROJECTION = ", ".join(DAY_NAMES)


class Keeping(Struct, frozen=True, kw_only=True):
    """What decides which cells a stream batch keeps, read once for the batch: each organization
    (None: absent) and the basis each month read is kept under (None: not kept). A month missing
    from `kept` was not read."""

    organizations: Mapping[str, Organization | None]
    kept: Mapping[tuple[str, str], str | None]


def to_item(org_id: str, record: dict[str, Any], computed_at: int) -> dict[str, Any]:
    return {**keys.rollup_day(org_id, record["day"], record["userId"]), **record, "computedAt": computed_at}


class RollupRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()
        self.activities = ActivityRepository(self.table)
        self.queries = 0  # Query pages of cells read (the bench prints it)

    # --- reading cells ------------------------------------------------------------------------
    def built(self, org_id: str, month: str) -> str | None:
        """The basis the month's cells were built under; None: not built (or still building)."""
        item = self.table.get(keys.rollup_marker(org_id, month), consistent=False)
        return item.get("basis") if item and item.get("complete") else None

    def kept(self, org_id: str, month: str) -> str | None:
        """The basis the month's cells are kept under (built or being built); None: not kept."""
        item = self.table.get(keys.rollup_marker(org_id, month))
        return item.get("basis") if item else None

    def member_days(self, org_id: str, month: str, first_day: str, after_day: str) -> Iterator[list[dict[str, Any]]]:
        """The month's member-day records (plain attributes, rollups.record_of) with first_day <= day
        < after_day, page by page."""
        lower, upper = keys.rollup_day_range(month, first_day, after_day)
        for items in self.table.query_all(
            key_condition=f"{keys.PK} = :pk AND {keys.SK} BETWEEN :lo AND :hi",
            values={":pk": keys.org_pk(org_id), ":lo": lower, ":hi": upper}, lean=True,
            projection=DAY_PROJECTION, names=DAY_NAMES):
            self.queries += 1
            yield items

    # --- keeping cells ------------------------------------------------------------------------
    def activity_rows(self, org_id: str, lower: str, upper: str, user_id: str | None = None) -> Iterator[list[dict[str, Any]]]:
        """Lean activity rows with lower <= startedAt < upper: a member's, or the organization's."""
        return self.activities.in_range(org_id, TimeWindow(lower, upper), user_id=user_id, lean=True)

    def keeping(self, months: Mapping[str, Iterable[str]]) -> Keeping:
        """Each organization of `months` and the month markers of the months named for it, in one
        consistent BatchGetItem (a call per 100 keys): what the batch's cells are kept under."""
        wanted = {org_id: sorted(set(named)) for org_id, named in months.items()}
        requested = [keys.organization(org_id) for org_id in wanted]
        requested += [keys.rollup_marker(org_id, month) for org_id, named in wanted.items() for month in named]
        found = {(item[keys.PK], item[keys.SK]): item for item in self.table.batch_get(requested, consistent=True)} if requested else {}

        def item_at(key: Mapping[str, str]) -> dict[str, Any] | None:
            return found.get((key[keys.PK], key[keys.SK]))

        organizations = {org_id: item_at(keys.organization(org_id)) for org_id in wanted}
        markers = {(org_id, month): item_at(keys.rollup_marker(org_id, month)) for org_id, named in wanted.items() for month in named}
        return Keeping(organizations={org_id: organization_from_item(item) if item else None for org_id, item in organizations.items()},
                       kept={place: item.get("basis") if item else None for place, item in markers.items()})

    def organization(self, org_id: str) -> Organization | None:
        """The organization, deleted or not (a purge removes its cells), or None when absent."""
        item = self.table.get(keys.organization(org_id))
        return organization_from_item(item) if item else None

    def put_day(self, org_id: str, record: dict[str, Any], computed_at: int) -> bool:
        """Store a member-day record unless a later computation did; False when one did."""
        return self._write(lambda condition: self.table.put(to_item(org_id, record, computed_at), **condition), computed_at)

    def delete_day(self, org_id: str, day: str, user_id: str, computed_at: int) -> bool:
        """Remove a member-day left without activities (unless a later computation stored it)."""
        return self._write(lambda condition: self.table.delete(keys.rollup_day(org_id, day, user_id), **condition), computed_at)

    def _write(self, write, computed_at: int) -> bool:
        try:
            write({"condition": NOT_NEWER, "names": {"#pk": keys.PK, "#at": "computedAt", "#dirty": "dirty"}, "values": {":at": computed_at},
                   "fail": Conflict("newer cells")})
        except Conflict:
            return False
        return True

    def mark_dirty(self, org_id: str, day: str, user_id: str, at: int) -> None:
        """Say a member-day may not hold what its activities do (its computation failed at `at`):
        the item becomes the mark alone (its cells are not to be read anyway), and reports read
        that member from activities until a computation that read after `at` stores the day again
        (put_day, delete_day and the month's rebuild clear the mark)."""
        try:
            self.table.put({**keys.rollup_day(org_id, day, user_id), "userId": user_id, "day": day, "dirty": at},
                           "attribute_not_exists(#dirty) OR #dirty < :at", {"#dirty": "dirty"}, {":at": at}, fail=Conflict("a later mark"))
        except Conflict:
            pass  # a later failure marked it already

    def mark(self, org_id: str, month: str, basis: str, at: int, *, complete: bool) -> None:
        """Building (the stream keeps the month's cells from now on) or built (reports read them)."""
        self.table.put({**keys.rollup_marker(org_id, month), "basis": basis, "at": at, "complete": complete})
