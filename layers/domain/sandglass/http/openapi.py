"""What every operation's OpenAPI entry says beyond what powertools derives from the handler's
signature: the error statuses it can answer (with the one error schema the resolver produces),
the organization header, and the real header names. Applied by the resolver when it renders its
document, so every route group built with `create_app` is documented the same way.

Only imported when a document is rendered (never on a request path: cold start).
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from sandglass.services.idempotency import READ_ONLY

ERROR_REF = "#/components/schemas/Error"
ORGANIZATION_REF = "#/components/parameters/XOrganization"
# openapi_extensions={PUBLIC: True} on a route served without the authorizer (`Auth: NONE` in template.yaml);
# {PUBLIC: {"statuses": [...], "organization": True}} when it still answers those error statuses (its
# body carries a credential) and reads the organization header.
PUBLIC = "x-sandglass-public"

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code, e.g. VALIDATION_ERROR, NOT_FOUND, TIMER_RUNNING"},
                "message": {"type": "string", "description": "Human-readable explanation"},
                "details": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "in", "message", "type"],
                        "properties": {
                            "field": {"type": "string", "description": "The invalid field (dotted path), parameter or header"},
                            "in": {"type": "string", "enum": ["body", "query", "path", "header"]},
                            "message": {"type": "string"},
                            "type": {"type": "string", "description": "Machine-readable reason, e.g. string_too_long, control_character"},
                        },
                    },
                },
            },
        },
    },
}

ORGANIZATION_PARAMETER: dict[str, Any] = {
    "name": "X-Organization",
    "in": "header",
    "required": False,
    "description": "The organization's domain (e.g. `acme`) where the host names none (local dev, execute-api URLs); "
    "otherwise the host's first label (`acme.example.com`) is used.",
    "schema": {"type": "string", "maxLength": 63},
}

IDEMPOTENCY_REF = "#/components/parameters/IdempotencyKey"
IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "1 to 255 printable characters. A retry with the same key and request within 24 h answers the first "
    "(2xx) response (marked `Idempotent-Replayed: true`) and changes nothing; the same key with another body is 422 "
    "IDEMPOTENCY_KEY_REUSED; while the first request runs, 409 IDEMPOTENCY_IN_PROGRESS.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}

ERROR_STATUSES = {
    "400": "Malformed request: body not JSON or not UTF-8, JSON nested too deeply, bad cursor or If-Match",
    "401": "Missing, malformed, expired or wrongly signed bearer token",
    "403": "Not an active member of the organization, or not allowed to do this",
    "404": "No such organization, entity or route (another organization's ids answer 404 too)",
    "409": "Conflict: taken, duplicate, overlapping, locked, last Administrator or a concurrent change",
    "412": "The If-Match version is stale: someone else changed the entity first",
    "415": "The body is not JSON: send it with Content-Type: application/json (a UTF-8 charset and application/*+json types are read as JSON too)",
    "422": "Invalid fields: `details` names each one",
    "429": "Throttled: retry after a short backoff",
    "500": "Unexpected server error; the request was not applied",
}
# Response headers. ETag: the entities whose GET/POST/PUT answer carries their stored version
# (sandglass.http.etag, the activities' handler); paged lists (a `cursor` parameter) send the next
# page's cursor; every 429 says when to retry (the resolver's Throttled, API Gateway's THROTTLED).
ETAG_ENTITIES = {"Activity", "Client", "Geofence", "Group", "Organization", "Project", "ProjectMember", "Tag", "Task", "User", "WebhookOut"}
ETAG_HEADER = {"ETag": {"description": "The entity's version (a strong ETag such as \"3\"): send it back in If-Match",
                        "schema": {"type": "string", "pattern": '^"[0-9]+"$'}}}
PAGE_HEADERS = {
    "X-Next-Cursor": {"description": "The next page's cursor (pass it as ?cursor=); absent on the last page", "schema": {"type": "string"}},
    "Link": {"description": 'The next page\'s URL: <...?cursor=...>; rel="next"; absent on the last page', "schema": {"type": "string"}},
}
RETRY_AFTER_HEADER = {"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer", "minimum": 0}}}
_CHANGES = {"post", "put", "patch", "delete"}
_OPERATIONS = _CHANGES | {"get"}


def _error_response(status: str, error_ref: str = ERROR_REF) -> dict[str, Any]:
    response: dict[str, Any] = {"description": ERROR_STATUSES[status], "content": {"application/json": {"schema": {"$ref": error_ref}}}}
    if status == "429":
        response["headers"] = dict(RETRY_AFTER_HEADER)
    return response


def _declare_headers(operation: dict[str, Any]) -> None:
    """The headers a successful answer carries: ETag on an entity, the next page's cursor on a page."""
    ok = operation.get("responses", {}).get("200")
    if not ok:
        return
    schema = (ok.get("content") or {}).get("application/json", {}).get("schema") or {}
    if schema.get("$ref", "").rsplit("/", 1)[-1] in ETAG_ENTITIES:
        ok.setdefault("headers", {}).update(ETAG_HEADER)
    if any(p.get("in") == "query" and p.get("name") == "cursor" for p in operation.get("parameters") or []):
        ok.setdefault("headers", {}).update(PAGE_HEADERS)


