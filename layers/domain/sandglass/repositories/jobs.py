"""Background jobs (purges) and the paged deletion they perform."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sandglass import keys
from sandglass.errors import Conflict
from sandglass.storage.table import Table


class JobRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def pending(self, limit: int = 25) -> list[dict[str, Any]]:
        page = self.table.query_page(org_id="-", scope="jobs", key_condition="PK = :pk", values={":pk": keys.JOBS_PK}, limit=limit, consistent=True)
        return page.items

    def all_pending(self, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every pending job, page by page (one Query partition: the sweeper's worklist)."""
        for items in self.table.query_all(key_condition="PK = :pk", values={":pk": keys.JOBS_PK}, page_size=page_size):
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

    def months_with_data(self, org_id: str) -> list[str]:
        months: list[str] = []
        for items in self.table.query_all(key_condition="PK = :pk AND begins_with(SK, :prefix)", values={":pk": keys.org_pk(org_id), ":prefix": keys.MONTH_SK_PREFIX}):
            months.extend(str(item[keys.SK]).removeprefix(keys.MONTH_SK_PREFIX) for item in items)
        return months

    # --- paged deletion ------------------------------------------------------------------------
    def delete_partition_page(self, pk: str, page_size: int) -> int:
        """Delete one page of a base-table partition; returns how many items went."""
        for items in self.table.query_all(key_condition="PK = :pk", values={":pk": pk}, page_size=page_size):
            self._delete_items(items)
            return len(items)
        return 0

    def delete_index_page(self, index: str, partition: str, page_size: int) -> int:
        """Delete one page of the base items found under a GSI partition."""
        for items in self.table.query_all(key_condition=f"{keys.gsi_pk(index)} = :pk", values={":pk": partition}, index=index, page_size=page_size):
            self._delete_items(items)
            return len(items)
        return 0

    def _delete_items(self, items: list[dict[str, Any]]) -> None:
        doomed = []
        for item in items:
            doomed.append({keys.PK: item[keys.PK], keys.SK: item[keys.SK]})
            if str(item[keys.SK]).startswith(keys.USER_SK_PREFIX) and item.get("email"):
                # a member's sign-in membership lives under the account's platform partition
                org_id = str(item[keys.PK]).removeprefix("ORG#")
                doomed.append(keys.membership(item["email"], org_id))
        if doomed:
            self.table.batch_delete(doomed)
