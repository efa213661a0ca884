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

from datetime import datetime, timezone
from typing import Any

from sandglass import keys
from sandglass.entities.people import ApiKey, ApiKeyLookup
from sandglass.errors import Conflict, NotFound
from sandglass.storage import table as db
from sandglass.storage.table import Table
from sandglass.timefmt import iso, parse, parse_stored

KEY_NOT_FOUND = "API key not found"


class ApiKeyRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def lookup(self, key_hash: str) -> ApiKeyLookup | None:
        item = self.table.get(keys.api_key_lookup(key_hash))
        return lookup_from_item(item) if item is not None else None

    def listed(self, email: str, key_id: str) -> ApiKey | None:
        item = self.table.get(keys.account_api_key(email, key_id))
        return api_key_from_item(email, item) if item is not None else None

    def list_for(self, email: str) -> list[ApiKey]:
        """A person's keys (one Query per page; a person has a handful), each with its lookup
        item's `lastUsedAt` (one BatchGetItem)."""
        listed = [item for page in self.table.query_all(key_condition=db.key_condition(sort="prefix"),
                                                         values={":pk": keys.account_pk(email), ":prefix": keys.API_KEY_SK_PREFIX},
                                                         consistent=True)
                  for item in page]
        if not listed:
            return []
        used = {item["keyId"]: item.get("lastUsedAt") for item in self.table.batch_get([keys.api_key_lookup(item["keyHash"]) for item in listed])}
        return [api_key_from_item(email, {**item, "lastUsedAt": used.get(item["id"])}) for item in listed]

    def count_for(self, email: str) -> int:
        return sum(len(page) for page in self.table.query_all(key_condition=db.key_condition(sort="prefix"), projection="SK",
                                                              values={":pk": keys.account_pk(email), ":prefix": keys.API_KEY_SK_PREFIX}))

    def create(self, key: ApiKey) -> None:
        self.table.transact([
            db.put({**keys.api_key_lookup(key.key_hash), **_lookup_fields(key), "keyId": key.id, "email": key.email}, "attribute_not_exists(PK)"),
            db.put({**keys.account_api_key(key.email, key.id), **_listing_item(key)}, "attribute_not_exists(PK)"),
        ])

    def rotate(self, listed: ApiKey, rotated: ApiKey) -> None:
        """The old secret's lookup item goes, the new one comes, in one transaction conditioned on
        the listing still holding the old hash (two rotations cannot both win)."""
        email = listed.email
        self.table.transact([
            db.delete(keys.api_key_lookup(listed.key_hash)),
            db.put({**keys.api_key_lookup(rotated.key_hash), **_lookup_fields(rotated), "keyId": listed.id, "email": email}, "attribute_not_exists(PK)"),
            db.update(keys.account_api_key(email, listed.id), "SET keyHash = :new, last4 = :last4, rotatedAt = :at",
                      values={":new": rotated.key_hash, ":old": listed.key_hash, ":last4": rotated.last4, ":at": iso(rotated.rotated_at)},
                      condition="keyHash = :old", fail=Conflict("The key was rotated or revoked meanwhile; list your keys and retry")),
        ])

    def revoke(self, email: str, key_id: str) -> None:
        listed = self.listed(email, key_id)
        if listed is None:
            raise NotFound(KEY_NOT_FOUND)
        self.table.transact([
            db.delete(keys.api_key_lookup(listed.key_hash)),
            db.delete(keys.account_api_key(email, key_id), "keyHash = :hash", values={":hash": listed.key_hash},
                      fail=NotFound(KEY_NOT_FOUND)),
        ])

    def touch(self, key_hash: str, used_at: datetime, older_than: datetime) -> bool:
        """Record a use, at most once per window: a conditional UpdateItem that does nothing (and
        says so) when another request recorded one since `older_than`, or the key is gone."""
        try:
            self.table.update(keys.api_key_lookup(key_hash), "SET lastUsedAt = :at", values={":at": iso(used_at), ":cutoff": iso(older_than)},
                              condition="attribute_exists(PK) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)",
                              fail=Conflict("already recorded"))
        except Conflict:
            return False
        return True


# --- items <-> entity ---------------------------------------------------------------------------

def api_key_from_item(email: str, listing: dict[str, Any]) -> ApiKey:
    """A listing item (with its lookup item's `lastUsedAt` when known) as the entity."""
    return ApiKey(id=listing["id"], email=email, name=listing["name"], last4=listing["last4"], key_hash=listing["keyHash"],
                  created_at=parse(listing["createdAt"]), rotated_at=parse_stored(listing.get("rotatedAt")), expires_at=parse_stored(listing.get("expiry")),
                  last_used_at=parse_stored(listing.get("lastUsedAt")))


def lookup_from_item(item: dict[str, Any]) -> ApiKeyLookup:
    """A lookup item (``expiresAt``: epoch seconds) as the entity."""
    expires = item.get("expiresAt")
    return ApiKeyLookup(key_id=item["keyId"], email=item["email"], last_used_at=parse_stored(item.get("lastUsedAt")),
                        expires_at=datetime.fromtimestamp(int(expires), timezone.utc) if expires is not None else None)


def _listing_item(key: ApiKey) -> dict[str, Any]:
    item: dict[str, Any] = {"id": key.id, "name": key.name, "last4": key.last4, "createdAt": iso(key.created_at), "keyHash": key.key_hash}
    if key.expires_at is not None:
        item["expiry"] = iso(key.expires_at)
    return item


def _lookup_fields(key: ApiKey) -> dict[str, Any]:
    """The lookup item's expiry: epoch seconds, the table's TTL attribute (only when the key expires)."""
    return {"expiresAt": int(key.expires_at.astimezone(timezone.utc).timestamp())} if key.expires_at is not None else {}
