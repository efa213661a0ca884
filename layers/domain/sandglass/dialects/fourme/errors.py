"""4me's error bodies: `{"message": "..."}` with the HTTP status (4me's REST API: 400 bad request,
401 not authenticated, 403 not allowed, 404 not found, 422 a parameter that cannot be processed,
429 too many requests). A parameter problem names the parameter first: `"month_of: is required"`.

Used by the Sandtime resolver for the paths the dialect serves (`serves`), so a 4me client never
sees Sandtime's `{"error": {...}}`, however the request failed."""

from __future__ import annotations

import json
from typing import Any, Iterable

from aws_lambda_powertools.event_handler import Response

from sandglass.errors import DomainError

PREFIX = "/v1/timesheets"  # the dialect's paths, below the /api mount
NOT_AUTHENTICATED = "Not authenticated"
NOT_A_MEMBER = "Access denied: not a member of this account"
ERROR_SCHEMA = {"title": "FourmeError", "type": "object", "required": ["message"],
                "properties": {"message": {"type": "string", "description": "What went wrong; a parameter problem names the parameter first"}}}


def serves(path: str) -> bool:
    path = (path or "").removeprefix("/api")
    return path == PREFIX or path.startswith(PREFIX + "/")


def body(message: str) -> dict[str, str]:
    return {"message": message}


def response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body(message), separators=(",", ":")),
                    headers=headers or {})


def _named(field: Any, message: Any) -> str:
    return f"{field}: {message}" if field else str(message)


def from_domain(error: DomainError) -> Response:
    """The domain error's status, its message; a parameter problem names the parameter."""
    message = error.message
    if error.details:
        first = error.details[0]
        message = _named(first.get("field"), first.get("message") or message)
    return response(error.status, message, getattr(error, "headers", None))


def from_validation(problems: Iterable[dict[str, Any]]) -> Response:
    """powertools' request validation (a parameter of the wrong type, out of range, unknown): 422."""
    first = next(iter(problems), None)
    if first is None:
        return response(422, "The request is invalid")
    location = first.get("loc") or ()
    name = location[-1] if len(location) > 1 else None
    return response(422, _named(name, first.get("msg", "invalid value")))


def not_found() -> Response:
    return response(404, "Not found")


def unexpected() -> Response:
    return response(500, "Something went wrong on our side; the request was not applied")
