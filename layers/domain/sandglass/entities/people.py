"""People: a person (global, one email) and their membership of an organization (a member).

A person signs in once and belongs to several organizations; in each they are a member with their
own id (derived from the organization and the email), role and profile. A person's API keys act for
them in every organization they are an active member of.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Mapping

from msgspec import Struct


Role = Literal["Administrator", "User"]
MemberStatus = Literal["INVITED", "ACTIVE", "DELETED"]
ADMINISTRATOR: Role = "Administrator"


class Person(Struct, frozen=True, kw_only=True):
    """The account: its normalized email is its identity (the partition of its memberships and keys)."""

    email: str
    name: str = ""


class Member(Struct, frozen=True, kw_only=True):
    """A person's membership of one organization (the Sandtime "user")."""

    id: str
    email: str
    name: str
    role: Role
    status: MemberStatus = "INVITED"
    archived: bool = False
    avatar: str | None = None
    phone: str | None = None
    title: str | None = None
    created_at: datetime | None = None
    invited_at: datetime | None = None
    invited_by: str | None = None  # member id
    archived_at: datetime | None = None  # when they left: their expected time ends then
    version: int = 1
    number: int | None = None  # the integer id (4me, Sonderplan; repositories/int_ids.py); None until assigned

    @property
    def active_admin(self) -> bool:
        """An Administrator who counts for the organization's last-Administrator rule."""
        return self.role == ADMINISTRATOR and not self.archived and self.status != "DELETED"

    @property
    def person(self) -> Person:
        return Person(email=self.email, name=self.name)


class SavedPreferences(Struct, frozen=True, kw_only=True):
    """A member's preferences as last saved: the document (read merged over the defaults) and
    its version (what the next save is conditioned on)."""

    document: Mapping[str, Any]
    version: int


class ApiKey(Struct, frozen=True, kw_only=True):
    """A person's personal API key: never its secret, only its keyed hash and last 4 characters."""

    id: str
    email: str  # the person it acts for
    name: str
    last4: str
    key_hash: str
    created_at: datetime
    rotated_at: datetime | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class ApiKeyLookup(Struct, frozen=True, kw_only=True):
    """What a key's secret finds (by its keyed hash): the key and the person it acts for."""

    key_id: str
    email: str
    expires_at: datetime | None = None
    last_used_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now
