"""A new member item, shared by the workspace (the first Administrator) and users (invitations) services."""

from __future__ import annotations

from typing import Any

from sandglass import ids
from sandglass.context import INVITED


def new_member(org_id: str, email: str, *, name: str, role: str, now: str, status: str = INVITED, **profile: Any) -> dict[str, Any]:
    """A member (user) item of an organization; its id is derived from (org, email)."""
    email = ids.normalize_email(email)
    return {
        "id": ids.member_id(org_id, email),
        "email": email,
        "name": name,
        "role": role,
        "archived": False,
        "avatar": profile.get("avatar"),
        "phone": profile.get("phone"),
        "title": profile.get("title"),
        "status": status,
        "createdAt": now,
    }
