"""The Clockify dialect maps the domain's typed entities (sandglass.entities) to its wire models, and
Clockify bodies to the services' typed requests; no mapping reads a Sandtime response model or view."""

from __future__ import annotations

import ast
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from sandglass import ids
from sandglass.dialects.clockify import projects, time_entries, users, workspaces
from sandglass.entities.activities import BREAK, Activity, RateRef, RateSnapshot
from sandglass.entities.organizations import Locking, Organization, OrganizationSettings, Rounding
from sandglass.entities.people import Member
from sandglass.entities.projects import Project
from sandglass.errors import BadRequest
from sandglass.models.activities import EntryCreate, EntryUpdate
from sandglass.models.projects import ProjectCreate, ProjectUpdate

DIALECT = Path(__file__).resolve().parents[2] / "layers" / "domain" / "sandglass" / "dialects" / "clockify"
WS = "5b715612b079875110791111"
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def _id() -> str:
    return str(uuid.uuid4())


def test_the_dialect_imports_only_request_models_from_the_sandtime_models():
    """Response models and views (`Project`, `activity_view`, `user_view`...) are the Sandtime dialect's."""
    for path in DIALECT.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sandglass.models"):
                names = [alias.name for alias in node.names]
                assert all(name.endswith(("Create", "Update")) for name in names), (path.name, names)


def test_an_entry_is_mapped_from_the_activity_and_its_rate_snapshot():
    project, task, tag = _id(), _id(), _id()
    activity = Activity(id=_id(), user_id=_id(), project_id=project, started_at=START, ended_at=START + timedelta(hours=1, minutes=2, seconds=3, milliseconds=999),
                        name="Review", billable=True, locked=True, task_id=task, tag_ids=(tag,),
                        rate_snapshot=RateSnapshot(revenue=RateRef(currency="EUR", value=Decimal("85.5"), rate_id="r"), cost=None))
    entry = time_entries.to_clockify(activity, WS, "a" * 24, rates=activity.rate_snapshot)
    assert entry.id == ids.short_id(activity.id) and entry.userId == "a" * 24 and entry.workspaceId == WS
    assert (entry.description, entry.billable, entry.isLocked, entry.type) == ("Review", True, True, "REGULAR")
    assert (entry.projectId, entry.taskId, entry.tagIds) == (ids.short_id(project), ids.short_id(task), [ids.short_id(tag)])
    assert entry.timeInterval.model_dump() == {"start": "2026-03-02T08:00:00Z", "end": "2026-03-02T09:02:03Z", "duration": "PT1H2M3S"}
    assert entry.hourlyRate.model_dump() == {"amount": 8550, "currency": "EUR"} and entry.costRate is None
    assert time_entries.to_clockify(activity, WS, "a" * 24).hourlyRate is None  # rates only where asked for


def test_a_running_break_without_project_has_no_end_no_duration_and_no_project():
    activity = Activity(id=_id(), user_id=_id(), project_id=None, started_at=START, type=BREAK)
    entry = time_entries.to_clockify(activity, WS, "b" * 24)
    assert entry.timeInterval.end is None and entry.timeInterval.duration is None
    assert (entry.projectId, entry.taskId, entry.tagIds, entry.type, entry.project) == (None, None, [], BREAK, None)


def test_a_hydrated_entry_embeds_its_project_entity():
    client = _id()
    project = Project(id=_id(), name="Website", billable=False, archived=True, client_id=client)
    activity = Activity(id=_id(), user_id=_id(), project_id=project.id, started_at=START, ended_at=START + timedelta(minutes=5))
    entry = time_entries.to_clockify(activity, WS, "c" * 24, project=project, client_name="Acme")
    assert entry.project.model_dump() == {"id": ids.short_id(project.id), "name": "Website", "clientId": ids.short_id(client), "clientName": "Acme",
                                          "color": "#03A9F4", "billable": False, "archived": True, "workspaceId": WS}
    assert entry.tags == []


