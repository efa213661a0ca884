"""Members of an organization: directory, invitations, profiles, preferences, cost rates."""

from __future__ import annotations

from sandglass.composition import clock, once, table
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.rates import RateRepository
from sandglass.repositories.users import UserRepository
from sandglass.services.rates import RateService
from sandglass.services.users import UserService


@once
def users() -> UserService:
    return UserService(UserRepository(table()), RateService(RateRepository(table())), clock(), OrganizationRepository(table()))
