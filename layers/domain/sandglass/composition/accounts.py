"""Credentials and request bookkeeping: the authorizer, personal API keys, Idempotency-Key."""

from __future__ import annotations

from sandglass.composition import clock, once, table
from sandglass.repositories.api_keys import ApiKeyRepository
from sandglass.repositories.idempotency import IdempotencyRepository
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.services.api_keys import ApiKeyService
from sandglass.services.auth import Authorizer
from sandglass.services.idempotency import IdempotencyService


@once
def api_keys() -> ApiKeyService:
    return ApiKeyService(ApiKeyRepository(table()), clock())


@once
def authorizer() -> Authorizer:
    return Authorizer(OrganizationRepository(table()), api_keys())


@once
def idempotency() -> IdempotencyService:
    return IdempotencyService(IdempotencyRepository(table()), clock())
