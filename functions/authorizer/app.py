"""API Gateway REQUEST authorizer: bearer JWT -> organization member context."""

from __future__ import annotations

from sandglass.composition.authorizer import authorizer
from sandglass.errors import Unauthorized
from sandglass.observability import instrumented, logger
from sandglass.ports.throttle import throttle_key


def _policy(principal: str, effect: str, method_arn: str, context: dict[str, str]) -> dict:
    """The policy, and the key API Gateway throttles the request by (the API's key source is this
    authorizer): the organization's own, 50 requests a second, or the account routes' shared one."""
    return {
        "principalId": principal,
        "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": method_arn}]},
        "context": context,
        "usageIdentifierKey": throttle_key(context.get("orgId")),
    }


@instrumented
def lambda_handler(event: dict, _context) -> dict:
    try:
        decision = authorizer().authorize(event.get("headers") or {}, event.get("httpMethod", ""), event.get("resource", ""),
                                          path_parameters=event.get("pathParameters"))
    except Unauthorized as refusal:
        logger.info("refused", extra={"reason": refusal.message})
        # The one exception message API Gateway turns into a 401 (the UNAUTHORIZED gateway response).
        raise Exception("Unauthorized") from None
    logger.thread_safe_append_keys(**{key: decision.context[key] for key in ("orgId", "userId") if decision.context.get(key)})
    if not decision.allow:
        logger.info("denied", extra={"membership": decision.context.get("membership")})
    return _policy(decision.principal, "Allow" if decision.allow else "Deny", event["methodArn"], decision.context)
