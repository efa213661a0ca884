"""Read who is calling from the authorizer's context (never from client-sent data)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from sandglass.context import API_KEY_CREDENTIAL, Caller, TenantContext
from sandglass.errors import Forbidden, NotFound, Unauthorized

# Values the authorizer puts in `membership`.
MEMBER = "member"
NOT_MEMBER = "none"
NO_ORGANIZATION = "missing"

ORGANIZATION_REQUIRED = ("The request names no organization: send the X-Organization header with its domain (X-Organization: acme), "
                         "or call the organization's host (https://acme.<your domain>/api; locally http://acme.localhost:3000/api)")


def _authorizer_context(app: APIGatewayRestResolver) -> dict:
    context = app.current_event.request_context.authorizer.get_context() or {}
    if not context.get("email"):
        raise Unauthorized("Missing or invalid credentials")
    return context


def caller(app: APIGatewayRestResolver) -> Caller:
    context = _authorizer_context(app)
    return Caller(email=context["email"], subject=context.get("subject") or context["email"])


def session_caller(app: APIGatewayRestResolver) -> Caller:
    """The caller of a route that only a session token may use: API keys are created, rotated,
    listed and revoked with a session, never with an API key (a leaked key cannot mint others)."""
    if _authorizer_context(app).get("credential") == API_KEY_CREDENTIAL:
        raise Forbidden("API keys are managed with a session token (Authorization: Bearer), not with an API key", code="SESSION_REQUIRED")
    return caller(app)


def requested_domain(app: APIGatewayRestResolver) -> str | None:
    return _authorizer_context(app).get("domain") or None


def membership(app: APIGatewayRestResolver) -> tuple[str | None, str | None]:
    """(user id, role) of the caller in the requested organization; (None, None) when they are not
    an active member of it (or no organization was named)."""
    context = _authorizer_context(app)
    if context.get("membership") != MEMBER:
        return None, None
    return context.get("userId") or None, context.get("role") or None


def tenant(app: APIGatewayRestResolver) -> TenantContext:
    """The caller as a member of the organization the request targets, or 404/403."""
    context = _authorizer_context(app)
    membership = context.get("membership")
    if membership == NO_ORGANIZATION and not context.get("domain"):
        raise NotFound(ORGANIZATION_REQUIRED, code="ORGANIZATION_REQUIRED")
    if membership == NO_ORGANIZATION or not context.get("orgId"):
        raise NotFound("Organization not found")
    if membership != MEMBER:
        raise Forbidden("You are not a member of this organization")
    return TenantContext(
        org_id=context["orgId"],
        domain=context.get("domain", ""),
        user_id=context["userId"],
        email=context["email"],
        role=context["role"],
    )
