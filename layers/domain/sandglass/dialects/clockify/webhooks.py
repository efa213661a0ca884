"""Webhooks and entity-change feeds in Clockify's words, over services.webhooks and services.changes.

Webhook ids are the 24-hex form of the domain's UUIDs (resolved among the workspace's webhooks: at
most 100); trigger sources are Clockify project or user ids, mapped to the domain's. The delivery
log answers Clockify's `[{id, webhookId, statusCode, requestBody, responseBody, respondedAt}]`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

from pydantic import Field

from sandglass import ids
from sandglass.dialects.clockify import wire
from sandglass.dialects.clockify.models import ClockifyModel
from sandglass.entities.changes import Change, json_value
from sandglass.entities.webhooks import Webhook as DomainWebhook
from sandglass.errors import BadRequest, NotFound

# Clockify's change feeds carry these document types; Sandglass logs time entries as activities
DOCUMENT_TYPES = {"TIME_ENTRY": "activity"}


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
    # `from` / `to` are accepted and not applied: the log keeps seven days at most
    from_: Optional[str] = Field(None, alias="from")
    to: Optional[str] = None


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


def from_clockify(body: WebhookRequest, resolve) -> dict[str, Any]:
    """The fields the body sets, in the service's words; `resolve(kind, clockify_id)` maps a trigger source."""
    fields = {name: value for name, value in (("name", body.name), ("url", body.url), ("webhookEvent", body.webhookEvent),
                                              ("triggerSourceType", body.triggerSourceType)) if value is not None}
    if body.triggerSource is not None:
        kind = body.triggerSourceType or "WORKSPACE_ID"
        fields["triggerSource"] = [] if kind == "WORKSPACE_ID" else [resolve(kind, value) for value in body.triggerSource]
    return fields


def log_entry(item: dict, webhook_short: str) -> WebhookLog:
    request = item.get("requestBody")
    return WebhookLog(id=hashlib.sha1(f"{webhook_short}:{item.get('eventId')}".encode()).hexdigest()[:ids.SHORT_ID_LENGTH], webhookId=webhook_short, statusCode=item.get("statusCode"),
                      requestBody=request if isinstance(request, str) or request is None else json.dumps(json_value(request)),
                      responseBody=item.get("responseBody"), respondedAt=item.get("lastAttemptAt"))


def log_wanted(item: dict, status: str | None) -> bool:
    wanted = (status or "ALL").upper()
    if wanted not in ("ALL", "SUCCEEDED", "FAILED"):
        raise BadRequest("status: one of ALL, SUCCEEDED, FAILED")
    return wanted == "ALL" or (item.get("status") == "DELIVERED") == (wanted == "SUCCEEDED")


def entity_types(values: list[str]) -> str:
    """Clockify's `type` (required, repeatable) as the feed's entity types."""
    if not values:
        raise BadRequest("type: required (TIME_ENTRY)")
    unknown = [value for value in values if value.upper() not in DOCUMENT_TYPES]
    if unknown:
        raise BadRequest(f"type: unsupported {', '.join(unknown)}; supported: {', '.join(DOCUMENT_TYPES)}")
    return ",".join(dict.fromkeys(DOCUMENT_TYPES[value.upper()] for value in values))


def _short(value: Any) -> Optional[str]:
    return ids.short_id(value) if isinstance(value, str) and ids.is_uuid(value) else value


def document(change: Change, workspace_id: str, person) -> EntityDocument:
    state = json_value(change.state or {})
    return EntityDocument(documentType="TIME_ENTRY", id=ids.short_id(change.entity_id), workspaceId=workspace_id,
                          userId=person(state["userId"]) if state.get("userId") else None, projectId=_short(state.get("projectId")),
                          taskId=_short(state.get("taskId")), tagIds=[_short(tag) for tag in state.get("tagIds") or []],
                          description=state.get("name") or state.get("description") or "", billable=bool(state.get("billable")),
                          timeInterval={"start": wire.instant(state.get("startedAt")), "end": wire.instant(state.get("endedAt"))},
                          auditMetadata={"createdAt": wire.instant(state.get("createdAt")), "updatedAt": wire.instant(change.at)})


def deleted(change: Change, workspace_id: str) -> DeletedDocument:
    return DeletedDocument(id=ids.short_id(change.entity_id), deletedAt=wire.instant(change.at), documentType="TIME_ENTRY",
                           document={"id": ids.short_id(change.entity_id), "workspaceId": workspace_id})
