"""Webhooks on the Sandtime surface: definitions (Clockify's fields and event names) and the delivery log."""

from typing import Literal, Optional

from pydantic import BaseModel, Field

from sandglass.entities.webhooks import Delivery, Webhook
from sandglass.models import ApiModel
from sandglass.models.common import EntityId, Name
from sandglass.timefmt import iso

TriggerType = Literal["WORKSPACE_ID", "PROJECT_ID", "USER_ID"]
Url = Field(min_length=8, max_length=2000, description="Where events are POSTed: https (http://127.0.0.1 only under `make dev`)")


class WebhookCreate(ApiModel):
    name: Name = Field(min_length=2, max_length=30)
    url: str = Url
    webhookEvent: str = Field(max_length=64, description="The one event type this webhook receives, e.g. NEW_TIME_ENTRY")
    triggerSourceType: TriggerType = "WORKSPACE_ID"
    triggerSource: list[EntityId] = Field(default_factory=list, max_length=100, description="Project or member ids (PROJECT_ID / USER_ID)")


class WebhookUpdate(ApiModel):
    name: Optional[Name] = Field(None, min_length=2, max_length=30)
    url: Optional[str] = Field(None, min_length=8, max_length=2000)
    webhookEvent: Optional[str] = Field(None, max_length=64)
    triggerSourceType: Optional[TriggerType] = None
    triggerSource: Optional[list[EntityId]] = Field(None, max_length=100)
    enabled: Optional[bool] = Field(None, description="false pauses deliveries; true enables a webhook disabled after failing")


class WebhookOut(BaseModel, defer_build=True):
    id: str
    name: str
    url: str
    webhookEvent: str
    triggerSourceType: TriggerType
    triggerSource: list[str]
    enabled: bool
    userId: str = Field(description="The Administrator who created it")
    authToken: str = Field(description="Sent as Clockify-Signature, and the key of Sandglass-Signature's HMAC")
    createdAt: str
    failingSince: Optional[str] = None
    disabledReason: Optional[str] = None


class WebhookDelivery(BaseModel, defer_build=True):
    eventId: str
    eventType: str
    entityType: str
    entityId: str
    status: Literal["DELIVERED", "RETRYING", "DEAD", "SKIPPED"]
    attempts: int
    statusCode: Optional[int] = None
    latencyMs: Optional[int] = None
    responseBody: Optional[str] = None
    error: Optional[str] = None
    lastAttemptAt: str
    nextAttemptAt: Optional[str] = None


def webhook_view(webhook: Webhook) -> WebhookOut:
    return WebhookOut(id=webhook.id, name=webhook.name, url=webhook.url, webhookEvent=webhook.event, triggerSourceType=webhook.trigger_source_type,
                      triggerSource=list(webhook.trigger_source), enabled=webhook.enabled, userId=webhook.owner, authToken=webhook.token,
                      createdAt=iso(webhook.created_at), failingSince=iso(webhook.failing_since) if webhook.failing_since else None,
                      disabledReason=webhook.disabled_reason)


def delivery_view(delivery: Delivery) -> WebhookDelivery:
    return WebhookDelivery(eventId=delivery.event_id, eventType=delivery.event_type, entityType=delivery.entity_type, entityId=delivery.entity_id,
                           status=delivery.status, attempts=delivery.attempts, statusCode=delivery.status_code, latencyMs=delivery.latency_ms,
                           responseBody=delivery.response_body, error=delivery.error, lastAttemptAt=iso(delivery.last_attempt_at),
                           nextAttemptAt=iso(delivery.next_attempt_at) if delivery.next_attempt_at else None)
