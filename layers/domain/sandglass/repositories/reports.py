"""Saved report definitions, and the bulk reads a report result needs.

Definition item: PK ``ORG#<orgId>``, SK ``REPORT#<reportId>`` (keys.report) — the definition's
fields (name, period, start, end, dimensions, metrics, filters, selectedProjects,
selectedProjectMembers, hideEmptyRows, showArchivedProjects, showArchivedMembers, pinned), id,
userId (the owner), version, createdAt, updatedAt; GSI1PK = keys.user_partition(org, owner),
GSI1SK = ``REPORT#<reportId>``: a member's reports are one Query, and the member's purge (a sweep
of their GSI1 partition) removes them. from_item / to_item map it to the ReportDefinition entity.

Result reads never go one request per activity: a report reads whole key ranges through
ActivityRepository.in_range (the organization's month partitions when it spans everybody, a
member's or a project's partition when it is filtered to members or projects), with no Limit, so
every Query page carries up to DynamoDB's 1 MB; only the attributes a report uses come back (lean
rows). Rate windows: one Query per project (every member's
revenue windows, GSI2) and one per member (cost windows, GSI1), whatever the number of activities.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from msgspec import Struct

from sandglass import keys, timefmt
from sandglass.entities.organizations import Organization
from sandglass.entities.rates import RateWindow
from sandglass.entities.reports import ReportDefinition, ReportFilter, ReportSpec
from sandglass.errors import BadRequest, Conflict, NotFound
from sandglass.repositories.activities import ROW_ATTRIBUTES, ActivityRepository, ActivityRow, TimeWindow
from sandglass.repositories.locks import LockRepository
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories import rates
from sandglass.repositories.projects import ProjectRepository
from sandglass.repositories.rollups import RollupRepository
from sandglass.storage import cursor as cursors
from sandglass.storage.table import Table

ACTIVITY_ATTRIBUTES = ROW_ATTRIBUTES  # what a report's activity rows hold


class ReadStats(Struct):
    """What the activity reads of one report cost (the bench prints it)."""

    queries: int = 0  # Query requests (pages)
    items: int = 0

    def reset(self) -> None:
        self.queries = self.items = 0


class ReportRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()
        self.organizations = OrganizationRepository(self.table)
        self.projects = ProjectRepository(self.table)
        self.activities = ActivityRepository(self.table)
        self.locks = LockRepository(self.table)
        self.rollups = RollupRepository(self.table)  # report cells (services/reports/rollups.py)
        self.rates = rates.RateRepository(self.table)
        self.stats = ReadStats()

    # --- definitions ------------------------------------------------------------------------
    def get(self, org_id: str, report_id: str) -> ReportDefinition | None:
        item = self.table.get(keys.report(org_id, report_id))
        return from_item(item) if item else None

    def of_owner(self, org_id: str, user_id: str) -> list[ReportDefinition]:
        found = []
        for items in self.table.query_all(
            key_condition=f"{keys.gsi_pk(keys.GSI_USER)} = :pk AND begins_with({keys.gsi_sk(keys.GSI_USER)}, :prefix)",
            values={":pk": keys.user_partition(org_id, user_id), ":prefix": keys.REPORT_OWNER_SORT_PREFIX},
            index=keys.GSI_USER,
        ):
            found.extend(from_item(item) for item in items)
        return found

    def create(self, org_id: str, report: ReportDefinition) -> None:
        self.table.put(to_item(org_id, report), "attribute_not_exists(PK)", fail=Conflict("A report with this id already exists"))

    def replace(self, org_id: str, report: ReportDefinition, expected_version: int) -> None:
        """Write the new definition if nobody changed (or deleted) it since it was read."""
        self.table.put(to_item(org_id, report), "#v = :expected AND userId = :owner", {"#v": "version"},
                       {":expected": expected_version, ":owner": report.owner_id},
                       fail=Conflict("The report was changed by another request; reload and retry"))

    def delete(self, org_id: str, report_id: str, owner: str) -> None:
        self.table.delete(keys.report(org_id, report_id), "userId = :owner", values={":owner": owner}, fail=NotFound("Report not found"))

    # --- what a result reads ----------------------------------------------------------------
    def organization(self, org_id: str) -> Organization:
        return self.organizations.require(org_id)

    def approved_weeks(self, org_id: str) -> dict[str, set[tuple[int, int]]]:
        return self.locks.approved_weeks(org_id)

    def administered_project_ids(self, org_id: str, user_id: str) -> list[str]:
        return self.projects.administered_project_ids(org_id, user_id)

    def org_activities(self, org_id: str, lower: str, upper: str) -> Iterator[list[ActivityRow]]:
        """Every activity of the organization with lower <= startedAt < upper: its month partitions."""
        return self._counted(self.activities.in_range(org_id, TimeWindow(lower, upper), lean=True))

    def user_activities(self, org_id: str, user_id: str, lower: str, upper: str) -> Iterator[list[ActivityRow]]:
        return self._counted(self.activities.in_range(org_id, TimeWindow(lower, upper), user_id=user_id, lean=True))

    def project_activities(self, org_id: str, project_id: str, lower: str, upper: str) -> Iterator[list[ActivityRow]]:
        return self._counted(self.activities.in_range(org_id, TimeWindow(lower, upper), project_id=project_id, lean=True))

    def _counted(self, pages: Iterator[list[ActivityRow]]) -> Iterator[list[ActivityRow]]:
        for rows in pages:
            self.stats.queries += 1
            self.stats.items += len(rows)
            yield rows

    def projects_by_id(self, org_id: str, project_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {item["id"]: item for item in self.table.batch_get([keys.project(org_id, pid) for pid in sorted(set(project_ids))])}

    def users_by_id(self, org_id: str, user_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {item["id"]: item for item in self.table.batch_get([keys.user(org_id, uid) for uid in sorted(set(user_ids))])}

    def revenue_windows_of_project(self, org_id: str, project_id: str) -> list[RateWindow]:
        """Every member's revenue windows on one project (the version locks left out): one Query."""
        return self.rates.revenue_windows_of_project(org_id, project_id)

    def cost_windows_of_user(self, org_id: str, user_id: str) -> list[RateWindow]:
        """A member's cost windows: one Query."""
        return self.rates.cost_windows_of_user(org_id, user_id)

    # --- paging a computed list ---------------------------------------------------------------
    def position_token(self, org_id: str, scope: str, offset: int) -> str:
        return cursors.encode({"o": offset}, org_id=org_id, scope=scope)

    def read_position(self, org_id: str, scope: str, token: str) -> int:
        offset = cursors.decode(token, org_id=org_id, scope=scope).get("o")
        if not isinstance(offset, int) or offset < 0:
            raise BadRequest("The cursor is malformed, expired or belongs to another query", code="INVALID_CURSOR")
        return offset


