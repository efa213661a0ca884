"""Who may call: bearer-token verification and the organization membership check.

Tokens are JWTs: HS256 signed with the deployment's secret (self-issued, and the dev server's
tokens), or RS256 verified against a JWKS URL (a Cognito user pool or any OIDC provider).
Anything else, `alg: none` included, is refused.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sandglass import ids, text
from sandglass.errors import Unauthorized
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.settings import get_settings

# Routes that act for the account, not for one organization (sign-up, listing, auth snapshot).
ACCOUNT_ROUTES = frozenset({("GET", "/auth"), ("GET", "/organizations"), ("POST", "/organizations")})

_jwks_clients: dict[str, Any] = {}


def _jwks_client(url: str):
    if url not in _jwks_clients:
        from jwt import PyJWKClient

        _jwks_clients[url] = PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
    return _jwks_clients[url]


def verify_token(token: str) -> dict[str, Any]:
    import jwt

    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthorized("The bearer token is malformed") from None
    algorithm = header.get("alg")
    options = {"require": ["exp"], "verify_aud": bool(settings.jwt_audience)}
    common = {"audience": settings.jwt_audience, "issuer": settings.jwt_issuer, "options": options, "leeway": 30}
    try:
        secret = settings.jwt_secret if algorithm == "HS256" else None
        if secret:
            claims = jwt.decode(token, secret, algorithms=["HS256"], **common)
        elif algorithm == "RS256" and settings.jwks_url:
            signing_key = _jwks_client(settings.jwks_url).get_signing_key_from_jwt(token)
            claims = jwt.decode(token, signing_key.key, algorithms=["RS256"], **common)
        else:
            raise Unauthorized("The bearer token's algorithm is not accepted")
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The bearer token has expired", code="TOKEN_EXPIRED") from None
    except jwt.PyJWTError:
        raise Unauthorized("The bearer token is invalid") from None
    _require_integer_dates(claims)
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise Unauthorized("The bearer token carries no email claim")
    return claims


# RFC 7519 makes exp/iat/nbf NumericDates (JSON numbers). PyJWT also takes strings ("1795888683")
# and truncates floats; we take JSON integers only (every mainstream issuer - Cognito, Auth0, Okta,
# Google - sends integer seconds), so one unambiguous form passes and a float is refused like a string.
_NUMERIC_DATE_CLAIMS = ("exp", "iat", "nbf")


def _require_integer_dates(claims: dict[str, Any]) -> None:
    for name in _NUMERIC_DATE_CLAIMS:
        if name in claims and (type(claims[name]) is not int):
            raise Unauthorized(f"The bearer token's {name} claim must be an integer NumericDate")


def issue_token(email: str, *, name: str | None = None, ttl: timedelta = timedelta(hours=12), now: datetime | None = None, secret: str | None = None,
                extra_claims: dict[str, Any] | None = None) -> str:
    """A self-issued HS256 token (dev server, tests, deployments without an external IdP, and the
    support sign-in, whose `act` claim names who acts for the member)."""
    import jwt

    settings = get_settings()
    key = secret or settings.jwt_secret
    if not key:
        raise RuntimeError("No JWT secret configured")
    issued = now or datetime.now(timezone.utc)
    claims: dict[str, Any] = {"sub": ids.normalize_email(email), "email": ids.normalize_email(email), "iat": int(issued.timestamp()), "exp": int((issued + ttl).timestamp())}
    if name:
        claims["name"] = name
    if extra_claims:
        claims.update(extra_claims)
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, key, algorithm="HS256")


def bearer_token(headers: dict[str, str]) -> str:
    value = _header(headers, "authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send 'Authorization: Bearer <token>'")
    return token.strip()


def _header(headers: dict[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def organization_domain(headers: dict[str, str]) -> str | None:
    """The organization's domain: the Host's first label when the host names one (under BASE_DOMAIN;
    without it any host of three labels or more, and `<org>.localhost` locally), else
    X-Sandtime-Organization (what MCP clients send), else X-Organization."""
    host = (_header(headers, "host") or "").split(":")[0].strip().lower()
    base = (os.environ.get("BASE_DOMAIN") or "").strip().lower()
    label = None
    if host and base and host.endswith("." + base):
        label = host[: -len(base) - 1].split(".")[-1]
    elif host and not base and host.count(".") >= 2 and not _is_ip(host) and ".execute-api." not in host and not host.endswith(".amazonaws.com"):
        label = host.split(".")[0]
    elif host.endswith(".localhost") and host.count(".") == 1:  # local dev: acme.localhost:3000 names acme
        label = host.split(".")[0]
    header = (_header(headers, "x-sandtime-organization") or _header(headers, "x-organization") or "").strip().lower()
    return label or header or None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass
class Decision:
    allow: bool
    principal: str
    context: dict[str, str] = field(default_factory=dict)


def authorize(headers: dict[str, str], method: str, resource: str, repository: OrganizationRepository | None = None) -> Decision:
    """Verify the token, resolve the organization and check membership and role.

    Raises Unauthorized (401) for missing/bad credentials; a valid account that is not an
    active member of the organization gets a Deny (403), except on account-level routes.
    An unknown or deleted organization is allowed through marked `missing` so the handler
    answers 404 with the API's error shape.
    """
    # The one place credentials become a person: personal API keys (X-Api-Key) plug in here, next to
    # the bearer token; every surface gets them through it (MCP re-runs it for a per-call organization).
    claims = verify_token(bearer_token(headers))
    email = ids.normalize_email(claims["email"])
    context = {"email": email, "subject": str(claims.get("sub") or email), "name": text.single_line(str(claims.get("name") or ""), 200)}
    account_route = (method.upper(), resource) in ACCOUNT_ROUTES
    domain = organization_domain(headers)
    if not domain:
        return Decision(True, email, {**context, "membership": "missing"})
    repository = repository or OrganizationRepository()
    org_id = repository.org_id_for_domain(domain)
    if org_id is None:
        return Decision(True, email, {**context, "domain": domain, "membership": "missing"})
    member = repository.member(org_id, ids.member_id(org_id, email))
    if not member or member.get("archived"):
        return Decision(account_route, email, {**context, "domain": domain, "orgId": org_id, "membership": "none"})
    return Decision(True, email, {**context, "domain": domain, "orgId": org_id, "membership": "member", "userId": member["id"], "role": member["role"]})
