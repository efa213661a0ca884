"""Integer ids of people, projects, groups and activities (the 4me and Sonderplan surfaces).

Item shapes (all under PK ``ORG#<orgId>``, so the organization purge removes them with the rest):

- counter: SK ``INTSEQ#<kind>`` (keys.int_counter) with ``last``, the highest id handed to any
  block. A container claims a block of ids with one ``ADD last :size`` (atomic: two claims never
  get overlapping ranges) and hands them out from memory (IdBlocks), so only one write in
  BLOCK_SIZES[kind] creates touches the counter; the activity transaction never includes it.
- alias: SK ``INT#<kind>#<n>`` (keys.int_alias) with entityId, kind, number. Put with
  attribute_not_exists in the unit of work that creates the entity (or, for an entity created
  before integer ids, that sets its ``number``), deleted in the one that deletes it: resolving an
  integer id is one GetItem, and no two entities of a kind ever share one.

The entity item itself carries ``number``. Ids are unique and stable, not dense (a container's
unused block is lost when it ends) and not ordered across containers (container A may hand out
101 after container B handed out 1..5).

Neither item is an entity of the change log (keys.classify_change ignores both prefixes).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sandglass import keys
from sandglass.errors import Conflict
from sandglass.storage import table as db
from sandglass.storage.table import Table
from sandglass.storage.transaction import UnitOfWork

# Ids a container claims at once, per kind: activities are written at the 9:00 rush, the others rarely.
BLOCK_SIZES = {"activity": 100, "person": 10, "project": 10, "group": 10}
FIRST = 1  # an organization's first member is person 1 (written with the organization)

INT_ID_TAKEN = "INT_ID_TAKEN"


class IdBlocks:
    """The ids a container has claimed and not handed out yet, by (table, organization, kind)."""

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, str, str], tuple[int, int]] = {}
        self._lock = threading.Lock()

    def take(self, scope: tuple[str, str, str]) -> int | None:
        with self._lock:
            block = self._blocks.get(scope)
            if block is None:
                return None
            following, last = block
            if following >= last:
                del self._blocks[scope]
            else:
                self._blocks[scope] = (following + 1, last)
            return following

    def fill(self, scope: tuple[str, str, str], first: int, last: int) -> None:
        with self._lock:
            self._blocks[scope] = (first, last)

    def forget(self, scope: tuple[str, str, str] | None = None) -> None:
        with self._lock:
            if scope is None:
                self._blocks.clear()
            else:
                self._blocks.pop(scope, None)


# This Lambda container's blocks (tests build their own IdBlocks to play two containers).
CONTAINER_BLOCKS = IdBlocks()


def alias_item(org_id: str, kind: str, number: int, entity_id: str) -> dict[str, Any]:
    return {**keys.int_alias(org_id, kind, number), "entityId": entity_id, "kind": kind, "number": number}


def stage_alias(tx: UnitOfWork, org_id: str, kind: str, number: int | None, entity_id: str) -> None:
    """The alias of a new entity's integer id, in the entity's unit of work (no-op without one)."""
    if number is None:
        return
    tx.put(alias_item(org_id, kind, number, entity_id), "attribute_not_exists(PK)",
           fail=Conflict(f"The integer id {number} is taken; retry", code=INT_ID_TAKEN))


def stage_alias_removal(tx: UnitOfWork, org_id: str, kind: str, number: int | None, entity_id: str) -> None:
    """Remove a deleted entity's alias (if it still names the entity) in the delete's unit of work."""
    if number is None:
        return
    tx.delete(keys.int_alias(org_id, kind, number), "attribute_not_exists(PK) OR entityId = :id", values={":id": entity_id})


def first_alias_ops(org_id: str, kind: str, entity_id: str) -> list[db.Op]:
    """A new organization's counter of `kind` at FIRST and the alias of its first entity (the
    organization's creator), for the organization's own transaction: no extra write."""
    return [db.put({**keys.int_counter(org_id, kind), "last": FIRST, "kind": kind}, "attribute_not_exists(PK)"),
            db.put(alias_item(org_id, kind, FIRST, entity_id), "attribute_not_exists(PK)")]


def alias_keys(items: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The alias keys of numbered entity items about to be deleted by a purge page (items of other
    kinds, or without a number, have none)."""
    found = []
    for item in items:
        if item.get("number") is not None:
            key = keys.int_alias_of(str(item.get(keys.PK, "")), str(item.get(keys.SK, "")), int(item["number"]))
            if key is not None:
                found.append(key)
    return found


