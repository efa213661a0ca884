"""Clockify v1: webhooks (list, create, get, update, delete, new token, logs) and the entity-change
feeds (created / updated / deleted) (docs/clockify.md, docs/webhooks.md, docs/changes.md).

Thin handlers over services.webhooks and services.changes; the mapping is the dialect's
(sandglass.dialects.clockify.webhooks). Lists of webhooks answer `{webhooks, workspaceWebhookCount}`;
logs page with 0-based `page` + `size`, the feeds with 0-based `page` + `limit`.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sandglass import ids
from sandglass.dialects.clockify import webhooks as hooks
from sandglass.dialects.clockify.resolver import create_app, query_values
from sandglass.dialects.clockify.tenant import Directory, project_id, workspace
from sandglass.errors import BadRequest, NotFound
from sandglass.services.changes import ChangeFeed
from sandglass.services.webhooks import WebhookService

app = create_app()
JSON = "application/json"
TAG = "Clockify"
FEED_PAGE = 500  # the change log is read this many changes at a time to fill a Clockify page
MAX_FEED_READS = 20

WorkspaceId = Annotated[str, Path(description="The workspace's 24-hex id")]
WebhookId = Annotated[str, Path(description="The webhook's 24-hex id")]
ZeroPage = Annotated[Optional[str], Query(description="0-based page number (default 0)")]
Size = Annotated[Optional[str], Query(description="Items per page (default 50)")]
Start = Annotated[Optional[str], Query(description="yyyy-MM-ddTHH:mm:ssZ")]

webhook_service = cache(WebhookService)
change_feed = cache(ChangeFeed)


def _number(value: str | None, name: str, default: int, least: int, most: int) -> int:
    if value is None or not str(value).strip():
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise BadRequest(f"{name}: not a number") from None
    if not least <= number <= most:
        raise BadRequest(f"{name}: between {least} and {most}")
    return number


class _Ids:
    """Clockify ids ↔ domain ids for one request (members read only when another member is named)."""

    def __init__(self, tenant):
        self.tenant = tenant
        self.directory = Directory(tenant)

    def person(self, member_id: str) -> str:
        return self.directory.person(member_id)

    def source(self, kind: str, value: str) -> str:
        return self.directory.person(value) if kind == "USER_ID" else ids.short_id(value) if ids.is_uuid(value) else value

    def resolve(self, kind: str, value: str) -> str:
        if kind == "PROJECT_ID":
            return project_id(self.tenant, value)
        if kind == "USER_ID":
            return self.directory.member(value)
        return value


def _view(tenant, workspace_id: str, webhook) -> dict:
    mapper = _Ids(tenant)
    return hooks.to_clockify(webhook, workspace_id.lower(), mapper.person, mapper.source).model_dump()


def _webhook(tenant, webhook_id: str):
    return hooks.find(webhook_service().list(tenant), webhook_id)


@app.get("/v1/workspaces/<workspaceId>/webhooks", tags=[TAG], operation_id="getWebhooks", summary="Get all webhooks on a workspace")
def get_webhooks(workspaceId: WorkspaceId, type: Annotated[Optional[str], Query(description="USER_CREATED (the only kind Sandglass has), SYSTEM or ADDON")] = None) -> hooks.Webhooks:
    tenant = workspace(app)
    found = webhook_service().list(tenant)
    chosen = found if (type or "USER_CREATED").upper() == "USER_CREATED" else []
    mapper = _Ids(tenant)
    return hooks.Webhooks(webhooks=[hooks.to_clockify(w, workspaceId.lower(), mapper.person, mapper.source) for w in chosen], workspaceWebhookCount=len(found))


@app.get("/v1/workspaces/<workspaceId>/addons/<addonId>/webhooks", tags=[TAG], operation_id="getAddonWebhooks",
         summary="Get all webhooks of an add-on (Sandglass has no add-ons: none)")
def get_addon_webhooks(workspaceId: WorkspaceId, addonId: Annotated[str, Path(description="The add-on's 24-hex id")]) -> hooks.Webhooks:
    tenant = workspace(app)
    if not ids.is_short_id(addonId):
        raise NotFound("Addon not found")
    return hooks.Webhooks(webhooks=[], workspaceWebhookCount=len(webhook_service().list(tenant)))


@app.post("/v1/workspaces/<workspaceId>/webhooks", tags=[TAG], operation_id="createWebhook", summary="Create a webhook (10 per admin, 100 per workspace)")
def post_webhook(workspaceId: WorkspaceId, body: hooks.WebhookRequest) -> Response[hooks.Webhook]:
    tenant = workspace(app)
    if not body.url or not body.webhookEvent:
        raise BadRequest("url and webhookEvent are required")
    fields = hooks.from_clockify(body, _Ids(tenant).resolve)
    created = webhook_service().create(tenant, fields.get("name") or body.webhookEvent[:30], fields["url"], fields["webhookEvent"],
                                       fields.get("triggerSourceType", "WORKSPACE_ID"), fields.get("triggerSource", []))
    return Response(201, JSON, _view(tenant, workspaceId, created))


@app.get("/v1/workspaces/<workspaceId>/webhooks/<webhookId>", tags=[TAG], operation_id="getWebhook", summary="Get a webhook by id")
def get_webhook(workspaceId: WorkspaceId, webhookId: WebhookId) -> hooks.Webhook:
    tenant = workspace(app)
    return _view(tenant, workspaceId, _webhook(tenant, webhookId))


@app.put("/v1/workspaces/<workspaceId>/webhooks/<webhookId>", tags=[TAG], operation_id="updateWebhook", summary="Update a webhook (the create body)")
def put_webhook(workspaceId: WorkspaceId, webhookId: WebhookId, body: hooks.WebhookRequest) -> hooks.Webhook:
    tenant = workspace(app)
    current = _webhook(tenant, webhookId)
    updated = webhook_service().update(tenant, current.id, hooks.from_clockify(body, _Ids(tenant).resolve, current.trigger_source_type), None)
    return _view(tenant, workspaceId, updated)


@app.delete("/v1/workspaces/<workspaceId>/webhooks/<webhookId>", tags=[TAG], operation_id="deleteWebhook", summary="Delete a webhook (answers it)")
def delete_webhook(workspaceId: WorkspaceId, webhookId: WebhookId) -> hooks.Webhook:
    tenant = workspace(app)
    current = _webhook(tenant, webhookId)
    webhook_service().delete(tenant, current.id, None)
    return _view(tenant, workspaceId, current)


@app.patch("/v1/workspaces/<workspaceId>/webhooks/<webhookId>/token", tags=[TAG], operation_id="generateNewToken",
           summary="Generate a new token (the previous one stops at once)")
def patch_webhook_token(workspaceId: WorkspaceId, webhookId: WebhookId) -> hooks.Webhook:
    tenant = workspace(app)
    return _view(tenant, workspaceId, webhook_service().rotate_token(tenant, _webhook(tenant, webhookId).id))


@app.post("/v1/workspaces/<workspaceId>/webhooks/<webhookId>/logs", tags=[TAG], operation_id="getLogsForWebhook",
          summary="The webhook's delivery log (0-based page, size)")
def post_webhook_logs(workspaceId: WorkspaceId, webhookId: WebhookId, body: Optional[hooks.WebhookLogRequest] = None,
                      page: ZeroPage = None, size: Size = None) -> list[hooks.WebhookLog]:
    tenant = workspace(app)
    wanted_page, wanted_size = _number(page, "page", 0, 0, 1000), _number(size, "size", 50, 1, 500)
    current = _webhook(tenant, webhookId)
    request = body or hooks.WebhookLogRequest()
    found = webhook_service().deliveries(tenant, current.id, min(500, (wanted_page + 1) * wanted_size), None).items
    wanted = hooks.log_filter(request)
    chosen = [delivery for delivery in found if wanted(delivery)]
    if request.sortByNewest is False:
        chosen.reverse()
    short = hooks.webhook_short_id(current)
    return [hooks.log_entry(delivery, short).model_dump() for delivery in chosen[wanted_page * wanted_size:(wanted_page + 1) * wanted_size]]


def _changes(tenant, kinds: str, operation: str, window, page: int, limit: int) -> list:
    """The page-th `limit` changes of `operation` in the window (oldest first), read in FEED_PAGE steps."""
    first, last = window
    found, cursor = [], None
    for _ in range(MAX_FEED_READS):
        read = change_feed().read(tenant, cursor, kinds, FEED_PAGE)
        found.extend(change for change in read.changes if change.operation == operation
                     and (first is None or change.at >= first) and (last is None or change.at <= last))
        cursor = read.cursor
        if not read.has_more or len(found) > (page + 1) * limit:
            break
    return found[page * limit:(page + 1) * limit]


def _feed(workspace_id: str, operation: str, start: str | None, end: str | None, page: str | None, limit: str | None):
    tenant = workspace(app)
    kinds = hooks.entity_types(query_values(app, "type"))
    chosen = _changes(tenant, kinds, operation, hooks.window(start, end), _number(page, "page", 0, 0, 10000), _number(limit, "limit", 50, 1, 1000))
    if operation == "deleted":
        return {"response": [hooks.deleted(change, workspace_id.lower()).model_dump() for change in chosen]}
    mapper = _Ids(tenant)
    return [hooks.document(change, workspace_id.lower(), mapper.person).model_dump() for change in chosen]


FeedType = Annotated[Optional[str], Query(description="TIME_ENTRY (required, repeatable)")]


@app.get("/v1/workspaces/<workspaceId>/entities/created", tags=[TAG], operation_id="getCreatedEntityInfo", summary="Entities created (change log)")
def get_created(workspaceId: WorkspaceId, type: FeedType = None, start: Start = None, end: Start = None, page: ZeroPage = None,
                limit: Size = None) -> list[hooks.EntityDocument]:
    return _feed(workspaceId, "created", start, end, page, limit)


@app.get("/v1/workspaces/<workspaceId>/entities/updated", tags=[TAG], operation_id="getUpdatedEntityInfo", summary="Entities updated (change log)")
def get_updated(workspaceId: WorkspaceId, type: FeedType = None, start: Start = None, end: Start = None, page: ZeroPage = None,
                limit: Size = None) -> list[hooks.EntityDocument]:
    return _feed(workspaceId, "updated", start, end, page, limit)


@app.get("/v1/workspaces/<workspaceId>/entities/deleted", tags=[TAG], operation_id="getDeletedEntityInfo", summary="Entities deleted (change log, tombstones)")
def get_deleted(workspaceId: WorkspaceId, type: FeedType = None, start: Start = None, end: Start = None, page: ZeroPage = None,
                limit: Size = None) -> hooks.DeletedEntities:
    return _feed(workspaceId, "deleted", start, end, page, limit)


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
