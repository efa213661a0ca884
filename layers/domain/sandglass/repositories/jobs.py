"""Background jobs (purges) and the paged deletion they perform."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sandglass import keys
from sandglass.errors import Conflict
from sandglass.repositories import int_ids
from sandglass.storage import table as db
from sandglass.storage.table import Table


class JobRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def pending(self, limit: int = 25) -> list[dict[str, Any]]:
        page = self.table.query_page(org_id="-", scope="jobs", key_condition=db.key_condition(), values={":pk": keys.JOBS_PK}, limit=limit, consistent=True)
        return page.items

    def all_pending(self, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every pending job, page by page (one Query partition: the sweeper's worklist)."""
        for items in self.table.query_all(key_condition=db.key_condition(), values={":pk": keys.JOBS_PK}, page_size=page_size):
            yield from items

    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        return self.table.get(key)

    def record_progress(self, job: dict[str, Any], at: str) -> None:
        """Touch the job so its stream record triggers the next pass (a job finished meanwhile,
        by a concurrent pass, stays finished)."""
        try:
            self.table.update({keys.PK: job[keys.PK], keys.SK: job[keys.SK]}, "SET #p = #p + :one, touchedAt = :at",
                              {"#p": "pass"}, {":one": 1, ":at": at}, condition="attribute_exists(PK)")
        except Conflict:
            pass

    def finish(self, job: dict[str, Any]) -> None:
        self.table.delete({keys.PK: job[keys.PK], keys.SK: job[keys.SK]})

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


def job_item(kind: str, org_id: str, target: str = "-", **details: Any) -> dict[str, Any]:
    """A new background job (written by the tombstone transaction that needs it)."""
    return {**keys.job(kind, org_id, target), "kind": kind, "orgId": org_id, "pass": 0, **details}