class IntIdRepository:
    def __init__(self, table: Table | None = None, blocks: IdBlocks | None = None):
        self.table = table or Table()
        self.blocks = blocks if blocks is not None else CONTAINER_BLOCKS

    # --- minting -----------------------------------------------------------------------------
    def mint(self, org_id: str, kind: str) -> int:
        """A fresh integer id of `kind` in the organization: from this container's block, or from a
        new block claimed with one UpdateItem on the counter."""
        scope = (self.table.name, org_id, kind)
        number = self.blocks.take(scope)
        if number is None:
            size = BLOCK_SIZES[kind]
            last = self.claim_block(org_id, kind, size)
            self.blocks.fill(scope, last - size + 1, last)
            number = self.blocks.take(scope)
        assert number is not None
        return number

    def claim_block(self, org_id: str, kind: str, size: int) -> int:
        """Reserve `size` ids: returns the block's last id (the block is last-size+1..last)."""
        item = self.table.update(keys.int_counter(org_id, kind), "ADD #last :size SET #kind = :kind", {"#last": "last", "#kind": "kind"},
                                 {":size": size, ":kind": kind})
        return int(item["last"])

    # --- resolving ---------------------------------------------------------------------------
    def entity_id(self, org_id: str, kind: str, number: int) -> str | None:
        """The uuid of the organization's entity of `kind` numbered `number`: one GetItem."""
        item = self.table.get(keys.int_alias(org_id, kind, number))
        return str(item["entityId"]) if item else None

    # --- backfill ----------------------------------------------------------------------------
    def unnumbered(self, org_id: str, kind: str, page_size: int = 100) -> Iterator[list[dict[str, Any]]]:
        """Pages of the organization's entity items of `kind` that carry no number yet (one Query of
        the kind's sort-key prefix per page; project memberships and other sub-items, and members
        being deleted, are skipped)."""
        prefix = keys.INT_ID_ENTITY_SK_PREFIXES[kind]
        for items in self.table.query_all(key_condition=db.key_condition(sort="prefix"), values={":pk": keys.org_pk(org_id), ":prefix": prefix},
                                          filter_expression="attribute_not_exists(#n)", names={"#n": "number"}, page_size=page_size):
            yield [item for item in items if keys.int_kind_of_sort(str(item[keys.SK])) == kind and item.get("status") != "DELETED"]

    def assign(self, org_id: str, kind: str, item: Mapping[str, Any], number: int) -> bool:
        """Give an existing entity `number`: its item gains ``number`` (and a version bump, so a
        write that read it before fails its version check rather than dropping the number) and the
        alias is written, in one transaction. False when the entity changed, vanished or got a
        number meanwhile (nothing written; the number is simply not used)."""
        tx = UnitOfWork(self.table)
        lost = Conflict("changed meanwhile")
        key = {keys.PK: item[keys.PK], keys.SK: item[keys.SK]}
        if "version" in item:
            tx.update(key, "SET #n = :n, #v = #v + :one", {"#n": "number", "#v": "version"}, {":n": number, ":one": 1, ":seen": item["version"]},
                      "attribute_exists(PK) AND attribute_not_exists(#n) AND #v = :seen", fail=lost)
        else:
            tx.update(key, "SET #n = :n", {"#n": "number"}, {":n": number}, "attribute_exists(PK) AND attribute_not_exists(#n)", fail=lost)
        stage_alias(tx, org_id, kind, number, str(item["id"]))
        try:
            tx.commit()
        except Conflict:
            return False
        return True
