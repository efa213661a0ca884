"""Change feed routes (and webhooks): what changed in the organization since a cursor. The rules
live in sandglass.services.changes; the log is written by functions/changes_stream."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query

from sandglass.http.etag import etag, parse_if_match
from sandglass.http.pagination import Cursor, Limit, next_page_headers
from sandglass.http.resolver import create_app
from sandglass.http.tenant import tenant
from sandglass.models import Empty
from sandglass.models.changes import ChangesPage, change_view
from sandglass.models.webhooks import WebhookCreate, WebhookDelivery, WebhookOut, WebhookUpdate, delivery_view, webhook_view
from sandglass.services.changes import ChangeFeed
from sandglass.services.webhooks import WebhookService

app = create_app()

# one service per container, built on the first request (not at import: cold start)
feed = cache(ChangeFeed)
webhooks = cache(WebhookService)

Since = Annotated[Optional[str], Query(max_length=4096, description="A cursor from a previous read's nextCursor; `now` for the log's current end; none: from the oldest change kept")]
Types = Annotated[Optional[str], Query(max_length=500, description="Comma-separated entity types to include (default: all)")]
FeedLimit = Annotated[int, Query(ge=1, le=500, description="Page size")]


@app.get("/changes", tags=["Changes"], summary="Changes since a cursor, in commit order (tombstones for deletes; 410 CURSOR_EXPIRED past the retention)")
def get_changes(since: Since = None, types: Types = None, limit: FeedLimit = 100) -> ChangesPage:
    page = feed().read(tenant(app), since, types, limit)
    return ChangesPage(changes=[change_view(change) for change in page.changes], nextCursor=page.cursor, hasMore=page.has_more)


def _versioned(webhook) -> Response:
    return Response(status_code=200, content_type="application/json", body=webhook_view(webhook), headers={"ETag": etag(webhook.version)})


WebhookId = Annotated[str, Path(max_length=64, description="The webhook identifier (UUID)")]
IfMatch = Annotated[Optional[str], Header(alias="If-Match")]


@app.get("/webhooks", tags=["Webhooks"], summary="List the organization's webhooks (Administrators)")
def list_webhooks() -> list[WebhookOut]:
    return [webhook_view(webhook) for webhook in webhooks().list(tenant(app))]


@app.post("/webhooks", tags=["Webhooks"], summary="Create a webhook (Administrators; 10 per Administrator, 100 per organization)")
def post_webhook(body: WebhookCreate) -> Response[WebhookOut]:
    created = webhooks().create(tenant(app), body.name, body.url, body.webhookEvent, body.triggerSourceType, body.triggerSource)
    return _versioned(created)


@app.get("/webhooks/<webhookId>", tags=["Webhooks"], summary="Get a webhook")
def get_webhook(webhookId: WebhookId) -> Response[WebhookOut]:
    found = webhooks().get(tenant(app), webhookId)
    return _versioned(found)


@app.put("/webhooks/<webhookId>", tags=["Webhooks"], summary="Update a webhook (any subset of fields; enabled: true re-enables a disabled one)")
def put_webhook(webhookId: WebhookId, body: WebhookUpdate, if_match: IfMatch = None) -> Response[WebhookOut]:
    updated = webhooks().update(tenant(app), webhookId, body.model_dump(exclude_unset=True), parse_if_match(if_match))
    return _versioned(updated)


@app.delete("/webhooks/<webhookId>", tags=["Webhooks"], summary="Delete a webhook")
def delete_webhook(webhookId: WebhookId, if_match: IfMatch = None) -> Empty:
    webhooks().delete(tenant(app), webhookId, parse_if_match(if_match))
    return {}


@app.post("/webhooks/<webhookId>/token", tags=["Webhooks"], summary="Generate a new token (the old one stops signing at once)")
def post_webhook_token(webhookId: WebhookId) -> Response[WebhookOut]:
    rotated = webhooks().rotate_token(tenant(app), webhookId)
    return _versioned(rotated)


@app.get("/webhooks/<webhookId>/deliveries", tags=["Webhooks"], summary="The delivery log, newest event first (status, attempts, response code, latency, next attempt)")
def get_webhook_deliveries(webhookId: WebhookId, limit: Limit = 100, cursor: Cursor = None) -> Response[list[WebhookDelivery]]:
    page = webhooks().deliveries(tenant(app), webhookId, limit, cursor)
    event = app.current_event
    return Response(status_code=200, content_type="application/json", body=[delivery_view(item).model_dump() for item in page.items],
                    headers=next_page_headers(event.path, dict(event.query_string_parameters or {}), page.cursor))


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
