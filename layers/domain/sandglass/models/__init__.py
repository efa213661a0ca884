"""Pydantic models: API bodies and responses (camelCase, Sandtime shapes)."""

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """Base for request bodies: unknown fields are refused so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)
