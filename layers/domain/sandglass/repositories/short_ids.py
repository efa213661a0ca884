"""24-hex ids back to UUIDs (ids.short_id): one Query with begins_with on the sort key, Limit 1.

An entity's items are keyed ``<kind prefix><uuid>`` and, where others hang off it, ``<kind
prefix><uuid>#...``; those sort after the entity's own item, so the first item of the range is the
entity itself. The answer is checked to be exactly ``<kind prefix><36-character uuid>``.
"""

from __future__ import annotations

from sandglass import ids, keys
from sandglass.storage import table as db
from sandglass.storage.table import Table

UUID_LENGTH = 36


class ShortIdRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def _first(self, partition: str, sort_prefix: str) -> dict | None:
        pages = self.table.query_all(key_condition=db.key_condition(sort="prefix"), values={":pk": partition, ":prefix": sort_prefix},
                                     page_size=1, consistent=True)
        items = next(pages, [])
        return items[0] if items else None

    def entity_id(self, org_id: str, sk_prefix: str, short_id: str) -> str | None:
        """The UUID of the organization's entity of this kind (keys.ACTIVITY_SK_PREFIX,
        PROJECT_SK_PREFIX, USER_SK_PREFIX...) whose 24-hex id is `short_id`; None when none."""
        prefix = ids.short_id_prefix(short_id)
        if prefix is None:
            return None
        item = self._first(keys.org_pk(org_id), keys.entity_by_short_id(sk_prefix, prefix))
        if item is None:
            return None
        sort = item[keys.SK]
        found = sort[len(sk_prefix):]
        return found if len(found) == UUID_LENGTH and ids.canonical_id(found) == found else None

    def organization_id(self, email: str, short_id: str) -> str | None:
        """The organization, among the account's memberships, whose 24-hex id is `short_id`
        (a workspace the person does not belong to is not found, whatever exists)."""
        prefix = ids.short_id_prefix(short_id)
        if prefix is None:
            return None
        item = self._first(keys.account_pk(email), keys.membership_by_short_id(prefix))
        return item.get("orgId") if item else None
