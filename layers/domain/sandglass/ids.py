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
