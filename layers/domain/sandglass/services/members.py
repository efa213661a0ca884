"""Small domain helpers shared by the workspace and users services (kept free of heavy imports)."""

from __future__ import annotations

from typing import Any

from sandglass import ids
from sandglass.context import INVITED


def deep_merge(stored: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`patch` over `stored`, nested objects merged key by key (partial nested updates)."""
    merged = dict(stored)
    for field, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(field), dict):
            merged[field] = deep_merge(merged[field], value)
        else:
            merged[field] = value
    return merged


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
