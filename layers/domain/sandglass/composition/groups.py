"""Groups of people: 4me's organizations inside an account, Clockify's user groups."""

from __future__ import annotations

from sandglass.composition import clock, once, table
from sandglass.repositories.groups import GroupRepository
from sandglass.services.groups import GroupService


@once
def groups() -> GroupService:
    return GroupService(GroupRepository(table()), clock())
