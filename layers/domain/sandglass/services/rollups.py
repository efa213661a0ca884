"""Keeping report cells (services/reports/rollups.py) from the table's stream, and building them.

- A month's cells are built by ``rebuild`` (a job: one Query per 1 MB of the month's activities,
  never a Scan), which then marks the month built under the organization's settings (its basis).
  Reports read a month's cells only when it is marked built under the settings they run with.
- Every stream record of an activity (created, changed, deleted, re-rated) recomputes the
  member-days its old and new image start in, from that member's activities of that local day (one
  Query of their partition): the result depends only on what the table holds, so a record
  delivered twice or out of order changes nothing, and a computation that read earlier never
  overwrites one that read later (the write is conditional on ``computedAt``). Months not built,
  or built under other settings, are not kept (a rebuild starts them afresh).
- When the organization's settings change what cells hold (time zone, rounding), the months
  built under the old settings are neither read nor kept any more (their basis no longer matches):
  reports read those months' activities until ``rebuild`` builds them again under the new settings.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from sandglass import keys, timefmt
from sandglass.clock import Clock, get_clock
from sandglass.entities.reports import ReportSettings
from sandglass.repositories.rollups import RollupRepository
from sandglass.services.reports import engine, selection
from sandglass.services.reports.periods import local_midnight
from sandglass.services.reports.rollups import basis_of, member_day, member_days, record_of


def _plain(image: Mapping[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in image.items()}


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
        many member-days were recomputed."""
        images_by_org: dict[str, list[Mapping[str, Any]]] = {}
        for record in records:
            stream = record.get("dynamodb") or {}
            key = stream.get("Keys") or {}
            found = keys.classify_change(str((key.get(keys.PK) or {}).get("S", "")), str((key.get(keys.SK) or {}).get("S", "")))
            if found is not None and found[1] == "activity":
                images_by_org.setdefault(found[0], []).extend(
                    _plain(image) for image in (stream.get("NewImage"), stream.get("OldImage")) if image)
        return sum(self.activity_changed(org_id, images) for org_id, images in images_by_org.items())

    def activity_changed(self, org_id: str, images: Iterable[Mapping[str, Any]]) -> int:
        starts = {(image["userId"], image["startedAt"]) for image in images if image.get("userId") and image.get("startedAt")}
        organization = self.repository.organization(org_id) if starts else None
        if not organization:
            return 0
        settings = selection.settings_of(organization)
        calendar = engine.Calendar(settings.time_zone)
        days = {(user_id, calendar.buckets(engine.to_ms(started))[0]) for user_id, started in starts}
        basis, kept = basis_of(settings), {}
        recomputed = 0
        for user_id, day in sorted(days):
            month = day[:7]
            if month not in kept:
                kept[month] = self.repository.kept(org_id, month) == basis
            if kept[month]:
                self.recompute(org_id, user_id, day, settings)
                recomputed += 1
        return recomputed

    def recompute(self, org_id: str, user_id: str, day: str, settings: ReportSettings) -> None:
        """One member-day from that member's activities starting that local day."""
        computed_at = self._now_ms()  # before the read: a later read wins
        lower, upper = day_bounds(day, settings.time_zone)
        rows = [row for page in self.repository.activity_rows(org_id, lower, upper, user_id) for row in page]
        if rows:
            self.repository.put_day(org_id, record_of(member_day(user_id, day, rows, settings)), computed_at)
        else:
            self.repository.delete_day(org_id, day, user_id, computed_at)

    # --- the job -------------------------------------------------------------------------------
    def rebuild(self, org_id: str, month: str) -> int:
        """Build a local month's cells from its activities (Query pages of the month partitions) and
        mark it built; member-days no longer backed by activities are removed. How many were stored."""
        organization = self.repository.organization(org_id)
        if not organization:
            return 0
        settings = selection.settings_of(organization)
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

