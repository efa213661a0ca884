"""Background purges, with the purge kind of every room that deletes in pages."""

from __future__ import annotations

from sandglass import keys
from sandglass.composition import clock, once, table
from sandglass.repositories.jobs import JobRepository
from sandglass.repositories.projects import ProjectRepository
from sandglass.repositories.users import UserRepository
from sandglass.services.purge import PurgeService, project_purge, user_purge


@once
def purge() -> PurgeService:
    service = PurgeService(JobRepository(table()), clock())
    service.register(keys.PURGE_PROJECT, project_purge(ProjectRepository(table())))
    service.register(keys.PURGE_USER, user_purge(UserRepository(table()), JobRepository(table())))
    return service
