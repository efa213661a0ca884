"""`Idempotency-Key` on POSTs, for every function that answers HTTP (the resolver's and MCP's):
a retry with the same key and request replays the first answer (sandglass.services.idempotency).
Kept apart from the resolver so a function without powertools' resolver imports only this."""

from __future__ import annotations

import json
import logging
from typing import Any, Callable

from sandglass.errors import DomainError
from sandglass.services import idempotency

logger = logging.getLogger("sandglass")


def header(event: dict, name: str) -> str | None:
    for field in ("headers", "multiValueHeaders"):
        for key, value in (event.get(field) or {}).items():
            if key.lower() == name.lower():
                return value if field == "headers" else (value or [None])[0]
    return None


def idempotent(event: Any, run, refusal: Callable[[DomainError], Any] | None = None):
    """Run the request, honouring `Idempotency-Key` on POSTs (sandglass.services.idempotency).
    `refusal`: how a wire dialect answers a domain error (its `from_domain`, a powertools Response),
    for a key that is refused; Sandtime's error shape otherwise."""
    if not isinstance(event, dict) or str(event.get("httpMethod", "")).upper() != "POST":
        return run()
    key = header(event, "Idempotency-Key")
    resource = event.get("resource") or ""
    if resource.startswith("/api/"):
        resource = resource[len("/api"):]
    if key is None or not idempotency.applies("POST", resource):
        return run()
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    account = authorizer.get("email") or None
    organization = header(event, "X-Organization") or header(event, "Host") or ""
    caller = f"{authorizer.get('subject') or account or 'anonymous'}@{organization}"
    service = idempotency.IdempotencyService()
    try:
        claim, stored = service.begin(key, account=account, caller=caller, method="POST", path=event.get("path") or resource,
                                      query=event.get("queryStringParameters"), body=event.get("body"))
    except DomainError as error:
        if refusal is not None:
            answer = refusal(error)
            return {"statusCode": answer.status_code, "headers": {"Content-Type": "application/json", **answer.headers},
                    "isBase64Encoded": False, "body": answer.body}
        return {"statusCode": error.status, "headers": {"Content-Type": "application/json"}, "isBase64Encoded": False,
                "body": json.dumps({"error": {"code": error.code, "message": error.message, **({"details": error.details} if error.details else {})}})}
    if stored is not None:
        return idempotency.replayed(stored)
    response = run()
    try:
        service.finish(claim, response)
    except Exception:  # the answer stands; the claim stays PENDING (409 on a retry) rather than risk a duplicate
        logger.exception("Could not store the idempotent response")
    return response
