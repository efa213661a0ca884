"""Asynchronous purges: delete a tombstoned tenant's data in pages, without Scan.

Each invocation works through pages until its budget is spent, then touches the job item;
that write's stream record invokes the next pass. The job item is deleted when nothing is left.
A pass that fails (throttling, an outage) leaves the job where it was: the stream retries it, and
the scheduled sweep resumes every job the stream stopped driving (retries exhausted, record sent
to the dead-letter queue), so a purge never stalls for more than a sweep interval.

No pass deletes anything before the job's grace period (`PURGE_GRACE` after `requested_at`, the
instant of the tombstone written in the same transaction) has passed. The authorizer reads the
organization and the membership on every request, so a request that passed it was authorized
before the tombstone; it may still be running, and writing, for at most the authorizer's plus its
function's timeout. Waiting longer than that orders every such request before the purge: whatever
it wrote after the tombstone is deleted with the rest. A pass during the grace period writes
nothing (the job waits); the first sweep after it starts the purge, and the stream chain of its
progress writes carries it on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Callable

from msgspec import Struct

from sandglass import keys
from sandglass.clock import Clock, CurrentClock
from sandglass.entities.jobs import PurgeJob
from sandglass.errors import Conflict
from sandglass.repositories.jobs import JobRepository
from sandglass.repositories.projects import ProjectRepository
from sandglass.repositories.users import UserRepository

PAGE_SIZE = 100
# Longer than any request the authorizer let in before the tombstone can still run: the
# authorizer's timeout (10 s, template Globals) + the longest API function's (29 s, API Gateway's
# integration limit) = 39 s, plus a margin for clock skew between functions. A test fails when a
# timeout in template.yaml outgrows it.
PURGE_GRACE = timedelta(minutes=2)
# A started job not touched for this long has lost its stream chain: the sweep resumes it.
STALLED_AFTER = timedelta(minutes=10)
SWEEP_PAGE_BUDGET = 20

logger = logging.getLogger("sandglass.purge")


class SweepResult(Struct):
    pending: int = 0
    resumed: int = 0
    finished: int = 0
    failed: int = 0


PurgePass = Callable[[PurgeJob, int], bool]  # (job, page budget) -> finished


class PurgeService:
    """Runs purge jobs. The organization's purge is built in; the composition root registers the
    other rooms' kinds (a deleted user, a cascaded project...); a job of an unregistered kind waits."""

    def __init__(self, repository: JobRepository | None = None, clock: Clock | None = None):
        self.repository = repository or JobRepository()
        self.clock = clock or CurrentClock()
        self.handlers: dict[str, PurgePass] = {keys.PURGE_ORGANIZATION: self._purge_organization}

    def register(self, kind: str, handler: PurgePass) -> None:
        """Another room's purge kind: `handler(job, page_budget)` runs one pass, True when done."""
        self.handlers[kind] = handler

    def run(self, job_key: dict[str, str], page_budget: int = 50) -> bool:
        """One pass over the job a stream record names (its keys). Returns True when the job is finished."""
        return self._pass(self.repository.get(job_key), page_budget)

    def _pass(self, job: PurgeJob | None, page_budget: int) -> bool:
        if job is None:
            return True
        if self.clock.now() < due_at(job):
            return False  # in its grace period: left for the sweep, nothing written
        handler = self.handlers.get(job.kind)
        if handler is None:
            return False
        if handler(job, page_budget):
            self.repository.finish(job)
            return True
        self.repository.record_progress(job, self.clock.now())
        return False

    def sweep(self, page_budget: int = SWEEP_PAGE_BUDGET) -> SweepResult:
        """Start every job whose grace period is over, and resume every stalled one, with one pass
        each (its progress write starts the stream chain). One job's failure is logged and counted;
        the others still run."""
        result = SweepResult()
        now = self.clock.now()
        stalled_before = now - STALLED_AFTER
        for job in self.repository.all_pending():
            result.pending += 1
            if now < due_at(job):
                continue  # still in its grace period
            if job.touched_at is not None and job.touched_at > stalled_before:
                continue  # the stream is driving it
            result.resumed += 1
            try:
                if self._pass(self.repository.reload(job), page_budget):  # as it is now, not as listed
                    result.finished += 1
            except Exception:  # noqa: BLE001 - a broken job must not starve the others
                result.failed += 1
                logger.exception("purge sweep: job failed", extra={"job": keys.job(job.kind, job.org_id, job.target)[keys.SK]})
        return result

    def _purge_organization(self, job: PurgeJob, page_budget: int) -> bool:
        org_id = job.org_id
        # Every organization-owned item lives in the ORG#<id> item collection (sub-partitions are
        # index keys of those items): paging through it deletes them all (the domain marker went
        # with the tombstone, so nothing can reach the organization meanwhile).
        while page_budget > 0:
            page_budget -= 1
            if self.repository.delete_organization_page(org_id, PAGE_SIZE) == 0:
                return True
        return False


def due_at(job: PurgeJob) -> datetime:
    """When the job may start deleting: its grace period after the tombstone (`requested_at`);
    a job that names no instant is due at once."""
    if job.requested_at is None:
        return datetime.min.replace(tzinfo=timezone.utc)
    return job.requested_at + PURGE_GRACE


def paged(purge_page: Callable[[PurgeJob, int], bool]) -> PurgePass:
    """A purge kind that deletes page after page: `purge_page(job, page_size)` deletes one page,
    True when nothing is left. Each pass spends its page budget."""
    def run(job: PurgeJob, page_budget: int) -> bool:
        while page_budget > 0:
            page_budget -= 1
            if purge_page(job, PAGE_SIZE):
                return True
        return False

    return run


def project_purge(projects: ProjectRepository) -> PurgePass:
    """A deleted project: pages of its GSI2 partition (its activities too when the job cascades)."""
    return paged(lambda job, page_size: projects.purge_page(job.org_id, job.project_id or job.target, bool(job.cascade), page_size))


def user_purge(users: UserRepository, jobs: JobRepository) -> PurgePass:
    """A deleted member: first what their GSI1 partition does not index (while the tombstone still
    keeps the email-derived id from being invited again), then pages of that partition, then the
    tombstone."""
    def page(job: PurgeJob, page_size: int) -> bool:
        user_id = job.user_id or job.target
        if not users.purge_page(job.org_id, user_id, page_size):
            return False
        try:
            users.remove_tombstone(job.org_id, user_id)
        except Conflict:
            pass  # already gone
        return True

    pages = paged(page)

    def run(job: PurgeJob, page_budget: int) -> bool:
        jobs.delete_member_items(job.org_id, job.user_id or job.target)
        return pages(job, page_budget)

    return run
