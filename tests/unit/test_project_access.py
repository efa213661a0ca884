"""The one project visibility and management rule (services/project_access.py), decided on typed entities."""

from __future__ import annotations

import pytest

from sandglass.context import ADMINISTRATOR, AUDITOR, USER, TenantContext
from sandglass.entities.projects import PROJECT_ADMINISTRATOR, PROJECT_USER, Project, ProjectMembership
from sandglass.errors import Forbidden, NotFound
from sandglass.services.project_access import project_access

PROJECT = Project(id="p", name="Apollo")


def caller(role: str) -> TenantContext:
    return TenantContext(org_id="o", domain="acme", user_id="u", email="u@acme.test", role=role)


def membership(role: str = PROJECT_USER, archived: bool = False) -> ProjectMembership:
    return ProjectMembership(id="m", project_id="p", user_id="u", role=role, archived=archived)


@pytest.mark.parametrize("role, member, sees, manages", [
    (ADMINISTRATOR, None, True, True),
    (AUDITOR, None, True, False),
    (USER, None, False, False),
    (USER, membership(), True, False),
    (USER, membership(PROJECT_ADMINISTRATOR), True, True),
    (USER, membership(PROJECT_ADMINISTRATOR, archived=True), False, False),  # an archived membership is no membership
    (USER, membership(archived=True), False, False),
])
def test_who_sees_a_project_and_who_manages_it(role, member, sees, manages):
    if not sees:
        with pytest.raises(NotFound):
            project_access(caller(role), PROJECT, member)
        return
    access = project_access(caller(role), PROJECT, member)
    assert (access.project, access.manages) == (PROJECT, manages)
    if manages:
        access.require_manager()
        access.require_reader()
    else:
        with pytest.raises(Forbidden, match="manage its tasks"):
            access.require_manager("Only organization Administrators and this project's Administrators can manage its tasks")
        if role == AUDITOR:
            access.require_reader()  # Auditors read what managers read
        else:
            with pytest.raises(Forbidden):
                access.require_reader()


def test_a_missing_project_is_absent_even_to_administrators():
    with pytest.raises(NotFound):
        project_access(caller(ADMINISTRATOR), None, None)
