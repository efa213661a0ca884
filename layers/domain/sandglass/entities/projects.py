"""Projects and project memberships.

A membership ties one user to one project with a project role; its id is derived from the two
(ids.project_member_id), so a user is a member of a project at most once. The activity rules read
``role`` / ``archived`` of the writer's membership; the requests and rates rules read the same.
"""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct


PROJECT_ADMINISTRATOR, PROJECT_USER = "Administrator", "User"


class Project(Struct, frozen=True, kw_only=True):
    id: str
    name: str
    notes: str = ""
    billable: bool = True
    archived: bool = False  # hidden from pickers, no new activities
    avatar: str | None = None
    client_id: str | None = None  # the client the project is filed under (entities/catalog.py)
    version: int = 1
    created_at: datetime | None = None
    created_by: str | None = None
    has_activities: bool = False  # set before its first activity is written (a delete without cascade checks it)
    number: int | None = None  # the integer id (4me, Sonderplan; repositories/int_ids.py); None until assigned


class ProjectMembership(Struct, frozen=True, kw_only=True):
    id: str  # ids.project_member_id(project_id, user_id)
    project_id: str
    user_id: str
    role: str = PROJECT_USER  # Administrator | User
    archived: bool = False
    assigned_by: str | None = None
    title: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    version: int = 1
    created_at: datetime | None = None

    @property
    def administers(self) -> bool:
        """The member manages the project (its members, their revenue rates, the project itself)."""
        return self.role == PROJECT_ADMINISTRATOR and not self.archived
