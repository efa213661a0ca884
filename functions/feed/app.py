"""Change feed routes (and webhooks): what changed in the organization since a cursor. The rules
live in sandglass.services.changes; the log is written by functions/changes_stream."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Optional

from aws_lambda_powertools.event_handler.openapi.params import Query

from sandglass.http.resolver import create_app
from sandglass.http.tenant import tenant
from sandglass.models.changes import ChangesPage, change_view
from sandglass.services.changes import ChangeFeed

app = create_app()

# one service per container, built on the first request (not at import: cold start)
feed = cache(ChangeFeed)

Since = Annotated[Optional[str], Query(max_length=4096, description="A cursor from a previous read's nextCursor; `now` for the log's current end; none: from the oldest change kept")]
Types = Annotated[Optional[str], Query(max_length=500, description="Comma-separated entity types to include (default: all)")]
FeedLimit = Annotated[int, Query(ge=1, le=500, description="Page size")]


@app.get("/changes", tags=["Changes"], summary="Changes since a cursor, in commit order (tombstones for deletes; 410 CURSOR_EXPIRED past the retention)")
def get_changes(since: Since = None, types: Types = None, limit: FeedLimit = 100) -> ChangesPage:
    page = feed().read(tenant(app), since, types, limit)
    return ChangesPage(changes=[change_view(change) for change in page.changes], nextCursor=page.cursor, hasMore=page.has_more)


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
