"""Personal API keys."""

from __future__ import annotations

from sandglass.composition import clock, once, table
from sandglass.repositories.api_keys import ApiKeyRepository
from sandglass.services.api_keys import ApiKeyService


@once
def api_keys() -> ApiKeyService:
    return ApiKeyService(ApiKeyRepository(table()), clock())
