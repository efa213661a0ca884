"""The Sandglass MCP server: the JSON-RPC methods (initialize, tools, resources, prompts) for one
authenticated person. Who calls comes from the API Gateway authorizer's context only (the same
authorizer as REST: a bearer JWT today, personal API keys where the authorizer accepts them);
which organization from the X-Sandtime-Organization header (or X-Organization, or the host), or
per tool call from the `organization` argument, which the same authorizer code decides again on the
request's own credentials (so every rule it applies, a credential's scope included, holds per call)."""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

from pydantic import ValidationError

from sandglass.context import TenantContext
from sandglass.errors import DomainError, Forbidden, NotFound, Unauthorized, ValidationFailed, validation_details
from sandglass.mcp import protocol
from sandglass.mcp.protocol import INVALID_PARAMS, RpcError
from sandglass.mcp import catalog
from sandglass.mcp.catalog import TOOLS
from sandglass.services.auth import authorize

logger = logging.getLogger("sandglass")

MEMBER, NOT_MEMBER, NO_ORGANIZATION = "member", "none", "missing"


class Session:
    """One request's caller: the authorizer's context, and the tenant of each organization named."""

    def __init__(self, authorizer_context: dict[str, Any], headers: dict[str, str] | None = None):
        self.context = authorizer_context
        self.headers = headers or {}
        self.person = {"email": authorizer_context["email"], "subject": authorizer_context.get("subject") or authorizer_context["email"],
                       "name": authorizer_context.get("name") or ""}

    def _standing(self, organization: str | None) -> dict[str, Any]:
        header = self.context.get("domain") or None
        wanted = (organization or "").strip().lower() or header
        if wanted == header:
            return self.context
        # another organization for this call: the very authorizer decides again, on the same
        # credentials with that organization named (whatever it checks - membership, a credential's scope)
        naming = {key: value for key, value in self.headers.items() if key.lower() not in ("host", "x-organization", "x-sandtime-organization")}
        try:
            decision = authorize({**naming, "X-Sandtime-Organization": wanted}, "POST", "/mcp")
        except Unauthorized:
            raise Forbidden("Your credentials do not reach that organization") from None
        return decision.context if decision.allow else {**decision.context, "membership": NOT_MEMBER}

    def tenant(self, organization: str | None) -> TenantContext:
        standing = self._standing(organization)
        if standing.get("membership") == NO_ORGANIZATION or not standing.get("orgId"):
            if not standing.get("domain"):
                raise ValidationFailed("No organization selected: send the X-Sandtime-Organization header or pass organization='<domain>' "
                                       "(whoami lists yours)", code="NO_ORGANIZATION")
            raise NotFound("Organization not found")
        if standing.get("membership") != MEMBER:
            raise Forbidden("You are not a member of this organization")
        return TenantContext(org_id=standing["orgId"], domain=standing.get("domain", ""), user_id=standing["userId"],
                             email=standing["email"], role=standing["role"])

    def call(self, organization: str | None):
        return catalog.common().open_call(self.tenant(organization))


def _tool_result(output: Any) -> dict[str, Any]:
    structured = output.model_dump(mode="json")
    return {"content": [{"type": "text", "text": json.dumps(structured, ensure_ascii=False)}], "structuredContent": structured, "isError": False}


def _tool_error(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"content": [{"type": "text", "text": f"{message}\n{json.dumps({'error': error}, ensure_ascii=False)}"}], "isError": True}


