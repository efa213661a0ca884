"""Sonderplan's time entry on the wire: the `POST /v2/time-entry` body, the entry the reads answer,
and the `{"success": ...}` envelope.

Input is read as the reference documents it and as its clients send it: unknown fields (the
`owner` echo, a booking's name and resources) are ignored; `billable` and `locked` are booleans or
the strings "true"/"false"; times are Unix seconds (`start`, `end`) or ISO-8601 with an offset
(`start_date_time_iso`, `end_date_time_iso`). Anything else of the wrong type is 400, never 500.
"""

from typing import Annotated, Any, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, WithJsonSchema

MAX_UNIX = 253402300799  # 9999-12-31T23:59:59Z
MAX_ID = 10**18 - 1  # 18 digits: what the integer ids resolve (services.int_ids.MAX_DIGITS)
MAX_NAME = 3000
MAX_DESCRIPTION = 10_000
MAX_REFERENCES = 100


def _true_false(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError('must be true or false (a boolean or the string "true" or "false")')


TrueFalse = Annotated[Optional[bool], BeforeValidator(_true_false),
                      WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "string", "enum": ["true", "false"]}]})]
IntegerId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
UnixSeconds = Annotated[StrictInt, Field(ge=0, le=MAX_UNIX, description="Unix time, seconds")]
IsoInstant = Annotated[str, Field(max_length=64, description="ISO-8601 with an offset, e.g. 2022-02-22T09:00:00+11:00")]


class SonderplanModel(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


class ProjectRef(SonderplanModel):
    id: IntegerId


class BookingRef(SonderplanModel):
    """A booking the entry is recorded against: Sandglass keeps its id (a reference; bookings are not served)."""

    id: IntegerId


class TimeEntryCreate(SonderplanModel):
    """POST /v2/time-entry. `start` (Unix seconds) wins over `start_date_time_iso`, `end` over
    `end_date_time_iso`; no end at all starts a running timer."""

    owner_id: IntegerId = Field(description="The person who owns the entry (another person: organization Administrators only)")
    name: str = Field(max_length=MAX_NAME, description="What is being worked on")
    description: Optional[str] = Field(None, max_length=MAX_DESCRIPTION, description="Notes about what was worked on")
    start: Optional[UnixSeconds] = None
    end: Optional[UnixSeconds] = None
    start_date_time_iso: Optional[IsoInstant] = None
    end_date_time_iso: Optional[IsoInstant] = None
    project: Optional[list[ProjectRef]] = Field(None, max_length=MAX_REFERENCES, description="Exactly one project")
    booking: Optional[list[BookingRef]] = Field(None, max_length=MAX_REFERENCES)
    billable: TrueFalse = Field(None, description="Defaults to the project's billable flag")
    locked: TrueFalse = Field(None, description="true: the entry is locked (organization Administrators only)")
    owner: Optional[Any] = Field(None, description="Ignored (the owner is owner_id)")


class CreatedId(BaseModel, defer_build=True):
    id: int


class Created(BaseModel, defer_build=True):
    success: CreatedId


class Ref(BaseModel, defer_build=True):
    id: Optional[int] = Field(description="null: created before integer ids and not backfilled yet (docs/ids.md)")


class TimeEntry(BaseModel, defer_build=True):
    """A time entry as the reads answer it (the fields of the POST body; `end` null while running;
    an id null only for what was created before integer ids and not backfilled yet)."""

    id: Optional[int]
    owner_id: Optional[int]
    name: str
    description: str
    start: int
    end: Optional[int] = None
    start_date_time_iso: str
    end_date_time_iso: Optional[str] = None
    project: list[Ref]
    booking: list[Ref]
    billable: bool
    locked: bool


class OneEntry(BaseModel, defer_build=True):
    success: TimeEntry


class EntryList(BaseModel, defer_build=True):
    success: list[TimeEntry]
