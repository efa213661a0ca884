"""Identifiers. Entity ids are UUID strings like Sandtime's."""

from __future__ import annotations

import uuid

# Fixed namespace so a member's id within an organization is derived from (org, email):
# the same person invited twice gets the same id, which makes "email unique per organization"
# a plain attribute_not_exists on the user item and lets the authorizer find a member with
# one GetItem.
_MEMBER_NAMESPACE = uuid.UUID("6f1c3c1e-8a53-4c1f-9d1e-5a9d3f0b2c71")


def new_id() -> str:
    return str(uuid.uuid4())


def normalize_email(email: str) -> str:
    """The one spelling of an address: NFC (a composed and a decomposed "é" are the same
    person), trimmed, lower-cased."""
    import unicodedata

    return unicodedata.normalize("NFC", email).strip().lower()


def member_id(org_id: str, email: str) -> str:
    return str(uuid.uuid5(_MEMBER_NAMESPACE, f"{org_id}:{normalize_email(email)}"))


def canonical_id(value) -> str | None:
    """The id in its one accepted spelling (36 characters, lower case), or None if `value` is not
    one. `uuid.UUID` alone would also take braces, URNs and 32 bare hex digits."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


def is_uuid(value) -> bool:
    return canonical_id(value) is not None


_PROJECT_MEMBER_NAMESPACE = uuid.UUID("0b8f5a4e-2d7c-4f43-9a1b-7c5e3d2f1a90")


def project_member_id(project_id: str, user_id: str) -> str:
    """A project membership's id, derived from (project, user): one membership per user and project."""
    return str(uuid.uuid5(_PROJECT_MEMBER_NAMESPACE, f"{project_id}:{user_id}"))


# --- 24-hex ids (the Clockify surface) ----------------------------------------------------------
# Clockify clients refuse any id that is not 24 hex digits (a MongoDB ObjectId) before sending it.
# An entity's 24-hex id is the first 24 hex digits of its UUID, lower case: derived without a read,
# stable for the entity's life (the UUID never changes; a renamed organization keeps its id), the
# same for entities created before the Clockify surface existed. The way back is the sort-key prefix
# those digits spell (`short_id_prefix`): every entity a 24-hex id can name is keyed by its UUID in
# a known partition (ORG#<org> / ACTIVITY#<uuid>, PROJECT#<uuid>, USER#<uuid>; an organization in
# its member's ACCOUNT#<email> / ORG#<orgId>), so one Query with begins_with and Limit 1 resolves it
# (repositories/short_ids.py). 24 of a v4 UUID's digits carry 90 random bits: two entities of one
# partition sharing them is far below any failure rate that matters.

_PERSON_NAMESPACE = uuid.UUID("2c5f7e2a-6d1b-4b8e-a3f4-1e9c0d7b5a63")
SHORT_ID_LENGTH = 24
_HEX = frozenset("0123456789abcdef")


def short_id(entity_id: str) -> str:
    """The 24-hex id of a UUID-identified entity (lower case)."""
    return str(uuid.UUID(entity_id)).replace("-", "")[:SHORT_ID_LENGTH]


def is_short_id(value) -> bool:
    return isinstance(value, str) and len(value) == SHORT_ID_LENGTH and set(value.lower()) <= _HEX


def short_id_prefix(value: str) -> str | None:
    """The UUID text every entity with this 24-hex id starts with (`aaaaaaaa-bbbb-cccc-dddd-eeee`),
    or None when `value` is not 24 hex digits. Upper-case input is read as lower case."""
    if not is_short_id(value):
        return None
    value = value.lower()
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:24]}"


def person_id(email: str) -> str:
    """A person's one id in every organization (members have one id per organization:
    member_id(org, email)); the Clockify surface's user id is its short_id."""
    return str(uuid.uuid5(_PERSON_NAMESPACE, normalize_email(email)))


def person_short_id(email: str) -> str:
    return short_id(person_id(email))
