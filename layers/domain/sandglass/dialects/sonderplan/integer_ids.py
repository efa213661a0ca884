"""Sonderplan's integer ids of people, projects and time entries, behind one small port.

`IntegerIds` is what the dialect needs: `number` gives an entity's integer id, `entity_id`
resolves an integer id back to the entity's UUID (None: no such entity of that kind in the
organization). `CounterIntegerIds` serves it from the per-organization integer ids (docs/ids.md):
resolving is the one resolver (`services.int_ids.IntIdService`, one GetItem of the alias); an
entity's number is on the entity (an activity's on the entity the service returns; a person's and
a project's on their items, read once per request). An entity created before integer ids and not
backfilled yet has no number: None (the reads answer null for it).
"""

from __future__ import annotations

from typing import Protocol

from sandglass.context import TenantContext
from sandglass.repositories.projects import ProjectRepository
from sandglass.repositories.users import UserRepository
from sandglass.services.int_ids import IntIdService

PERSON, PROJECT, ACTIVITY = "person", "project", "activity"


class IntegerIds(Protocol):
    def number(self, tenant: TenantContext, kind: str, entity_id: str) -> int | None: ...

    def entity_id(self, tenant: TenantContext, kind: str, number: int) -> str | None: ...


class CounterIntegerIds:
    """One per request (it remembers the numbers it read)."""

    def __init__(self, resolver: IntIdService | None = None, projects: ProjectRepository | None = None, users: UserRepository | None = None):
        self.resolver = resolver or IntIdService()
        self.projects = projects or ProjectRepository()
        self.users = users or UserRepository()
        self._numbers: dict[tuple[str, str], int | None] = {}

    def entity_id(self, tenant: TenantContext, kind: str, number: int) -> str | None:
        return self.resolver.resolve(tenant.org_id, kind, number)

    def remember(self, kind: str, entity_id: str, number: int | None) -> None:
        self._numbers[(kind, entity_id)] = number

    def number(self, tenant: TenantContext, kind: str, entity_id: str) -> int | None:
        key = (kind, entity_id)
        if key not in self._numbers:
            self._numbers[key] = self._read(tenant, kind, entity_id)
        return self._numbers[key]

    def _read(self, tenant: TenantContext, kind: str, entity_id: str) -> int | None:
        if kind == PROJECT:
            project = self.projects.get(tenant.org_id, entity_id)
            return None if project is None else project.number
        if kind == PERSON:
            member = self.users.get(tenant.org_id, entity_id)
            return None if member is None else member.number
        raise ValueError(f"an activity's number is on its entity, not read by id ({entity_id})")
