"""User rules: the member directory, invitations, profile edits, roles, deletion, preferences, cost rates.

- Every member may list and read the organization's members (the directory).
- Administrators invite, change `role` and `archived`, delete, and manage cost rates.
- A user edits their own profile fields (name, title, phone, avatar); editing anybody else needs
  an Administrator (403). `email` is the identity and never changes.
- The last active Administrator cannot be demoted, archived or deleted (409), enforced by the
  organization's `adminCount` in the same transaction (repositories/users.py).
- Preferences belong to their user alone (anybody else: 404).
- Cost rates: Administrators manage anyone's; a User may read their own (403 for anything else).
"""

from __future__ import annotations

from functools import partial

from msgspec.structs import replace
from pydantic import ValidationError

from sandglass import ids
from sandglass.clock import Clock, CurrentClock
from sandglass.context import INVITED, TenantContext
from sandglass.errors import Forbidden, NotFound, ValidationFailed, invalid_request, stale_write
from sandglass.models.rates import RateCreate, RateUpdate
from sandglass.entities.people import Member
from sandglass.entities.rates import RateOwner, RateWindow
from sandglass.models.users import Preferences, PreferencesUpdate, UserInvite, UserUpdate
from sandglass.documents import deep_merge
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.rates import RateRepository, cost_set
from sandglass.repositories.users import AlreadyMember, UserRepository
from sandglass.services.directory import MemberDirectory
from sandglass.services.members import new_member
from sandglass.services.rates import RateService

PROFILE_FIELDS = ("name", "title", "phone", "avatar")
ADMIN_FIELDS = ("role", "archived")


