"""API Gateway REQUEST authorizer: bearer JWT -> organization member context."""

from __future__ import annotations

from sandglass.errors import Unauthorized
from sandglass.services.auth import authorize


def _policy(principal: str, effect: str, method_arn: str, context: dict[str, str]) -> dict:
    return {
        "principalId": principal,
        "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": method_arn}]},
        "context": context,
    }


def lambda_handler(event: dict, _context) -> dict:
    try:
        decision = authorize(event.get("headers") or {}, event.get("httpMethod", ""), event.get("resource", ""))
    except Unauthorized:
        # The one exception message API Gateway turns into a 401 (the UNAUTHORIZED gateway response).
        raise Exception("Unauthorized") from None
    return _policy(decision.principal, "Allow" if decision.allow else "Deny", event["methodArn"], decision.context)
