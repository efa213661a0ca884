"""The local stack as a WSGI application: the gateway emulation behind the dev server's HTTP
surface (`/api/openapi.json` plus every route), for WSGI clients that run in-process
(schemathesis, werkzeug's test client). Requests reach `Gateway.request` exactly as the dev
server hands them over: the raw path and query, every header, undecodable body bytes as U+FFFD."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from sandglass_local.gateway import Gateway

OPENAPI_PATH = "/api/openapi.json"


class GatewayApp:
    def __init__(self, gateway: Gateway):
        self.gateway = gateway
        self._openapi: bytes | None = None

    def openapi(self) -> bytes:
        if self._openapi is None:
            from sandglass_local.openapi import merged_schema

            self._openapi = json.dumps(merged_schema(self.gateway)).encode()
        return self._openapi

    def __call__(self, environ: dict[str, Any], start_response):
        method = environ["REQUEST_METHOD"]
        # the raw path, as the dev server passes `self.path` (WSGI's PATH_INFO is already decoded)
        path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO") or "/")).split("?", 1)[0]
        query = environ.get("QUERY_STRING")
        target = f"{path}?{query}" if query else path
        if path == OPENAPI_PATH and method == "GET":
            return self._respond(start_response, 200, {"Content-Type": "application/json"}, self.openapi())
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode("utf-8", errors="replace") if length else None
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        reply = self.gateway.request(method, target, headers=headers, body=body)
        return self._respond(start_response, reply.status, reply.headers, reply.content)

    @staticmethod
    def _respond(start_response, status: int, headers: dict[str, str], content: bytes):
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        pairs = [(key, value) for key, value in headers.items() if key.lower() not in ("content-length", "connection", "transfer-encoding")]
        start_response(f"{status} {reason}", [*pairs, ("Content-Length", str(len(content)))])
        return [content]
