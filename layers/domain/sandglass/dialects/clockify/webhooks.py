"""Webhooks and entity-change feeds in Clockify's words, over services.webhooks and services.changes.

Webhook ids are the 24-hex form of the domain's UUIDs (resolved among the workspace's webhooks: at
most 100); trigger sources are Clockify project or user ids, mapped to the domain's. The delivery
log answers Clockify's `[{id, webhookId, statusCode, requestBody, responseBody, respondedAt}]`.
"""

import hashlib
from datetime import datetime, timedelta
from typing import Any, Callable, Optional

from pydantic import Field

from sandglass import ids
from sandglass.dialects.clockify import wire
from sandglass.dialects.clockify.models import ClockifyModel
from sandglass.entities.changes import Change
from sandglass.entities.webhooks import Delivery, Webhook as DomainWebhook
from sandglass.errors import BadRequest, NotFound
from sandglass.repositories.activities import from_item as activity_from_item
from sandglass.timefmt import iso

# Clockify's change feeds carry these document types; Sandglass logs time entries as activities
DOCUMENT_TYPES = {"TIME_ENTRY": "activity"}
WINDOW = timedelta(days=30)


class ClockifyWebhook(ClockifyModel):
    id: str
    name: str
    url: str
    userId: str
    workspaceId: str
    webhookEvent: str
    triggerSourceType: str
    triggerSource: list[str]
    enabled: bool
    authToken: str


Webhook = ClockifyWebhook


class Webhooks(ClockifyModel):
    webhooks: list[ClockifyWebhook]
    workspaceWebhookCount: int


class WebhookRequest(ClockifyModel):
    """POST and PUT take the same body (Clockify's); PUT leaves out what it does not set."""

    name: Optional[str] = Field(None, min_length=2, max_length=30)
    url: Optional[str] = Field(None, min_length=8, max_length=2000)
    webhookEvent: Optional[str] = Field(None, max_length=64)
    triggerSourceType: Optional[str] = Field(None, max_length=32)
    triggerSource: Optional[list[str]] = Field(None, max_length=100)


class WebhookLogRequest(ClockifyModel):
    status: Optional[str] = Field(None, description="ALL, SUCCEEDED or FAILED")
    sortByNewest: Optional[bool] = None
    from_: Optional[str] = Field(None, alias="from", description="yyyy-MM-ddThh:mm:ssZ: attempts after it")
    to: Optional[str] = Field(None, description="yyyy-MM-ddThh:mm:ssZ: attempts before it")


class WebhookLog(ClockifyModel):
    id: str
    webhookId: str
    statusCode: Optional[int] = None
    requestBody: Optional[str] = None
    responseBody: Optional[str] = None
    respondedAt: Optional[str] = None


class EntityDocument(ClockifyModel):
    """One time entry as the created/updated feeds answer it."""

    documentType: str
    id: str
    workspaceId: str
    userId: Optional[str] = None
    approvalStatus: Optional[str] = None  # Sandglass approves whole weeks, not entries
    kioskId: Optional[str] = None
    projectId: Optional[str] = None
    taskId: Optional[str] = None
    tagIds: list[str] = []
    description: str = ""
    billable: bool = False
    type: str = "REGULAR"
    timeInterval: dict[str, Optional[str]] = {}
    auditMetadata: dict[str, Optional[str]] = {}


class DeletedDocument(ClockifyModel):
    id: str
    deletedAt: str
    documentType: str
    document: dict[str, Any]


class DeletedEntities(ClockifyModel):
    """The deleted feed's answer: the tombstones wrapped in `response`, as the reference shows it."""

    response: list[DeletedDocument]


def webhook_short_id(webhook: DomainWebhook) -> str:
    return ids.short_id(webhook.id)


def find(webhooks: list[DomainWebhook], short_id: str) -> DomainWebhook:
    """The webhook a 24-hex id names among the workspace's, or 404."""
    wanted = (short_id or "").lower()
    for webhook in webhooks:
        if webhook_short_id(webhook) == wanted:
            return webhook
    raise NotFound("Webhook not found")


def to_clockify(webhook: DomainWebhook, workspace_id: str, person, source) -> Webhook:
    """`person(member_id)` and `source(kind, id)` give the Clockify ids of the owner and the sources."""
    return Webhook(id=webhook_short_id(webhook), name=webhook.name, url=webhook.url, userId=person(webhook.owner), workspaceId=workspace_id,
                   webhookEvent=webhook.event, triggerSourceType=webhook.trigger_source_type,
                   triggerSource=[source(webhook.trigger_source_type, value) for value in webhook.trigger_source] or ([workspace_id] if webhook.trigger_source_type == "WORKSPACE_ID" else []),
                   enabled=webhook.enabled, authToken=webhook.token)


