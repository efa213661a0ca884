"""Webhooks, their counter and their delivery log.

Items (all under PK ``ORG#<orgId>``, so the organization purge removes them):
- webhook, keys.webhook: id, owner, name, url, event, triggerSourceType, triggerSource (a list),
  token, enabled, createdAt, version, failingSince?, disabledReason?;
- counter, keys.webhook_counts: ``total`` and ``owner#<memberId>`` numbers; a create ADDs one to
  both under ``total < 100 AND owner# < 10`` in the webhook's transaction, a delete subtracts;
- delivery log, keys.webhook_delivery(webhook, event id): eventId, eventType, entityType, entityId,
  status (PENDING | DELIVERED | RETRYING | DEAD | SKIPPED), attempts, statusCode, latencyMs,
  error, responseBody (capped), lastAttemptAt, nextAttemptAt, expiresAt (TTL).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandglass import keys
from sandglass.entities.webhooks import Deliveries, Delivery, Webhook
from sandglass.errors import Conflict, NotFound, stale_write
from sandglass.storage.table import Table
from sandglass.storage.transaction import UnitOfWork
from sandglass.timefmt import iso, parse_instant


def to_item(webhook: Webhook) -> dict[str, Any]:
    item = {**keys.webhook(webhook.org_id, webhook.id), "id": webhook.id, "owner": webhook.owner, "name": webhook.name, "url": webhook.url,
            "event": webhook.event, "triggerSourceType": webhook.trigger_source_type, "triggerSource": list(webhook.trigger_source),
            "token": webhook.token, "enabled": webhook.enabled, "createdAt": iso(webhook.created_at), "version": webhook.version}
    if webhook.failing_since:
        item["failingSince"] = iso(webhook.failing_since)
    if webhook.disabled_reason:
        item["disabledReason"] = webhook.disabled_reason
    return item


def _number(value: Any) -> int | None:
    return None if value is None else int(value)


def delivery_from_item(item: dict[str, Any]) -> Delivery:
    """A delivery-log item -> the entity."""
    return Delivery(event_id=item["eventId"], event_type=item["eventType"], entity_type=item["entityType"], entity_id=item["entityId"],
                    status=item["status"], last_attempt_at=parse_instant(item["lastAttemptAt"]), attempts=int(item.get("attempts", 0)),
                    status_code=_number(item.get("statusCode")), latency_ms=_number(item.get("latencyMs")),
                    response_body=item.get("responseBody"), error=item.get("error"),
                    next_attempt_at=parse_instant(item["nextAttemptAt"]) if item.get("nextAttemptAt") else None)


def from_item(org_id: str, item: dict[str, Any]) -> Webhook:
    return Webhook(org_id=org_id, id=item["id"], owner=item["owner"], name=item["name"], url=item["url"], event=item["event"],
                   trigger_source_type=item["triggerSourceType"], trigger_source=tuple(item.get("triggerSource") or ()),
                   token=item["token"], enabled=bool(item["enabled"]), created_at=parse_instant(item["createdAt"]),
                   version=int(item.get("version", 1)),
                   failing_since=parse_instant(item["failingSince"]) if item.get("failingSince") else None,
                   disabled_reason=item.get("disabledReason"))


class WebhookRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def get(self, org_id: str, webhook_id: str) -> Webhook | None:
        item = self.table.get(keys.webhook(org_id, webhook_id))
        return None if item is None else from_item(org_id, item)

    def list(self, org_id: str) -> list[Webhook]:
        """Every webhook of the organization (at most 100: one or two Query pages)."""
        found = []
        for page in self.table.query_all(key_condition="PK = :pk AND begins_with(SK, :prefix)",
                                         values={":pk": keys.org_pk(org_id), ":prefix": keys.WEBHOOK_SK_PREFIX}):
            found.extend(from_item(org_id, item) for item in page)
        return found

    def stage_create(self, tx: UnitOfWork, webhook: Webhook, *, per_owner: int, per_org: int, fail_owner: Exception, fail_org: Exception) -> None:
        tx.put(to_item(webhook), "attribute_not_exists(PK)", fail=Conflict("A webhook with this id exists"))
        # one counter item for both limits; the transaction's failure names the org limit (the stricter
        # owner limit is checked by the service on a read first, for a precise message)
        tx.update(keys.webhook_counts(webhook.org_id), "ADD #total :one, #owner :one", {"#total": "total", "#owner": f"owner#{webhook.owner}"},
                  {":one": 1, ":org": per_org, ":mine": per_owner},
                  condition="(attribute_not_exists(#total) OR #total < :org) AND (attribute_not_exists(#owner) OR #owner < :mine)", fail=fail_org)

    def counts(self, org_id: str) -> dict[str, Any]:
        return self.table.get(keys.webhook_counts(org_id)) or {}

    def stage_replace(self, tx: UnitOfWork, webhook: Webhook, expected_version: int) -> None:
        tx.put(to_item(webhook), "#v = :expected", {"#v": "version"}, {":expected": expected_version}, fail=stale_write("webhook", expected_version))

    def stage_delete(self, tx: UnitOfWork, webhook: Webhook, expected_version: int | None) -> None:
        if expected_version is None:
            tx.delete(keys.webhook(webhook.org_id, webhook.id), "attribute_exists(PK)", fail=NotFound("Webhook not found"))
        else:
            tx.delete(keys.webhook(webhook.org_id, webhook.id), "#v = :expected", {"#v": "version"}, {":expected": expected_version},
                      fail=stale_write("webhook", expected_version))
        tx.update(keys.webhook_counts(webhook.org_id), "ADD #total :minus, #owner :minus", {"#total": "total", "#owner": f"owner#{webhook.owner}"},
                  {":minus": -1})

    # --- delivery side ---------------------------------------------------------------------------
    def mark_failing(self, org_id: str, webhook_id: str, now: datetime) -> Webhook | None:
        """Note the start of a run of failures (kept when one is running); the webhook after it."""
        try:
            item = self.table.update(keys.webhook(org_id, webhook_id), "SET failingSince = if_not_exists(failingSince, :now)",
                                     values={":now": iso(now)}, condition="attribute_exists(PK)", fail=NotFound("gone"))
        except NotFound:
            return None
        return from_item(org_id, item)

    def mark_healthy(self, org_id: str, webhook_id: str) -> None:
        try:
            self.table.update(keys.webhook(org_id, webhook_id), "REMOVE failingSince", condition="attribute_exists(failingSince)",
                              fail=NotFound("healthy"))
        except NotFound:
            pass

    def disable(self, org_id: str, webhook_id: str, reason: str) -> bool:
        """Disable a webhook that is still enabled; False when another attempt did it first."""
        try:
            self.table.update(keys.webhook(org_id, webhook_id), "SET enabled = :false, disabledReason = :why ADD #v :one",
                              {"#v": "version"}, {":false": False, ":true": True, ":why": reason, ":one": 1},
                              condition="enabled = :true", fail=NotFound("disabled"))
        except NotFound:
            return False
        return True

    def log_attempt(self, org_id: str, webhook_id: str, event_id: str, fields: dict[str, Any]) -> None:
        """Record one attempt in the event's delivery log item (one UpdateItem; `attempts` counts them)."""
        names = {f"#f{n}": name for n, name in enumerate(fields)}
        values: dict[str, Any] = {f":f{n}": value for n, value in enumerate(fields.values())}
        values[":one"] = 1
        assignments = ", ".join(f"#f{n} = :f{n}" for n in range(len(fields)))
        self.table.update(keys.webhook_delivery(org_id, webhook_id, event_id), f"SET {assignments} ADD attempts :one", names, values)

    def deliveries(self, org_id: str, webhook_id: str, limit: int, cursor: str | None) -> Deliveries:
        """The webhook's delivery log, newest event first (a signed-cursor page)."""
        page = self.table.query_page(org_id=org_id, scope=f"webhook-deliveries:{webhook_id}", key_condition="PK = :pk AND begins_with(SK, :prefix)",
                                     values={":pk": keys.org_pk(org_id), ":prefix": keys.webhook_delivery_prefix(webhook_id)},
                                     limit=limit, cursor=cursor, forward=False, consistent=True)
        return Deliveries(items=tuple(delivery_from_item(item) for item in page.items), cursor=page.cursor)
