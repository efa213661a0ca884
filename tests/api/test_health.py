"""GET /api/health: a liveness check without credentials (deployed too: `Auth: NONE` in the template)."""

from __future__ import annotations

from sandglass_local import template as tpl


def test_health_answers_without_credentials_and_without_dynamodb(api):
    from sandglass_local.callcounter import counting

    with counting() as calls:
        reply = api.get("/health")
    assert sum(calls.calls.values()) == 0
    assert reply.status == 200 and reply.json() == {"status": "ok"}
    assert reply.header("Content-Type") == "application/json"
    # even a bad token does not matter: the authorizer is not called
    assert api.get("/health", token="not-a-token").status == 200


def test_public_routes_are_health_the_documents_and_the_support_sign_in():
    """Only these skip the authorizer: the liveness check, the OpenAPI document (tests/api/test_openapi.py),
    the one-time support sign-in, whose token is its credential (tests/api/requests), and the agents'
    static guide (SKILL.md and the pointer to it at GET /mcp, which read no data: tests/api/test_mcp.py)."""
    public = sorted((route.method, route.path) for route in tpl.routes() if route.public)
    assert public == [("GET", "/SKILL.md"), ("GET", "/health"), ("GET", "/mcp"), ("GET", "/openapi.json"), ("GET", "/openapi/clockify.json"),
                      ("POST", "/auth/impersonation")]


def test_the_support_sign_in_is_documented_as_public(gateway):
    from sandglass_local.openapi import merged_schema

    assert merged_schema(gateway)["paths"]["/auth/impersonation"]["post"]["security"] == []


def test_health_is_documented_as_public(gateway):
    from sandglass_local.openapi import merged_schema

    operation = merged_schema(gateway)["paths"]["/health"]["get"]
    assert operation["security"] == []
    assert set(operation["responses"]) == {"200", "429", "500"}
