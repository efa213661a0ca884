"""The catalog an organization files its time under: tags, clients, and the tasks of a project.

Names are unique case-insensitively (tags and clients per organization, tasks per project), as
Clockify has them; `name_key` is the one folding every uniqueness check and every name search uses.
Archiving keeps the name taken (an archived tag cannot be recreated under the same name: unarchive
it); deleting frees it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime, timedelta
from decimal import Decimal

from msgspec import Struct


ACTIVE = "ACTIVE"
DONE = "DONE"
TASK_STATUSES = (ACTIVE, DONE)


def name_key(name: str) -> str:
    """The form two names are compared in: Unicode NFC, whitespace runs as one space, case-folded."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def name_digest(name: str) -> str:
    """A fixed-length stand-in for `name_key` in a storage key (task names run to 1000 characters)."""
    return hashlib.sha256(name_key(name).encode()).hexdigest()


class Money(Struct, frozen=True, kw_only=True):
    """An hourly rate: `amount` in the currency's units (two decimals at most)."""

    amount: Decimal
    currency: str


class CatalogEntry(Struct, frozen=True, kw_only=True):
    """What tags, clients and tasks all carry: an id, a name, and the stamps of their writes."""

    id: str
    name: str
    version: int = 1
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None


class Tag(CatalogEntry, frozen=True, kw_only=True):
    archived: bool = False


class Client(CatalogEntry, frozen=True, kw_only=True):
    email: str | None = None
    cc_emails: tuple[str, ...] = ()
    address: str | None = None
    note: str | None = None
    currency: str | None = None
    archived: bool = False


class Task(CatalogEntry, frozen=True, kw_only=True):
    project_id: str
    status: str = ACTIVE  # ACTIVE | DONE
    assignee_ids: tuple[str, ...] = ()
    estimate: timedelta | None = None
    billable: bool | None = None  # None: as the project is
    hourly_rate: Money | None = None
    cost_rate: Money | None = None

    @property
    def active(self) -> bool:
        return self.status == ACTIVE
