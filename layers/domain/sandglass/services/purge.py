"""Asynchronous purges: delete a tombstoned tenant's data in pages, without Scan.

Each invocation works through pages until its budget is spent, then touches the job item;
that write's stream record invokes the next pass. The job item is deleted when nothing is left.
"""

from __future__ import annotations

from typing import Any, Callable

from sandglass import keys
from sandglass.repositories.jobs import JobRepository

PAGE_SIZE = 100


class PurgeService:
    def __init__(self, repository: JobRepository | None = None):
        self.repository = repository or JobRepository()
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
        self.repository.record_progress(job)
        return False

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


def _purge_project(job: dict[str, Any], page_budget: int) -> bool:
    from sandglass.services.projects import purge_project_pass

    return purge_project_pass(job, page_budget)


def _purge_user(job: dict[str, Any], page_budget: int) -> bool:
    from sandglass.services.users import purge_user_pass

    return purge_user_pass(job, page_budget)
