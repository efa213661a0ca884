"""Background purges, with the purge kind of every room that deletes in pages."""

from __future__ import annotations

from functools import partial

from sandglass import keys
from sandglass.composition import clock, once, table
from sandglass.repositories.jobs import JobRepository
from sandglass.repositories.projects import ProjectRepository
from sandglass.repositories.users import UserRepository
from sandglass.services.projects import purge_project_pass
from sandglass.services.purge import PurgeService
from sandglass.services.users import purge_user_pass


@once
def purge() -> PurgeService:
    service = PurgeService(JobRepository(table()), clock())
    service.register(keys.PURGE_PROJECT, partial(purge_project_pass, repository=ProjectRepository(table())))
    service.register(keys.PURGE_USER, partial(purge_user_pass, users=UserRepository(table()), jobs=JobRepository(table())))
    return service
