"""The ids the 4me dialect puts on the wire and reads back: a person's (`person.id`, `id`,
`person_id`) and a group's (4me's organization: `organization_id`).

4me's ids are integers, per account. Everything in the dialect goes through `WireIds`, so the
integer ids of people and groups (minted per organization) replace the canonical ids by swapping the
resolver `wire_ids()` returns, nothing else. Until then `CanonicalIds` answers Sandglass's canonical
ids unchanged (docs/fourme.md says so)."""

from __future__ import annotations

from typing import Protocol

from sandglass.context import TenantContext

WireId = int | str


class WireIds(Protocol):
    def person_in(self, tenant: TenantContext, wire: str | None) -> str | None:
        """A `person_id` parameter as the canonical member id (an unknown one stays unknown: 404 later)."""

    def group_in(self, tenant: TenantContext, wire: str | None) -> str | None:
        """An `organization_id` parameter as the canonical group id."""

    def person_out(self, tenant: TenantContext, canonical: str) -> WireId:
        """A member's id as 4me shows it."""


class CanonicalIds:
    """Sandglass's canonical ids on the wire, as they are."""

    def person_in(self, tenant: TenantContext, wire: str | None) -> str | None:
        return wire

    def group_in(self, tenant: TenantContext, wire: str | None) -> str | None:
        return wire

    def person_out(self, tenant: TenantContext, canonical: str) -> WireId:
        return canonical


_RESOLVER: WireIds = CanonicalIds()


def wire_ids() -> WireIds:
    return _RESOLVER