def call_tool(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("name")
    tool = TOOLS.get(name) if isinstance(name, str) else None
    if tool is None:
        raise RpcError(INVALID_PARAMS, f"Unknown tool: {name!r}; tools/list names them")
    arguments = params.get("arguments") or {}
    if not isinstance(arguments, dict):
        return _tool_error("VALIDATION_ERROR", "arguments must be an object")
    try:
        args = tool.input.model_validate(arguments)
    except ValidationError as error:
        details = validation_details(error.errors(), "arguments")
        message = "; ".join(f"{d.get('field')}: {d.get('message')}" for d in details) or "The arguments are invalid"
        return _tool_error("VALIDATION_ERROR", f"Invalid arguments: {message}", details)
    try:
        if tool.name == "whoami":
            try:
                call = session.call(args.organization)
            except DomainError:
                if args.organization:
                    raise
                call = None
            return _tool_result(tool.run(call, args, session.person))
        call = session.call(args.organization)
        if not tool.read_only:
            call.tenant.require_writer()
        return _tool_result(tool.run(call, args))
    except DomainError as error:
        return _tool_error(error.code, error.message, error.details)
    except Exception:
        logger.exception("MCP tool failed", extra={"tool": tool.name})
        return _tool_error("INTERNAL_ERROR", "Something went wrong on our side; nothing was applied")


# --- resources and prompts -------------------------------------------------------------------------------

RESOURCES = {
    "sandglass://organization/settings": ("organization-settings", "Organization settings",
                                          "The selected organization's settings: time zone, currency, workday, rounding, locking."),
    "sandglass://organization/projects": ("projects", "Projects", "The projects you can log time on (id, name, billable, archived)."),
}


def read_resource(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    uri = params.get("uri")
    if uri not in RESOURCES:
        raise RpcError(-32002, "Resource not found", {"uri": uri})
    try:
        call = session.call(None)
    except DomainError as error:
        raise RpcError(INVALID_PARAMS, error.message) from None
    value: Any = call.organization if uri.endswith("/settings") else catalog.common().project_list(call)
    return {"contents": [{"uri": uri, "mimeType": "application/json", "text": json.dumps(value, ensure_ascii=False)}]}


PROMPTS = {
    "weekly_timesheet_review": {
        "name": "weekly_timesheet_review",
        "title": "Weekly timesheet review",
        "description": "Review a week's timesheet: what is missing against expected time, odd entries, then submit it for approval.",
        "arguments": [{"name": "week", "description": "ISO week such as 2026-W49, 'this week' or 'last week' (default: last week)", "required": False}],
    },
}


def get_prompt(params: dict[str, Any]) -> dict[str, Any]:
    if params.get("name") not in PROMPTS:
        raise RpcError(INVALID_PARAMS, f"Unknown prompt: {params.get('name')!r}")
    week = str((params.get("arguments") or {}).get("week") or "last week")[:32]
    text = (
        f"Review my Sandglass timesheet for {week}.\n"
        f"1. Call my_week with week='{week}'. List the days below the expected time and how many minutes are missing.\n"
        "2. Point out entries without a description, entries over 10 hours, overlapping entries and a timer still running.\n"
        "3. Propose fixes (log_time with dry_run first, edit_entry) and apply them only after I confirm.\n"
        "4. If a day is locked, do not try to write: offer request_unlock for that week.\n"
        "5. When the week is complete, offer request_approval for it."
    )
    return {"description": PROMPTS["weekly_timesheet_review"]["description"], "messages": [{"role": "user", "content": {"type": "text", "text": text}}]}


@cache
def tool_listing() -> list[dict[str, Any]]:
    """tools/list: the schemas are built once per container (~25 ms), not per session."""
    return [tool.listing() for tool in TOOLS.values()]


def methods(session: Session) -> dict[str, Any]:

    def initialize(params: dict[str, Any]) -> dict[str, Any]:
        return {"protocolVersion": protocol.negotiate(params.get("protocolVersion")),
                "capabilities": {"tools": {"listChanged": False}, "resources": {"listChanged": False}, "prompts": {"listChanged": False}},
                "serverInfo": protocol.SERVER_INFO, "instructions": protocol.INSTRUCTIONS}

    return {
        "initialize": initialize,
        "ping": lambda params: {},
        "tools/list": lambda params: {"tools": tool_listing()},
        "tools/call": lambda params: call_tool(session, params),
        "resources/list": lambda params: {"resources": [{"uri": uri, "name": name, "title": title, "description": description, "mimeType": "application/json"}
                                                        for uri, (name, title, description) in RESOURCES.items()]},
        "resources/templates/list": lambda params: {"resourceTemplates": []},
        "resources/read": lambda params: read_resource(session, params),
        "prompts/list": lambda params: {"prompts": list(PROMPTS.values())},
        "prompts/get": get_prompt,
    }


def handle(body: str | None, authorizer_context: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any] | None]:
    return protocol.handle(body, methods(Session(authorizer_context, headers)))
