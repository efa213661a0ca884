"""Geofences and their spatial lookup entries.

Item shapes (all under PK ``ORG#<orgId>``, so the organization purge removes them with the rest):
- geofence: SK ``GEOFENCE#<id>`` (keys.geofence) — id, name, latitude, longitude, radius,
  enterAction, exitAction, projectId (only when set), cells (the geohash cells it is registered
  under), version, createdAt/By, updatedAt/By. Numbers are stored as Decimal (DynamoDB has no float).
- cell entry: SK ``GEOCELL#<cell>#<id>`` (keys.geofence_cell), one per cell of geo.cover(...),
  carrying a copy of what an enter event decides on (geofenceId, name, centre, radius, actions,
  projectId, version), so the lookup needs no second read.

The geofence and its cell entries are written in ONE transaction (a create puts them all, an
update re-puts the geofence, deletes the cells it left and puts the cells it has, a delete removes
them all), with the version as the optimistic-concurrency guard and, when the geofence tracks on a
project, a ConditionCheck that the project still exists and is not archived. At most
1 + 2 x geo.MAX_CELLS + 1 = 66 operations, inside DynamoDB's 100.

Lookup: one Query per level (geo.LEVELS) of ``begins_with(SK, GEOCELL#<point's cell>#)``: it reads
only the geofences registered in the point's cells, never activities, never the whole list.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from msgspec import Struct

from sandglass import keys
from sandglass.entities.geofences import Geofence
from sandglass.errors import Conflict, DomainError, ValidationFailed
from sandglass.storage import table as db
from sandglass.storage.table import Table
from sandglass.storage.transaction import UnitOfWork
from sandglass.timefmt import iso, parse_stored

# entity field -> item attribute of what an enter event decides on (copied to the cell entries)
_DECIDING = (("name", "name"), ("latitude", "latitude"), ("longitude", "longitude"), ("radius", "radius"),
             ("enter_action", "enterAction"), ("exit_action", "exitAction"), ("project_id", "projectId"), ("version", "version"))


class GeofencePage(Struct, frozen=True):
    geofences: list[Geofence]
    cursor: str | None = None


def _to_store(value: Any) -> Any:
    return Decimal(repr(float(value))) if isinstance(value, float) else value


def _from_store(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _deciding(item: dict[str, Any]) -> dict[str, Any]:
    found = {field: _from_store(item.get(attribute)) for field, attribute in _DECIDING if item.get(attribute) is not None}
    found["version"] = int(found.get("version", 1))
    return found


def from_item(item: dict[str, Any]) -> Geofence:
    return Geofence(id=item["id"], **_deciding(item), cells=tuple(item.get("cells") or ()), created_at=parse_stored(item.get("createdAt")),
                    created_by=item.get("createdBy"), updated_at=parse_stored(item.get("updatedAt")), updated_by=item.get("updatedBy"))


def from_cell_item(item: dict[str, Any]) -> Geofence:
    """What a cell entry copies of its geofence (no cells, no audit fields)."""
    return Geofence(id=item["geofenceId"], **_deciding(item))


def _deciding_attributes(geofence: Geofence) -> dict[str, Any]:
    return {attribute: _to_store(getattr(geofence, field)) for field, attribute in _DECIDING if getattr(geofence, field) is not None}


def to_item(org_id: str, geofence: Geofence) -> dict[str, Any]:
    audit = {"createdAt": geofence.created_at and iso(geofence.created_at), "createdBy": geofence.created_by,
             "updatedAt": geofence.updated_at and iso(geofence.updated_at), "updatedBy": geofence.updated_by}
    return {"id": geofence.id, **_deciding_attributes(geofence), "cells": list(geofence.cells),
            **{name: value for name, value in audit.items() if value is not None}, **keys.geofence(org_id, geofence.id)}


def _cell_item(org_id: str, cell: str, geofence: Geofence) -> dict[str, Any]:
    return {**_deciding_attributes(geofence), "geofenceId": geofence.id, "cell": cell, **keys.geofence_cell(org_id, cell, geofence.id)}


class GeofenceRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads ------------------------------------------------------------------------------
    def get(self, org_id: str, geofence_id: str) -> Geofence | None:
        item = self.table.get(keys.geofence(org_id, geofence_id))
        return None if item is None else from_item(item)

    def page(self, org_id: str, limit: int, cursor: str | None) -> GeofencePage:
        page = self.table.query_page(org_id=org_id, scope="geofences", key_condition=db.key_condition(None, "prefix"),
                                     values={":pk": keys.org_pk(org_id), ":prefix": keys.GEOFENCE_SK_PREFIX},
                                     limit=limit, cursor=cursor)
        return GeofencePage([from_item(item) for item in page.items], page.cursor)

    def registered_in(self, org_id: str, cells: Iterable[str]) -> list[Geofence]:
        """What an enter event decides on (centre, radius, actions...) of every geofence registered
        under one of `cells`, from their cell entries: one Query per cell, reading only those entries."""
        found: dict[str, Geofence] = {}
        for cell in cells:
            for items in self.table.query_all(key_condition=db.key_condition(None, "prefix"),
                                              values={":pk": keys.org_pk(org_id), ":prefix": keys.geofence_cell_prefix(cell)}):
                for item in items:
                    found.setdefault(item["geofenceId"], from_cell_item(item))
        return list(found.values())

    # --- writes -----------------------------------------------------------------------------
    def create(self, org_id: str, geofence: Geofence) -> None:
        tx = UnitOfWork(self.table)
        tx.put(to_item(org_id, geofence), "attribute_not_exists(PK)", fail=Conflict("A geofence with this id already exists"))
        for cell in geofence.cells:
            tx.put(_cell_item(org_id, cell, geofence))
        self._stage_project_active(tx, org_id, geofence.project_id)
        tx.commit()

    def replace(self, org_id: str, before: Geofence, after: Geofence, *, stale: DomainError, check_project: bool) -> None:
        """Write `after` over `before` (at `before`'s version) and move its cell entries."""
        tx = UnitOfWork(self.table)
        tx.put(to_item(org_id, after), "#v = :expected", {"#v": "version"}, {":expected": before.version}, fail=stale)
        for cell in [cell for cell in before.cells if cell not in after.cells]:
            tx.delete(keys.geofence_cell(org_id, cell, before.id))
        for cell in after.cells:
            tx.put(_cell_item(org_id, cell, after))
        if check_project:
            self._stage_project_active(tx, org_id, after.project_id)
        tx.commit()

    def delete(self, org_id: str, stored: Geofence, *, stale: DomainError) -> None:
        tx = UnitOfWork(self.table)
        tx.delete(keys.geofence(org_id, stored.id), "#v = :expected", {"#v": "version"}, {":expected": stored.version}, fail=stale)
        for cell in stored.cells:
            tx.delete(keys.geofence_cell(org_id, cell, stored.id))
        tx.commit()

    @staticmethod
    def _stage_project_active(tx: UnitOfWork, org_id: str, project_id: str | None) -> None:
        """The project a geofence tracks on still exists and is not archived when the write commits."""
        if project_id:
            tx.check(keys.project(org_id, project_id), "attribute_exists(PK) AND (attribute_not_exists(#a) OR #a = :false)",
                     {"#a": "archived"}, {":false": False},
                     fail=ValidationFailed.field("projectId", "The project was archived or deleted meanwhile"))
