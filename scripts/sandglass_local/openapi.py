"""The served OpenAPI 3.1 document: every API function's schema merged (powertools OpenAPIMerge).

The dev server renders it from the code on first request; deployed, `GET /api/openapi.json` answers
the copy written at build time (`make openapi`, i.e. `python -m sandglass_local openapi --write`)
into the OpenApiFunction's folder, so no deployed function renders it."""

from __future__ import annotations

import json
from typing import Any

from sandglass_local import template as tpl
from sandglass_local.gateway import Gateway

SHIPPED = tpl.ROOT / "functions" / "openapi" / "openapi.json"
PATH = "/openapi.json"

# The document's own operation: served by OpenApiFunction (no powertools app to describe it).
SELF_OPERATION: dict[str, Any] = {
    "tags": ["Health"],
    "summary": "This OpenAPI 3.1 document (no credentials)",
    "operationId": "get-openapi-json",
    "security": [],
    "responses": {
        "200": {
            "description": "The OpenAPI document, built from the code of every route group",
            "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["openapi", "info", "paths"],
                "properties": {"openapi": {"type": "string"}, "info": {"type": "object"}, "paths": {"type": "object"},
                               "components": {"type": "object"}},
            }}},
        },
    },
}


def merged_schema(gateway: Gateway) -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
    from aws_lambda_powertools.event_handler.openapi.models import Server

    from sandglass.http.openapi import ERROR_STATUSES

    merge = OpenAPIMerge(
        title="Sandglass API",
        version="0.1.0",
        description="Sandtime.io-compatible time tracking API. Authenticate with `Authorization: Bearer <JWT>` or a personal "
        "API key (`X-Api-Key: <key>`, from POST /api-keys; one of the two per request); "
        "the organization comes from the host's first label or the `X-Organization` header.",
        servers=[Server(url="/api")],
        security_schemes={"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        security=[{"bearerAuth": []}],
        on_conflict="first",
    )
    api_functions = {route.function for route in gateway.routes}
    for logical_id in sorted(api_functions):
        app = getattr(gateway.module(logical_id), "app", None)
        if app is not None:  # OpenApiFunction serves this document and has no app
            merge.add_schema(json.loads(app.get_openapi_json_schema(title="Sandglass API", version="0.1.0")))
    document = json.loads(merge.get_openapi_json_schema())
    operation = json.loads(json.dumps(SELF_OPERATION))
    for status in ("429", "500"):
        operation["responses"][status] = {"description": ERROR_STATUSES[status], "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    document["paths"][PATH] = {"get": operation}
    return document


def render(document: dict[str, Any]) -> str:
    """The shipped file's text (stable: a rebuild of unchanged code changes no byte)."""
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def build() -> dict[str, Any]:
    """The document from the code alone: no database, no state (build time)."""
    gateway = Gateway(table_name="sandglass-openapi", environment={"JWT_SECRET": "build", "JWT_SECRET_PARAMETER": "", "CORS_ORIGINS": ""})
    return merged_schema(gateway)


def write(target=SHIPPED) -> None:
    target.write_text(render(build()), encoding="utf-8")
