"""In-memory stand-ins for the report service's repository and for a month's stored cells, shared
by the report property tests (test_reports_property.py, test_report_rollups.py) and the size test
(test_report_sizes.py)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sandglass.repositories.organizations import organization_from_item, settings_from_item
from sandglass.repositories.rates import from_item as rate_item
from sandglass.services.reports import rollups, selection


class InMemoryCells:
    """The organization's cells as the rebuild job stores them (through their stored records):
    every third member-day in the layout written before the compact one. `reads`: pages read."""

    def __init__(self, items: list[dict[str, Any]], organization: Mapping[str, Any], built: bool = True):
        report_settings = selection.settings_of(settings_from_item(organization))
        self.records = [(rollups.first_layout_record_of if index % 3 == 2 else rollups.record_of)(day)
                        for index, day in enumerate(rollups.member_days(items, report_settings))]
        self.basis = rollups.basis_of(report_settings) if built else None
        self.reads = 0

    def built(self, org_id, month):
        return self.basis

    def member_days(self, org_id, month, first_day, after_day):
        self.reads += 1
        yield [dict(record) for record in self.records if record["day"][:7] == month and first_day <= record["day"] < after_day]


class InMemoryReports:
    """What ReportService reads, over activities and rate windows held in memory.

    `organization`: the organization's stored settings (timeZone, rounding...); `revenue`: rate
    windows by (project, member), `cost`: by member; `projects` and `users` name each id by its
    place ("Project 0", "User 1"); `archived` holds archived project and member ids; `cells`, when
    given, are read for months they stand for. Every range is read in two pages."""

    def __init__(self, items: list[dict[str, Any]], organization: Mapping[str, Any], revenue: Mapping[tuple[str, str], list[dict]],
                 cost: Mapping[str, list[dict]], *, projects: Sequence[str], users: Sequence[str], archived: Collection[str] = (),
                 administered: Sequence[str] = (), cells: InMemoryCells | None = None):
        self.items, self.settings, self.revenue, self.cost = items, organization, revenue, cost
        self.projects, self.users = list(projects), list(users)
        self.archived, self.administered = set(archived), list(administered)
        if cells is not None:
            self.rollups = cells

    def organization(self, org_id):
        return organization_from_item({"id": org_id, **self.settings})

    def administered_project_ids(self, org_id, user_id):
        return list(self.administered)

    def approved_weeks(self, org_id):
        return {}

    def _range(self, lower, upper, keep):
        chosen = [dict(item) for item in self.items if lower <= item["startedAt"] < upper and keep(item)]
        yield chosen[: len(chosen) // 2]
        yield chosen[len(chosen) // 2:]

    def org_activities(self, org_id, lower, upper):
        return self._range(lower, upper, lambda item: True)

    def user_activities(self, org_id, user_id, lower, upper):
        return self._range(lower, upper, lambda item: item["userId"] == user_id)

    def project_activities(self, org_id, project_id, lower, upper):
        return self._range(lower, upper, lambda item: item["projectId"] == project_id)

    def projects_by_id(self, org_id, ids):
        return {pid: {"id": pid, "name": f"Project {self.projects.index(pid)}", "archived": pid in self.archived} for pid in ids}

    def users_by_id(self, org_id, ids):
        return {uid: {"id": uid, "name": f"User {self.users.index(uid)}", "archived": uid in self.archived} for uid in ids}

    def revenue_windows_of_project(self, org_id, project_id):
        return [rate_item({**window, "id": f"r{n}", "userId": user}) for (project, user), found in self.revenue.items() if project == project_id
                for n, window in enumerate(found)]

    def cost_windows_of_user(self, org_id, user_id):
        return [rate_item({**window, "id": f"c{n}", "userId": user_id}) for n, window in enumerate(self.cost[user_id])]

    def position_token(self, org_id, scope, offset):
        return str(offset)

    def read_position(self, org_id, scope, token):
        return int(token)
