"""The REQUEST authorizer: bearer tokens and API keys to a member of an organization."""

from __future__ import annotations

from sandglass.composition import once, table
from sandglass.composition.api_keys import api_keys
from sandglass.repositories.access import AccessRepository
from sandglass.services.auth import Authorizer


@once
def authorizer() -> Authorizer:
    return Authorizer(AccessRepository(table()), api_keys())
