"""Projects and project memberships (reads shared with the Activities rules).

Item shapes (all under PK ``ORG#<orgId>``):
- project:  SK ``PROJECT#<projectId>`` — id, name, notes, billable, archived, avatar, version.
- member:   SK ``PROJECT#<projectId>#MEMBER#<memberId>`` with memberId = ids.project_member_id(projectId, userId)
            — id, projectId, userId, role (Administrator|User), archived, assignedBy, title, notes, tags, version;
            GSI1PK = keys.user_partition(org, userId), GSI1SK = ``PROJECT#<projectId>``;
            GSI2PK = keys.project_partition(org, projectId), GSI2SK = ``MEMBER#<memberId>``.
"""

from __future__ import annotations

from typing import Any

from sandglass import ids, keys
from sandglass.storage.table import Table

PROJECT_ADMINISTRATOR = "Administrator"


class ProjectRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def get(self, org_id: str, project_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.project(org_id, project_id))

    def membership(self, org_id: str, project_id: str, user_id: str) -> dict[str, Any] | None:
        """The user's membership of the project, or None (one GetItem)."""
        return self.table.get(keys.project_member(org_id, project_id, ids.project_member_id(project_id, user_id)))

    def memberships_of_user(self, org_id: str, user_id: str) -> list[dict[str, Any]]:
        """Every project membership of one user (one Query per page of GSI_USER)."""
        found: list[dict[str, Any]] = []
        for items in self.table.query_all(
            key_condition="GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
            values={":pk": keys.user_partition(org_id, user_id), ":prefix": keys.PROJECT_SK_PREFIX},
            index=keys.GSI_USER,
        ):
            found.extend(items)
        return found

    def administered_project_ids(self, org_id: str, user_id: str) -> list[str]:
        return [m["projectId"] for m in self.memberships_of_user(org_id, user_id) if m.get("role") == PROJECT_ADMINISTRATOR and not m.get("archived")]
