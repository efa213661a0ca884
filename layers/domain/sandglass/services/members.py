"""A new member, shared by the workspace (the first Administrator) and users (invitations) services."""

from __future__ import annotations

from datetime import datetime

from sandglass import ids
from sandglass.context import INVITED
from sandglass.entities.people import Member, MemberStatus, Role


def new_member(org_id: str, email: str, *, name: str, role: Role, now: datetime, status: MemberStatus = INVITED, avatar: str | None = None,
               phone: str | None = None, title: str | None = None, invited_by: str | None = None, number: int | None = None) -> Member:
    """A member of an organization; its id is derived from (org, email). `invited_by`: the
    inviting member (then `now` is also when they were invited)."""
    email = ids.normalize_email(email)
    return Member(id=ids.member_id(org_id, email), email=email, name=name, role=role, status=status, avatar=avatar, phone=phone, title=title,
                  created_at=now, invited_at=now if invited_by else None, invited_by=invited_by, number=number)
