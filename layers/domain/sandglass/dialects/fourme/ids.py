"""The ids the 4me dialect puts on the wire and reads back: a person's (`person.id`, `id`,
`person_id`) and a group's (4me's organization: `organization_id`).

4me's ids are integers, per account: the per-organization integer ids of people and groups
(docs/ids.md). Everything in the dialect goes through `WireIds`; `IntegerIds` is the one served,
over the one resolver (`services.int_ids.IntIdService`):
- in: `person_id` / `organization_id` may be the integer id (or, as everywhere, the UUID); one that
  names nothing in the caller's organization is 404 (`Person not found` / `Organization not found`);
- out: a person's integer id; a person created before integer ids and not backfilled yet shows their
  UUID until the backfill numbers them."""

from __future__ import annotations

from typing import Protocol

from sandglass.context import TenantContext
from sandglass.errors import NotFound
from sandglass.services.int_ids import IntIdService

WireId = int | str


class WireIds(Protocol):
    def person_in(self, tenant: TenantContext, wire: str | None) -> str | None:
        """A `person_id` parameter as the canonical member id (None stays None)."""

    def group_in(self, tenant: TenantContext, wire: str | None) -> str | None:
        """An `organization_id` parameter as the canonical group id (None stays None)."""

    def person_out(self, canonical: str, number: int | None) -> WireId:
        """A member's id as 4me shows it."""


class IntegerIds:
    def __init__(self, resolver: IntIdService):
        self.resolver = resolver

    def _in(self, tenant: TenantContext, kind: str, wire: str | None, missing: str) -> str | None:
        if wire is None:
            return None
        found = self.resolver.resolve(tenant.org_id, kind, wire.strip())
        if found is None:
            raise NotFound(missing)
        return found

    def person_in(self, tenant: TenantContext, wire: str | None) -> str | None:
        return self._in(tenant, "person", wire, "Person not found")

    def group_in(self, tenant: TenantContext, wire: str | None) -> str | None:
        return self._in(tenant, "group", wire, "Organization not found")

    def person_out(self, canonical: str, number: int | None) -> WireId:
        return number if number is not None else canonical
