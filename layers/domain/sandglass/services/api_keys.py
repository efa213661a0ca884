"""Personal API keys: a person's long-lived credential for scripts, CLIs and MCP clients.

A key is 48 letters and digits from `secrets` (~285 bits), shown once when it is created or
rotated. Only its keyed hash is stored: HMAC-SHA256 under the deployment's secret (the JWT secret,
read from SSM like the authorizer reads it; a stolen table alone cannot test guesses). A key acts
for its person in every organization they are an active member of, exactly like a session token
(the authorizer checks membership per request), and ends when it is revoked, at its optional
expiry, or when the deployment's secret is rotated. Keys are managed with a session token only: a
key can neither mint, rotate, list nor revoke keys, and a scoped token (support bearer) cannot either.
"""

from __future__ import annotations

import hmac
import secrets
import string
from datetime import datetime, timedelta
from hashlib import sha256

from msgspec.structs import replace

from sandglass import ids, timefmt
from sandglass.clock import Clock, CurrentClock
from sandglass.context import Caller
from sandglass.entities.people import ApiKey, ApiKeyLookup
from sandglass.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from sandglass.observability import logger
from sandglass.repositories.api_keys import KEY_NOT_FOUND, ApiKeyRepository
from sandglass.settings import get_settings

KEY_LENGTH = 48
_ALPHABET = string.ascii_letters + string.digits
# lastUsedAt is written at most once per key and window (a conditional update), not per request.
LAST_USED_PRECISION = timedelta(hours=1)
# A person's keys are listed in one response: a bound keeps that (and the listing Query) small.
MAX_KEYS_PER_PERSON = 50
_HASH_CONTEXT = b"sandglass personal API key v1\x00"


def new_secret() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(KEY_LENGTH))


def key_hash(secret: str) -> str:
    pepper = get_settings().jwt_secret
    if not pepper:
        raise RuntimeError("No JWT secret configured: it is the API keys' hashing key")
    return hmac.new(pepper.encode(), _HASH_CONTEXT + secret.encode(), sha256).hexdigest()


def looks_like_key(value: str) -> bool:
    return len(value) == KEY_LENGTH and all(char in _ALPHABET for char in value)


def _key_id(value: str) -> str:
    canonical = ids.canonical_id(value)
    if canonical is None:  # not an id of ours: like any id the caller does not have
        raise NotFound(KEY_NOT_FOUND)
    return canonical


class ApiKeyService:
    def __init__(self, repository: ApiKeyRepository | None = None, clock: Clock | None = None):
        self.repository = repository or ApiKeyRepository()
        self.clock = clock or CurrentClock()

    def authenticate(self, secret: str) -> ApiKeyLookup:
        """The key and the person it belongs to, or 401; records its use."""
        secret = secret.strip()
        if not looks_like_key(secret):
            raise Unauthorized("The API key is malformed: 48 letters and digits")
        digest = key_hash(secret)
        found = self.repository.lookup(digest)
        if found is None:
            raise Unauthorized("The API key is unknown or revoked")
        now = self.clock.now()
        if found.expired(now):
            raise Unauthorized("The API key has expired", code="API_KEY_EXPIRED")
        cutoff = timefmt.utc_ms(now - LAST_USED_PRECISION)  # to the millisecond, as stored
        if found.last_used_at is None or found.last_used_at < cutoff:
            try:
                self.repository.touch(digest, now, cutoff)
            except Exception:  # bookkeeping: never refuse a valid key because a write failed
                logger.warning("api key last-used not recorded", exc_info=True)
        return found

    def list(self, person: Caller) -> list[ApiKey]:
        return sorted(self.repository.list_for(person.email), key=lambda key: (key.created_at, key.id))

    def create(self, person: Caller, name: str, expires_at: datetime | None) -> tuple[ApiKey, str]:
        """The new key and its secret (shown once)."""
        now = self.clock.now()
        if expires_at is not None and expires_at <= now:
            raise ValidationFailed.field("expiresAt", "The expiry must be in the future")
        if self.repository.count_for(person.email) >= MAX_KEYS_PER_PERSON:
            raise Conflict(f"You have {MAX_KEYS_PER_PERSON} API keys: revoke one first", code="TOO_MANY_API_KEYS")
        secret = new_secret()
        key = ApiKey(id=ids.new_id(), email=person.email, name=name, last4=secret[-4:], key_hash=key_hash(secret), created_at=_ms(now),
                     expires_at=_ms(expires_at) if expires_at else None)
        self.repository.create(key)
        return key, secret

    def rotate(self, person: Caller, key_id: str) -> tuple[ApiKey, str]:
        """The key with its new secret (shown once); the old secret stops working."""
        listed = self.repository.listed(person.email, _key_id(key_id))
        if listed is None:
            raise NotFound(KEY_NOT_FOUND)
        now = self.clock.now()
        if listed.expired(now):
            raise Conflict("The key has expired: create a new one", code="API_KEY_EXPIRED")
        secret = new_secret()
        rotated = replace(listed, key_hash=key_hash(secret), last4=secret[-4:], rotated_at=_ms(now))
        self.repository.rotate(listed, rotated)
        return rotated, secret

    def revoke(self, person: Caller, key_id: str) -> None:
        self.repository.revoke(person.email, _key_id(key_id))


def _ms(instant: datetime) -> datetime:
    """Stored instants are whole milliseconds (what the API shows of them)."""
    return timefmt.parse(timefmt.iso(instant))
