"""The served OpenAPI 3.1 document: every API function's schema merged (powertools OpenAPIMerge)."""

from __future__ import annotations

import json
from typing import Any

from sandglass_local.gateway import Gateway


def merged_schema(gateway: Gateway) -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
    from aws_lambda_powertools.event_handler.openapi.models import Server

    merge = OpenAPIMerge(
        title="Sandglass API",
        version="0.1.0",
        description="Sandtime.io-compatible time tracking API. Authenticate with `Authorization: Bearer <JWT>`; "
        "the organization comes from the host's first label or the `X-Organization` header.",
        servers=[Server(url="/api")],
        security_schemes={"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        security=[{"bearerAuth": []}],
        on_conflict="first",
    )
    api_functions = {route.function for route in gateway.routes}
    for logical_id in sorted(api_functions):
        app = gateway.module(logical_id).app
        merge.add_schema(json.loads(app.get_openapi_json_schema(title="Sandglass API", version="0.1.0")))
    return json.loads(merge.get_openapi_json_schema())
