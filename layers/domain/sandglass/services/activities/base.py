"""What every activity operation shares: the repositories, the clock, loading one entry, and the
single write path every change goes through."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from sandglass import ids
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.errors import Conflict, ValidationFailed
from sandglass.repositories.activities import ActivityChange, ActivityRepository, ReadSet, TimerChange, WriteCondition
from sandglass.repositories.locks import LOCKS_CHANGED, LockRepository
from sandglass.repositories.projects import ProjectRepository
from sandglass.services.activities.rules import not_found
from sandglass.services.locks import LockGuard

# A write guard sees every activity change of a transaction (before/after images; before None on
# create, after None on delete), the write's reads (ReadSet: the organization, and in `extra` the
# items the guard asked for) and now; it raises to refuse the write, or returns the conditions
# (built by a repository, e.g. "this member's locks are unchanged") that must hold for the write
# to commit. A guard object may also have `wanted(tenant, user_ids) -> [key]`: the items its
# decision needs, fetched in the write's one BatchGetItem. A condition failing with code
# LOCKS_CHANGED means the guard's reads went stale: the write re-reads them and decides again.
WriteGuard = Callable[[TenantContext, list[ActivityChange], ReadSet, datetime], list[WriteCondition]]
GUARD_ATTEMPTS = 3


def default_guards(repository: Any) -> list[WriteGuard]:
    """Timesheet locks guard every activity write. In-memory repositories (unit tests) have no
    table: they bring their own guards."""
    if getattr(repository, "table", None) is None:
        return []
    return [LockGuard(LockRepository(repository.table))]


class ActivityServiceBase:
    def __init__(self, repository: ActivityRepository | None = None, clock: Clock | None = None,
                 guards: Iterable[WriteGuard] | None = None, projects: ProjectRepository | None = None):
        self.repository = repository or ActivityRepository()
        self.projects = projects or ProjectRepository(self.repository.table)
        self._clock = clock
        self.guards: list[WriteGuard] = default_guards(self.repository) if guards is None else list(guards)

    @property
    def clock(self) -> Clock:
        return self._clock or get_clock()

    def _now(self) -> datetime:
        now = self.clock.now().astimezone(timezone.utc)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    def _load(self, tenant: TenantContext, activity_id: str) -> dict[str, Any]:
        canonical = ids.canonical_id(activity_id)
        if canonical is None:
            raise ValidationFailed.field("activityId", "Expected a UUID", "path")
        item = self.repository.get(tenant.org_id, canonical)
        if item is None:
            raise not_found()
        return item

    def _rate_snapshot(self, org_id: str, project_id: str, user_id: str, started_at: str) -> dict[str, Any] | None:
        """The revenue and cost rates (currency, value, window id) in force at `started_at` for the
        member on the project, kept on the activity (`rateSnapshot`) so reports price it as it was
        when written: later edits of the windows never reprice it (an explicit re-rate does). Two
        Queries (the member's revenue windows on the project, their cost windows). None without
        a table (in-memory unit tests)."""
        table = getattr(self.repository, "table", None)
        if table is None:
            return None
        from sandglass.services import rates

        return rates.snapshot_at(rates.RateService(rates.RateRepository(table)), org_id, project_id, user_id, started_at)

    def _guard_reads(self, tenant: TenantContext, user_ids: Iterable[str]) -> list[dict[str, str]]:
        """The items the guards need for writes of `user_ids`' activities (join them to the
        write's read_set as `extra`)."""
        user_ids = set(user_ids)
        return [key for guard in self.guards for key in getattr(guard, "wanted", lambda *_: [])(tenant, user_ids)]

    def _write(self, tenant: TenantContext, changes: list[ActivityChange], *, reads: ReadSet | None = None, timers: Iterable[TimerChange] = (),
               conditions: Iterable[WriteCondition] = (), idempotency: dict[str, Any] | None = None) -> None:
        """EVERY activity write goes through here: create, update, delete and the stop of a
        previous timer. Guards decide on `reads` (the write's BatchGetItem, which should include
        _guard_reads; without `reads` they are read here) and add their conditions to the same
        transaction, so a rule such as "a User cannot write into a locked week" holds atomically
        with the write. When a guard's condition reports its reads stale (a lock landed
        meanwhile), the guards' items are read again and the guards decide again."""
        timers = list(timers)
        wanted = self._guard_reads(tenant, {image["userId"] for change in changes for image in (change.before, change.after) if image})
        if reads is None:
            reads = self.repository.read_set(tenant.org_id, extra=wanted) if wanted else ReadSet()
        for attempt in range(GUARD_ATTEMPTS):
            now = self._now()
            extra = list(conditions)
            for guard in self.guards:
                extra.extend(guard(tenant, changes, reads, now))
            try:
                self.repository.commit(tenant.org_id, changes, timers=timers, idempotency=idempotency,
                                       now_epoch=int(now.timestamp()), conditions=extra)
                return
            except Conflict as error:
                if error.code != LOCKS_CHANGED or attempt == GUARD_ATTEMPTS - 1:
                    raise
            reads = self.repository.read_set(tenant.org_id, extra=wanted)