def test_a_body_becomes_the_activity_services_typed_requests():
    project = _id()
    running = time_entries.create_request(time_entries.TimeEntryRequest(start="2026-03-02T08:00:00Z", description="x"), project, user_id=_id())
    assert isinstance(running, EntryCreate) and running.pending is True and running.endedAt is None and running.projectId == project
    replaced = time_entries.update_request(time_entries.TimeEntryRequest(start="2026-03-02T08:00:00Z", end="2026-03-02T09:00:00Z"), None)
    assert isinstance(replaced, EntryUpdate) and replaced.projectId is None and "pending" not in replaced.model_fields_set
    with pytest.raises(BadRequest, match="^type: "):
        time_entries.create_request(time_entries.TimeEntryRequest(start="2026-03-02T08:00:00Z", type="LUNCH"), None)


def test_a_project_is_mapped_from_the_entity_and_a_body_to_the_project_services_requests():
    project = Project(id=_id(), name="Website", notes="n", billable=True, client_id=None)
    shown = projects.to_clockify(project, WS, client_name="ignored without a client")
    assert (shown.id, shown.name, shown.note, shown.billable, shown.archived, shown.clientId, shown.clientName) == \
        (ids.short_id(project.id), "Website", "n", True, False, "", "")
    created = projects.create_request(projects.ProjectRequest(name="New"))
    assert isinstance(created, ProjectCreate) and created.billable is True
    updated = projects.update_request(projects.ProjectRequest(archived="1"))
    assert isinstance(updated, ProjectUpdate) and updated.model_fields_set == {"archived"} and updated.archived is True


def test_projects_filter_and_sort_over_entities():
    client = _id()
    found = [Project(id=_id(), name=name, billable=billable, client_id=owner)
             for name, billable, owner in (("beta", True, client), ("Alpha", False, None), ("alphabet", True, None))]
    chosen = projects.filtered(found, name="alpha", strict=False, billable=None, template=None, clients=[], contains_client=None, sort_order=None)
    assert [project.name for project in chosen] == ["Alpha", "alphabet"]
    others = projects.filtered(found, name=None, strict=False, billable=True, template=None, clients=[client], contains_client=False, sort_order="DESCENDING")
    assert [project.name for project in others] == ["alphabet"]


def _member(email: str, **fields) -> Member:
    return Member(id=_id(), email=email, name=fields.pop("name", email.split("@")[0]), role=fields.pop("role", "User"), **fields)


def test_members_are_mapped_filtered_and_sorted_as_entities():
    admin = _member("zoe@example.com", role="Administrator", status="ACTIVE", avatar="https://x/z.png")
    invited, gone = _member("ann@example.com"), _member("old@example.com", status="ACTIVE", archived=True)
    assert [users.member_status(member) for member in (admin, invited, gone)] == ["ACTIVE", "PENDING", "INACTIVE"]
    assert users.filtered([admin, invited, gone], email=None, name=None, status=None) == [invited, admin]
    assert users.filtered([admin, invited, gone], email=None, name=None, status="ALL", sort_order="DESCENDING") == [admin, gone, invited]
    shown = users.to_clockify(admin, WS, time_zone="Europe/Warsaw", with_roles=True, with_memberships=True)
    assert (shown.id, shown.profilePicture, shown.settings.timeZone) == (ids.person_short_id(admin.email), "https://x/z.png", "Europe/Warsaw")
    assert [role.role for role in shown.roles] == ["WORKSPACE_ADMIN"] and shown.memberships[0].membershipStatus == "ACTIVE"


def test_a_workspace_is_mapped_from_the_organization_entity():
    settings = OrganizationSettings(name="Acme", currency="EUR", time_zone="Europe/Warsaw",
                                    rounding=Rounding(enabled=True, interval=timedelta(minutes=6), mode="UP"),
                                    locking=Locking(enabled=True, year=2026, week=9))
    organization = Organization(id=_id(), domain="acme", settings=settings, plan="pro")
    shown = workspaces.to_clockify(organization)
    assert (shown.id, shown.name, shown.featureSubscriptionType, shown.subdomain) == (ids.short_id(organization.id), "Acme", "PRO", None)
    assert shown.workspaceSettings.round.model_dump() == {"round": "Round up to", "minutes": "6"}
    # week 9 of 2026 ends on Sunday 1 March: entries before Monday 2 March 00:00 in Warsaw (23:00 UTC) are locked
    assert (shown.workspaceSettings.lockTimeEntries, shown.workspaceSettings.lockTimeZone) == ("2026-03-01T23:00:00Z", "Europe/Warsaw")
    assert users.current_user("ann@example.com", "", [organization], with_memberships=False).settings.timeZone == "Europe/Warsaw"
