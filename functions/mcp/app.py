"""The MCP endpoint (Streamable HTTP, stateless, JSON responses) and the agents' guide, SKILL.md.

Thin: the transport checks here, the JSON-RPC methods and tools in sandglass.mcp (which call the
same domain services as the REST functions). A plain proxy handler, not the powertools resolver:
JSON-RPC has its own envelope and errors, and the resolver's request validation machinery would be
most of this function's cold start (docs/mcp.md). `app` (for the merged OpenAPI document only)
documents the two GET routes and is built on demand, never in a Lambda.
"""

from __future__ import annotations

import base64
import importlib
import json
from pathlib import Path
from typing import Any

from sandglass.http.idempotent import idempotent
from sandglass.mcp import protocol
from sandglass.mcp.server import handle
from sandglass.observability import api_invocation
from sandglass.settings import get_settings

# the resolver that documents the GET routes, imported only when the OpenAPI document is built
LAZY_IMPORTS = ("sandglass.http.resolver",)
SKILL = Path(__file__).with_name("SKILL.md")
JSON = "application/json"
SKILL_SUMMARY = "How AI agents use Sandglass: MCP or REST, auth, the organization header, tools, rules (no credentials)"
POINTER_SUMMARY = "The MCP endpoint's pointer to SKILL.md (405 to an MCP client asking for an SSE stream; MCP clients POST)"
POINTER = ("Sandglass MCP server (Streamable HTTP, stateless, JSON responses): POST JSON-RPC messages here with "
           "'Authorization: Bearer <token>' and 'X-Sandtime-Organization: <domain>'. How to connect and every tool: /SKILL.md\n")


def _reply(status: int, body: str, content_type: str = JSON, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": content_type, **(headers or {})}, "body": body, "isBase64Encoded": False}


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return _reply(status, json.dumps({"error": {"code": code, "message": message}}), headers=headers)


def _rpc_error(status: int, code: int, message: str) -> dict[str, Any]:
    return _reply(status, json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}))


def _post(event: dict[str, Any], headers: dict[str, str], cors: dict[str, str]) -> dict[str, Any]:
    version = headers.get("mcp-protocol-version")
    if version and version not in protocol.PROTOCOL_VERSIONS:
        return _rpc_error(400, protocol.INVALID_REQUEST, f"Unsupported MCP-Protocol-Version {version}; supported: {', '.join(protocol.PROTOCOL_VERSIONS)}")
    accept = headers.get("accept") or "*/*"
    if not any(kind in accept for kind in ("application/json", "*/*", "application/*")):
        return _rpc_error(406, protocol.INVALID_REQUEST, "Accept must include application/json (this server answers JSON, not SSE)")
    # who calls: the authorizer's context only (the same authorizer, and so the same credentials, as REST)
    context = ((event.get("requestContext") or {}).get("authorizer")) or {}
    if not context.get("email"):
        return _error(401, "UNAUTHORIZED", "Missing or invalid credentials")
    body = event.get("body")
    if event.get("isBase64Encoded") and isinstance(body, str):
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    status, answer = handle(body, context, event.get("headers") or {})
    text = "" if answer is None else json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    return _reply(status, text, headers=cors)


def _get_mcp(headers: dict[str, str]) -> dict[str, Any]:
    if "text/event-stream" in (headers.get("accept") or ""):
        # an MCP client asking for a server-initiated stream: stateless, there is none (the transport's 405)
        return _error(405, "METHOD_NOT_ALLOWED", "POST JSON-RPC messages to /mcp; this server opens no SSE stream", {"Allow": "POST"})
    return _reply(200, POINTER, "text/plain; charset=utf-8")


def lambda_handler(event: dict, context) -> dict:
    with api_invocation(event, context) as record:
        headers = {str(key).lower(): str(value) for key, value in (event.get("headers") or {}).items()}
        origin = headers.get("origin")
        allowed = get_settings().cors_origins
        cors = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if origin and origin in allowed else {}
        route = (event.get("httpMethod"), event.get("resource"))
        if origin and not cors and route[0] == "POST":
            # a browser page from another site must not drive a member's session (DNS rebinding)
            response = _error(403, "FORBIDDEN", f"Origin {origin} is not allowed")
        elif route == ("POST", "/mcp"):
            response = idempotent(event, lambda: _post(event, headers, cors))
        elif route == ("GET", "/mcp"):
            response = _get_mcp(headers)
        elif route == ("GET", "/SKILL.md"):
            response = _reply(200, SKILL.read_text(encoding="utf-8"), "text/markdown; charset=utf-8", {"Cache-Control": "public, max-age=300"})
        else:
            response = _error(404, "NOT_FOUND", "No such route")
        record(response)
        return response


def __getattr__(name: str):
    """`app`: a resolver that documents the GET routes in the merged OpenAPI document (the dev
    server's /api/openapi.json); requests never go through it."""
    if name != "app":
        raise AttributeError(name)
    docs = importlib.import_module(LAZY_IMPORTS[0]).create_app()

    text = {"type": "string"}

    @docs.get("/SKILL.md", tags=["Agents"], summary=SKILL_SUMMARY,
              responses={200: {"description": "The guide (Markdown)", "content": {"text/markdown": {"schema": text}}}})
    def get_skill():
        return ""

    @docs.get("/mcp", tags=["Agents"], summary=POINTER_SUMMARY,
              responses={200: {"description": "Where to read how to connect", "content": {"text/plain": {"schema": text}}},
                         405: {"description": "Asked for an SSE stream (Accept: text/event-stream): this server opens none"}})
    def get_mcp():
        return ""

    globals()["app"] = docs
    return docs
