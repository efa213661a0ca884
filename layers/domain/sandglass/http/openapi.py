"""What every operation's OpenAPI entry says beyond what powertools derives from the handler's
signature: the error statuses it can answer (with the one error schema the resolver produces),
the organization header, and the real header names. Applied by the resolver when it renders its
document, so every route group built with `create_app` is documented the same way.

Only imported when a document is rendered (never on a request path: cold start).
"""

from __future__ import annotations

from typing import Any

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
_CHANGES = {"post", "put", "patch", "delete"}
_OPERATIONS = _CHANGES | {"get"}


def _error_response(status: str) -> dict[str, Any]:
    return {"description": ERROR_STATUSES[status], "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}


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


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error responses, the organization header and the error schema to a rendered document."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    components.setdefault("parameters", {})["XOrganization"] = ORGANIZATION_PARAMETER
    for item in (schema.get("paths") or {}).values():
        for method, operation in item.items():
            if method not in _OPERATIONS:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in list(responses.items()):
                if "HTTPValidationError" in str(response.get("content")):
                    del responses[status]  # powertools' default 422, replaced by ours where it applies
                elif status == "204":
                    response.pop("content", None)  # powertools puts the return annotation here; a 204 has no body
            public = operation.pop(PUBLIC, False)
            if public or operation.get("security") == []:  # no authorizer: no bearer token, no membership
                operation["security"] = []
                statuses = {"429", "500"} | set(public.get("statuses", ()) if isinstance(public, dict) else ())
                if operation.get("requestBody"):
                    statuses |= {"400", "415", "422"}
                responses.update({status: _error_response(status) for status in sorted(statuses)})
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
                responses[status] = _error_response(status)
    for unused in ("HTTPValidationError", "ResponseValidationError", "ValidationError"):  # powertools defaults we never answer
        schemas.pop(unused, None)
    return schema
