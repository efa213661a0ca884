"""Workspace routes: auth snapshot, account organizations, sign-up, organization settings, personal API keys."""

from __future__ import annotations

from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from sandglass.composition.api_keys import api_keys
from sandglass.composition.organizations import organizations
from sandglass.context import API_KEY_CREDENTIAL
from sandglass.http.etag import parse_if_match, with_etag
from sandglass.http.resolver import create_app
from sandglass.http.tenant import caller, membership, requested_domain, session_caller, tenant
from sandglass.models.api_keys import ApiKey, ApiKeyCreate, ApiKeySecret, api_key_secret_view, api_key_view
from sandglass.models import Empty
from sandglass.models.organization import (
    AuthSnapshot,
    DeletedOrganization,
    DomainResponse,
    Health,
    Organization,
    OrganizationCreate,
    OrganizationSummary,
    OrganizationUpdate,
    RenameRequest,
)
from sandglass.services.auth import bearer_token

app = create_app()


# one service per container, built on the first request (not at import: cold start)
service = organizations


@app.get("/health", tags=["Health"], summary="Liveness: 200 while the API and this function answer (no credentials, no database call)",
         openapi_extensions={"x-sandglass-public": True})
def get_health() -> Health:
    return {"status": "ok"}


@app.get("/auth", tags=["Workspace"], summary="Get the current auth snapshot (with your own user id and role in the organization)")
def get_auth() -> AuthSnapshot:
    who = caller(app)
    user_id, role = membership(app)
    # the bearer token sent (the Sandtime reference echoes it); a request made with an API key gets "" (a key is never echoed)
    with_key = (app.current_event.request_context.authorizer.get_context() or {}).get("credential") == API_KEY_CREDENTIAL
    token = "" if with_key else bearer_token(app.current_event.headers)
    return AuthSnapshot(domain=requested_domain(app), email=who.email, token=token, userId=user_id, role=role)


@app.get("/organizations", tags=["Workspace"], summary="List active organizations")
def list_organizations() -> list[OrganizationSummary]:
    return service().list_for(caller(app))


@app.post("/organizations", tags=["Workspace"], summary="Create an organization (sign-up); the caller becomes its Administrator")
def create_organization(body: OrganizationCreate) -> Response[Organization]:
    context = app.current_event.request_context.authorizer.get_context() or {}
    return with_etag(service().create(caller(app), body, display_name=context.get("name") or None))


@app.get("/organization", tags=["Workspace"], summary="Get organization settings")
def get_organization() -> Response[Organization]:
    return with_etag(service().get(tenant(app)))


@app.put("/organization", tags=["Workspace"], summary="Update organization settings (Administrators)")
def put_organization(body: OrganizationUpdate, if_match: Annotated[Optional[str], Header(alias="If-Match")] = None) -> Response[Organization]:
    return with_etag(service().update(tenant(app), body, parse_if_match(if_match)))


@app.delete("/organization", tags=["Workspace"], summary="Delete the organization (Administrators)")
def delete_organization() -> DeletedOrganization:
    domain, redirect = service().delete(tenant(app))
    return DeletedOrganization(domain=domain, redirectUrl=redirect)


@app.post("/organization/rename", tags=["Workspace"], summary="Rename the organization subdomain (Administrators)")
def rename_organization(body: RenameRequest) -> DomainResponse:
    return DomainResponse(domain=service().rename(tenant(app), body.domain))


@app.get("/api-keys", tags=["API keys"], summary="List your personal API keys (never their secrets; session token only)")
def list_api_keys() -> list[ApiKey]:
    return [api_key_view(key) for key in api_keys().list(session_caller(app))]


@app.post("/api-keys", tags=["API keys"], summary="Create a personal API key; its secret is in this response only (session token only)",
          responses={201: {"description": "The key, with its secret (`key`), shown once"}})
def create_api_key(body: ApiKeyCreate) -> Response[ApiKeySecret]:
    created = api_keys().create(session_caller(app), body.name, body.expiresAt)
    return Response(status_code=201, content_type="application/json", body=api_key_secret_view(*created))


@app.post("/api-keys/<keyId>/rotate", tags=["API keys"], summary="Rotate a personal API key: a new secret, the same key id; the old secret stops working")
def rotate_api_key(keyId: str) -> ApiKeySecret:
    return api_key_secret_view(*api_keys().rotate(session_caller(app), keyId))


@app.delete("/api-keys/<keyId>", tags=["API keys"], summary="Revoke (delete) a personal API key: it stops working at once")
def delete_api_key(keyId: str) -> Empty:
    api_keys().revoke(session_caller(app), keyId)
    return {}


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
