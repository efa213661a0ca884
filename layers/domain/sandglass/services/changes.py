"""The change log: recording it from the table's stream, and reading it as a feed.

Recording: every stream record of a tenant entity item (keys.classify_change decides which items
are entities) becomes one change in its organization's log, at the position of the record's
sequence number, with the entity's new state (storage keys removed) or a tombstone, the actor and
the commit time; the log keeps it for RETENTION (plus a day of slack for a lagging consumer).

Reading: ``GET /api/changes?since=<cursor>``. A cursor carries the position read up to and when that
read happened; a cursor older than RETENTION may have missed changes that expired since, so it is
refused (410 CURSOR_EXPIRED) and the client re-syncs: read every resource, then follow the feed
from a fresh cursor (``since=now``, taken BEFORE the full read). Administrators read every change of
the organization; a User reads the changes of the entities they own (their activities, member
record, preferences, cost rates, locks, reports, requests).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from msgspec import Struct

from sandglass import keys
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.entities.changes import Change
from sandglass.errors import Gone, ValidationFailed
from sandglass.repositories import plain_image
from sandglass.repositories.changes import ChangeRepository, read_cursor, sign_cursor

RETENTION = timedelta(days=30)
TTL_SLACK = timedelta(days=1)
CURSOR_SCOPE = "changes"
SINCE_NOW = "now"

_OPERATIONS = {"INSERT": "created", "MODIFY": "updated", "REMOVE": "deleted"}
# who made a write, by preference: the item's last writer, then who resolved or created it
_ACTOR_ATTRIBUTES = ("updatedBy", "resolvedBy", "deletedBy", "createdBy", "assignedBy")
# the member an entity belongs to, when it is not the entity itself (a member) or its `userId`
_OWNER_ATTRIBUTES = {"request": "createdBy"}


# --- recording (the stream consumer) ----------------------------------------------------------------

def change_from_record(record: Mapping[str, Any]) -> Change | None:
    """The change one DynamoDB stream record (Lambda's event shape, NEW_AND_OLD_IMAGES) stands for,
    or None when the item is not a tenant entity. Pure."""
    stream = record.get("dynamodb") or {}
    key = plain_image(stream.get("Keys") or {})
    found = keys.classify_change(str(key.get(keys.PK, "")), str(key.get(keys.SK, "")))
    operation = _OPERATIONS.get(str(record.get("eventName")))
    if found is None or operation is None:
        return None
    org_id, entity_type, entity_id = found
    new, old = plain_image(stream.get("NewImage") or {}), plain_image(stream.get("OldImage") or {})
    current = new or old
    return Change(
        org_id=org_id,
        position=keys.change_position(str(stream["SequenceNumber"])),
        entity_type=entity_type,
        entity_id=str(current.get("id") or entity_id),
        operation=operation,
        at=datetime.fromtimestamp(float(stream.get("ApproximateCreationDateTime") or 0), timezone.utc),
        actor=_actor(new if operation != "deleted" else old, operation),
        owner=owner_of(entity_type, entity_id, current),
        state=None if operation == "deleted" else {name: value for name, value in new.items() if name not in keys.KEY_ATTRIBUTES},
    )


def owner_of(entity_type: str, entity_id: str, state: Mapping[str, Any]) -> str | None:
    if entity_type == "member":
        return entity_id
    owner = state.get(_OWNER_ATTRIBUTES.get(entity_type, "userId"))
    return owner if isinstance(owner, str) and owner else None


def _actor(image: Mapping[str, Any], operation: str) -> str | None:
    names = ("deletedBy",) if operation == "deleted" else _ACTOR_ATTRIBUTES
    for name in names:
        if isinstance(image.get(name), str) and image[name]:
            return image[name]
    return None


class ChangeRecorder:
    def __init__(self, repository: ChangeRepository | None = None, clock: Clock | None = None):
        self.repository = repository or ChangeRepository()
        self.clock = clock

    def record(self, record: Mapping[str, Any]) -> Change | None:
        """Log the change of one stream record (one conditional PutItem; a redelivered record finds
        its position taken and writes nothing); the change (also when redelivered: its webhooks are
        queued again, deduplicated by the queue), or None when the item is not an entity."""
        change = change_from_record(record)
        if change is None:
            return None
        expires = max(change.at, (self.clock or get_clock()).now()) + RETENTION + TTL_SLACK
        self.repository.record(change, int(expires.timestamp()))
        return change


# --- reading (GET /api/changes) ------------------------------------------------------------------------

class FeedPage(Struct, frozen=True):
    changes: list[Change]
    cursor: str  # where the next read starts (also when nothing was there: poll again with it)
    has_more: bool


class FeedCursor(Struct, frozen=True):
    position: str | None  # None: before the first change
    read_at: datetime


def parse_types(types: str | None) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(part.strip() for part in (types or "").split(",") if part.strip()))
    unknown = [kind for kind in wanted if kind not in keys.CHANGE_ENTITY_TYPES]
    if unknown:
        raise ValidationFailed.field("types", f"Unknown entity types {', '.join(unknown)}; known: {', '.join(keys.CHANGE_ENTITY_TYPES)}", where="query")
    return wanted


def cursor_expired(cursor: FeedCursor, now: datetime) -> bool:
    """A cursor read longer than RETENTION ago may have missed changes that have expired since."""
    return now - cursor.read_at > RETENTION


class ChangeFeed:
    def __init__(self, repository: ChangeRepository | None = None, clock: Clock | None = None):
        self.repository = repository or ChangeRepository()
        self.clock = clock

    def read(self, ctx: TenantContext, since: str | None, types: str | None, limit: int) -> FeedPage:
        wanted = parse_types(types)
        now = (self.clock or get_clock()).now()
        if since == SINCE_NOW:
            return FeedPage([], self._encode(ctx, FeedCursor(self.repository.tail(ctx.org_id), now)), False)
        start = self._decode(ctx, since) if since else FeedCursor(None, now)
        if cursor_expired(start, now):
            raise Gone(f"This cursor is older than the change log's retention ({RETENTION.days} days): changes may have expired since. "
                       "Re-sync: take a fresh cursor with GET /api/changes?since=now, read every resource, then follow the feed from that cursor",
                       code="CURSOR_EXPIRED")
        owner = None if ctx.is_admin else ctx.user_id
        page = self.repository.page(ctx.org_id, after=start.position, owner=owner, types=wanted, limit=limit, now=now)
        position = page.last_evaluated or (page.changes[-1].position if page.changes else start.position)
        return FeedPage(page.changes, self._encode(ctx, FeedCursor(position, now)), page.last_evaluated is not None)

    @staticmethod
    def _encode(ctx: TenantContext, cursor: FeedCursor) -> str:
        return sign_cursor(ctx.org_id, {"p": cursor.position or "", "t": int(cursor.read_at.timestamp())}, CURSOR_SCOPE)

    @staticmethod
    def _decode(ctx: TenantContext, token: str) -> FeedCursor:
        value = read_cursor(ctx.org_id, token, CURSOR_SCOPE)
        position, read_at = value.get("p"), value.get("t")
        if not isinstance(position, str) or not isinstance(read_at, int) or (position and not position.isdigit()):
            raise ValidationFailed.field("since", "The cursor is malformed", where="query")
        return FeedCursor(position or None, datetime.fromtimestamp(read_at, timezone.utc))
