"""What every activity operation shares: the collaborators, the clock, loading one entry, and the
single commit every change goes through."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable, Protocol

from sandglass import ids
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.entities.activities import Activity, RateSnapshot
from sandglass.errors import Conflict, ValidationFailed
from sandglass.repositories.activities import ActivityRepository, ReadSet, Table
from sandglass.repositories.locks import LOCKS_CHANGED, LockRepository
from sandglass.repositories.projects import ProjectRepository
from sandglass.repositories.rates import RateRepository
from sandglass.services.rate_windows import RatesInForce
from sandglass.services.activities.rules import not_found
from sandglass.services.lock_rules import LockGuard
from sandglass.repositories.activities import UnitOfWork
from sandglass.timefmt import utc_ms

GUARD_ATTEMPTS = 3


class WriteGuard(Protocol):
    """A write guard sees every activity image of a write (before and after; before absent on
    create, after on delete), the write's reads (ReadSet: the organization, and in `extra` the
    items the guard asked for with `wanted`) and now; it raises to refuse the write, or stages into
    the write's unit of work the checks that keep its decision true (e.g. "this member's locks are
    unchanged"). A check failing with code LOCKS_CHANGED means the guard's reads went stale: the
    write re-reads them and decides again."""

    def wanted(self, tenant: TenantContext, user_ids: set[str]) -> list[dict[str, str]]: ...

    def __call__(self, tx: UnitOfWork, tenant: TenantContext, images: list[Activity], reads: ReadSet, now: datetime) -> None: ...


# The revenue and cost rates in force for (org, project or None, member) at an instant; None: none kept.
RatesAt = Callable[[str, str | None, str, datetime], RateSnapshot | None]


def rates_at(table: Table) -> RatesAt:
    """The production rate lookup: two Queries (the member's revenue windows on the project, their
    cost windows), as kept on the activity (rateSnapshot) so reports price it as it was written:
    later edits of the windows never reprice it (an explicit re-rate does)."""
    windows = RatesInForce(RateRepository(table))

    def at(org_id: str, project_id: str | None, user_id: str, started: datetime) -> RateSnapshot | None:
        if project_id is None:  # no project, no project membership: no revenue rate; the member's cost rate (one Query)
            return windows.cost_snapshot_at(org_id, user_id, started)
        return windows.snapshot_at(org_id, project_id, user_id, started)
    return at


def no_rates(org_id: str, project_id: str | None, user_id: str, started: datetime) -> RateSnapshot | None:
    return None


class ActivityServiceBase:
    def __init__(self, repository: ActivityRepository | None = None, clock: Clock | None = None,
                 guards: Iterable[WriteGuard] | None = None, projects: ProjectRepository | None = None, rates: RatesAt | None = None):
        """Collaborators are given; any left out is the production one over `repository`'s table
        (tests give in-memory ones, with `guards=[]` and `rates=no_rates` as they need)."""
        self.repository = repository or ActivityRepository()
        table = self.repository.table
        self.projects = projects or ProjectRepository(table)
        self._clock = clock
        self.guards: list[WriteGuard] = [LockGuard(LockRepository(table))] if guards is None else list(guards)
        self.rates_at: RatesAt = rates or rates_at(table)

    @property
    def clock(self) -> Clock:
        return self._clock or get_clock()

    def _now(self) -> datetime:
        return utc_ms(self.clock.now())

    def _load(self, tenant: TenantContext, activity_id: str) -> Activity:
        canonical = ids.canonical_id(activity_id)
        if canonical is None:
            raise ValidationFailed.field("activityId", "Expected a UUID", "path")
        activity = self.repository.get(tenant.org_id, canonical)
        if activity is None:
            raise not_found()
        return activity

    def _guard_reads(self, tenant: TenantContext, user_ids: Iterable[str]) -> list[dict[str, str]]:
        """The items the guards need for writes of `user_ids`' activities (join them to the
        write's read_set as `extra`)."""
        user_ids = set(user_ids)
        return [key for guard in self.guards for key in guard.wanted(tenant, user_ids)]

    def _commit(self, tenant: TenantContext, images: list[Activity], stage: Callable[[UnitOfWork, datetime], None],
                reads: ReadSet | None = None) -> None:
        """EVERY activity write commits here: create, update, delete and the stop of a previous
        timer. `stage(tx, now)` stages the write; the guards then decide on `reads` (the write's
        BatchGetItem, which should include _guard_reads; without `reads` they are read here) and
        stage their checks into the same unit of work, so a rule such as "a User cannot write into
        a locked week" holds atomically with the write. When a guard's check reports its reads
        stale (a lock landed meanwhile), the guards' items are read again and they decide again."""
        wanted = self._guard_reads(tenant, {image.user_id for image in images})
        if reads is None:
            reads = self.repository.read_set(tenant.org_id, extra=wanted) if wanted else ReadSet()
        for attempt in range(GUARD_ATTEMPTS):
            now = self._now()
            tx = self.repository.unit_of_work()
            stage(tx, now)
            for guard in self.guards:
                guard(tx, tenant, images, reads, now)
            try:
                self.repository.commit(tx)
                return
            except Conflict as error:
                if error.code != LOCKS_CHANGED or attempt == GUARD_ATTEMPTS - 1:
                    raise
            reads = self.repository.read_set(tenant.org_id, extra=wanted)
