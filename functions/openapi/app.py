"""GET /api/openapi.json (no credentials): the OpenAPI 3.1 document, built from the code of every
route group at build time (`make openapi`) and shipped beside this file, so answering it imports
no route group, no powertools and no pydantic (a test fails when the shipped file is stale)."""

from __future__ import annotations

import os
from pathlib import Path

SHIPPED = Path(__file__).parent / "openapi.json"
# the Clockify v1 surface's own document, next to it
CLOCKIFY = Path(__file__).parent / "clockify.json"
CLOCKIFY_PATH = "/openapi/clockify.json"
_documents: dict[str, str] = {}  # read on the first request, kept for the container's life
_ALLOWED_ORIGINS = {origin.strip() for origin in os.environ.get("CORS_ORIGINS", "").split(",") if origin.strip()}


def lambda_handler(event: dict, context) -> dict:
    headers = {"Content-Type": "application/json", "Cache-Control": "public, max-age=300"}
    origin = next((value for key, value in ((event or {}).get("headers") or {}).items() if key.lower() == "origin"), None)
    if origin in _ALLOWED_ORIGINS:  # a documentation viewer on one of the allowed origins may fetch it
        headers.update({"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
    source = CLOCKIFY if (event or {}).get("resource") == CLOCKIFY_PATH else SHIPPED
    if source.name not in _documents:
        _documents[source.name] = source.read_text(encoding="utf-8")
    return {"statusCode": 200, "headers": headers, "body": _documents[source.name]}
