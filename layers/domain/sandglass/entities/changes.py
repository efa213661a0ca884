"""One change of one tenant entity, as the organization's change log records it.

The change feed (``GET /api/changes``, Clockify's entity-change reads), webhooks and audit all read
these records; they are produced from the table's stream, never by a second write path.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from msgspec import Struct, field


Operation = Literal["created", "updated", "deleted"]


class Change(Struct, frozen=True, kw_only=True):
    org_id: str
    position: str  # sortable position in the organization's log (commit order); cursors point at it
    entity_type: str  # "activity", "project", "member", "lock", "request", "rate", "settings", ...
    entity_id: str
    operation: Operation
    at: datetime  # when the write committed (UTC)
    actor: str | None = None  # the member (user id) who made it; None for the system (auto-lock, purge)
    state: dict[str, Any] | None = field(default=None)  # the entity after the change, storage keys removed; None on delete
    owner: str | None = None  # the member the entity belongs to (an activity's user...), whose own feed shows it

    @property
    def tombstone(self) -> bool:
        return self.operation == "deleted"


def json_value(value: Any, depth: int | None = None) -> Any:
    """A stored value as JSON: numbers as int or float, sets as sorted lists, bytes as base64; with
    `depth`, lists and maps nested deeper than that many levels become JSON text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset, dict, list)) and depth is not None and depth <= 0:
        import json

        return json.dumps(json_value(value), sort_keys=True)
    inner_depth = None if depth is None else depth - 1
    if isinstance(value, (set, frozenset)):
        return sorted(json_value(inner, inner_depth) for inner in value)
    if isinstance(value, dict):
        return {name: json_value(inner, inner_depth) for name, inner in value.items()}
    if isinstance(value, list):
        return [json_value(inner, inner_depth) for inner in value]
    if isinstance(value, (bytes, bytearray)):
        import base64

        return base64.b64encode(bytes(value)).decode()
    return value
