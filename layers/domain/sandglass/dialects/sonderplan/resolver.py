"""The resolver of the Sonderplan route group: the Sandtime resolver (authorizer context, JSON
body rules, organization from the host or X-Organization, an Auditor's writes refused) with
Sonderplan's errors.

Errors mirror the reference's `{"success": ...}` envelope: `{"error": {"code", "message",
"details"}}` (details name the fields in Sonderplan's words). Bad input of any kind is 400 (the
domain's 422 too: Sonderplan has no 422); the other statuses are the domain's (401, 403, 404,
409 for a locked day or entry, 429).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from sandglass.dialects.sonderplan.time_entries import FIELD_NAMES
from sandglass.errors import DomainError, validation_details
from sandglass.http import resolver as sandtime

BAD_INPUT = "BAD_REQUEST"


def _details(details: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if not details:
        return None
    named = []
    for item in details:
        field = str(item.get("field", ""))
        head, dot, rest = field.partition(".")
        named.append({**item, "field": FIELD_NAMES.get(head, head) + dot + rest} if field else item)
    return named


def error(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None,
          headers: dict[str, str] | None = None) -> Response:
    return sandtime.error_response(400 if status == 422 else status, code, message, _details(details), headers)


def create_app() -> APIGatewayRestResolver:
    app = sandtime.create_app()

    @app.exception_handler(DomainError)
    def _domain_error(failure: DomainError) -> Response:
        code = BAD_INPUT if failure.status == 422 and failure.code == "VALIDATION_ERROR" else failure.code
        return error(failure.status, code, failure.message, failure.details, getattr(failure, "headers", None))

    @app.exception_handler(RequestValidationError)
    def _validation_error(failure: RequestValidationError) -> Response:
        if isinstance(failure.__cause__, sandtime.BodyRefused):
            return error(400, failure.__cause__.code, failure.__cause__.message)
        found = list(failure.errors())
        if any(item.get("type") == "json_invalid" for item in found):
            return error(400, "MALFORMED_JSON", "The request body is not valid JSON")
        details = validation_details(found)
        message = details[0]["message"] if len(details) == 1 else "The request is invalid"
        if details and details[0].get("field"):
            message = f"{details[0]['field']}: {message}" if len(details) == 1 else message
        return error(400, BAD_INPUT, message, details)

    return app
