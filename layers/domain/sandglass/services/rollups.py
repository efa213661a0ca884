"""Keeping report cells (services/reports/rollups.py) from the table's stream, and building them.

- A month's cells are built by ``rebuild`` (a job: one Query per 1 MB of the month's activities,
  never a Scan), which then marks the month built under the organization's settings (its basis).
  Reports read a month's cells only when it is marked built under the settings they run with.
- Every stream record of an activity (created, changed, deleted, re-rated) recomputes the
  member-days its old and new image start in, from that member's activities of that local day (one
  Query of their partition, an index updated after the table: the batch's own images of its
  activities override what it shows): the result depends on what the table holds and the
  batch's latest image of each activity, so a batch delivered again changes nothing (Lambda
  redelivers from the failed record on, in each item's order), and a computation that read
  earlier never overwrites one that read later (the write is conditional on ``computedAt``). Months not built,
  or built under other settings, are not kept (a rebuild starts them afresh). What decides that (the
  organizations and the month markers) is read once per batch, in one BatchGetItem, before any day.
- When the organization's settings change what cells hold (time zone, rounding), the months
  built under the old settings are neither read nor kept any more (their basis no longer matches):
  reports read those months' activities until ``rebuild`` builds them again under the new settings.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from sandglass import amounts
from sandglass import keys, timefmt
from sandglass.clock import Clock, get_clock
from sandglass.entities.reports import ReportSettings
from sandglass.months import month_of
from sandglass.repositories import plain_image
from sandglass.repositories.activities import ROW_ATTRIBUTES
from sandglass.repositories.rollups import Keeping, RollupRepository
from sandglass.services.reports import engine, selection
from sandglass.services.reports.periods import local_midnight
from sandglass.services.reports.rollups import basis_of, member_day, member_days, record_of


class CellsNotKept(Exception):
    """Member-days whose computation failed: each is marked dirty (reports read that member from
    activities) and the batch fails, so the stream delivers it again; the redelivery's computation
    stores the day and clears the mark."""

    def __init__(self, failed: list[tuple[str, str, str, Exception]]):
        self.failed = failed  # (organization, day, member, error)
        super().__init__(f"{len(failed)} member-day(s) not kept, marked dirty: "
                         + ", ".join(f"{org_id} {day} {user_id}: {error!r}" for org_id, day, user_id, error in failed[:5]))


# an activity change: (activity id, old image, new image), images as plain attributes ({} when none)
ActivityChange = tuple[str, dict[str, Any], dict[str, Any]]
# every local time is within this of UTC (UTC-12:00 to UTC+14:00)
WIDEST_OFFSET = timedelta(hours=14)


def _placed(image: Mapping[str, Any]) -> bool:
    return bool(image.get("userId") and image.get("startedAt"))


def _starts(change: ActivityChange) -> bool:
    """Whether the change names a member-day: an image with a member and a start."""
    return _placed(change[1]) or _placed(change[2])


def possible_months(changes: Iterable[ActivityChange]) -> set[str]:
    """The local months the changes' images may start in, whatever the organization's time zone:
    the UTC months of each start +- the widest offset (one month, two near a month's end)."""
    found = set()
    for _, old, new in changes:
        for image in (old, new):
            if _placed(image):
                start = timefmt.parse(image["startedAt"])
                found.update({month_of(start - WIDEST_OFFSET), month_of(start + WIDEST_OFFSET)})
    return found


def latest_images(calendar: engine.Calendar, changes: Iterable[ActivityChange]) -> dict[tuple[str, str], dict[str, dict[str, Any] | None]]:
    """Per (member, local day) an image starts on, the latest image of each activity the changes
    name there (None: not there any more). The member's partition is an index, updated after the
    table: the record's own image is what the activity is now, whatever the index shows yet."""
    latest: dict[tuple[str, str], dict[str, dict[str, Any] | None]] = {}
    for activity_id, old, new in changes:
        place = {id(image): (image["userId"], calendar.buckets(amounts.to_ms(image["startedAt"]))[0]) for image in (old, new) if _placed(image)}
        for image in (old, new):
            if id(image) in place:
                day_images = latest.setdefault(place[id(image)], {})
                day_images[activity_id] = {**new, "id": activity_id} if new and place.get(id(new)) == place[id(image)] else None
    return latest


def day_bounds(day: str, zone: str) -> tuple[str, str]:
    """[first instant, first instant of the next day) of a local day, as stored instant text."""
    first = date.fromisoformat(day)
    tz = ZoneInfo(zone)
    return timefmt.iso(local_midnight(first, tz)), timefmt.iso(local_midnight(first + timedelta(days=1), tz))


def month_bounds(month: str, zone: str) -> tuple[str, str]:
    first = date.fromisoformat(f"{month}-01")
    after = (first + timedelta(days=32)).replace(day=1)
    tz = ZoneInfo(zone)
    return timefmt.iso(local_midnight(first, tz)), timefmt.iso(local_midnight(after, tz))


class RollupKeeper:
    def __init__(self, repository: RollupRepository | None = None, clock: Clock | None = None):
        self.repository = repository or RollupRepository()
        self._clock = clock

    def _now_ms(self) -> int:
        return int((self._clock or get_clock()).now().timestamp() * 1000)

    # --- from the stream -----------------------------------------------------------------------
    def on_records(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Keep the cells a batch of stream records touches (each member-day recomputed once); how
        many member-days were recomputed. The organizations and month markers that decide it are
        read first, all in one call."""
        changes_by_org: dict[str, list[ActivityChange]] = {}
        for record in records:
            stream = record.get("dynamodb") or {}
            key = stream.get("Keys") or {}
            found = keys.classify_change(str((key.get(keys.PK) or {}).get("S", "")), str((key.get(keys.SK) or {}).get("S", "")))
            if found is not None and found[1] == "activity":
                changes_by_org.setdefault(found[0], []).append(
                    (found[2], plain_image(stream.get("OldImage") or {}), plain_image(stream.get("NewImage") or {})))
        placed = {org_id: changes for org_id, changes in changes_by_org.items() if any(_starts(change) for change in changes)}
        keeping = self.repository.keeping({org_id: possible_months(changes) for org_id, changes in placed.items()})
        recomputed, failed = 0, []
        for org_id, changes in placed.items():
            try:
                recomputed += self.activity_changed(org_id, changes, keeping)
            except CellsNotKept as failure:  # the other organizations' days are kept all the same
                failed.extend(failure.failed)
        if failed:
            raise CellsNotKept(failed)
        return recomputed

    def activity_changed(self, org_id: str, changes: list[ActivityChange], keeping: Keeping | None = None) -> int:
        """Recompute the member-days the (activity id, old image, new image) changes start on, in
        stream order, under `keeping` (read here when not given; a month it lacks is read alone)."""
        if not any(_starts(change) for change in changes):
            return 0
        if keeping is None or org_id not in keeping.organizations:
            keeping = self.repository.keeping({org_id: possible_months(changes)})
        organization = keeping.organizations[org_id]
        if organization is None:
            return 0
        settings = selection.settings_of(organization.settings)
        basis, kept = basis_of(settings), {}
        recomputed, failed = 0, []
        for (user_id, day), images in sorted(latest_images(engine.Calendar(settings.time_zone), changes).items()):
            month = day[:7]
            if month not in kept:
                found = keeping.kept[(org_id, month)] if (org_id, month) in keeping.kept else self.repository.kept(org_id, month)
                kept[month] = found == basis
            if kept[month]:
                try:
                    self.recompute(org_id, user_id, day, settings, images)
                except Exception as error:  # noqa: BLE001 - whatever failed, the day is marked before the batch fails
                    self.repository.mark_dirty(org_id, day, user_id, self._now_ms())
                    failed.append((org_id, day, user_id, error))
                    continue
                recomputed += 1
        if failed:
            raise CellsNotKept(failed)
        return recomputed

    def recompute(self, org_id: str, user_id: str, day: str, settings: ReportSettings,
                  images: Mapping[str, Mapping[str, Any] | None] | None = None) -> None:
        """One member-day from that member's activities starting that local day; `images`: what
        some of them are now (None: gone from the day), over what the read shows."""
        computed_at = self._now_ms()  # before the read: a later read wins
        lower, upper = day_bounds(day, settings.time_zone)
        rows = {row["id"]: row for page in self.repository.activity_rows(org_id, lower, upper, user_id) for row in page}
        for activity_id, image in (images or {}).items():
            if image is None:
                rows.pop(activity_id, None)
            else:
                rows[activity_id] = {name: image[name] for name in ROW_ATTRIBUTES if name in image}
        if rows:
            self.repository.put_day(org_id, record_of(member_day(user_id, day, list(rows.values()), settings)), computed_at)
        else:
            self.repository.delete_day(org_id, day, user_id, computed_at)

    # --- the job -------------------------------------------------------------------------------
    def rebuild(self, org_id: str, month: str) -> int:
        """Build a local month's cells from its activities (Query pages of the month partitions) and
        mark it built; member-days no longer backed by activities are removed. How many were stored."""
        organization = self.repository.organization(org_id)
        if organization is None:
            return 0
        settings = selection.settings_of(organization.settings)
        basis = basis_of(settings)
        self.repository.mark(org_id, month, basis, self._now_ms(), complete=False)  # the stream keeps it from now on
        computed_at = self._now_ms()
        lower, upper = month_bounds(month, settings.time_zone)
        rows = [row for page in self.repository.activity_rows(org_id, lower, upper) for row in page]
        days = member_days(rows, settings)
        fresh = {(found.day, found.user_id) for found in days}
        after = (date.fromisoformat(f"{month}-01") + timedelta(days=32)).replace(day=1).isoformat()
        for page in self.repository.member_days(org_id, month, f"{month}-01", after):
            for stale in page:
                if (stale["day"], stale["userId"]) not in fresh:
                    self.repository.delete_day(org_id, stale["day"], stale["userId"], computed_at)
        for found in days:
            self.repository.put_day(org_id, record_of(found), computed_at)
        self.repository.mark(org_id, month, basis, computed_at, complete=True)
        return len(days)

