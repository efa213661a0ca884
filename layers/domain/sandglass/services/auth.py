"""Who may call: bearer-token or API-key verification, the credential's scope and the organization
membership check.

Tokens are JWTs: HS256 signed with the deployment's secret (self-issued, and the dev server's
tokens), or RS256 verified against a JWKS URL (a Cognito user pool or any OIDC provider).
Anything else, `alg: none` included, is refused.

Every token names what it may act on (SECURITY.md lists each kind):
- a session token (no scope claims) acts for its person in every organization they are an active
  member of, with their role there;
- a token with `org` (an organization id) acts in that organization only, and with `userId` (a
  member id) for that member only; a delegated token (`act`, the support sign-in) must carry both,
  and ends exactly at its `exp` (no clock-skew leeway: this deployment issued it). Scoped tokens
  never act for the whole account (ACCOUNT_WIDE_ROUTES). Anywhere else they are denied (403);
- a personal API key (X-Api-Key, services/api_keys.py) acts like a session token for its person.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from typing import Any

from msgspec import Struct, field

from sandglass import ids, text
from sandglass.clock import SystemClock
from sandglass.context import API_KEY_CREDENTIAL, SESSION_CREDENTIAL
from sandglass.errors import Unauthorized
from sandglass.repositories.access import AccessRepository
from sandglass.repositories.short_ids import ShortIdRepository
from sandglass.services.api_keys import ApiKeyService
from sandglass.settings import get_settings

# A person's API keys (services/api_keys.py): managed with a session token only.
API_KEY_ROUTES = frozenset({("GET", "/api-keys"), ("POST", "/api-keys"), ("POST", "/api-keys/{keyId}/rotate"), ("DELETE", "/api-keys/{keyId}")})
# The Clockify surface (dialects/clockify): its organization is the `{workspaceId}` of the path,
# never the Host or X-Organization.
CLOCKIFY_PREFIX = "/v1/"
CLOCKIFY_WORKSPACE_PARAMETER = "workspaceId"
CLOCKIFY_RESOURCES = (CLOCKIFY_PREFIX + "user", CLOCKIFY_PREFIX + "workspaces")  # 4me's /v1/timesheets is not Clockify's


def is_clockify(resource: str) -> bool:
    return any(resource == root or resource.startswith(root + "/") for root in CLOCKIFY_RESOURCES)
# Routes that act for the account, not for one organization (sign-up, listing, auth snapshot, API keys).
ACCOUNT_ROUTES = frozenset({("GET", "/auth"), ("GET", "/organizations"), ("POST", "/organizations"), *API_KEY_ROUTES,
                            ("GET", CLOCKIFY_PREFIX + "user"), ("GET", CLOCKIFY_PREFIX + "workspaces")})
# Account routes that reach beyond one organization (every membership, a new organization, the
# person's API keys): never for a token scoped to one organization.
ACCOUNT_WIDE_ROUTES = frozenset({("GET", "/organizations"), ("POST", "/organizations"), *API_KEY_ROUTES, ("GET", CLOCKIFY_PREFIX + "workspaces")})

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


class Scope(Struct, frozen=True):
    """What a token may act on: its person in all their organizations (both None), or one
    organization (`org_id`) and within it one member (`user_id`). `actor`/`request_id`: who acts
    for the person, and under which request (the support sign-in)."""

    org_id: str | None = None
    user_id: str | None = None
    actor: str | None = None
    request_id: str | None = None

    @property
    def scoped(self) -> bool:
        return self.org_id is not None

    def admits(self, org_id: str | None, user_id: str | None) -> bool:
        """Whether the request's organization and the caller's member id there are inside the scope."""
        if not self.scoped:
            return True
        return org_id == self.org_id and (self.user_id is None or user_id == self.user_id)


def token_scope(claims: dict[str, Any]) -> Scope:
    """The scope a verified token's claims name (401 when they name one badly)."""
    import time

    org_id, user_id, act = claims.get("org"), claims.get("userId"), claims.get("act")
    if org_id is not None and ids.canonical_id(org_id if isinstance(org_id, str) else "") != org_id:
        raise Unauthorized("The bearer token's org claim is not an organization id")
    if user_id is not None and (org_id is None or not isinstance(user_id, str) or ids.canonical_id(user_id) != user_id):
        raise Unauthorized("The bearer token's userId claim is not a member id of its organization")
    if act is None:
        return Scope(org_id, user_id)
    if not isinstance(act, dict) or not isinstance(act.get("sub"), str) or org_id is None or user_id is None:
        raise Unauthorized("A delegated bearer token must name its actor, organization and member")
    if claims["exp"] <= time.time():
        raise Unauthorized("The bearer token has expired", code="TOKEN_EXPIRED")
    request_id = act.get("requestId")
    return Scope(org_id, user_id, actor=act["sub"], request_id=request_id if isinstance(request_id, str) else None)


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
    issued = now or SystemClock().now()  # the wall clock, not the process's: verifiers check `exp` against it
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
        raise Unauthorized("Send 'Authorization: Bearer <token>' or a personal API key as 'X-Api-Key: <key>'")
    return token.strip()


