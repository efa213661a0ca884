"""Sonderplan's integer ids of people, projects and time entries, behind one small port.

`IntegerIds` is what the dialect needs: `number` gives an entity's integer id (minting it if the
entity has none yet), `entity_id` resolves an integer id back to the entity's UUID (None: no such
entity of that kind in the organization). The per-organization counter ids (claimed in blocks)
plug in here by implementing the same two methods; until then `DerivedIntegerIds` serves:

- an entity's integer is its UUID's first 13 hex digits read as a number (below 2**52, so
  JavaScript clients keep it exact), derived without a read and stable for the entity's life;
- the way back is the UUID text those digits spell, found like a 24-hex Clockify id (one Query,
  begins_with on the sort key, Limit 1: repositories/short_ids.py).

13 digits of a v4 UUID carry 48 random bits (the 13th is the version): two entities of one kind in
one organization share a number with a probability of about n**2 / 2**49 (n = 100,000 entries:
1 in 56,000). That is the reason the counter ids replace it.
"""

from __future__ import annotations

from typing import Protocol

from sandglass import ids, keys
from sandglass.context import TenantContext
from sandglass.repositories.short_ids import ShortIdRepository

PERSON, PROJECT, ACTIVITY = "person", "project", "activity"
_SK_PREFIX = {PERSON: keys.USER_SK_PREFIX, PROJECT: keys.PROJECT_SK_PREFIX, ACTIVITY: keys.ACTIVITY_SK_PREFIX}
DIGITS = 13
MAX_DERIVED = 16**DIGITS - 1


class IntegerIds(Protocol):
    def number(self, tenant: TenantContext, kind: str, entity_id: str) -> int: ...

    def entity_id(self, tenant: TenantContext, kind: str, number: int) -> str | None: ...


class DerivedIntegerIds:
    def __init__(self, repository: ShortIdRepository | None = None):
        self.repository = repository or ShortIdRepository()

    def number(self, tenant: TenantContext, kind: str, entity_id: str) -> int:
        return int(ids.short_id(entity_id)[:DIGITS], 16)

    def entity_id(self, tenant: TenantContext, kind: str, number: int) -> str | None:
        if not 0 <= number <= MAX_DERIVED:
            return None
        digits = f"{number:0{DIGITS}x}"
        return self.repository.entity_id_by_prefix(tenant.org_id, _SK_PREFIX[kind], _uuid_prefix(digits))


def _uuid_prefix(digits: str) -> str:
    """13 hex digits -> the UUID text they start (`aaaaaaaa-bbbb-c`)."""
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:]}"