def _ids(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def from_item(item: dict[str, Any]) -> ReportDefinition:
    spec = ReportSpec(
        name=item.get("name"), period=item.get("period") or "custom", start=timefmt.parse_stored(item.get("start")), end=timefmt.parse_stored(item.get("end")),
        dimensions=tuple(item.get("dimensions") or ()), metrics=tuple(item.get("metrics") or ("time",)),
        filters=tuple(ReportFilter(field=condition["field"], operator=condition.get("operator") or "is",
                                   value=tuple(condition["value"]) if isinstance(condition["value"], list) else condition["value"])
                      for condition in item.get("filters") or ()),
        selected_projects=_ids(item.get("selectedProjects")), selected_members=_ids(item.get("selectedProjectMembers")),
        hide_empty_rows=bool(item.get("hideEmptyRows")), show_archived_projects=bool(item.get("showArchivedProjects")),
        show_archived_members=bool(item.get("showArchivedMembers")), pinned=bool(item.get("pinned")),
    )
    return ReportDefinition(id=item["id"], owner_id=item["userId"], spec=spec, version=int(item.get("version") or 1),
                            created_at=timefmt.parse_stored(item.get("createdAt")), updated_at=timefmt.parse_stored(item.get("updatedAt")))


def to_item(org_id: str, report: ReportDefinition) -> dict[str, Any]:
    spec = report.spec
    item = {
        **keys.report(org_id, report.id),
        keys.gsi_pk(keys.GSI_USER): keys.user_partition(org_id, report.owner_id),
        keys.gsi_sk(keys.GSI_USER): keys.report_owner_sort(report.id),
        "id": report.id, "userId": report.owner_id, "version": report.version,
        "createdAt": timefmt.iso(report.created_at) if report.created_at else None,
        "updatedAt": timefmt.iso(report.updated_at) if report.updated_at else None,
        "name": spec.name, "period": spec.period,
        "start": timefmt.iso(spec.start) if spec.start else None, "end": timefmt.iso(spec.end) if spec.end else None,
        "dimensions": list(spec.dimensions), "metrics": list(spec.metrics),
        "filters": [{"field": condition.field, "operator": condition.operator,
                     "value": list(condition.value) if isinstance(condition.value, tuple) else condition.value} for condition in spec.filters],
        "selectedProjects": _listed(spec.selected_projects), "selectedProjectMembers": _listed(spec.selected_members),
        "hideEmptyRows": spec.hide_empty_rows, "showArchivedProjects": spec.show_archived_projects,
        "showArchivedMembers": spec.show_archived_members, "pinned": spec.pinned,
    }
    return item


def _listed(values: tuple[str, ...] | None) -> list[str] | None:
    return None if values is None else list(values)
