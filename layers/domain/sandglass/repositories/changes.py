"""The organization's change log: one item per committed change of a tenant entity.

Item shape (PK ``ORG#<orgId>``, SK ``CHANGE#<position>``, keys.change): entityType, entityId,
operation (created | updated | deleted), at (the commit's UTC text), actor (a member id, absent for
the system), owner (the member the entity belongs to, absent when none), state (the entity item
without its storage keys; absent on delete), expiresAt (epoch seconds, the table's TTL). An item with
an owner also carries GSI_USER keys (user_partition(owner) / CHANGE#<position>), so a User's own
feed is one Query of their partition.

Written only by the stream consumer, with ``attribute_not_exists(PK)``: a redelivered stream record
finds its position taken and writes nothing. Positions are stream sequence numbers, so no counter is
read or written. Reads are Queries of ``SK BETWEEN CHANGE#<after position> AND CHANGE#~``; DynamoDB
may keep an expired item a while, so reads filter on ``expiresAt`` too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct

from sandglass import keys
from sandglass.entities.changes import Change
from sandglass.errors import Conflict
from sandglass.storage import table as db
from sandglass.storage import cursor as cursors
from sandglass.storage.table import Table
from sandglass.timefmt import iso, parse_instant


class _AlreadyRecorded(Conflict):
    pass


class ChangePage(Struct, frozen=True):
    changes: list[Change]
    last_evaluated: str | None  # the position the Query stopped at when more may follow, else None


def to_item(change: Change, expires_at: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        **keys.change(change.org_id, change.position),
        "entityType": change.entity_type,
        "entityId": change.entity_id,
        "operation": change.operation,
        "at": iso(change.at),
        "expiresAt": expires_at,
    }
    if change.actor:
        item["actor"] = change.actor
    if change.owner:
        item["owner"] = change.owner
        item.update(keys.index_keys(keys.GSI_USER, keys.user_partition(change.org_id, change.owner), keys.change_sort(change.position)))
    if change.state is not None:
        item["state"] = change.state
    return item


def from_item(org_id: str, item: dict[str, Any]) -> Change:
    return Change(
        org_id=org_id,
        position=item[keys.SK].removeprefix(keys.CHANGE_SK_PREFIX),
        entity_type=item["entityType"],
        entity_id=item["entityId"],
        operation=item["operation"],
        at=parse_instant(item["at"]),
        actor=item.get("actor"),
        owner=item.get("owner"),
        state=item.get("state"),
    )


class ChangeRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def record(self, change: Change, expires_at: int) -> bool:
        """Write one change (one PutItem); False when its position was recorded already (a redelivery)."""
        try:
            self.table.put(to_item(change, expires_at), "attribute_not_exists(PK)", fail=_AlreadyRecorded("recorded"))
        except _AlreadyRecorded:
            return False
        return True

    def page(self, org_id: str, *, after: str | None, owner: str | None, types: tuple[str, ...], limit: int, now: datetime) -> ChangePage:
        """Up to `limit` changes after position `after` in commit order: the organization's, or only
        those of entities `owner` owns (GSI_USER); `types` narrows to those entity types."""
        values: dict[str, Any] = {":lo": keys.change_sort_after(after), ":hi": keys.CHANGE_SORT_END, ":now": int(now.timestamp())}
        names = {"#x": "expiresAt"}
        conditions = ["#x > :now"]
        if types:
            names["#t"] = "entityType"
            conditions.append(f"#t IN ({', '.join(f':t{n}' for n in range(len(types)))})")
            values.update({f":t{n}": kind for n, kind in enumerate(types)})
        if owner is None:
            index, values[":pk"] = None, keys.org_pk(org_id)
        else:
            index, values[":pk"] = keys.GSI_USER, keys.user_partition(org_id, owner)
        response = self.table.query_once(KeyConditionExpression=db.key_condition(index, "between"),
                                    ExpressionAttributeValues=values, ExpressionAttributeNames=names, FilterExpression=" AND ".join(conditions),
                                    Limit=limit, **({"IndexName": index} if index else {"ConsistentRead": True}))
        last = response.get("LastEvaluatedKey")
        sort_name = keys.SK if index is None else keys.gsi_sk(index)
        return ChangePage([from_item(org_id, item) for item in response.get("Items", [])],
                          last[sort_name].removeprefix(keys.CHANGE_SK_PREFIX) if last else None)

    def tail(self, org_id: str) -> str | None:
        """The position of the organization's newest change (None: an empty log)."""
        response = self.table.query_once(KeyConditionExpression=db.key_condition(None, "between"),
                                    ExpressionAttributeValues={":pk": keys.org_pk(org_id), ":lo": keys.CHANGE_SK_PREFIX, ":hi": keys.CHANGE_SORT_END},
                                    ProjectionExpression="SK", ScanIndexForward=False, Limit=1, ConsistentRead=True)
        items = response.get("Items", [])
        return items[0][keys.SK].removeprefix(keys.CHANGE_SK_PREFIX) if items else None


def sign_cursor(org_id: str, value: dict[str, Any], scope: str) -> str:
    """A feed position as an opaque, signed cursor bound to the organization and the feed."""
    return cursors.encode(value, org_id=org_id, scope=scope)


def read_cursor(org_id: str, token: str, scope: str) -> dict[str, Any]:
    """The value of a cursor signed by `sign_cursor` (a tampered or foreign one is refused, 400)."""
    return cursors.decode(token, org_id=org_id, scope=scope)
