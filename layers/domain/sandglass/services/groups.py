"""Groups of people: 4me's organizations inside an account, Clockify's user groups.

Rules
-----
- Every member reads the organization's groups; only organization Administrators create, rename,
  delete them and move people between them (403 otherwise; an Auditor's writes never get here).
- A group's manager and substitute are members of the organization (checked in the write's
  transaction, 422 otherwise). Another organization's (or an unknown) group id is 404; PUT and
  DELETE honour If-Match (412 when stale).
- Membership is a history: putting a person in a group from a day ends their previous group the day
  before (``entities.groups.spans``). Setting the same day again replaces that day's entry.
- Who reads a timesheet on the 4me surface: the person, the manager or substitute of the group it
  belongs to, Auditors and Administrators (``may_read_timesheet``).
"""

from __future__ import annotations

from datetime import date

from msgspec.structs import replace

from sandglass import ids
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.entities.groups import Group, GroupMembership, GroupSpan, spans
from sandglass.errors import NotFound, ValidationFailed, check_if_match, stale_write
from sandglass.repositories.groups import GroupRepository


def _member_id(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    canonical = ids.canonical_id(value)
    if canonical is None:
        raise ValidationFailed.field(field, "Expected a user id (UUID)")
    return canonical


def may_read_timesheet(tenant: TenantContext, user_id: str, group: Group | None) -> bool:
    """The person, the manager or substitute of the timesheet's group, an Auditor, an Administrator."""
    return tenant.reads_all or user_id == tenant.user_id or (group is not None and group.led_by(tenant.user_id))


class GroupService:
    def __init__(self, repository: GroupRepository | None = None, clock: Clock | None = None):
        self.repository = repository or GroupRepository()
        self.clock = clock or get_clock()

    # --- reads ------------------------------------------------------------------------------
    def get(self, tenant: TenantContext, group_id: str) -> Group:
        canonical = ids.canonical_id(group_id)
        group = self.repository.get(tenant.org_id, canonical) if canonical else None
        if group is None:
            raise NotFound("Group not found")
        return group

    def list(self, tenant: TenantContext, limit: int, cursor: str | None) -> tuple[list[Group], str | None]:
        return self.repository.page(tenant.org_id, limit, cursor)

    def spans(self, tenant: TenantContext, first: date, last: date, group_id: str | None = None, user_id: str | None = None) -> list[GroupSpan]:
        """Who was in which group on the days `first`..`last` (filtered to a group, a person)."""
        found = spans(self.repository.memberships(tenant.org_id, user_id), first, last)
        return [span for span in found if group_id is None or span.group_id == group_id]

    def members(self, tenant: TenantContext, group_id: str) -> list[GroupMembership]:
        group = self.get(tenant, group_id)
        return [m for m in self.repository.memberships(tenant.org_id) if m.group_id == group.id]

    # --- writes -----------------------------------------------------------------------------
    def create(self, tenant: TenantContext, name: str, manager_id: str | None, substitute_id: str | None) -> Group:
        tenant.require_admin()
        now = self.clock.now()
        group = Group(id=ids.new_id(), name=name, manager_id=_member_id(manager_id, "managerId"),
                      substitute_id=_member_id(substitute_id, "substituteId"), created_at=now, updated_at=now,
                      number=self.repository.next_number(tenant.org_id))
        tx = self.repository.unit_of_work()
        self.repository.stage_create(tx, tenant.org_id, group, tenant.user_id)
        self._stage_leaders(tx, tenant, group)
        tx.commit()
        return group

    def update(self, tenant: TenantContext, group_id: str, changes: dict, if_match: int | None = None) -> Group:
        """`changes`: any of name, managerId, substituteId (null clears a leader)."""
        tenant.require_admin()
        stored = self.get(tenant, group_id)
        check_if_match("group", if_match, stored.version)
        after = replace(stored, version=stored.version + 1, updated_at=self.clock.now(),
                        name=changes.get("name", stored.name),
                        manager_id=_member_id(changes["managerId"], "managerId") if "managerId" in changes else stored.manager_id,
                        substitute_id=_member_id(changes["substituteId"], "substituteId") if "substituteId" in changes else stored.substitute_id)
        tx = self.repository.unit_of_work()
        self.repository.stage_replace(tx, tenant.org_id, after, stored.version, tenant.user_id, stale=stale_write("group", if_match))
        self._stage_leaders(tx, tenant, after)
        tx.commit()
        return after

    def delete(self, tenant: TenantContext, group_id: str, if_match: int | None = None) -> None:
        tenant.require_admin()
        stored = self.get(tenant, group_id)
        check_if_match("group", if_match, stored.version)
        tx = self.repository.unit_of_work()
        self.repository.stage_delete(tx, tenant.org_id, stored, stale=stale_write("group", if_match))
        tx.commit()

    def place(self, tenant: TenantContext, group_id: str | None, user_id: str, from_day: date) -> GroupMembership:
        """`user_id` belongs to `group_id` (None: to no group) from `from_day` on."""
        tenant.require_admin()
        canonical_group = self.get(tenant, group_id).id if group_id is not None else None
        membership = GroupMembership(user_id=_member_id(user_id, "userId"), group_id=canonical_group, from_day=from_day)
        tx = self.repository.unit_of_work()
        self.repository.stage_member_exists(tx, tenant.org_id, membership.user_id, "userId")
        self.repository.stage_membership(tx, tenant.org_id, membership, tenant.user_id)
        tx.commit()
        return membership

    def _stage_leaders(self, tx, tenant: TenantContext, group: Group) -> None:
        """The manager and the substitute are members when the write commits (one check each)."""
        leaders = {group.manager_id: "managerId", group.substitute_id: "substituteId"} if group.manager_id != group.substitute_id \
            else {group.manager_id: "managerId"}
        for user_id, field in leaders.items():
            if user_id is not None:
                self.repository.stage_member_exists(tx, tenant.org_id, user_id, field)
