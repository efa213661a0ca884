"""The Clockify surface's rate limit: 50 requests a second per workspace, as Clockify answers it."""

from __future__ import annotations

from sandglass import ids
from sandglass_local.gateway import CLOCKIFY_RATE
from sandglass_local.template import gateway_responses

ADMIN = "admin@acme.test"


def test_a_burst_over_the_rate_is_429_in_clockifys_shape_per_workspace(api, acme, seed, gateway):
    assert CLOCKIFY_RATE == 50  # the dev server's rate: Clockify's documented 50 a second
    # in-process requests take ~15 ms each here, so a burst at 50/s would refill as fast as it drains:
    # the bucket is tested at 5 a second, the same code path
    gateway.throttle.rate = 5
    workspace = ids.short_id(seed.org_id("acme"))
    replies = [api.call("GET", f"/api/v1/workspaces/{workspace}", as_=ADMIN) for _ in range(30)]
    statuses = [reply.status for reply in replies]
    assert statuses[:5] == [200] * 5, statuses  # a full bucket serves the burst's start
    refused = [reply for reply in replies if reply.status == 429]
    assert refused, statuses
    # the usage plan's 429 is the template's one body for every surface: Clockify's fields are in it
    assert refused[0].json().items() >= {"message": "Too many requests", "code": 429}.items()
    assert refused[0].body == gateway_responses()["THROTTLED"].body
    assert refused[0].headers.get("Retry-After") == "1"
    # the Sandtime surface is not this bucket
    assert api.get("/auth", as_=ADMIN, org="acme").status == 200


def _authorizer_event(api, resource: str, path: str, *, org: str | None = None, path_parameters: dict | None = None) -> dict:
    headers = {"Authorization": f"Bearer {api.token(ADMIN)}", "Host": "127.0.0.1:3000", **({"X-Organization": org} if org else {})}
    return {"type": "REQUEST", "methodArn": f"arn:aws:execute-api:us-east-1:123456789012:local/api/GET{resource}", "resource": resource,
            "path": "/api" + path, "httpMethod": "GET", "headers": headers, "queryStringParameters": None, "pathParameters": path_parameters,
            "requestContext": {"resourcePath": resource, "httpMethod": "GET", "stage": "api"}}


def test_the_authorizer_names_the_workspace_key_production_throttles_by(api, acme, seed, gateway):
    """In production API Gateway throttles each request by the key the authorizer names (the usage
    plans in template.yaml): the organization's own on both surfaces, a shared one where none is named."""
    from sandglass.ports.throttle import ACCOUNT_THROTTLE_KEY, throttle_key

    org_id = seed.org_id("acme")
    workspace = ids.short_id(org_id)
    clockify = gateway.invoke("AuthorizerFunction", _authorizer_event(api, "/v1/workspaces/{workspaceId}", f"/v1/workspaces/{workspace}",
                                                                      path_parameters={"workspaceId": workspace}))
    sandtime = gateway.invoke("AuthorizerFunction", _authorizer_event(api, "/organization", "/organization", org="acme"))
    account = gateway.invoke("AuthorizerFunction", _authorizer_event(api, "/v1/user", "/v1/user"))
    assert clockify["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert clockify["usageIdentifierKey"] == sandtime["usageIdentifierKey"] == throttle_key(org_id)
    assert account["usageIdentifierKey"] == ACCOUNT_THROTTLE_KEY
