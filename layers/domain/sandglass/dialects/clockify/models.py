"""The base of every Clockify request and response model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ClockifyModel(BaseModel):
    """Lenient like Clockify: unknown fields are ignored (clients post response fields back, e.g.
    Raycast's `customFieldValues`, a PUT body's `id`); strings are trimmed. Field names are the wire
    names (camelCase)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True, defer_build=True)


class Rate(ClockifyModel):
    """Money: an integer amount in minor units and its currency."""

    amount: int
    currency: str
