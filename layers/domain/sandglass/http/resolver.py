"""The one resolver factory every API function uses.

It maps domain errors to the JSON error shape, turns request validation failures into 422
with field details (400 for a body that is not JSON), answers unknown routes with a JSON 404,
and never lets an unexpected exception leak a stack trace.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from sandglass.errors import DomainError
from sandglass.observability import api_invocation
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


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        # loc is ("body", "field", ...) / ("query", "name") / ("path", ...): keep where and which
        where = location[0] if location else "body"
        field = ".".join(location[1:]) or where
        details.append({"field": field, "in": where, "message": error.get("msg", "Invalid value"), "type": error.get("type", "value_error")})
    return details


def _treat_json_body_as_json(event: dict) -> None:
    """Read a JSON body as JSON even when the client forgot `Content-Type: application/json`
    (curl's default is form-encoding, which would otherwise produce baffling field errors)."""
    body = event.get("body")
    if not body or event.get("isBase64Encoded") or body.lstrip()[:1] not in ("{", "["):
        return
    for field in ("headers", "multiValueHeaders"):
        headers = event.get(field) or {}
        for key in [k for k in headers if k.lower() == "content-type"]:
            value = headers[key] if field == "headers" else ",".join(headers[key])
            if "json" not in value.lower():
                del headers[key]


def _json_body(text: str) -> Any:
    """json.loads, with every refusal a JSONDecodeError (what the validation middleware maps to 400):
    an integer literal over Python's 4300-digit limit raises a plain ValueError instead."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError as error:
        raise json.JSONDecodeError(str(error), text, 0) from None


class Resolver(APIGatewayRestResolver):
    def resolve(self, event, context):
        # every API function is instrumented here (structured logs with the request id, org and
        # user; request/error metrics; traces where enabled), however its lambda_handler is written
        with api_invocation(event, context) as record:
            if isinstance(event, dict):
                _treat_json_body_as_json(event)
            response = super().resolve(event, context)
            record(response)
            return response


def create_app() -> APIGatewayRestResolver:
    settings = get_settings()
    cors = None
    if settings.cors_origins:
        origins = list(settings.cors_origins)
        cors = CORSConfig(
            allow_origin=origins[0],
            extra_origins=origins[1:],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Organization", "X-Api-Key"],
            expose_headers=["ETag", "Link", "X-Next-Cursor"],
            max_age=300,
        )
    app = Resolver(enable_validation=True, cors=cors, serializer=_json, strip_prefixes=["/api"], json_body_deserializer=_json_body)

    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        return error_response(error.status, error.code, error.message, error.details)

    @app.exception_handler(RequestValidationError)
    def _validation_error(error: RequestValidationError) -> Response:
        errors = list(error.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "MALFORMED_JSON", "The request body is not valid JSON")
        return error_response(422, "VALIDATION_ERROR", "The request is invalid", _validation_details(errors))

    @app.not_found
    def _not_found(_exc: Exception) -> Response:
        return error_response(404, "NOT_FOUND", "No such route")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("Unhandled error", exc_info=error)
        return error_response(500, "INTERNAL_ERROR", "Something went wrong on our side; the request was not applied")

    return app


def not_built(app: APIGatewayRestResolver, group: str) -> None:
    """Answer every route of a group that a later issue builds with an honest 501."""
    from sandglass.errors import NotImplementedYet

    @app.route(".+", method=["GET", "POST", "PUT", "DELETE", "PATCH"], include_in_schema=False)
    def _unbuilt():
        raise NotImplementedYet(f"The {group} routes are declared but not built yet")
