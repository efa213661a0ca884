"""A member's item (SK ``USER#<userId>`` under the organization, repositories/users.py) and the
account membership item that lets their person find the organization, mapped to the entity."""

from __future__ import annotations

from typing import Any

from sandglass import keys
from sandglass.entities.people import Member
from sandglass.timefmt import iso, parse_stored

PROFILE_ATTRIBUTES = ("name", "title", "phone", "avatar")
ADMIN_ATTRIBUTES = ("role", "archived", "archivedAt")


def member_from_item(item: dict[str, Any]) -> Member:
    return Member(id=item["id"], email=item["email"], name=item.get("name") or "", role=item["role"], status=item.get("status") or "INVITED",
                  archived=bool(item.get("archived")), avatar=item.get("avatar"), phone=item.get("phone"), title=item.get("title"),
                  created_at=parse_stored(item.get("createdAt")), invited_at=parse_stored(item.get("invitedAt")), invited_by=item.get("invitedBy"),
                  archived_at=parse_stored(item.get("archivedAt")), version=int(item.get("version") or 1),
                  number=int(item["number"]) if item.get("number") is not None else None)


def member_to_item(member: Member) -> dict[str, Any]:
    """The member's attributes (no keys); optional instants only when set."""
    item: dict[str, Any] = {"id": member.id, "email": member.email, "name": member.name, "role": member.role, "archived": member.archived,
                            "avatar": member.avatar, "phone": member.phone, "title": member.title, "status": member.status}
    for name, value in (("createdAt", member.created_at), ("invitedAt", member.invited_at), ("archivedAt", member.archived_at)):
        if value is not None:
            item[name] = iso(value)
    if member.invited_by is not None:
        item["invitedBy"] = member.invited_by
    item["version"] = member.version
    if member.number is not None:
        item["number"] = member.number
    return item


def membership_item(email: str, org_id: str, user_id: str) -> dict[str, Any]:
    return {**keys.membership(email, org_id), "orgId": org_id, "userId": user_id, "email": email}