# Surfaces whose clients can send only `Authorization: Bearer <token>`: there a personal API key is
# also accepted as the bearer token (a JWT always has dots, an API key never).
BEARER_API_KEY_ROOTS = ("/v2/time-entry",)


def _bearer_api_key(headers: dict[str, str], resource: str) -> str | None:
    if not any(resource == root or resource.startswith(root + "/") for root in BEARER_API_KEY_ROOTS):
        return None
    value = _header(headers, "authorization") or ""
    scheme, _, token = value.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token and "." not in token else None


def _credentials(headers: dict[str, str], api_keys: ApiKeyService, resource: str = "") -> tuple[dict[str, str], Scope]:
    """The person (authorizer context: email, subject, name, credential) and the scope of the one
    credential sent: a bearer JWT or a personal API key (X-Api-Key, any letter case; on the
    BEARER_API_KEY_ROOTS routes also as the bearer token). Both at once is refused (401): which one
    to honour would be a guess."""
    api_key = _header(headers, "x-api-key")
    if api_key is None and (bearer_key := _bearer_api_key(headers, resource)) is not None:
        headers, api_key = {}, bearer_key
    if api_key is None:
        claims = verify_token(bearer_token(headers))
        scope = token_scope(claims)
        email = ids.normalize_email(claims["email"])
        context = {"email": email, "subject": str(claims.get("sub") or email), "name": text.single_line(str(claims.get("name") or ""), 200),
                   "credential": SESSION_CREDENTIAL}
        if scope.actor:
            context.update({"actor": scope.actor, "actorRequestId": scope.request_id or ""})
        return context, scope
    if _header(headers, "authorization") is not None:
        raise Unauthorized("Send one credential: 'Authorization: Bearer <token>' or 'X-Api-Key: <key>', not both")
    key = api_keys.authenticate(api_key)
    email = ids.normalize_email(key.email)
    # a key acts for its person like a session token: every organization they are an active member of
    return {"email": email, "subject": email, "name": "", "credential": API_KEY_CREDENTIAL, "apiKeyId": key.key_id}, Scope()


