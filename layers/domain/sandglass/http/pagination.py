"""Paging: the body keeps Sandtime's ID-keyed map; the next page's cursor travels in headers."""

from __future__ import annotations

from typing import Annotated, Any, Mapping, Optional
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Cursor = Annotated[Optional[str], Query(max_length=4096, description="Opaque cursor from the previous page's X-Next-Cursor")]


def next_page_headers(path: str, query: Mapping[str, Optional[str]], cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    params = {key: value for key, value in query.items() if key != "cursor" and value is not None}
    params["cursor"] = cursor
    return {"X-Next-Cursor": cursor, "Link": f'<{path}?{urlencode(params)}>; rel="next"'}


def map_page(app: APIGatewayRestResolver, items: Mapping[str, Any], cursor: str | None, query: Mapping[str, Optional[str]] | None = None) -> Response:
    """A 200 with the ID-keyed map and, when there is more, `X-Next-Cursor` and `Link` headers.
    `query` defaults to the request's own query string (what the next-page link repeats)."""
    event = app.current_event
    body = {key: model.model_dump(by_alias=True) if hasattr(model, "model_dump") else model for key, model in items.items()}
    query = dict(event.query_string_parameters or {}) if query is None else query
    return Response(status_code=200, content_type="application/json", body=body, headers=next_page_headers(event.path, query, cursor))