def from_clockify(body: WebhookRequest, resolve, current_kind: str = "WORKSPACE_ID") -> dict[str, Any]:
    """The fields the body sets, in the service's words; `resolve(kind, clockify_id)` maps a trigger
    source (of the body's kind, else the webhook's current one)."""
    fields = {name: value for name, value in (("name", body.name), ("url", body.url), ("webhookEvent", body.webhookEvent),
                                              ("triggerSourceType", body.triggerSourceType)) if value is not None}
    if body.triggerSource is not None:
        kind = body.triggerSourceType or current_kind
        fields["triggerSource"] = [] if kind == "WORKSPACE_ID" else [resolve(kind, value) for value in body.triggerSource]
    return fields


def log_entry(delivery: Delivery, webhook_short: str) -> WebhookLog:
    """Sandglass keeps no request bodies in the log: `requestBody` is null."""
    return WebhookLog(id=hashlib.sha1(f"{webhook_short}:{delivery.event_id}".encode()).hexdigest()[:ids.SHORT_ID_LENGTH], webhookId=webhook_short,
                      statusCode=delivery.status_code, responseBody=delivery.response_body, respondedAt=iso(delivery.last_attempt_at))


def instant_or_none(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return wire.parse_instant(value)
    except ValueError:
        raise BadRequest(f"{name}: not a yyyy-MM-ddThh:mm:ssZ time") from None


def log_filter(request: WebhookLogRequest) -> Callable[[Delivery], bool]:
    """Whether a delivery-log entry is wanted by the request's status and from/to (pure)."""
    wanted = (request.status or "ALL").upper()
    if wanted not in ("ALL", "SUCCEEDED", "FAILED"):
        raise BadRequest("status: one of ALL, SUCCEEDED, FAILED")
    after, before = instant_or_none(request.from_, "from"), instant_or_none(request.to, "to")

    def wanted_delivery(delivery: Delivery) -> bool:
        at = delivery.last_attempt_at
        if (after and at < after) or (before and at > before):
            return False
        return wanted == "ALL" or (delivery.status == "DELIVERED") == (wanted == "SUCCEEDED")

    return wanted_delivery


def window(start: str | None, end: str | None) -> tuple[datetime | None, datetime | None]:
    """Clockify's feed window: one bound given, the other is 30 days from it; none: the whole log kept."""
    first, last = instant_or_none(start, "start"), instant_or_none(end, "end")
    if first and not last:
        last = first + WINDOW
    elif last and not first:
        first = last - WINDOW
    if first and last and first > last:
        raise BadRequest("start: after end")
    return first, last


def entity_types(values: list[str]) -> str:
    """Clockify's `type` (required, repeatable) as the feed's entity types."""
    if not values:
        raise BadRequest("type: required (TIME_ENTRY)")
    unknown = [value for value in values if value.upper() not in DOCUMENT_TYPES]
    if unknown:
        raise BadRequest(f"type: unsupported {', '.join(unknown)}; supported: {', '.join(DOCUMENT_TYPES)}")
    return ",".join(dict.fromkeys(DOCUMENT_TYPES[value.upper()] for value in values))


def _short(value: str | None) -> Optional[str]:
    return ids.short_id(value) if isinstance(value, str) and ids.is_uuid(value) else value


def document(change: Change, workspace_id: str, person) -> EntityDocument:
    """A created or updated time entry: the activity the change logged (its state after the write, read as
    the entity by the activity repository's own mapping)."""
    activity = activity_from_item(change.state or {})
    return EntityDocument(documentType="TIME_ENTRY", id=ids.short_id(change.entity_id), workspaceId=workspace_id,
                          userId=person(activity.user_id) if activity.user_id else None, projectId=_short(activity.project_id),
                          taskId=_short(activity.task_id), tagIds=[_short(tag) for tag in activity.tag_ids], description=activity.name or "",
                          billable=activity.billable, type=activity.type or "REGULAR",
                          timeInterval={"start": wire.instant(activity.started_at), "end": wire.instant(activity.ended_at)},
                          auditMetadata={"createdAt": wire.instant(activity.created_at), "updatedAt": wire.instant(change.at)})


def deleted(change: Change, workspace_id: str) -> DeletedDocument:
    return DeletedDocument(id=ids.short_id(change.entity_id), deletedAt=wire.instant(change.at), documentType="TIME_ENTRY",
                           document={"id": ids.short_id(change.entity_id), "workspaceId": workspace_id})
