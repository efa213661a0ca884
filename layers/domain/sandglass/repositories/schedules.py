"""The schedulers' due index, run claims, the auto-lock watermark and reminder markers.

Due entry (keys.due_entry, in the organization's partition): orgId, job, nextRun (UTC text) and,
while the job is enabled, the GSI_DUE keys due_partition(job) / due_sort(nextRun, orgId). A tick
Queries its job's partition for sort keys up to now.

A run is claimed by moving nextRun from the value the tick read to a short lease (conditional
update): of two racing ticks one wins; the winner finishes by moving nextRun from its lease to
the next run. A tick that dies mid-run leaves the lease, which comes due again and is re-run
(the work itself is idempotent). `claimedRun` remembers the run's own moment across leases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sandglass import keys
from sandglass.context import ACTIVE
from sandglass.entities.schedules import DueEntry
from sandglass.errors import Conflict
from sandglass.storage.table import Table
from sandglass.timefmt import iso, parse


class _Lost(Conflict):
    """A conditional write lost to another tick or a settings change (expected, not an error)."""


class ScheduleRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- due index ------------------------------------------------------------------------
    def due(self, job: str, now: datetime, page_size: int = 100) -> Iterator[list[DueEntry]]:
        """Pages of due entries (nextRun <= now) of one job."""
        index = keys.GSI_DUE
        for items in self.table.query_all(
            key_condition=f"{keys.gsi_pk(index)} = :pk AND {keys.gsi_sk(index)} <= :upper",
            values={":pk": keys.due_partition(job), ":upper": keys.due_sort_upper(iso(now))},
            index=index, page_size=page_size,
        ):
            yield [due_entry_from_item(item) for item in items]

    def schedule(self, org_id: str, job: str, next_run: datetime) -> None:
        index = keys.GSI_DUE
        run = iso(next_run)
        self.table.put({**keys.due_entry(org_id, job), "orgId": org_id, "job": job, "nextRun": run,
                        keys.gsi_pk(index): keys.due_partition(job), keys.gsi_sk(index): keys.due_sort(run, org_id)})

    def unschedule(self, org_id: str, job: str) -> None:
        self.table.delete(keys.due_entry(org_id, job))

    def claim(self, entry: DueEntry, lease: datetime) -> DueEntry | None:
        """Move the entry from the run it was read with to the lease; the claimed entry (with
        claimed_run) or None if lost."""
        org_id, until = entry.org_id, iso(lease)
        try:
            item = self.table.update(
                keys.due_entry(org_id, entry.job),
                "SET nextRun = :lease, claimedRun = if_not_exists(claimedRun, :expected), #sk = :sort",
                {"#sk": keys.gsi_sk(keys.GSI_DUE)},
                {":lease": until, ":expected": iso(entry.next_run), ":sort": keys.due_sort(until, org_id)},
                condition="nextRun = :expected", fail=_Lost("claimed elsewhere"),
            )
        except _Lost:
            return None
        return due_entry_from_item(item)

    def finish(self, org_id: str, job: str, lease: datetime, next_run: datetime) -> bool:
        run = iso(next_run)
        try:
            self.table.update(
                keys.due_entry(org_id, job), "SET nextRun = :next, #sk = :sort REMOVE claimedRun",
                {"#sk": keys.gsi_sk(keys.GSI_DUE)}, {":next": run, ":lease": iso(lease), ":sort": keys.due_sort(run, org_id)},
                condition="nextRun = :lease", fail=_Lost("settings changed during the run"),
            )
            return True
        except _Lost:
            return False

    # --- the work ---------------------------------------------------------------------------
    def advance_watermark(self, org_id: str, year: int, week: int) -> bool:
        """Set lockingTimesheets.year/week to (year, week) if locking is enabled and the stored
        watermark is older; False when there was nothing to do."""
        older = ("(attribute_not_exists(#lt.#y) OR attribute_type(#lt.#y, :null) OR attribute_type(#lt.#w, :null) "
                 "OR #lt.#y < :y OR (#lt.#y = :y AND #lt.#w < :w))")
        try:
            self.table.update(
                keys.organization(org_id), "SET #lt.#y = :y, #lt.#w = :w, #v = #v + :one",
                {"#lt": "lockingTimesheets", "#y": "year", "#w": "week", "#v": "version", "#s": "status", "#e": "enabled"},
                {":y": year, ":w": week, ":one": 1, ":null": "NULL", ":true": True, ":active": ACTIVE},
                condition=f"#s = :active AND #lt.#e = :true AND {older}", fail=_Lost("nothing to advance"),
            )
        except _Lost:
            return False
        return True

    def mark_reminded(self, org_id: str, week_label: str, user_id: str, *, sent_at: datetime, expires_at: datetime) -> bool:
        """True if this user-week had no reminder yet (and now has its marker, kept until
        `expires_at`). TTL deletes lazily, so an expired marker counts as absent."""
        try:
            self.table.put({**keys.reminder_marker(org_id, week_label, user_id), "userId": user_id, "week": week_label,
                            "sentAt": iso(sent_at), "expiresAt": int(expires_at.timestamp())},
                           "attribute_not_exists(PK) OR expiresAt < :now", values={":now": int(sent_at.timestamp())},
                           fail=_Lost("already reminded"))
            return True
        except _Lost:
            return False

    def unmark_reminded(self, org_id: str, week_label: str, user_id: str) -> None:
        self.table.delete(keys.reminder_marker(org_id, week_label, user_id))


# --- item <-> entity ----------------------------------------------------------------------------

def due_entry_from_item(item: dict[str, Any]) -> DueEntry:
    claimed = item.get("claimedRun")
    return DueEntry(org_id=item["orgId"], job=item["job"], next_run=parse(item["nextRun"]), claimed_run=parse(claimed) if claimed else None)
