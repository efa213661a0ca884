"""Projects and project members, in the Sandtime reference's shapes."""

from typing import Annotated, Optional

from pydantic import Field, StrictBool, model_validator

from sandglass.entities import projects as entities
from sandglass.models import ApiModel, Versioned
from sandglass.models.common import EntityId, Name, Omittable, ProjectRole, Text

Tag = Annotated[Name, Field(min_length=1, max_length=50)]
Avatar = Annotated[Name, Field(max_length=2048)]


class ProjectCreate(ApiModel):
    name: Name = Field(min_length=1, max_length=200)
    notes: Text = Field("", max_length=5000)
    billable: StrictBool = True
    archived: StrictBool = False
    avatar: Optional[Avatar] = None
    clientId: Optional[EntityId] = Field(None, description="The client the project is filed under (an active client)")


class ProjectUpdate(ApiModel):
    """PUT: any subset of the fields; `archived: true` hides the project from pickers and blocks new activities."""

    @model_validator(mode="after")
    def _no_nulls(self):
        nulls = [name for name in ("name", "billable", "archived") if name in self.model_fields_set and getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null")
        return self

    name: Omittable[Name] = Field(None, min_length=1, max_length=200)
    notes: Optional[Text] = Field(None, max_length=5000)
    billable: Omittable[StrictBool] = None
    archived: Omittable[StrictBool] = None
    avatar: Optional[Avatar] = None
    clientId: Optional[EntityId] = Field(None, description="The client the project is filed under; null files it under none")


class Project(Versioned):
    archived: bool
    avatar: Optional[str] = None
    billable: bool
    clientId: Optional[str] = None
    id: str
    name: str
    notes: str = ""


class MemberCreate(ApiModel):
    userId: Name = Field(min_length=1, max_length=64)
    role: ProjectRole = "User"
    title: Optional[Name] = Field(None, max_length=200)
    notes: Optional[Text] = Field(None, max_length=5000)
    tags: list[Tag] = Field(default_factory=list, max_length=50)


class MemberUpdate(ApiModel):
    role: Optional[ProjectRole] = None
    title: Optional[Name] = Field(None, max_length=200)
    notes: Optional[Text] = Field(None, max_length=5000)
    tags: Optional[list[Tag]] = Field(None, max_length=50)
    archived: Optional[StrictBool] = None


class ProjectMember(Versioned):
    archived: bool
    assignedBy: Optional[str] = None
    id: str
    notes: Optional[str] = None
    projectId: str
    role: ProjectRole
    tags: list[str] = Field(default_factory=list)
    title: Optional[str] = None
    userId: str


def project_view(project: entities.Project) -> Project:
    """A project as the Sandtime surface shows it (its version becomes the ETag)."""
    view = Project(archived=project.archived, avatar=project.avatar, billable=project.billable, id=project.id, name=project.name,
                   notes=project.notes, clientId=project.client_id)
    return view.at_version(project.version)


def member_view(member: entities.ProjectMembership) -> ProjectMember:
    """A project membership as the Sandtime surface shows it (its version becomes the ETag)."""
    return ProjectMember(archived=member.archived, assignedBy=member.assigned_by, id=member.id, notes=member.notes, projectId=member.project_id,
                         role=member.role, tags=list(member.tags), title=member.title, userId=member.user_id).at_version(member.version)
