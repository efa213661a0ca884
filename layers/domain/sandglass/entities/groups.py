"""Groups of people inside an organization: 4me's "organization" inside an account, Clockify's user group.

A group has a manager and a substitute (both members of the organization), who read the timesheets
of the group's people. A person belongs to at most one group on a given day: their memberships are a
history of (from day, group), each lasting until the next one's day, so a person who moved on the
10th has two spans that month (and, on the 4me surface, two timesheets).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from msgspec import Struct


class Group(Struct, frozen=True, kw_only=True):
    id: str
    name: str
    manager_id: str | None = None
    substitute_id: str | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    number: int | None = None  # the integer id (4me, Sonderplan; repositories/int_ids.py); None until assigned

    def led_by(self, user_id: str) -> bool:
        """The manager or the substitute: they read the group's timesheets."""
        return user_id in (self.manager_id, self.substitute_id)


class GroupMembership(Struct, frozen=True, kw_only=True):
    """`user_id` belongs to `group_id` (None: to no group) from `from_day` on."""

    user_id: str
    group_id: str | None
    from_day: date


class GroupSpan(Struct, frozen=True, kw_only=True):
    """Days `first`..`last` (inclusive) that a person spent in a group."""

    user_id: str
    group_id: str
    first: date
    last: date


def spans(memberships: list[GroupMembership], first: date, last: date) -> list[GroupSpan]:
    """Each person's group spans inside `first`..`last`, in day order: a membership lasts from its
    day until the day before the person's next membership (to no group: no span)."""
    by_user: dict[str, list[GroupMembership]] = {}
    for membership in sorted(memberships, key=lambda m: (m.user_id, m.from_day)):
        by_user.setdefault(membership.user_id, []).append(membership)
    found = []
    for history in by_user.values():
        for current, following in zip(history, history[1:] + [None]):
            start = max(current.from_day, first)
            end = min(following.from_day - timedelta(days=1), last) if following else last
            if current.group_id is not None and start <= end:
                found.append(GroupSpan(user_id=current.user_id, group_id=current.group_id, first=start, last=end))
    return sorted(found, key=lambda span: (span.first, span.user_id))
