"""Activity (time entry) bodies and responses, in the Sandtime reference's shapes.

Input instants accept any ISO-8601 offset (or `Z`) and are normalised to UTC with millisecond
precision; output is always `2026-07-03T08:30:00.000Z`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StrictBool, model_serializer

from sandglass import ids, timefmt
from sandglass.models import ApiModel

MAX_NAME = 3000
_MIN_YEAR, _MAX_YEAR = 1970, 9998


def parse_instant(value: Any) -> datetime:
    """An ISO-8601 instant with an offset -> aware UTC datetime truncated to milliseconds."""
    if isinstance(value, datetime):
        parsed = value
        if parsed.tzinfo is None:
            raise ValueError("An instant needs an offset or 'Z' (e.g. 2026-07-03T09:00:00+02:00)")
    else:
        if not isinstance(value, str) or len(value) > 64:
            raise ValueError("Expected an ISO-8601 instant such as 2026-07-03T09:00:00+02:00")
        try:
            parsed = timefmt.parse(value.strip())
        except (ValueError, OverflowError, TypeError) as error:
            message = str(error) if "offset" in str(error) else "Expected an ISO-8601 instant such as 2026-07-03T09:00:00+02:00"
            raise ValueError(message) from None
    try:
        parsed = parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValueError("The instant is out of range") from None
    if not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        raise ValueError(f"The instant must fall between the years {_MIN_YEAR} and {_MAX_YEAR}")
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)


def _check_id(value: str) -> str:
    if not ids.is_uuid(value):
        raise ValueError("Expected a UUID")
    return value.lower()


Instant = Annotated[datetime, BeforeValidator(parse_instant)]
EntityId = Annotated[str, Field(max_length=36), AfterValidator(_check_id)]
Name = Annotated[str, Field(max_length=MAX_NAME)]


class ActivityCreate(ApiModel):
    """POST /activities. `pending: true` without `endedAt` starts a running timer (startedAt defaults to now)."""

    name: Name = ""
    projectId: EntityId
    userId: Optional[EntityId] = Field(None, description="Organization Administrators only: record for another member")
    billable: Optional[StrictBool] = Field(None, description="Defaults to the project's billable flag")
    startedAt: Optional[Instant] = None
    endedAt: Optional[Instant] = None
    pending: Optional[StrictBool] = None
    locked: Optional[StrictBool] = Field(None, description="Organization Administrators only")


# Fields of a PUT that may not be sent as null (the service answers 422 naming the field).
NOT_NULL = ("name", "projectId", "userId", "billable", "startedAt", "endedAt", "locked", "pending")


class ActivityUpdate(ApiModel):
    """PUT /activities/{id}: any subset. `endedAt` (or `pending: false`, stopping at now) stops a running timer;
    on a running timer `pending: true` and `endedAt: null` restate its state (no-ops)."""

    name: Optional[Name] = None
    projectId: Optional[EntityId] = None
    userId: Optional[EntityId] = None
    billable: Optional[StrictBool] = None
    startedAt: Optional[Instant] = None
    endedAt: Optional[Instant] = None
    pending: Optional[StrictBool] = None
    locked: Optional[StrictBool] = None


class Activity(BaseModel):
    """An activity as the API returns it. `pending` appears only while running, `locked` only when set."""

    id: str
    name: str
    projectId: str
    userId: str
    billable: bool
    startedAt: str
    endedAt: Optional[str] = None
    pending: Optional[bool] = None
    locked: Optional[bool] = None

    @model_serializer(mode="wrap")
    def _drop_absent_flags(self, handler):
        data = handler(self)
        for flag in ("pending", "locked"):
            if not data.get(flag):
                data.pop(flag, None)
        return data


def activity_view(item: dict[str, Any]) -> dict[str, Any]:
    """The stored item -> the API shape (a plain dict, so absent flags stay absent)."""
    view: dict[str, Any] = {
        "billable": bool(item.get("billable", False)),
        "endedAt": item.get("endedAt"),
        "id": item["id"],
        "name": item.get("name", ""),
        "projectId": item["projectId"],
        "startedAt": item["startedAt"],
        "userId": item["userId"],
    }
    if item.get("pending"):
        view["pending"] = True
    if item.get("locked"):
        view["locked"] = True
    return view


def instant_text(value: datetime) -> str:
    return timefmt.iso(value)
