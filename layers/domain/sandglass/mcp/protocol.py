"""MCP over Streamable HTTP, stateless, JSON responses: one POST carries one JSON-RPC message and
gets one JSON answer (202 and no body for a notification or a response). No session id, no SSE
stream (GET answers 405), so it runs in a Lambda behind API Gateway.

A lean handler rather than the `mcp` SDK's server: importing `mcp.types` alone costs ~300 ms of CPU,
more than a whole REST function's cold start (bench/cold_start.py; docs/mcp.md).
The wire format is checked by driving this server with the SDK's own client in the tests.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable

logger = logging.getLogger("sandglass")

PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26")
SERVER_INFO = {"name": "sandglass", "title": "Sandglass time tracking", "version": "1.0.0"}
INSTRUCTIONS = (
    "Sandglass tracks time for an organization. Call whoami first: it names your organizations, your role and the "
    "organization's time zone. Tools take project and member names (no ids needed); times are local to the "
    "organization. Locked weeks refuse changes: use request_unlock. Administrators lock, unlock and resolve requests."
)

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32601, -32602, -32603


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def _error(message_id: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": message_id, "error": error}


def negotiate(requested: Any) -> str:
    return requested if requested in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0]


def handle(body: str | None, methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]]) -> tuple[int, dict[str, Any] | None]:
    """(HTTP status, JSON-RPC answer or None) for one POSTed message."""
    try:
        message = json.loads(body or "")
    except (ValueError, RecursionError):
        return 400, _error(None, PARSE_ERROR, "Parse error: the body is not JSON")
    if isinstance(message, list):
        return 400, _error(None, INVALID_REQUEST, "Batches are not supported: send one JSON-RPC message per request")
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return 400, _error(None, INVALID_REQUEST, "Invalid Request: expected a JSON-RPC 2.0 object")
    if "method" not in message:  # a response or an error from the client: nothing to answer
        return 202, None
    message_id = message.get("id")
    method = message.get("method")
    if "id" not in message:  # a notification (initialized, cancelled...): accepted, no answer
        return 202, None
    if not isinstance(method, str) or not (message_id is None or isinstance(message_id, (str, int))) or isinstance(message_id, bool):
        return 400, _error(message_id if isinstance(message_id, (str, int)) else None, INVALID_REQUEST, "Invalid Request")
    params = message.get("params") or {}
    if not isinstance(params, dict):
        return 200, _error(message_id, INVALID_PARAMS, "params must be an object")
    handler = methods.get(method)
    if handler is None:
        return 200, _error(message_id, METHOD_NOT_FOUND, f"Method not found: {method}")
    try:
        result = handler(params)
    except RpcError as error:
        return 200, _error(message_id, error.code, error.message, error.data)
    except Exception:
        logger.exception("MCP method failed", extra={"method": method})
        return 200, _error(message_id, INTERNAL_ERROR, "Something went wrong on our side; nothing was applied")
    return 200, {"jsonrpc": "2.0", "id": message_id, "result": result}
