"""Pydantic models: API bodies and responses (camelCase, Sandtime shapes)."""

from typing import Optional

from pydantic import BaseModel, ConfigDict, PrivateAttr


class ApiModel(BaseModel):
    """Base for request bodies: unknown fields are refused so typos never pass silently.
    Schemas are built on first use (defer_build), so a cold start pays only for the models its
    first request touches."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True, defer_build=True)


class Versioned(BaseModel):
    """A response entity that remembers the stored item's `version` (sent as its ETag)."""

    model_config = ConfigDict(defer_build=True)

    _version: Optional[int] = PrivateAttr(default=None)

    def at_version(self, version) -> "Versioned":
        self._version = int(version) if version is not None else None
        return self


class Empty(BaseModel):
    """`{}`: what a deletion (and a subscription change) answers, as in the Sandtime reference."""

    model_config = ConfigDict(extra="forbid", defer_build=True, title="Empty")
