"""The base of every Clockify request and response model."""

from typing import Any, Callable, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from sandglass.errors import BadRequest

M = TypeVar("M", bound=BaseModel)  # the request model `parsed` builds

# the domain's field names a refusal may name, in Clockify's words
_CLOCKIFY_NAMES = {"notes": "note", "startedAt": "start", "endedAt": "end"}


class ClockifyModel(BaseModel):
    """Lenient like Clockify: unknown fields are ignored (clients post response fields back, e.g.
    Raycast's `customFieldValues`, a PUT body's `id`); strings are trimmed. Field names are the wire
    names (camelCase)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True, defer_build=True)


def documented_default(model: type[BaseModel]) -> Callable[[dict[str, Any]], None]:
    """For a field whose default is a new `model()` (`Field(default_factory=model, ...)`): writes
    that default into the field's JSON schema, as a default instance would, without building the
    model at import (an instance as the default would)."""

    def extra(schema: dict[str, Any]) -> None:
        schema["default"] = model().model_dump(mode="json")

    return extra


class Rate(ClockifyModel):
    """Money: an integer amount in minor units and its currency."""

    amount: int
    currency: str


class Membership(ClockifyModel):
    """A user's membership of a workspace (Clockify's MembershipDto), as users and workspaces list them."""

    userId: str
    targetId: str
    membershipType: str = "WORKSPACE"
    membershipStatus: str = "ACTIVE"
    hourlyRate: Optional[Rate] = None
    costRate: Optional[Rate] = None


def parsed(model: type[M], fields: dict[str, Any], clockify_names: dict[str, str] | None = None) -> M:
    """The domain's request model (models.*) built from a Clockify body's mapped fields; its
    refusal is Clockify's 400 naming the field as Clockify does."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        names = clockify_names if clockify_names is not None else _CLOCKIFY_NAMES
        raise BadRequest(f"{names.get(where, where)}: {first.get('msg')}") from None
