"""The throttle-key port: each organization (Clockify workspace) has its own rate-limit key at the
API's edge, so that its requests are throttled apart from every other organization's.

In production the key is an API Gateway API key in the workspaces' usage plan (50 requests a second,
docs/clockify.md, Throttling): the REQUEST authorizer names it as the request's `usageIdentifierKey`
(the API's key source is AUTHORIZER; clients never send it), and API Gateway throttles before the
function runs. The key's value is derived from the organization id, so the authorizer names it
without reading anything; it identifies, it grants nothing (a client cannot present it)."""

from __future__ import annotations

from typing import Protocol

# The key of requests that name no organization (account routes: /v1/user, /v1/workspaces, /auth…):
# a usage plan of its own, so one workspace's burst does not throttle them and they do not share a
# workspace's 50 a second.
ACCOUNT_THROTTLE_KEY = "sandglass-account-routes-throttle"
WORKSPACE_KEY_PREFIX = "sandglass-workspace-"


def throttle_key(org_id: str | None) -> str:
    """The usage-identifier key value of an organization (API Gateway wants 20 to 128 characters)."""
    return WORKSPACE_KEY_PREFIX + org_id if org_id else ACCOUNT_THROTTLE_KEY


class ThrottleKeys(Protocol):
    def ensure(self, org_id: str) -> None:
        """The organization's key exists and is in the workspaces' usage plan (idempotent)."""
        ...
