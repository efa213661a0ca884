"""Personal API keys: two platform-scoped items per key, written together in one transaction.

- lookup  ``APIKEY#<hash>`` / ``APIKEY``: ``keyId``, ``email`` (the person), ``expiresAt`` (epoch
  seconds, the table's TTL attribute, only when the key expires), ``lastUsedAt``. ``hash`` is the
  HMAC-SHA256 of the secret under the deployment's secret (services/api_keys.py); the authorizer
  finds a key with one GetItem on it.
- listing ``ACCOUNT#<email>`` / ``APIKEY#<keyId>``: ``id``, ``name``, ``last4``, ``createdAt``,
  ``rotatedAt``, ``expiry`` (ISO text), ``keyHash`` (to reach the lookup item on rotate and revoke).

The secret itself is stored nowhere.
"""

from __future__ import annotations

from typing import Any

from sandglass import keys
from sandglass.errors import Conflict, NotFound
from sandglass.storage import table as db
from sandglass.storage.table import Table

KEY_NOT_FOUND = "API key not found"


class ApiKeyRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def lookup(self, key_hash: str) -> dict[str, Any] | None:
        return self.table.get(keys.api_key_lookup(key_hash))

    def listed(self, email: str, key_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.account_api_key(email, key_id))

    def list_for(self, email: str) -> list[dict[str, Any]]:
        """A person's keys (one Query per page; a person has a handful), each with its lookup
        item's `lastUsedAt` (one BatchGetItem)."""
        listed = [item for page in self.table.query_all(key_condition=db.key_condition(sort="prefix"),
                                                         values={":pk": keys.account_pk(email), ":prefix": keys.API_KEY_SK_PREFIX},
                                                         consistent=True)
                  for item in page]
        if not listed:
            return []
        used = {item["keyId"]: item.get("lastUsedAt") for item in self.table.batch_get([keys.api_key_lookup(item["keyHash"]) for item in listed])}
        return [{**item, "lastUsedAt": used.get(item["id"])} for item in listed]

    def count_for(self, email: str) -> int:
        return sum(len(page) for page in self.table.query_all(key_condition=db.key_condition(sort="prefix"), projection="SK",
                                                              values={":pk": keys.account_pk(email), ":prefix": keys.API_KEY_SK_PREFIX}))

    def create(self, email: str, listing: dict[str, Any], lookup: dict[str, Any]) -> None:
        self.table.transact([
            db.put({**keys.api_key_lookup(listing["keyHash"]), **lookup, "keyId": listing["id"], "email": email}, "attribute_not_exists(PK)"),
            db.put({**keys.account_api_key(email, listing["id"]), **listing}, "attribute_not_exists(PK)"),
        ])

    def rotate(self, email: str, listed: dict[str, Any], new_hash: str, last4: str, rotated_at: str, lookup: dict[str, Any]) -> None:
        """The old secret's lookup item goes, the new one comes, in one transaction conditioned on
        the listing still holding the old hash (two rotations cannot both win)."""
        self.table.transact([
            db.delete(keys.api_key_lookup(listed["keyHash"])),
            db.put({**keys.api_key_lookup(new_hash), **lookup, "keyId": listed["id"], "email": email}, "attribute_not_exists(PK)"),
            db.update(keys.account_api_key(email, listed["id"]), "SET keyHash = :new, last4 = :last4, rotatedAt = :at",
                      values={":new": new_hash, ":old": listed["keyHash"], ":last4": last4, ":at": rotated_at},
                      condition="keyHash = :old", fail=Conflict("The key was rotated or revoked meanwhile; list your keys and retry")),
        ])

    def revoke(self, email: str, key_id: str) -> None:
        listed = self.listed(email, key_id)
        if listed is None:
            raise NotFound(KEY_NOT_FOUND)
        self.table.transact([
            db.delete(keys.api_key_lookup(listed["keyHash"])),
            db.delete(keys.account_api_key(email, key_id), "keyHash = :hash", values={":hash": listed["keyHash"]},
                      fail=NotFound(KEY_NOT_FOUND)),
        ])

    def touch(self, key_hash: str, used_at: str, older_than: str) -> bool:
        """Record a use, at most once per window: a conditional UpdateItem that does nothing (and
        says so) when another request recorded one since `older_than`, or the key is gone."""
        try:
            self.table.update(keys.api_key_lookup(key_hash), "SET lastUsedAt = :at", values={":at": used_at, ":cutoff": older_than},
                              condition="attribute_exists(PK) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)",
                              fail=Conflict("already recorded"))
        except Conflict:
            return False
        return True