def operation_id(method: str, path: str) -> str:
    """The Sandtime reference's operationId rule, for every route: the method and the path's segments,
    parameters without braces, joined by `-` (`get-projects-projectId-members`); any other character
    becomes `-` (`get-openapi-json`). Generated clients name their functions after it (`get_auth`)."""
    segments = [segment.strip("{}") for segment in path.split("/") if segment]
    return re.sub(r"[^A-Za-z0-9-]+", "-", "-".join([method.lower(), *segments]))


def statuses_for(method: str, operation: dict[str, Any]) -> list[str]:
    """The error statuses an operation can answer, from what it takes."""
    parameters = operation.get("parameters") or []
    takes_input = bool(operation.get("requestBody")) or any(p.get("in") in ("query", "header", "path") for p in parameters)
    statuses = ["401", "403", "404", "429", "500"]
    if takes_input:
        statuses += ["400", "422"]
    if operation.get("requestBody"):
        statuses.append("415")
    if method in _CHANGES:
        statuses.append("409")
    if any(str(p.get("name", "")).lower() == "if-match" for p in parameters):
        statuses.append("412")
    return sorted(statuses)


def document(schema: dict[str, Any], dialects: Sequence[Any] = ()) -> dict[str, Any]:
    """Add the error responses, the organization header and the error schema to a rendered document.
    `dialects`: the error modules of the wire dialects the function serves (http.resolver.create_app);
    their paths' errors are documented with the dialect's own ERROR_SCHEMA."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for errors in dialects:
        schemas[errors.ERROR_SCHEMA["title"]] = errors.ERROR_SCHEMA
    components.setdefault("parameters", {})["XOrganization"] = ORGANIZATION_PARAMETER
    components["parameters"]["IdempotencyKey"] = IDEMPOTENCY_PARAMETER
    for path, item in (schema.get("paths") or {}).items():
        error_ref = next((f"#/components/schemas/{errors.ERROR_SCHEMA['title']}" for errors in dialects if errors.serves(path)), ERROR_REF)
        for method, operation in item.items():
            if method not in _OPERATIONS:
                continue
            operation["operationId"] = operation_id(method, path)
            _declare_headers(operation)
            if method == "post" and path.removeprefix("/api") not in READ_ONLY:
                parameters = operation.setdefault("parameters", [])
                if not any(str(p.get("name", "")).lower() == "idempotency-key" or p.get("$ref") == IDEMPOTENCY_REF for p in parameters):
                    parameters.append({"$ref": IDEMPOTENCY_REF})
            responses = operation.setdefault("responses", {})
            for status, response in list(responses.items()):
                if "HTTPValidationError" in str(response.get("content")):
                    del responses[status]  # powertools' default 422, replaced by ours where it applies
                elif status == "204":
                    response.pop("content", None)  # powertools puts the return annotation here; a 204 has no body
                for media in (response.get("content") or {}).values():
                    if (media.get("schema") or {}).get("title") == "Return":  # powertools' name for every inline answer
                        del media["schema"]["title"]  # generated clients then name it after the operation
            public = operation.pop(PUBLIC, False)
            if public or operation.get("security") == []:  # no authorizer: no bearer token, no membership
                operation["security"] = []
                statuses = {"429", "500"} | set(public.get("statuses", ()) if isinstance(public, dict) else ())
                if operation.get("requestBody"):
                    statuses |= {"400", "415", "422"}
                responses.update({status: _error_response(status, error_ref) for status in sorted(statuses)})
                if isinstance(public, dict) and public.get("organization"):
                    operation.setdefault("parameters", []).append({"$ref": ORGANIZATION_REF})
                continue
            parameters = operation.setdefault("parameters", [])
            for parameter in parameters:
                # powertools lower-cases header names; Swagger UI shows (and sends) the name as written
                title = parameter.get("schema", {}).get("title", "")
                if parameter.get("in") == "header" and title.lower() == parameter.get("name"):
                    parameter["name"] = title
            if not any(p.get("$ref") == ORGANIZATION_REF for p in parameters):
                parameters.append({"$ref": ORGANIZATION_REF})
            for status in statuses_for(method, operation):
                responses[status] = _error_response(status, error_ref)
    for unused in ("HTTPValidationError", "ResponseValidationError", "ValidationError"):  # powertools defaults we never answer
        schemas.pop(unused, None)
    return schema
