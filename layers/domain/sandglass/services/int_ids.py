"""One entity, several ids: the resolver every surface calls, and the backfill of integer ids.

`resolve(org_id, kind, value)` takes any spelling a surface may receive for a person, project,
group or activity and answers the entity's uuid (or None):

- a uuid (36 characters, any case) -> itself, not looked up (the caller reads the entity anyway);
- 24 hex digits (Clockify) -> one Query on the uuid prefix (repositories/short_ids.py);
- an integer, or a string of 1-18 ASCII digits (4me, Sonderplan, MCP) -> one GetItem of its alias
  (repositories/int_ids.py).

Lookups are in the caller's organization only: another organization's integer id resolves to None
(the caller answers 404, never revealing that it exists elsewhere).
"""

from __future__ import annotations

from msgspec import Struct, field

from sandglass import ids, keys
from sandglass.errors import NotFound
from sandglass.repositories.int_ids import IntIdRepository
from sandglass.repositories.short_ids import ShortIdRepository

KINDS = keys.INT_ID_KINDS
MAX_DIGITS = 18  # ids fit a signed 64-bit integer on every client
_DIGITS = frozenset("0123456789")
_NOUNS = {"person": "User", "project": "Project", "group": "Group", "activity": "Activity"}


def as_number(value) -> int | None:
    """`value` as a positive integer id (an int, or 1-18 ASCII digits), else None. Booleans are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10 ** MAX_DIGITS else None
    if isinstance(value, str) and 0 < len(value) <= MAX_DIGITS and set(value) <= _DIGITS:
        number = int(value)
        return number or None
    return None


class BackfillResult(Struct):
    assigned: dict[str, int] = field(default_factory=dict)
    skipped: int = 0  # changed or numbered meanwhile: the next run picks them up


class IntIdService:
    def __init__(self, repository: IntIdRepository | None = None, short_ids: ShortIdRepository | None = None):
        self.repository = repository or IntIdRepository()
        self.short_ids = short_ids or ShortIdRepository(self.repository.table)

    def mint(self, org_id: str, kind: str) -> int:
        """A fresh integer id of `kind` (creates call the repositories' next_number, which is this)."""
        return self.repository.mint(org_id, _kind(kind))

    def resolve(self, org_id: str, kind: str, value) -> str | None:
        """The uuid of the organization's `kind` entity named by `value` (uuid, 24-hex or integer id), or None."""
        kind = _kind(kind)
        canonical = ids.canonical_id(value.lower() if isinstance(value, str) else value)
        if canonical is not None:
            return canonical
        if ids.is_short_id(value):
            return self.short_ids.entity_id(org_id, keys.INT_ID_ENTITY_SK_PREFIXES[kind], value)
        number = as_number(value)
        if number is not None:
            return self.repository.entity_id(org_id, kind, number)
        return None

    def require(self, org_id: str, kind: str, value) -> str:
        """resolve, or 404 in the kind's words."""
        found = self.resolve(org_id, kind, value)
        if found is None:
            raise NotFound(f"{_NOUNS[_kind(kind)]} not found")
        return found

    def backfill(self, org_id: str, kinds=KINDS) -> BackfillResult:
        """Give every entity of the organization created before integer ids one (a one-off
        migration; safe to run again and concurrently with traffic). One Query per page of each
        kind's sort-key prefix in the organization's partition (no Scan) and, per entity, one
        transaction: its ``number`` (version bumped) and the alias."""
        result = BackfillResult()
        for kind in kinds:
            assigned = 0
            for items in self.repository.unnumbered(org_id, _kind(kind)):
                for item in items:
                    if self.repository.assign(org_id, kind, item, self.repository.mint(org_id, kind)):
                        assigned += 1
                    else:
                        result.skipped += 1
            result.assigned[kind] = assigned
        return result


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"no integer ids for {kind!r}")
    return kind
