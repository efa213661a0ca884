"""The MCP endpoint (Streamable HTTP, stateless, JSON responses) and the agents' guide, SKILL.md.

Thin: the transport checks here, the JSON-RPC methods and tools in sandglass.mcp (which call the
same domain services as the REST functions).
"""

from __future__ import annotations

from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from sandglass.errors import Unauthorized
from sandglass.http.resolver import create_app
from sandglass.mcp import protocol
from sandglass.mcp.server import handle
from sandglass.mcp.tools import TOOLS  # noqa: F401  (the tools' models: every POST needs them, so at init, like a REST function's)

app = create_app()

SKILL = Path(__file__).with_name("SKILL.md")
JSON = "application/json"


def _rpc_error(status: int, code: int, message: str) -> Response:
    import json

    return Response(status_code=status, content_type=JSON, body=json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}))


@app.post("/mcp", include_in_schema=False)
def post_mcp():
    import json

    headers = app.current_event.headers or {}
    lowered = {key.lower(): value for key, value in headers.items()}
    version = lowered.get("mcp-protocol-version")
    if version and version not in protocol.PROTOCOL_VERSIONS:
        return _rpc_error(400, protocol.INVALID_REQUEST, f"Unsupported MCP-Protocol-Version {version}; supported: {', '.join(protocol.PROTOCOL_VERSIONS)}")
    accept = lowered.get("accept", "*/*")
    if not any(kind in accept for kind in ("application/json", "*/*", "application/*")):
        return _rpc_error(406, protocol.INVALID_REQUEST, "Accept must include application/json (this server answers JSON, not SSE)")
    context = app.current_event.request_context.authorizer.get_context() or {}
    if not context.get("email"):
        raise Unauthorized("Missing or invalid credentials")
    status, answer = handle(app.current_event.body, context)
    if answer is None:
        return Response(status_code=status, content_type=JSON, body="")
    return Response(status_code=status, content_type=JSON, body=json.dumps(answer, ensure_ascii=False, separators=(",", ":")))


@app.get("/mcp", tags=["Agents"], summary="The MCP endpoint's pointer to SKILL.md (405 to an MCP client asking for an SSE stream; MCP clients POST)")
def get_mcp():
    accept = next((value for key, value in (app.current_event.headers or {}).items() if key.lower() == "accept"), "")
    if "text/event-stream" in accept:
        # an MCP client asking for a server-initiated stream: stateless, there is none (the transport's 405)
        return Response(status_code=405, content_type=JSON, headers={"Allow": "POST"},
                        body='{"error": {"code": "METHOD_NOT_ALLOWED", "message": "POST JSON-RPC messages to /mcp; this server opens no SSE stream"}}')
    # a person or a crawler: where to read how to connect
    return Response(status_code=200, content_type="text/plain; charset=utf-8",
                    body="Sandglass MCP server (Streamable HTTP, stateless, JSON responses): POST JSON-RPC messages here with "
                         "'Authorization: Bearer <token>' and 'X-Sandtime-Organization: <domain>'. How to connect and every tool: /SKILL.md\n")


@app.get("/SKILL.md", tags=["Agents"], summary="How AI agents use Sandglass: MCP or REST, auth, the organization header, tools, rules (no credentials)")
def get_skill():
    return Response(status_code=200, content_type="text/markdown; charset=utf-8", body=SKILL.read_text(encoding="utf-8"),
                    headers={"Cache-Control": "public, max-age=300"})


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
