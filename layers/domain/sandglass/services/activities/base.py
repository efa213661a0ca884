"""What every activity operation shares: the repositories, the clock, loading one entry, and the
single write path every change goes through."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from sandglass import ids
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.errors import ValidationFailed
from sandglass.repositories.activities import ActivityChange, ActivityRepository, TimerChange, WriteCondition
from sandglass.repositories.projects import ProjectRepository
from sandglass.services.activities.rules import not_found

# A write guard sees every activity change of a transaction (before/after images; before None on
# create, after None on delete) and returns the conditions (built by a repository, e.g. "this
# member's week is not locked") that must hold for the write to commit.
WriteGuard = Callable[[TenantContext, list[ActivityChange]], list[WriteCondition]]


class ActivityServiceBase:
    def __init__(self, repository: ActivityRepository | None = None, clock: Clock | None = None,
                 guards: Iterable[WriteGuard] = (), projects: ProjectRepository | None = None):
        self.repository = repository or ActivityRepository()
        self.projects = projects or ProjectRepository(self.repository.table)
        self._clock = clock
        self.guards: list[WriteGuard] = list(guards)

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

    def _write(self, tenant: TenantContext, changes: list[ActivityChange], *, timers: Iterable[TimerChange] = (),
               conditions: Iterable[WriteCondition] = (), idempotency: dict[str, Any] | None = None) -> None:
        """EVERY activity write goes through here: create, update, delete and the stop of a
        previous timer. Guards add their conditions to the same transaction, so a rule such as
        "a User cannot write into a locked week" holds atomically with the write."""
        extra = list(conditions)
        for guard in self.guards:
            extra.extend(guard(tenant, changes))
        self.repository.commit(tenant.org_id, changes, timers=list(timers), idempotency=idempotency,
                               now_epoch=int(self._now().timestamp()), conditions=extra)
