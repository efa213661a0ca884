"""Pydantic models: API bodies and responses (camelCase, Sandtime shapes)."""

from typing import Optional

from pydantic import BaseModel, ConfigDict, PrivateAttr


class ApiModel(BaseModel):
    """Base for request bodies: unknown fields are refused so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)


class Versioned(BaseModel):
    """A response entity that remembers the stored item's `version` (sent as its ETag)."""

    _version: Optional[int] = PrivateAttr(default=None)

    def at_version(self, version) -> "Versioned":
        self._version = int(version) if version is not None else None
        return self
