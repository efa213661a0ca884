"""Personal API keys: what a person sends to create one, and what they see of their keys."""

from typing import Optional

from pydantic import BaseModel, Field

from sandglass import timefmt
from sandglass.entities.people import ApiKey as ApiKeyEntity
from sandglass.models import ApiModel
from sandglass.models.common import Instant, Name
from sandglass.models.formats import InstantOut


class ApiKeyCreate(ApiModel):
    """POST /api-keys."""

    name: Name = Field(min_length=1, max_length=100, description="What the key is for (e.g. 'laptop CLI')")
    expiresAt: Optional[Instant] = Field(None, description="When the key stops working (in the future); none: until revoked")


class ApiKey(BaseModel, defer_build=True):
    """One of the caller's keys: never its secret nor its hash."""

    id: str
    name: str
    last4: str = Field(description="The secret's last 4 characters, to tell keys apart")
    createdAt: InstantOut
    rotatedAt: Optional[InstantOut] = None
    expiresAt: Optional[InstantOut] = None
    lastUsedAt: Optional[InstantOut] = Field(None, description="Last request authenticated with the key (updated at most once an hour)")


class ApiKeySecret(ApiKey):
    """A key as created or rotated: the secret appears here once and is never shown again."""

    key: str = Field(description="The secret: send it as the X-Api-Key header. Shown once; only its keyed hash is stored")


def _text(instant) -> str | None:
    return timefmt.iso(instant) if instant is not None else None


def _fields(key: ApiKeyEntity) -> dict:
    return {"id": key.id, "name": key.name, "last4": key.last4, "createdAt": timefmt.iso(key.created_at), "rotatedAt": _text(key.rotated_at),
            "expiresAt": _text(key.expires_at), "lastUsedAt": _text(key.last_used_at)}


def api_key_view(key: ApiKeyEntity) -> ApiKey:
    return ApiKey(**_fields(key))


def api_key_secret_view(key: ApiKeyEntity, secret: str) -> ApiKeySecret:
    return ApiKeySecret(**_fields(key), key=secret)
