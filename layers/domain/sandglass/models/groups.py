"""Groups of people and their memberships, on the Sandtime surface (camelCase)."""

from datetime import date
from typing import Annotated, Optional

from pydantic import BaseModel, Field

from sandglass.entities.groups import Group as GroupEntity
from sandglass.entities.groups import GroupMembership
from sandglass.models import ApiModel, Versioned
from sandglass.models.common import EntityId, Omittable
from sandglass.models.common import Name as SingleLine

Name = Annotated[SingleLine, Field(min_length=1, max_length=128)]


class GroupCreate(ApiModel):
    """POST /groups (Administrators)."""

    name: Name
    managerId: Optional[EntityId] = Field(None, description="The member who manages the group (reads its timesheets)")
    substituteId: Optional[EntityId] = Field(None, description="The manager's substitute (reads its timesheets too)")


class GroupUpdate(ApiModel):
    """PUT /groups/{groupId} (Administrators; any subset of fields; null clears a leader)."""

    name: Omittable[Name] = None
    managerId: Optional[EntityId] = None
    substituteId: Optional[EntityId] = None


class GroupPlacement(ApiModel):
    """PUT /groups/{groupId}/members/{userId}: the member belongs to the group from `from` on (their
    previous group ends the day before)."""

    from_: date = Field(alias="from", description="First day in the group (yyyy-mm-dd)")


class Group(Versioned):
    id: str
    name: str
    managerId: Optional[str] = None
    substituteId: Optional[str] = None


class GroupMember(BaseModel, defer_build=True):
    userId: str
    groupId: Optional[str] = None
    from_: date = Field(alias="from", serialization_alias="from")


def group_view(group: GroupEntity) -> Group:
    return Group(id=group.id, name=group.name, managerId=group.manager_id, substituteId=group.substitute_id).at_version(group.version)


def member_view(membership: GroupMembership) -> GroupMember:
    return GroupMember(userId=membership.user_id, groupId=membership.group_id, **{"from": membership.from_day})
