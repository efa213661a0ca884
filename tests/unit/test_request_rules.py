"""Workflow request decisions (pure): the answer, the route check, the kinds' registry, the
Sandtime view of each kind, and the item mapping of the request repository."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from msgspec.structs import replace
from pydantic import TypeAdapter

from sandglass.entities.locks import DateLock, WeekLock
from sandglass.entities.workflows import PENDING, REJECTED, RESOLVED, WorkflowRequest
from sandglass.errors import Conflict
from sandglass.models.requests import KIND_FIELDS, request_view
from sandglass.models.requests import WorkflowRequest as WireRequest
from sandglass.repositories.requests import from_item, to_item
from sandglass.services.lock_rules import next_week_lock
from sandglass.services.requests import KINDS
from sandglass.services.requests.kinds import APPROVAL, ASSIGNMENT, IMPERSONATION, MEMBERS, ROLE, UNLOCK, target_digest
from sandglass.services.requests.service import resolution, wrong_route

NOW = datetime(2026, 11, 13, 12, 0, tzinfo=timezone.utc)
FIELDS = {
    UNLOCK: {"year": 2026, "week": 45},
    APPROVAL: {"year": 2026, "week": 45},
    ROLE: {"project_id": "p1", "member_id": "m1", "user_id": "u2", "role": "Administrator"},
    MEMBERS: {"project_id": "p1", "user_ids": ("u2", "u3")},
    ASSIGNMENT: {"project_ids": ("p1", "p2")},
    IMPERSONATION: {"user_id": "u1", "reason": "cannot see my report"},
}


def request(kind: str, **changes) -> WorkflowRequest:
    made = WorkflowRequest(id="r1", kind=kind, created_at=NOW, created_by="u1", target_digest=target_digest("u1"), **FIELDS[kind])
    return replace(made, **changes)


def test_an_answer_closes_a_pending_request_only():
    answered = resolution(request(UNLOCK), RESOLVED, "admin", NOW)
    assert (answered.status, answered.resolved_by, answered.resolved_at) == (RESOLVED, "admin", NOW)
    with pytest.raises(Conflict) as raised:
        resolution(answered, REJECTED, "admin", NOW)
    assert raised.value.code == "REQUEST_ALREADY_RESOLVED"


def test_a_request_is_resolved_on_its_own_route_only():
    assert wrong_route(request(ROLE), ROLE) is None
    error = wrong_route(request(ROLE), MEMBERS)
    assert error.code == "WRONG_REQUEST_TYPE" and "/requests/{requestId}/projects/members/role" in error.message


def test_every_kind_is_registered_once_with_a_distinct_route():
    assert set(KINDS) == set(FIELDS)
    assert len({kind.resolve_path for kind in KINDS.values()}) == len(KINDS)
    assert all(name == kind.name for name, kind in KINDS.items())


@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_the_view_of_every_kind_is_a_valid_wire_request_with_its_own_fields_only(kind):
    shown = request_view(request(kind))
    TypeAdapter(WireRequest).validate_python(shown)
    common = {"createdAt", "createdBy", "id", "resolvedAt", "resolvedBy", "status", "type"}
    assert set(shown) == common | set(KIND_FIELDS[kind])
    assert shown["createdAt"] == "2026-11-13T12:00:00.000Z" and shown["status"] == PENDING


def test_who_may_resolve_besides_organization_administrators():
    assert KINDS[ROLE].resolver_projects(request(ROLE), None) == ["p1"]
    assert KINDS[MEMBERS].resolver_projects(request(MEMBERS), ["p9"]) == ["p1"]
    assert KINDS[ASSIGNMENT].resolver_projects(request(ASSIGNMENT), None) == ["p1", "p2"]
    assert KINDS[ASSIGNMENT].resolver_projects(request(ASSIGNMENT), ["p2"]) == ["p2"]  # the resolver's choice
    assert KINDS[UNLOCK].resolver_projects(request(UNLOCK), None) == []
    assert KINDS[IMPERSONATION].resolver_projects(request(IMPERSONATION), None) == []


def test_duplicates_are_told_apart_by_a_fixed_length_digest():
    assert target_digest("u1", "2026-W45") == target_digest("u1", "2026-W45") != target_digest("u1", "2026-W46")
    assert len(target_digest("x" * 500)) == 40


@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_the_item_mapping_round_trips(kind):
    resolved = request(kind, status=RESOLVED, resolved_at=NOW, resolved_by="admin",
                       unlocked_to=NOW + timedelta(hours=48) if kind == UNLOCK else None)
    item = to_item("org1", resolved)
    assert item["type"] == kind and item["createdAt"] == "2026-11-13T12:00:00.000Z"
    assert from_item(item) == resolved


def test_a_replaced_week_lock_keeps_its_id_and_creation():
    first = next_week_lock(None, "u1", 2026, 45, None, NOW)
    later = NOW + timedelta(days=1)
    window = next_week_lock(first, "u1", 2026, 45, later + timedelta(hours=48), later)
    assert (window.id, window.created_at, window.updated_at) == (first.id, NOW, later)
    assert isinstance(window, WeekLock) and window.unlocked_to == later + timedelta(hours=48)


def test_date_locks_cover_a_day_an_iso_week_or_a_month():
    assert DateLock(period="day", anchor=date(2026, 2, 18)).days == [date(2026, 2, 18)]
    week = DateLock(period="week", anchor=date(2026, 1, 1)).days  # a Thursday: its ISO week starts in December
    assert (week[0], week[-1], len(week)) == (date(2025, 12, 29), date(2026, 1, 4), 7)
    assert len(DateLock(period="month", anchor=date(2028, 2, 10)).days) == 29
    assert DateLock(user_id="u1", period="month", anchor=date(2026, 12, 31)).days[0] == date(2026, 12, 1)
