"""Clockify's error bodies: `{"message": "...", "code": <int>}`; authentication errors
`{"description": "...", "code": 1000}`. Clients detect "not found" by the body's `code == 404`."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response

from sandglass.errors import DomainError

AUTHENTICATION_CODE = 1000
AUTHENTICATION_REQUIRED = "Full authentication is required to access this resource"
TOO_MANY_REQUESTS = "Too many requests"


def body(status: int, message: str) -> dict:
    if status == 401:
        return {"description": message or AUTHENTICATION_REQUIRED, "code": AUTHENTICATION_CODE}
    return {"message": message, "code": status}


def response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body(status, message), separators=(",", ":")),
                    headers=headers or {})


def from_domain(error: DomainError) -> Response:
    """A domain error in Clockify's shape: the same status, the message (Clockify has no
    machine-readable code beyond the status)."""
    headers = getattr(error, "headers", None)
    if error.status == 429:
        return response(429, TOO_MANY_REQUESTS, headers)
    if error.status == 401:
        return response(401, AUTHENTICATION_REQUIRED, headers)
    # Clockify answers bad input with 400 (Sandtime's 422 with field details has no equivalent)
    status = 400 if error.status == 422 else error.status
    message = error.message
    if error.status == 422 and error.details:
        first = error.details[0]
        message = f"{first.get('field')}: {first.get('message')}"
    return response(status, message, headers)
