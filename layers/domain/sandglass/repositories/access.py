"""What the authorizer reads on every request: the domain marker (domain -> organization id) and
the member item of the caller there. Kept apart from repositories/organizations.py so the
authorizer loads no entity mapping (cold start)."""

from __future__ import annotations

from typing import Any

from sandglass import keys
from sandglass.storage.table import Table


class AccessRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def org_id_for_domain(self, domain: str) -> str | None:
        item = self.table.get(keys.domain(domain))
        return item["orgId"] if item else None

    def member(self, org_id: str, user_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.user(org_id, user_id))
