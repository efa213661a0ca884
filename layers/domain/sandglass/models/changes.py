"""The change feed on the Sandtime surface: GET /changes."""

from typing import Literal, Optional, Union

from pydantic import BaseModel, Field

from sandglass.entities.changes import Change, json_value
from sandglass.timefmt import iso


# a stored attribute's value as JSON: scalars, and lists and maps of them two levels deep (what the
# entities store; json_value writes anything deeper as a JSON string), spelled out so that generated
# clients get types (a recursive schema defeats some generators)
Scalar = Union[str, int, float, bool, None]
Nested = Union[Scalar, list[Scalar], dict[str, Scalar]]
StateValue = Union[Scalar, list[Nested], dict[str, Nested]]


class ChangeOut(BaseModel, defer_build=True):
    """One change of one entity, in commit order."""

    id: str = Field(description="The change's position in the organization's log (stable: deduplicate on it)")
    entityType: str = Field(description="activity, project, projectMember, member, organization, organizationLocks, memberLocks, weekLock, "
                                        "revenueRate, costRate, preferences, report, request, geofence")
    entityId: str
    operation: Literal["created", "updated", "deleted"]
    at: str = Field(description="When the change committed (UTC)")
    actor: Optional[str] = Field(None, description="The member who made it; null for the system or when the write does not record it")
    state: Optional[dict[str, StateValue]] = Field(None, description="The entity after the change (its stored attributes); null on delete: a tombstone")


class ChangesPage(BaseModel, defer_build=True):
    changes: list[ChangeOut]
    nextCursor: str = Field(description="Pass as `since` to read on from here (also when this page was empty: poll with it)")
    hasMore: bool = Field(description="True when more changes may follow at once (read again with nextCursor)")


def change_view(change: Change) -> ChangeOut:
    return ChangeOut(id=change.position, entityType=change.entity_type, entityId=change.entity_id, operation=change.operation,
                     at=iso(change.at), actor=change.actor, state=None if change.state is None else json_value(change.state, depth=3))
