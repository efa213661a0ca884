"""The one resolver factory every API function uses.

It maps domain errors to the JSON error shape, turns request validation failures into 422
with field details (400 for a body that is not valid JSON, 415 for a body of another media type),
answers unknown routes with a JSON 404,
and never lets an unexpected exception leak a stack trace.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from functools import cache
from types import ModuleType
from typing import Any, Sequence

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from sandglass.context import AUDITOR, AUDITOR_READ_ONLY
from sandglass.errors import DomainError, Forbidden, UnsupportedMediaType, detail, validation_details
from sandglass.http.idempotent import idempotent
from sandglass.http.openapi import document
from sandglass.http.numbered_paths import numbered_path
from sandglass.http.tenant import MEMBER
from sandglass.observability import api_invocation
from sandglass.services.int_ids import IntIdService
from sandglass.settings import get_settings

logger = logging.getLogger("sandglass")


def _json(value: Any) -> str:
    from decimal import Decimal

    def default(obj):
        if isinstance(obj, Decimal):
            return int(obj) if obj == obj.to_integral_value() else float(obj)
        raise TypeError(f"{type(obj).__name__} is not JSON serializable")

    return json.dumps(value, separators=(",", ":"), default=default)


def error_response(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return Response(status_code=status, content_type="application/json", body=_json({"error": error}), headers=headers or {})


def _reads_as_json(content_type: str | None, body: str) -> bool:
    """Whether a request body is read as JSON, by its Content-Type: none at all; `application/json`
    or a structured `application/*+json` type (RFC 6839), with no charset or UTF-8 (RFC 8259); or
    curl's default `application/x-www-form-urlencoded` when the body is a JSON object or array (a
    JSON body sent without its Content-Type). Any other type is refused (415)."""
    media, *parameters = (content_type or "").split(";")
    media = media.strip().lower()
    if not media:
        return True
    if media == "application/x-www-form-urlencoded":
        return body.lstrip()[:1] in ("{", "[")
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


# Deepest JSON a request body may nest (the deepest model, organization settings, needs 3): far
# below the depth at which json.loads or validation would exhaust Python's recursion limit.
MAX_JSON_DEPTH = 32
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


class BodyRefused(json.JSONDecodeError):
    """A body refused before parsing, with its own error code (the handler answers 400 with it)."""

    def __init__(self, code: str, message: str, text: str):
        super().__init__(message, text, 0)
        self.code = code
        self.message = message


def _json_depth(text: str) -> int:
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _json_body(text: str) -> Any:
    """json.loads, with every refusal a JSONDecodeError (what the validation middleware maps to 400):
    bodies nested deeper than MAX_JSON_DEPTH (json.loads would raise RecursionError), invalid UTF-8
    (API Gateway hands it over with U+FFFD where the bad bytes were; a client that means U+FFFD can
    send the `\\ufffd` escape), and integer literals over Python's 4300-digit limit (a ValueError)."""
    if "\ufffd" in text:
        raise BodyRefused("INVALID_UTF8", "The request body is not valid UTF-8 (send U+FFFD itself as the \\ufffd escape)", text)
    if text.count("{") + text.count("[") > MAX_JSON_DEPTH and _json_depth(text) > MAX_JSON_DEPTH:
        raise BodyRefused("JSON_TOO_DEEP", f"The request body nests JSON deeper than {MAX_JSON_DEPTH} levels", text)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as error:
        raise json.JSONDecodeError(str(error), text, 0) from None


def _body_as_text(event: dict) -> None:
    """A base64 body (binary media types) becomes text the one way API Gateway makes text of
    bytes: undecodable bytes as U+FFFD, which _json_body then refuses as invalid UTF-8."""
    if event.get("isBase64Encoded") and isinstance(event.get("body"), str):
        try:
            raw = base64.b64decode(event["body"], validate=True)
        except (binascii.Error, ValueError):
            raw = event["body"].encode()
        event["body"] = raw.decode("utf-8", errors="replace")
        event["isBase64Encoded"] = False


def _body_takes_an_array(route) -> bool:
    from aws_lambda_powertools.event_handler.middlewares.openapi_validation import _is_or_contains_sequence

    return any(_is_or_contains_sequence(param.field_info.annotation) for param in route.dependant.body_params)


def _unknown_query_parameters(route, event) -> list[str]:
    """Query parameters the route does not declare: refused (422) like unknown body fields, so a
    misspelt filter (`?userid=`) never silently widens a listing."""
    sent = set((event.get("multiValueQueryStringParameters") or {}) or (event.get("queryStringParameters") or {}))
    if not sent:
        return []
    declared = {param.alias for param in route.dependant.query_params}
    return sorted(sent - declared)


_READS = ("GET", "HEAD", "OPTIONS")
# POSTs that only read: computing a report from a definition in the body saves nothing, so an Auditor may
READ_ONLY_POSTS = frozenset({"/reports/results"})


def _refuse_auditor_writes(event) -> None:
    """An Auditor of the organization a request names reads everything and writes nothing: every
    other method is 403 before its body is even validated, on every route of every surface."""
    if event.http_method.upper() in _READS or (event.http_method.upper() == "POST" and (event.resource or "").removeprefix("/api") in READ_ONLY_POSTS):
        return
    context = event.request_context.authorizer.get_context() or {}
    if context.get("membership") == MEMBER and context.get("role") == AUDITOR:
        raise Forbidden(AUDITOR_READ_ONLY, code="READ_ONLY_ROLE")