def _header(headers: dict[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def organization_domain(headers: dict[str, str]) -> str | None:
    """The organization's domain: the Host's first label when the host names one (under BASE_DOMAIN;
    without it any host of three labels or more, and `<org>.localhost` locally), else
    X-Sandtime-Organization (what MCP clients send), else X-Organization, else `account` (what 4me
    Timesheets clients send)."""
    host = (_header(headers, "host") or "").split(":")[0].strip().lower()
    base = get_settings().base_domain
    label = None
    if host and base and host.endswith("." + base):
        label = host[: -len(base) - 1].split(".")[-1]
    elif host and not base and host.count(".") >= 2 and not _is_ip(host) and ".execute-api." not in host and not host.endswith(".amazonaws.com"):
        label = host.split(".")[0]
    elif host.endswith(".localhost") and host.count(".") == 1:  # local dev: acme.localhost:3000 names acme
        label = host.split(".")[0]
    header = (_header(headers, "x-sandtime-organization") or _header(headers, "x-organization") or _header(headers, "account") or "").strip().lower()
    return label or header or None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Decision(Struct):
    allow: bool
    principal: str
    context: dict[str, str] = field(default_factory=dict)


def _clockify_organization(email: str, resource: str, path_parameters: dict[str, str] | None) -> tuple[str | None, str | None]:
    """(workspace id as sent, organization id) of a Clockify route: the organization among the
    account's own memberships whose 24-hex id the path names (None when it names none of them);
    (None, None) on the account routes (/v1/user, /v1/workspaces)."""
    workspace = (path_parameters or {}).get(CLOCKIFY_WORKSPACE_PARAMETER)
    if "{" + CLOCKIFY_WORKSPACE_PARAMETER + "}" not in resource or not workspace:
        return None, None
    return workspace, ShortIdRepository().organization_id(email, workspace)


class Authorizer:
    """Credentials -> a person, their organization membership and role (the REQUEST authorizer)."""

    def __init__(self, organizations: AccessRepository | None = None, api_keys: ApiKeyService | None = None):
        self.organizations = organizations or AccessRepository()
        self.api_keys = api_keys or ApiKeyService()

    def authorize(self, headers: dict[str, str], method: str, resource: str, path_parameters: dict[str, str] | None = None) -> Decision:
        """Verify the token, resolve the organization and check membership and role.

        Raises Unauthorized (401) for missing/bad credentials; a valid account that is not an
        active member of the organization gets a Deny (403), except on account-level routes.
        An unknown or deleted organization is allowed through marked `missing` so the handler
        answers 404 with the API's error shape. On the Clockify surface the organization is the
        workspace the path names (among the caller's own memberships), never the host.
        """
        # The one place credentials become a person (a bearer JWT or a personal API key); every surface
        # gets them through it (MCP re-runs it for a per-call organization).
        context, scope = _credentials(headers, self.api_keys, resource)
        email = context["email"]
        route = (method.upper(), resource)
        account_route = route in ACCOUNT_ROUTES
        if scope.scoped and route in ACCOUNT_WIDE_ROUTES:
            return Decision(False, email, {**context, "membership": "out-of-scope"})
        if is_clockify(resource):
            workspace, org_id = _clockify_organization(email, resource, path_parameters)
            if workspace is None:
                return Decision(not scope.scoped, email, {**context, "membership": "missing" if not scope.scoped else "out-of-scope"})
            return self._member_decision(context, scope, workspace, org_id, account_route)
        domain = organization_domain(headers)
        if not domain:
            return Decision(not scope.scoped, email, {**context, "membership": "missing" if not scope.scoped else "out-of-scope"})
        org_id = self.organizations.org_id_for_domain(domain)
        if scope.scoped and org_id != scope.org_id:
            return Decision(False, email, {**context, "domain": domain, "membership": "out-of-scope"})
        return self._member_decision(context, scope, domain, org_id, account_route)

    def _member_decision(self, context: dict[str, str], scope: Scope, domain: str, org_id: str | None, account_route: bool) -> Decision:
        """The decision once the organization is known (None: no such organization for this caller)."""
        email = context["email"]
        if org_id is None:
            return Decision(not scope.scoped, email, {**context, "domain": domain, "membership": "missing" if not scope.scoped else "out-of-scope"})
        if scope.scoped and org_id != scope.org_id:
            return Decision(False, email, {**context, "domain": domain, "membership": "out-of-scope"})
        member = self.organizations.member(org_id, ids.member_id(org_id, email))
        if not member or member.get("archived"):
            return Decision(account_route and not scope.scoped, email, {**context, "domain": domain, "orgId": org_id, "membership": "none"})
        if not scope.admits(org_id, member["id"]):
            return Decision(False, email, {**context, "domain": domain, "orgId": org_id, "membership": "out-of-scope"})
        return Decision(True, email, {**context, "domain": domain, "orgId": org_id, "membership": "member", "userId": member["id"], "role": member["role"]})


def authorize(headers: dict[str, str], method: str, resource: str, repository: AccessRepository | None = None,
              path_parameters: dict[str, str] | None = None) -> Decision:
    """`Authorizer.authorize` with default collaborators (for callers outside the composition root)."""
    return Authorizer(repository).authorize(headers, method, resource, path_parameters)
