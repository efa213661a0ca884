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
# The Clockify v1 surface's own document (its routes are under /v1/, its errors and ids its own)
CLOCKIFY_SHIPPED = tpl.ROOT / "functions" / "openapi" / "clockify.json"
CLOCKIFY_PATH = "/openapi/clockify.json"
CLOCKIFY_PREFIX = "/v1/"
CLOCKIFY_ROOTS = (CLOCKIFY_PREFIX + "user", CLOCKIFY_PREFIX + "workspaces")  # 4me's /v1/timesheets is not Clockify's


def _is_clockify(path: str) -> bool:
    return any(path == root or path.startswith(root + "/") for root in CLOCKIFY_ROOTS)


def _clockify_functions(gateway: Gateway) -> set[str]:
    return {route.function for route in gateway.routes if _is_clockify(route.path)}

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
    api_functions = {route.function for route in gateway.routes} - _clockify_functions(gateway)
    for logical_id in sorted(api_functions):
        app = getattr(gateway.module(logical_id), "app", None)
        if app is not None:  # OpenApiFunction serves this document and has no app
            merge.add_schema(json.loads(app.get_openapi_json_schema(title="Sandglass API", version="0.1.0")))
    document = json.loads(merge.get_openapi_json_schema())
    operation = json.loads(json.dumps(SELF_OPERATION))
    for status in ("429", "500"):
        operation["responses"][status] = {"description": ERROR_STATUSES[status], "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    document["paths"][PATH] = {"get": operation}
    clockify = json.loads(json.dumps(operation))
    clockify.update(summary="The Clockify v1 surface's OpenAPI 3.1 document (no credentials)", operationId="get-openapi-clockify-json")
    clockify["responses"]["200"]["description"] = "The OpenAPI document of the Clockify v1 routes (docs/clockify.md)"
    document["paths"][CLOCKIFY_PATH] = {"get": clockify}
    return document


def clockify_schema(gateway: Gateway) -> dict[str, Any]:
    """The Clockify v1 surface's document: its route groups only, Clockify's operationIds, its
    error body and its credentials (X-Api-Key, or a Bearer token)."""
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
    from aws_lambda_powertools.event_handler.openapi.models import Server

    merge = OpenAPIMerge(
        title="Sandglass API: Clockify v1 surface",
        version="0.1.0",
        description="Clockify API v1-compatible routes (docs/clockify.md): point a Clockify client's base URL at `<host>/api/v1`. "
        "Authenticate with `X-Api-Key: <key>` (a Sandglass personal API key) or `Authorization: Bearer <JWT>`; the workspace "
        "is the path's 24-hex `workspaceId`. Errors are `{message, code}`; 401 is `{description, code: 1000}`.",
        servers=[Server(url="/api")],
        security_schemes={"apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
                          "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        security=[{"apiKey": []}, {"bearerAuth": []}],
        on_conflict="first",
    )
    for logical_id in sorted(_clockify_functions(gateway)):
        merge.add_schema(json.loads(gateway.module(logical_id).app.get_openapi_json_schema(title="Clockify", version="0.1.0")))
    document = json.loads(merge.get_openapi_json_schema())
    error = {"type": "object", "required": ["code"], "properties": {"message": {"type": "string"}, "description": {"type": "string"},
                                                                   "code": {"type": "integer"}}}
    document.setdefault("components", {}).setdefault("schemas", {})["ClockifyError"] = error
    statuses = {"400": "Bad request", "401": "No or bad credentials ({description, code: 1000})", "403": "Not allowed",
                "404": "Not found (the body's code is 404 too)", "409": "Conflict (locked period, running timer)", "429": "Too many requests"}
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.pop("422", None)
            # a Clockify POST that creates answers 201; the webhook log is a POST that reads (200)
            if method == "post" and "200" in responses and not path.endswith("/logs"):
                responses["201"] = {**responses.pop("200"), "description": "Created"}
            if method == "delete" and path.endswith("/time-entries/{id}"):  # a time entry's delete answers 204, no body
                responses.pop("200", None)
                responses["204"] = {"description": "Deleted"}
            for status, text in statuses.items():
                operation["responses"].setdefault(status, {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClockifyError"}}}})
    return document


def render(document: dict[str, Any]) -> str:
    """The shipped file's text (stable: a rebuild of unchanged code changes no byte)."""
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def build() -> dict[str, Any]:
    """The document from the code alone: no database, no state (build time)."""
    gateway = Gateway(table_name="sandglass-openapi", environment={"JWT_SECRET": "build", "JWT_SECRET_PARAMETER": "", "CORS_ORIGINS": ""})
    return merged_schema(gateway)


def build_clockify() -> dict[str, Any]:
    gateway = Gateway(table_name="sandglass-openapi", environment={"JWT_SECRET": "build", "JWT_SECRET_PARAMETER": "", "CORS_ORIGINS": ""})
    return clockify_schema(gateway)


def write(target=SHIPPED, clockify_target=CLOCKIFY_SHIPPED) -> None:
    target.write_text(render(build()), encoding="utf-8")
    clockify_target.write_text(render(build_clockify()), encoding="utf-8")