class UserService(MemberDirectory):
    """The directory's reads (MemberDirectory) and every write."""

    def __init__(self, repository: UserRepository | None = None, rates: RateService | None = None, clock: Clock | None = None,
                 organizations: OrganizationRepository | None = None):
        self.repository = repository or UserRepository()
        self.rates = rates or RateService(RateRepository(self.repository.table))
        self.clock = clock or CurrentClock()
        self.organizations = organizations or OrganizationRepository(self.repository.table)

    # --- invitations -------------------------------------------------------------------------
    def invite(self, tenant: TenantContext, body: UserInvite) -> Member:
        """Invite by email (case-insensitive). An email already in the organization is re-invited
        (its `invitedAt` moves), never duplicated: the id is derived from the email and the
        user item is written with attribute_not_exists."""
        tenant.require_admin()
        now = self.clock.now()
        email = ids.normalize_email(body.email)
        member = new_member(tenant.org_id, email, name=body.name or email.split("@")[0], role=body.role, now=now, status=INVITED,
                            avatar=body.avatar, phone=body.phone, title=body.title, invited_by=tenant.user_id,
                            number=self.repository.next_number(tenant.org_id))
        try:
            self.repository.invite(tenant.org_id, member)
        except AlreadyMember:
            return self.repository.reinvite(tenant.org_id, member.id, now, tenant.user_id)
        self.organizations.mark_onboarding_done(tenant.org_id, "inviteMembers")
        return member

    # --- profile, role, archiving ------------------------------------------------------------
    def update(self, tenant: TenantContext, user_id: str, body: UserUpdate, if_match: int | None = None) -> Member:
        stored = self._require(tenant, user_id)
        patch = body.model_dump(exclude_unset=True)
        email = patch.pop("email", None)
        if email is not None and ids.normalize_email(email) != stored.email:
            raise ValidationFailed.field("email", "The email is the user's identity and cannot be changed; invite the new address instead")
        if not tenant.is_admin:
            if user_id != tenant.user_id:
                raise Forbidden("You can only edit your own profile")
            forbidden = [name for name in ADMIN_FIELDS if name in patch and patch[name] != getattr(stored, name)]
            if forbidden:
                raise Forbidden(f"Only organization Administrators can change {', '.join(forbidden)}")
        changes = {name: value for name, value in patch.items() if name in PROFILE_FIELDS or (name in ADMIN_FIELDS and value is not None)}
        if "name" in changes and changes["name"] is None:
            raise ValidationFailed.field("name", "A user's name cannot be null")
        if "archived" in changes:
            changes["archived"] = bool(changes["archived"])
            if changes["archived"] != stored.archived:
                # when the member left: their expected time ends then (services/timesheets.py)
                changes["archived_at"] = self.clock.now() if changes["archived"] else None
        after = replace(stored, **changes)
        expected = stored.version if if_match is None else if_match
        return self.repository.update(tenant.org_id, stored, after, expected, stale_write("user", if_match))

    def delete(self, tenant: TenantContext, user_id: str) -> None:
        """The member loses access at once (tombstone + account membership gone); their data
        (memberships, rates, preferences, activities: the GSI1 partition) goes in pages (`purge-user`)."""
        tenant.require_admin()
        stored = self._require(tenant, user_id)
        self.repository.tombstone(tenant.org_id, stored, self.clock.now(), tenant.user_id)

    # --- preferences -------------------------------------------------------------------------
    def _own(self, tenant: TenantContext, user_id: str) -> None:
        if user_id != tenant.user_id:
            raise NotFound("Preferences not found")

    def _preferences(self, tenant: TenantContext) -> tuple[Preferences, int | None]:
        """The caller's preferences (the saved document over the defaults) and the saved version (None: never saved)."""
        saved, org = self.repository.preferences_and_org(tenant.org_id, tenant.user_id)
        if org is None:  # deleted since the authorizer let the request in
            raise NotFound("Organization not found")
        defaults = Preferences(timeZone=org.settings.time_zone or "UTC")
        if saved is None:
            return defaults, None
        return Preferences.model_validate(deep_merge(defaults.model_dump(mode="json"), saved.document)), saved.version

    def get_preferences(self, tenant: TenantContext, user_id: str) -> Preferences:
        self._own(tenant, user_id)
        preferences, _ = self._preferences(tenant)
        return preferences

    def update_preferences(self, tenant: TenantContext, user_id: str, body: PreferencesUpdate) -> Preferences:
        self._own(tenant, user_id)
        current, version = self._preferences(tenant)
        patch = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
        try:
            merged = Preferences.model_validate(deep_merge(current.model_dump(mode="json"), patch))
        except ValidationError as error:
            raise invalid_request(error.errors(), "body") from None
        document = merged.model_dump(mode="json")
        self.repository.save_preferences(tenant.org_id, tenant.user_id, document, version)
        self.organizations.mark_onboarding_done(tenant.org_id, "preferences")
        return merged

    # --- cost rates --------------------------------------------------------------------------
    def _cost_context(self, tenant: TenantContext, user_id: str, write: bool):
        if not ids.is_uuid(user_id):
            raise NotFound("User not found")
        if not (tenant.is_admin if write else tenant.reads_all) and (write or user_id != tenant.user_id):
            if user_id != tenant.user_id:
                self._require(tenant, user_id)  # 404 for a stranger, 403 for a colleague
            raise Forbidden("Only organization Administrators can manage cost rates (a user may read their own)")
        return cost_set(tenant.org_id, user_id), partial(self.repository.stage_exists, org_id=tenant.org_id, user_id=user_id)

    def list_cost(self, tenant: TenantContext, user_id: str, limit: int, cursor: str | None) -> tuple[list[RateWindow], str | None]:
        rate_set, _ = self._cost_context(tenant, user_id, write=False)
        self._require(tenant, user_id)
        page = self.rates.page(rate_set, limit, cursor)
        return list(page.items), page.cursor

    def get_cost(self, tenant: TenantContext, user_id: str, cost_id: str) -> RateWindow:
        rate_set, _ = self._cost_context(tenant, user_id, write=False)
        self._require(tenant, user_id)
        return self.rates.get(rate_set, cost_id)

    def create_cost(self, tenant: TenantContext, user_id: str, body: RateCreate) -> RateWindow:
        rate_set, guards = self._cost_context(tenant, user_id, write=True)
        return self.rates.create(rate_set, body, RateOwner(user_id=user_id), guards)

    def update_cost(self, tenant: TenantContext, user_id: str, cost_id: str, body: RateUpdate) -> RateWindow:
        rate_set, guards = self._cost_context(tenant, user_id, write=True)
        return self.rates.update(rate_set, cost_id, body, guards)

    def delete_cost(self, tenant: TenantContext, user_id: str, cost_id: str) -> None:
        rate_set, guards = self._cost_context(tenant, user_id, write=True)
        self.rates.delete(rate_set, cost_id, guards)
