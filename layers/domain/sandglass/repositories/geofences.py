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

from sandglass import keys
from sandglass.errors import Conflict, DomainError, ValidationFailed
from sandglass.storage import table as db
from sandglass.storage.table import Page, Table

_NUMBERS = ("latitude", "longitude", "radius")
_CELL_FIELDS = ("id", "name", "latitude", "longitude", "radius", "enterAction", "exitAction", "projectId", "version")


def _to_store(value: Any) -> Any:
    return Decimal(repr(float(value))) if isinstance(value, float) else value


def _from_store(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _entity(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {name: _from_store(value) for name, value in item.items() if name not in keys.KEY_ATTRIBUTES}


def _stored(org_id: str, geofence: dict[str, Any]) -> dict[str, Any]:
    item = {name: _to_store(value) for name, value in geofence.items() if value is not None}
    return {**item, **keys.geofence(org_id, geofence["id"])}


def _cell_item(org_id: str, cell: str, geofence: dict[str, Any]) -> dict[str, Any]:
    entry = {name: _to_store(geofence[name]) for name in _CELL_FIELDS if geofence.get(name) is not None}
    entry["geofenceId"] = entry.pop("id")
    return {**entry, "cell": cell, **keys.geofence_cell(org_id, cell, geofence["id"])}


class GeofenceRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads ------------------------------------------------------------------------------
    def get(self, org_id: str, geofence_id: str) -> dict[str, Any] | None:
        return _entity(self.table.get(keys.geofence(org_id, geofence_id)))

    def page(self, org_id: str, limit: int, cursor: str | None) -> Page:
        page = self.table.query_page(org_id=org_id, scope="geofences", key_condition=db.key_condition(None, "prefix"),
                                     values={":pk": keys.org_pk(org_id), ":prefix": keys.GEOFENCE_SK_PREFIX},
                                     limit=limit, cursor=cursor)
        return Page([_entity(item) for item in page.items], page.cursor)

    def registered_in(self, org_id: str, cells: Iterable[str]) -> list[dict[str, Any]]:
        """The cell entries (geofenceId, centre, radius, actions...) of every geofence registered
        under one of `cells`: one Query per cell, reading only those entries."""
        found: dict[str, dict[str, Any]] = {}
        for cell in cells:
            for items in self.table.query_all(key_condition=db.key_condition(None, "prefix"),
                                              values={":pk": keys.org_pk(org_id), ":prefix": keys.geofence_cell_prefix(cell)}):
                for item in items:
                    entry = _entity(item)
                    found.setdefault(entry["geofenceId"], entry)
        return list(found.values())

    # --- writes -----------------------------------------------------------------------------
    def create(self, org_id: str, geofence: dict[str, Any]) -> None:
        ops = [db.put(_stored(org_id, geofence), "attribute_not_exists(PK)", fail=Conflict("A geofence with this id already exists"))]
        ops += [db.put(_cell_item(org_id, cell, geofence)) for cell in geofence["cells"]]
        ops += self._project_active(org_id, geofence.get("projectId"))
        self.table.transact(ops)

    def replace(self, org_id: str, before: dict[str, Any], after: dict[str, Any], *, stale: DomainError, check_project: bool) -> None:
        """Write `after` over `before` (at `before`'s version) and move its cell entries."""
        ops = [db.put(_stored(org_id, after), "#v = :expected", {"#v": "version"}, {":expected": int(before["version"])}, fail=stale)]
        kept = set(after["cells"])
        ops += [db.delete(keys.geofence_cell(org_id, cell, before["id"])) for cell in before.get("cells", []) if cell not in kept]
        ops += [db.put(_cell_item(org_id, cell, after)) for cell in after["cells"]]
        if check_project:
            ops += self._project_active(org_id, after.get("projectId"))
        self.table.transact(ops)

    def delete(self, org_id: str, stored: dict[str, Any], *, stale: DomainError) -> None:
        ops = [db.delete(keys.geofence(org_id, stored["id"]), "#v = :expected", {"#v": "version"},
                         {":expected": int(stored["version"])}, fail=stale)]
        ops += [db.delete(keys.geofence_cell(org_id, cell, stored["id"])) for cell in stored.get("cells", [])]
        self.table.transact(ops)

    @staticmethod
    def _project_active(org_id: str, project_id: str | None) -> list[db.Op]:
        """The project a geofence tracks on still exists and is not archived when the write commits."""
        if not project_id:
            return []
        return [db.check(keys.project(org_id, project_id), "attribute_exists(PK) AND (attribute_not_exists(#a) OR #a = :false)",
                         {"#a": "archived"}, {":false": False},
                         fail=ValidationFailed.field("projectId", "The project was archived or deleted meanwhile"))]
