"""Organization and member entities: item and wire mappings round-trip, the settings rules are pure,
and a settings change reaches every listener (no moto)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from msgspec.structs import replace

from sandglass.context import TenantContext
from sandglass.entities.organizations import Organization, OrganizationSettings, SettingsChanged
from sandglass.entities.people import Member
from sandglass.errors import ValidationFailed
from sandglass.models.organization import OrganizationUpdate, organization_view, settings_entity, settings_model, updated_settings
from sandglass.repositories.members import member_from_item, member_to_item
from sandglass.repositories.organizations import organization_from_item, organization_to_item, settings_from_item, settings_to_item
from sandglass.services.organizations import OrganizationService, mark_organization_step, watermark_move

ITEM = {
    "id": "o1", "domain": "acme", "plan": "free", "version": 3, "createdAt": "2026-01-02T03:04:05.678Z", "createdBy": "a@acme.test",
    "name": "Acme", "notes": "", "currency": "EUR", "timeZone": "Europe/Warsaw",
    "coreHours": {"start": "08:30", "end": "16:30"}, "holidays": {"country": "PL", "excluded": ["2026-12-24"]},
    "rounding": {"enabled": True, "interval": 600000, "mode": "UP"},
    "lockingTimesheets": {"enabled": True, "timeZone": None, "week": 12, "year": 2026},
    "onboarding": {step: {"done": step == "projects", "viewed": False} for step in ("assignMembers", "inviteMembers", "organization", "preferences", "projects")},
    "reminders": {"enabled": True, "weekday": "THURSDAY", "time": "16:45"}, "autoLock": {"graceHours": 5},
    "maxActivityHours": 36, "unlockWindowHours": 24, "overlapPolicy": "warn",
}


def test_the_item_maps_to_the_entity_and_back():
    organization = organization_from_item(ITEM)
    settings = organization.settings
    assert (settings.time_zone, settings.lock_time_zone, settings.watermark) == ("Europe/Warsaw", "Europe/Warsaw", (2026, 12))
    assert settings.rounding.interval == timedelta(minutes=10) and settings.core_hours.start == time(8, 30)
    assert settings.holidays.excluded == (date(2026, 12, 24),) and settings.auto_lock_grace == timedelta(hours=5)
    assert organization.created_at == datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
    stored = {name: value for name, value in ITEM.items() if name != "version"}
    assert organization_to_item(organization) == stored


def test_a_sparse_item_takes_the_defaults():
    settings = settings_from_item({"name": "Old"})
    assert settings == OrganizationSettings(name="Old")
    assert settings_to_item(settings)["rounding"] == {"enabled": False, "interval": 900000, "mode": "NEAREST"}


def test_the_wire_mapping_round_trips_and_the_view_keeps_the_version():
    organization = organization_from_item(ITEM)
    assert settings_entity(settings_model(organization.settings)) == organization.settings
    view = organization_view(organization)
    assert view.model_dump(mode="json")["coreHours"] == {"start": "08:30", "end": "16:30"} and view._version == 3


def test_an_update_merges_nested_objects_and_refuses_bad_ones():
    current = organization_from_item(ITEM).settings
    after = updated_settings(current, OrganizationUpdate.model_validate({"rounding": {"mode": "DOWN"}}))
    assert after.rounding == replace(current.rounding, mode="DOWN")
    try:
        updated_settings(current, OrganizationUpdate.model_validate({"coreHours": {"start": "18:00"}}))
    except ValidationFailed:
        pass
    else:
        raise AssertionError("coreHours.start after its end must be refused")


def test_editing_a_setting_completes_the_organization_step_unless_it_names_it():
    settings = OrganizationSettings(name="Acme")
    done = dict(mark_organization_step(settings, OrganizationUpdate.model_validate({"name": "New"})).onboarding)
    assert done["organization"].done
    untouched = mark_organization_step(settings, OrganizationUpdate.model_validate({"onboarding": {"organization": {"viewed": True}}, "name": "x"}))
    assert not dict(untouched.onboarding)["organization"].done
    assert mark_organization_step(settings, OrganizationUpdate.model_validate({})) == settings


def test_watermark_moves():
    settings = OrganizationSettings(name="Acme")
    assert watermark_move(settings, settings) is None
    assert watermark_move(settings.with_watermark(2026, 10), settings.with_watermark(2026, 8)) == "back"
    assert watermark_move(settings.with_watermark(2026, 8), settings.with_watermark(2026, 10)) == "forward"
    assert watermark_move(settings, settings.with_watermark(2026, 1)) == "forward"


class Repository:
    def __init__(self, organization: Organization):
        self.organization, self.changes = organization, []

    def require(self, org_id):
        return self.organization

    def update_settings(self, org_id, settings, expected, stale):
        self.organization = replace(self.organization, settings=settings, version=expected + 1)
        return self.organization

    def record_watermark_change(self, org_id, record):
        self.changes.append(record)


class Listener:
    def __init__(self):
        self.heard: list[SettingsChanged] = []

    def settings_changed(self, event):
        self.heard.append(event)


class Clock:
    def now(self):
        return datetime(2026, 4, 1, tzinfo=timezone.utc)


def test_a_settings_change_reaches_every_listener_and_the_watermark_audit():
    repository, first, second = Repository(organization_from_item(ITEM)), Listener(), Listener()
    service = OrganizationService(repository, Clock(), listeners=(first, second))
    admin = TenantContext(org_id="o1", domain="acme", user_id="u1", email="a@acme.test", role="Administrator")
    service.update(admin, OrganizationUpdate.model_validate({"lockingTimesheets": {"week": 10}}))
    assert len(first.heard) == len(second.heard) == 1
    event = first.heard[0]
    assert (event.before.settings.watermark, event.after.settings.watermark, event.by) == ((2026, 12), (2026, 10), "u1")
    assert [change["direction"] for change in repository.changes] == ["back"]


def test_a_member_item_round_trips_and_knows_an_active_administrator():
    item = {"id": "m1", "email": "ana@acme.test", "name": "Ana", "role": "Administrator", "archived": False, "avatar": None, "phone": None,
            "title": "CTO", "status": "ACTIVE", "createdAt": "2026-01-01T00:00:00.000Z", "version": 2}
    member = member_from_item(item)
    assert member.active_admin and member_to_item(member) == item
    assert not replace(member, archived=True).active_admin and not replace(member, role="User").active_admin
    assert isinstance(member, Member) and member.person.email == "ana@acme.test"
