"""Asynchronous purges: delete a tombstoned tenant's data in pages, without Scan.

Each invocation works through pages until its budget is spent, then touches the job item;
that write's stream record invokes the next pass. The job item is deleted when nothing is left.
A pass that fails (throttling, an outage) leaves the job where it was: the stream retries it, and
the scheduled sweep resumes every job the stream stopped driving (retries exhausted, record sent
to the dead-letter queue), so a purge never stalls for more than a sweep interval.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from sandglass import keys
from sandglass.clock import Clock, get_clock
from sandglass.repositories.jobs import JobRepository
from sandglass.timefmt import iso, parse

PAGE_SIZE = 100
# A job neither written nor touched for this long has lost its stream chain: the sweep resumes it.
STALLED_AFTER = timedelta(minutes=10)
SWEEP_PAGE_BUDGET = 20

logger = logging.getLogger("sandglass.purge")


@dataclass
class SweepResult:
    pending: int = 0
    resumed: int = 0
    finished: int = 0
    failed: int = 0


class PurgeService:
    def __init__(self, repository: JobRepository | None = None, clock: Clock | None = None):
        self.repository = repository or JobRepository()
        self.clock = clock
        self.handlers: dict[str, Callable[[dict[str, Any], int], bool]] = {
            keys.PURGE_ORGANIZATION: self._purge_organization,
            keys.PURGE_PROJECT: _purge_project,
            keys.PURGE_USER: _purge_user,
        }

    def register(self, kind: str, handler: Callable[[dict[str, Any], int], bool]) -> None:
        """Other domains add their purge kinds (a deleted user, a cascaded project...)."""
        self.handlers[kind] = handler

    def run(self, job_key: dict[str, str], page_budget: int = 50) -> bool:
        """One pass over a job. Returns True when the job is finished."""
        job = self.repository.get(job_key)
        if job is None:
            return True
        handler = self.handlers.get(job.get("kind", ""))
        if handler is None:
            return False
        if handler(job, page_budget):
            self.repository.finish(job)
            return True
        self.repository.record_progress(job, iso(self._now()))
        return False

    def sweep(self, page_budget: int = SWEEP_PAGE_BUDGET) -> SweepResult:
        """Resume every stalled job with one pass each (its progress write restarts the stream chain).
        One job's failure is logged and counted; the others still run."""
        result = SweepResult()
        stalled_before = self._now() - STALLED_AFTER
        for job in self.repository.all_pending():
            result.pending += 1
            if _last_activity(job) > stalled_before:
                continue  # the stream is driving it
            result.resumed += 1
            try:
                if self.run({keys.PK: job[keys.PK], keys.SK: job[keys.SK]}, page_budget):
                    result.finished += 1
            except Exception:  # noqa: BLE001 - a broken job must not starve the others
                result.failed += 1
                logger.exception("purge sweep: job failed", extra={"job": job[keys.SK]})
        return result

    def _now(self):
        return (self.clock or get_clock()).now()

    def _purge_organization(self, job: dict[str, Any], page_budget: int) -> bool:
        org_id = job["orgId"]
        # Every organization-owned item lives in the ORG#<id> item collection (sub-partitions are
        # index keys of those items): paging through it deletes them all (the domain marker went
        # with the tombstone, so nothing can reach the organization meanwhile).
        while page_budget > 0:
            page_budget -= 1
            if self.repository.delete_organization_page(org_id, PAGE_SIZE) == 0:
                return True
        return False


def _last_activity(job: dict[str, Any]):
    stamps = [job[field] for field in ("touchedAt", "requestedAt") if job.get(field)]
    if not stamps:
        from datetime import datetime, timezone

        return datetime.min.replace(tzinfo=timezone.utc)
    return max(parse(stamp) for stamp in stamps)


def _purge_project(job: dict[str, Any], page_budget: int) -> bool:
    from sandglass.services.projects import purge_project_pass

    return purge_project_pass(job, page_budget)


def _purge_user(job: dict[str, Any], page_budget: int) -> bool:
    from sandglass.services.users import purge_user_pass

    return purge_user_pass(job, page_budget)
