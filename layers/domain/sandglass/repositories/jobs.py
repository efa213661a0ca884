"""Background jobs (purges) and the paged deletion they perform."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sandglass import keys
from sandglass.entities.jobs import PurgeJob
from sandglass.errors import Conflict
from sandglass.repositories import int_ids
from sandglass.storage import table as db
from sandglass.storage.table import Table
from sandglass.timefmt import iso, parse


class JobRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def pending(self, limit: int = 25) -> list[PurgeJob]:
        page = self.table.query_page(org_id="-", scope="jobs", key_condition=db.key_condition(), values={":pk": keys.JOBS_PK}, limit=limit, consistent=True)
        return [job_from_item(item) for item in page.items]

    def all_pending(self, page_size: int = 100) -> Iterator[PurgeJob]:
        """Every pending job, page by page (one Query partition: the sweeper's worklist)."""
        for items in self.table.query_all(key_condition=db.key_condition(), values={":pk": keys.JOBS_PK}, page_size=page_size):
            yield from (job_from_item(item) for item in items)

    def get(self, key: dict[str, str]) -> PurgeJob | None:
        """The job a stream record names (its keys), or None when it is finished."""
        item = self.table.get(key)
        return job_from_item(item) if item is not None else None

    def reload(self, job: PurgeJob) -> PurgeJob | None:
        return self.get(job_key(job))

    def record_progress(self, job: PurgeJob, at: datetime) -> None:
        """Touch the job so its stream record triggers the next pass (a job finished meanwhile,
        by a concurrent pass, stays finished)."""
        try:
            self.table.update(job_key(job), "SET #p = #p + :one, touchedAt = :at",
                              {"#p": "pass"}, {":one": 1, ":at": iso(at)}, condition="attribute_exists(PK)")
        except Conflict:
            pass

    def finish(self, job: PurgeJob) -> None:
        self.table.delete(job_key(job))

    def delete_organization_page(self, org_id: str, page_size: int) -> int:
        """Delete one page of the organization's item collection; returns how many items went."""
        for items in self.table.query_all(key_condition=db.key_condition(), values={":pk": keys.org_pk(org_id)}, page_size=page_size):
            self._delete_items(items)
            return len(items)
        return 0

    def delete_member_items(self, org_id: str, user_id: str) -> None:
        """A deleted member's items in the organization's root partition that their GSI1 partition
        does not index: the running-timer marker, their lock record and its week-lock pointers
        (named by the record's ``week#...`` entries) and their integer id's alias. Idempotent."""
        doomed = [keys.running_timer(org_id, user_id), keys.member_locks(org_id, user_id)]
        member = self.table.get(keys.user(org_id, user_id))
        doomed += int_ids.alias_keys([member] if member else [])
        record = self.table.get(keys.member_locks(org_id, user_id)) or {}
        doomed += [keys.week_lock(org_id, str(entry["id"])) for name, entry in record.items()
                   if name.startswith("week#") and isinstance(entry, dict) and entry.get("id")]
        self.table.batch_delete(doomed)

    def _delete_items(self, items: list[dict[str, Any]]) -> None:
        doomed = []
        for item in items:
            doomed.append({keys.PK: item[keys.PK], keys.SK: item[keys.SK]})
            if str(item[keys.SK]).startswith(keys.USER_SK_PREFIX) and item.get("email"):
                # a member's sign-in membership lives under the account's platform partition
                org_id = keys.org_id_of_partition(str(item[keys.PK]))
                doomed.append(keys.membership(item["email"], org_id))
        if doomed:
            self.table.batch_delete(doomed)


# --- item <-> entity ----------------------------------------------------------------------------

def job_key(job: PurgeJob) -> dict[str, str]:
    return keys.job(job.kind, job.org_id, job.target)


def job_to_item(job: PurgeJob) -> dict[str, Any]:
    """A new job's item (written by the tombstone transaction that needs it)."""
    item: dict[str, Any] = {**job_key(job), "kind": job.kind, "orgId": job.org_id, "pass": job.passes}
    if job.organization_created_at is not None:
        item["createdAt"] = iso(job.organization_created_at)
    if job.project_id is not None:
        item["projectId"] = job.project_id
    if job.cascade is not None:
        item["cascade"] = job.cascade
    if job.user_id is not None:
        item["userId"] = job.user_id
    if job.requested_at is not None:
        item["requestedAt"] = iso(job.requested_at)
    if job.requested_by is not None:
        item["requestedBy"] = job.requested_by
    return item


def job_from_item(item: dict[str, Any]) -> PurgeJob:
    def instant(name: str) -> datetime | None:
        return parse(item[name]) if item.get(name) else None

    cascade = item.get("cascade")
    return PurgeJob(kind=item.get("kind", ""), org_id=item["orgId"], target=keys.job_target(item[keys.SK]), requested_at=instant("requestedAt"),
                    requested_by=item.get("requestedBy"), passes=int(item.get("pass", 0)), touched_at=instant("touchedAt"),
                    project_id=item.get("projectId"), cascade=bool(cascade) if cascade is not None else None, user_id=item.get("userId"),
                    organization_created_at=instant("createdAt"))