class _RequestValidation(OpenAPIRequestValidationMiddleware):
    """Bodies are JSON only: another media type is 415 (_reads_as_json), never powertools' form or
    multipart parsing (which would answer a misleading 422 "field missing") or its 500.

    powertools reads a JSON array sent to a route whose body is one object as the array's first
    element (a convenience meant for repeated form fields), so `[{"name": "x"}]` would pass as
    `{"name": "x"}` and `[null]` as no body. An array where an object is documented is a wrong type: 422."""

    def handler(self, app, next_middleware):
        _refuse_auditor_writes(app.current_event)
        unknown = _unknown_query_parameters(app.context["_route"], app.current_event)
        if unknown:
            raise RequestValidationError([{"type": "extra_forbidden", "loc": ("query", name), "msg": "Unknown query parameter",
                                           "input": app.current_event.get_query_string_value(name)} for name in unknown])
        return super().handler(app, next_middleware)

    def _get_body(self, app):
        event = app.current_event
        content_type = event.headers.get("content-type")
        if event.body and not _reads_as_json(content_type, event.body):
            raise UnsupportedMediaType(f"The request body must be JSON (Content-Type: application/json), not {content_type.strip()[:100]!r}",
                                       details=[detail("Content-Type", "Send the body as JSON with Content-Type: application/json", "header",
                                                       "unsupported_media_type")])
        body = self._parse_json_data(app)
        if isinstance(body, list) and not _body_takes_an_array(app.context["_route"]):
            raise RequestValidationError([{"type": "dict_type", "loc": ("body",), "msg": "Input should be a JSON object", "input": body}])
        return body


# one resolver of integer ids per container, built on the first path that needs it
_int_ids = cache(IntIdService)


class Resolver(APIGatewayRestResolver):
    dialects: tuple[ModuleType, ...] = ()  # error modules of the wire dialects it serves (create_app)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(self, "_request_validation_middleware", None) is not None:
            self._request_validation_middleware = _RequestValidation()

    def get_openapi_json_schema(self, *args, **kwargs) -> str:
        """The rendered document, with every operation's error statuses and the organization
        header (sandglass.http.openapi), so each route group is documented the same way."""
        return json.dumps(document(json.loads(super().get_openapi_json_schema(*args, **kwargs)), self.dialects), indent=2)

    def resolve(self, event, context):
        # every API function is instrumented here (structured logs with the request id, org and
        # user; request/error metrics; traces where enabled), however its lambda_handler is written
        with api_invocation(event, context) as record:
            if isinstance(event, dict):
                _body_as_text(event)
                numbered_path(event, _int_ids)
            path = (event.get("path") or "") if isinstance(event, dict) else ""
            errors = next((errors for errors in self.dialects if errors.serves(path)), None)
            response = idempotent(event, lambda: super(Resolver, self).resolve(event, context),
                                  refusal=errors.from_domain if errors is not None else None)
            record(response)
            return response


def create_app(dialects: Sequence[ModuleType] = ()) -> APIGatewayRestResolver:
    """`dialects`: error modules of wire dialects served by the same function (e.g.
    sandglass.dialects.fourme.errors): each has `serves(path)`, `from_domain(error)`,
    `from_validation(errors)`, `response(status, message)`, `not_found()`, `unexpected()` and
    `ERROR_SCHEMA` (its body, documented for its paths); a request on a path one of them serves is
    answered in that dialect's error shape."""
    settings = get_settings()
    cors = None
    if settings.cors_origins:
        origins = list(settings.cors_origins)
        cors = CORSConfig(
            allow_origin=origins[0],
            extra_origins=origins[1:],
            allow_headers=["Authorization", "X-Api-Key", "Content-Type", "If-Match", "Idempotency-Key", "X-Organization", "X-Sandtime-Organization", "Mcp-Protocol-Version"],
            expose_headers=["ETag", "Link", "X-Next-Cursor", "X-Overlapping-Activities", "Idempotent-Replayed"],
            max_age=300,
        )
    app = Resolver(enable_validation=True, cors=cors, serializer=_json, strip_prefixes=["/api"], json_body_deserializer=_json_body)
    app.dialects = tuple(dialects)

    def dialect():
        path = app.current_event.path if getattr(app, "current_event", None) is not None else ""
        return next((errors for errors in dialects if errors.serves(path)), None)

    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        if (errors := dialect()) is not None:
            return errors.from_domain(error)
        return error_response(error.status, error.code, error.message, error.details, getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    def _validation_error(error: RequestValidationError) -> Response:
        errors = list(error.errors())
        if (shape := dialect()) is not None:
            if isinstance(error.__cause__, BodyRefused):
                return shape.response(400, error.__cause__.message)
            if any(e.get("type") == "json_invalid" for e in errors):
                return shape.response(400, "The request body is not valid JSON")
            return shape.from_validation(errors)
        if isinstance(error.__cause__, BodyRefused):
            return error_response(400, error.__cause__.code, error.__cause__.message)
        invalid = next((e for e in errors if e.get("type") == "json_invalid"), None)
        if invalid:
            reason = (invalid.get("ctx") or {}).get("error")
            details = [{"field": "body", "in": "body", "message": reason, "type": "json_invalid"}] if reason else None
            return error_response(400, "MALFORMED_JSON", "The request body is not valid JSON", details)
        return error_response(422, "VALIDATION_ERROR", "The request is invalid", validation_details(errors))

    @app.not_found
    def _not_found(_exc: Exception) -> Response:
        if (errors := dialect()) is not None:
            return errors.not_found()
        return error_response(404, "NOT_FOUND", "No such route")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("Unhandled error", exc_info=error)
        if (errors := dialect()) is not None:
            return errors.unexpected()
        return error_response(500, "INTERNAL_ERROR", "Something went wrong on our side; the request was not applied")

    return app
