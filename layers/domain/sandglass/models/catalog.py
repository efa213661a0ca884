"""Tags, clients and tasks on the Sandtime surface (routes beyond the reference, in its conventions:
camelCase, strict input, ID-keyed maps, ETag / If-Match). docs/catalog.md describes the rules."""

from datetime import timedelta
from typing import Annotated, Any, ClassVar, Literal, Optional

from pydantic import BaseModel, Field, StrictBool, StrictInt, model_validator

from sandglass.entities import catalog as entities
from sandglass.models import ApiModel, Versioned
from sandglass.models.common import Email, EntityId, Name, Omittable, Text
from sandglass.models.formats import CurrencyCode, InstantOut
from sandglass.models.money import AmountOut, Currency, Money
from sandglass.timefmt import iso

TaskStatus = Literal["ACTIVE", "DONE"]
ShortName = Annotated[Name, Field(min_length=1, max_length=100)]
TaskName = Annotated[Name, Field(min_length=1, max_length=1000)]
Note = Annotated[Text, Field(max_length=3000)]
# An estimate in milliseconds (the API's unit for durations), up to ten thousand hours.
EstimateMs = Annotated[StrictInt, Field(ge=0, le=36_000_000_000)]
Assignees = Annotated[list[EntityId], Field(max_length=50)]


class _NoNulls(ApiModel):
    """A partial update: fields may be left out; the ones in `required_fields` may not be sent as null."""

    required_fields: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _no_nulls(self):
        nulls = [name for name in self.required_fields if name in self.model_fields_set and getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null")
        return self


# --- tags ------------------------------------------------------------------------------------------

class TagCreate(ApiModel):
    name: ShortName
    archived: StrictBool = False


class TagUpdate(_NoNulls):
    """PUT: any subset; `archived: true` keeps the tag off new activities (its name stays taken)."""

    required_fields: ClassVar[tuple[str, ...]] = ("name", "archived")
    name: Omittable[ShortName] = None
    archived: Omittable[StrictBool] = None


class Tag(Versioned):
    archived: bool
    createdAt: Optional[InstantOut] = None
    id: str
    name: str
    updatedAt: Optional[InstantOut] = None


# --- clients ---------------------------------------------------------------------------------------

class ClientCreate(ApiModel):
    name: ShortName
    email: Optional[Email] = None
    ccEmails: Annotated[list[Email], Field(max_length=3)] = Field(default_factory=list)
    address: Optional[Note] = None
    note: Optional[Note] = None
    currency: Optional[Currency] = None
    archived: StrictBool = False


class ClientUpdate(_NoNulls):
    """PUT: any subset; null clears `email`, `address`, `note` and `currency`."""

    required_fields: ClassVar[tuple[str, ...]] = ("name", "archived", "ccEmails")
    name: Omittable[ShortName] = None
    email: Optional[Email] = None
    ccEmails: Omittable[Annotated[list[Email], Field(max_length=3)]] = None
    address: Optional[Note] = None
    note: Optional[Note] = None
    currency: Optional[Currency] = None
    archived: Omittable[StrictBool] = None


class Client(Versioned):
    address: Optional[str] = None
    archived: bool
    ccEmails: list[str] = Field(default_factory=list)
    createdAt: Optional[InstantOut] = None
    currency: Optional[CurrencyCode] = None
    email: Optional[str] = None
    id: str
    name: str
    note: Optional[str] = None
    updatedAt: Optional[InstantOut] = None


# --- tasks -----------------------------------------------------------------------------------------

class RateIn(ApiModel):
    value: Money
    currency: Optional[Currency] = Field(None, description="ISO 4217; the organization's currency when left out")


class RateOut(BaseModel, defer_build=True):
    currency: CurrencyCode
    value: AmountOut


class TaskCreate(ApiModel):
    name: TaskName
    status: TaskStatus = "ACTIVE"
    assigneeIds: Assignees = Field(default_factory=list)
    estimate: Optional[EstimateMs] = None
    billable: Optional[StrictBool] = Field(None, description="Left out or null: as the project is")
    hourlyRate: Optional[RateIn] = None
    costRate: Optional[RateIn] = None


class TaskUpdate(_NoNulls):
    """PUT: any subset; null clears `estimate`, `billable` (back to the project's), and the rates."""

    required_fields: ClassVar[tuple[str, ...]] = ("name", "status", "assigneeIds")
    name: Omittable[TaskName] = None
    status: Omittable[TaskStatus] = None
    assigneeIds: Omittable[Assignees] = None
    estimate: Optional[EstimateMs] = None
    billable: Optional[StrictBool] = None
    hourlyRate: Optional[RateIn] = None
    costRate: Optional[RateIn] = None


class Task(Versioned):
    assigneeIds: list[str] = Field(default_factory=list)
    billable: Optional[bool] = None
    costRate: Optional[RateOut] = None
    createdAt: Optional[InstantOut] = None
    estimate: Optional[int] = None
    hourlyRate: Optional[RateOut] = None
    id: str
    name: str
    projectId: str
    status: TaskStatus
    updatedAt: Optional[InstantOut] = None


# --- entity <-> wire (the Sandtime dialect of the catalog) -----------------------------------------

def _instant(value) -> str | None:
    return None if value is None else iso(value)


def tag_view(tag: entities.Tag) -> Tag:
    return Tag(id=tag.id, name=tag.name, archived=tag.archived, createdAt=_instant(tag.created_at),
               updatedAt=_instant(tag.updated_at)).at_version(tag.version)


def client_view(client: entities.Client) -> Client:
    return Client(id=client.id, name=client.name, email=client.email, ccEmails=list(client.cc_emails), address=client.address,
                  note=client.note, currency=client.currency, archived=client.archived, createdAt=_instant(client.created_at),
                  updatedAt=_instant(client.updated_at)).at_version(client.version)


def _rate_view(money: entities.Money | None) -> RateOut | None:
    return None if money is None else RateOut(value=money.amount, currency=money.currency)


def task_view(task: entities.Task) -> Task:
    return Task(id=task.id, projectId=task.project_id, name=task.name, status=task.status, assigneeIds=list(task.assignee_ids),
                estimate=None if task.estimate is None else int(task.estimate / timedelta(milliseconds=1)), billable=task.billable,
                hourlyRate=_rate_view(task.hourly_rate), costRate=_rate_view(task.cost_rate), createdAt=_instant(task.created_at),
                updatedAt=_instant(task.updated_at)).at_version(task.version)


_DOMAIN_NAMES = {"ccEmails": "cc_emails", "assigneeIds": "assignee_ids", "hourlyRate": "hourly_rate", "costRate": "cost_rate"}


def domain_fields(body: ApiModel, *, partial: bool) -> dict[str, Any]:
    """A create (`partial` False: every field) or PUT body (only the fields sent) in the domain's words."""
    fields = {}
    for name, value in body.model_dump(exclude_unset=partial).items():
        if name in ("ccEmails", "assigneeIds"):
            value = tuple(value)
        elif name == "estimate" and value is not None:
            value = timedelta(milliseconds=value)
        elif name in ("hourlyRate", "costRate") and value is not None:
            value = entities.Money(amount=value["value"], currency=value.get("currency") or "")
        fields[_DOMAIN_NAMES.get(name, name)] = value
    return fields
