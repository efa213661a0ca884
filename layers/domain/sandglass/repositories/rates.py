"""Rate windows and the per-owner version counter that serialises their writes.

A rate set is the windows of one owner: a project member's revenue rates or a user's cost rates.
Items (all under PK ``ORG#<orgId>``):
- lock: SK = the set's prefix (``REVRATES#<pid>#<mid>`` / ``COSTRATES#<uid>``) — ``version``;
- rate: SK = ``<prefix>#<rateId>`` — id, currency, from, to, taxRate, value, plus the owner's ids.
Both carry GSI_USER keys (and GSI_PROJECT keys for revenue rates) so a user's or a project's
purge finds them. One consistent Query on the prefix returns the lock and every window, and each
write updates the lock with a condition on the version that Query saw: two requests that each
validated "no overlap" against the same snapshot cannot both commit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from msgspec import Struct, field

from sandglass import keys, timefmt
from sandglass.entities.rates import RateWindow
from sandglass.errors import Conflict, NotFound
from sandglass.storage import table as db
from sandglass.storage.table import Page, Table
from sandglass.storage.transaction import UnitOfWork


def public(item: dict[str, Any]) -> dict[str, Any]:
    """A stored window without its key attributes."""
    return {name: value for name, value in item.items() if name not in keys.KEY_ATTRIBUTES}


def _instant(value: Any):
    return value if hasattr(value, "tzinfo") else timefmt.parse(str(value))


def from_item(item: Mapping[str, Any]) -> RateWindow:
    """A stored window (key attributes or not) -> the entity."""
    end = item.get("to")
    return RateWindow(
        id=str(item["id"]), currency=str(item["currency"]), value=Decimal(str(item["value"])),
        tax_rate=Decimal(str(item.get("taxRate") or 0)), starts_at=_instant(item["from"]),
        ends_at=_instant(end) if end else None, user_id=str(item["userId"]),
        project_id=item.get("projectId"), member_id=item.get("memberId"),
    )


def to_item(window: RateWindow) -> dict[str, Any]:
    """The entity -> the stored window's attributes (without keys)."""
    item: dict[str, Any] = {"id": window.id, "userId": window.user_id, "currency": window.currency,
                            "from": timefmt.iso(window.starts_at), "to": timefmt.iso(window.ends_at) if window.ends_at else None,
                            "taxRate": window.tax_rate, "value": window.value}
    if window.project_id is not None:
        item["projectId"], item["memberId"] = window.project_id, window.member_id
    return item


CONCURRENT = "The rate windows were changed by another request; reload and retry"


class RateSet(Struct, frozen=True):
    """Where one owner's windows live and which index keys they carry."""

    org_id: str
    prefix: str  # SK of the lock; rates are <prefix>#<rateId>
    index_keys: dict[str, str] = field(default_factory=dict)  # GSI attributes shared by lock and rates (without SK suffixes)
    index_sort: dict[str, str] = field(default_factory=dict)  # GSI sort prefixes; the rate id is appended

    def lock_key(self) -> dict[str, str]:
        return keys.rate_set_lock(self.org_id, self.prefix)

    def rate_key(self, rate_id: str) -> dict[str, str]:
        return keys.rate_item_key(self.org_id, self.prefix, rate_id)

    def index_attributes(self, suffix: str) -> dict[str, str]:
        attributes = dict(self.index_keys)
        for name, prefix in self.index_sort.items():
            attributes[name] = f"{prefix}{suffix}"
        return attributes


def revenue_set(org_id: str, project_id: str, member_id: str, user_id: str) -> RateSet:
    return RateSet(
        org_id=org_id,
        prefix=keys.revenue_rates_prefix(project_id, member_id),
        index_keys={keys.gsi_pk(keys.GSI_USER): keys.user_partition(org_id, user_id),
                    keys.gsi_pk(keys.GSI_PROJECT): keys.project_partition(org_id, project_id)},
        index_sort={keys.gsi_sk(keys.GSI_USER): keys.revenue_rate_user_sort_prefix(project_id),
                    keys.gsi_sk(keys.GSI_PROJECT): keys.revenue_rate_project_sort_prefix(member_id)},
    )


def cost_set(org_id: str, user_id: str) -> RateSet:
    return RateSet(
        org_id=org_id,
        prefix=keys.cost_rates_prefix(user_id),
        index_keys={keys.gsi_pk(keys.GSI_USER): keys.user_partition(org_id, user_id)},
        index_sort={keys.gsi_sk(keys.GSI_USER): keys.COST_RATE_USER_SORT_PREFIX},
    )


class Snapshot(Struct):
    version: int | None  # None: the set has never been written
    rates: list[dict[str, Any]]

    def windows(self) -> list[RateWindow]:
        """The set's windows, oldest first."""
        return sorted((from_item(rate) for rate in self.rates), key=lambda window: window.starts_at)

    @property
    def removal_actions(self) -> int:
        """How many actions removing the whole set takes (stage_remove_set)."""
        return len(self.rates) + (self.version is not None)


class RateRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads ----------------------------------------------------------------------------
    def snapshot(self, rate_set: RateSet) -> Snapshot:
        """The lock's version and every window of the set: one strongly consistent Query per 1 MB."""
        version: int | None = None
        rates: list[dict[str, Any]] = []
        for items in self._consistent_pages(rate_set):
            for item in items:
                if item[keys.SK] == rate_set.prefix:
                    version = int(item["version"])
                elif str(item[keys.SK]).startswith(keys.rate_items_prefix(rate_set.prefix)):
                    rates.append(public(item))
        return Snapshot(version, rates)

    def _consistent_pages(self, rate_set: RateSet):
        cursor = None
        while True:
            page = self.table.query_page(
                org_id=rate_set.org_id,
                scope=f"rateset:{rate_set.prefix}",
                key_condition=db.key_condition(sort="prefix"),
                values={":pk": keys.org_pk(rate_set.org_id), ":prefix": rate_set.prefix},
                cursor=cursor,
                consistent=True,
            )
            yield page.items
            if not page.cursor:
                return
            cursor = page.cursor

    def page(self, rate_set: RateSet, limit: int, cursor: str | None) -> Page:
        page = self.table.query_page(
            org_id=rate_set.org_id,
            scope=f"rates:{rate_set.prefix}",
            key_condition=db.key_condition(sort="prefix"),
            values={":pk": keys.org_pk(rate_set.org_id), ":prefix": keys.rate_items_prefix(rate_set.prefix)},
            limit=limit,
            cursor=cursor,
            consistent=True,
        )
        return Page([from_item(item) for item in page.items], page.cursor)

    def get(self, rate_set: RateSet, rate_id: str) -> RateWindow | None:
        item = self.table.get(rate_set.rate_key(rate_id))
        return from_item(item) if item else None

    # --- across rate sets (reports, re-rates): one Query of an index partition ----------------
    def revenue_items_of_project(self, org_id: str, project_id: str) -> list[dict[str, Any]]:
        """Every member's revenue windows on one project (the version locks left out)."""
        return self._indexed(keys.GSI_PROJECT, keys.project_partition(org_id, project_id), keys.REVENUE_RATE_PROJECT_SORT_PREFIX)

    def cost_items_of_user(self, org_id: str, user_id: str) -> list[dict[str, Any]]:
        return self._indexed(keys.GSI_USER, keys.user_partition(org_id, user_id), keys.COST_RATE_USER_SORT_PREFIX)

    def revenue_windows_of_project(self, org_id: str, project_id: str) -> list[RateWindow]:
        """Every member's revenue windows on one project, typed (the same one Query)."""
        return [from_item(item) for item in self.revenue_items_of_project(org_id, project_id)]

    def cost_windows_of_user(self, org_id: str, user_id: str) -> list[RateWindow]:
        return [from_item(item) for item in self.cost_items_of_user(org_id, user_id)]

    def _indexed(self, index: str, partition: str, prefix: str) -> list[dict[str, Any]]:
        found = []
        for items in self.table.query_all(
            key_condition=f"{keys.gsi_pk(index)} = :pk AND begins_with({keys.gsi_sk(index)}, :prefix)",
            values={":pk": partition, ":prefix": prefix},
            index=index,
        ):
            found.extend(item for item in items if "value" in item and "from" in item)
        return found

    # --- writes ---------------------------------------------------------------------------
    def _stage_version(self, tx: UnitOfWork, rate_set: RateSet, seen_version: int | None) -> None:
        """Bump the set's version, on condition nobody else did since the snapshot."""
        conflict = Conflict(CONCURRENT, code="RATES_CHANGED")
        if seen_version is None:
            tx.put({**rate_set.lock_key(), **rate_set.index_attributes("LOCK"), "version": 1}, "attribute_not_exists(PK)", fail=conflict)
        else:
            tx.update(rate_set.lock_key(), "SET #v = #v + :one", {"#v": "version"}, {":one": 1, ":seen": seen_version},
                      condition="#v = :seen", fail=conflict)

    def stage_save(self, tx: UnitOfWork, rate_set: RateSet, rate: Mapping[str, Any], seen_version: int | None) -> None:
        """Create or replace one window (its item attributes), with the version bump."""
        tx.put({**rate_set.rate_key(rate["id"]), **rate_set.index_attributes(rate["id"]), **rate})
        self._stage_version(tx, rate_set, seen_version)

    def stage_save_window(self, tx: UnitOfWork, rate_set: RateSet, window: RateWindow, seen_version: int | None) -> None:
        self.stage_save(tx, rate_set, to_item(window), seen_version)

    def stage_remove(self, tx: UnitOfWork, rate_set: RateSet, rate_id: str, seen_version: int | None) -> None:
        tx.delete(rate_set.rate_key(rate_id), "attribute_exists(PK)", fail=NotFound("Rate not found"))
        self._stage_version(tx, rate_set, seen_version)

    def stage_remove_set(self, tx: UnitOfWork, rate_set: RateSet, snapshot: Snapshot) -> None:
        """Delete the whole set (lock included), if nobody changed it since `snapshot`."""
        for rate in snapshot.rates:
            tx.delete(rate_set.rate_key(rate["id"]))
        if snapshot.version is not None:
            tx.delete(rate_set.lock_key(), "#v = :seen", {"#v": "version"}, {":seen": snapshot.version},
                      fail=Conflict(CONCURRENT, code="RATES_CHANGED"))
