"""Reports: saved definitions and their results (summary, detailed, weekly) with exports.

Rules
-----
- A saved report belongs to the member who created it (``userId``): only they list, read, change
  or delete it; anyone else, Administrators included (the reference lists "saved reports ... for
  the current user"), gets 404.
- A result covers the activities that start in the period: ``custom`` from ``start`` to ``end``
  (both inclusive), or a preset (today ... lastYear) computed when the report runs in the
  organization's time zone and week start (Monday unless the organization item says otherwise).
- Who sees what: a User counts their own activities, a project Administrator also every activity
  on the projects they administer, an organization Administrator everything.
- ``selectedProjects`` / ``selectedProjectMembers`` (user ids) narrow the report; null or [] means
  no narrowing. ``filters`` (models.reports.ReportFilter) narrow further. Activities of archived
  projects / archived members are left out unless ``showArchivedProjects`` / ``showArchivedMembers``.
- ``hideEmptyRows`` off shows every day / week / month of the period, both billable values and the
  selected projects and members even without time; on, groups without time are left out.
- ``approved``: an activity is approved when the ISO week of its start (in the lock time zone) is
  an approved week of its member (a resolved timesheet-approval request, services/requests.py).
  The approvals are read (one Query) only when the report filters, groups or lists by them.
- Reading: a report narrowed to projects reads those projects' partitions, one narrowed to members
  reads theirs, an Administrator's organization-wide report reads the month partitions, a User's
  their own partition plus the projects they administer; never one request per activity.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

from pydantic import ValidationError

from sandglass import ids, timefmt
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.errors import NotFound, ValidationFailed, detail
from sandglass.models.reports import DEFINITION_FIELDS, ReportDefinition, ReportQuery, ReportUpdate
from sandglass.repositories.reports import ReportRepository
from sandglass.services import reports_engine as engine
from sandglass.services import reports_periods as periods

VIEWS = ("summary", "detailed", "weekly")
FORMATS = ("json", "csv", "xlsx", "pdf")
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000


@dataclass
class ExportFile:
    content: bytes
    content_type: str
    disposition: str  # the Content-Disposition header


@dataclass
class Counted:
    """Everything a result is computed from, once read and narrowed."""

    definition: dict[str, Any]
    view: str
    span: periods.Range
    now: datetime
    metrics: list[str]
    dimensions: list[str]
    items: list[dict[str, Any]]
    pricing: engine.Pricing
    calendar: engine.Calendar
    labels: engine.Labels
    fill: dict[str, list[str]]


@dataclass
class ReportOutput:
    body: Optional[dict[str, Any]] = None
    file: Optional[ExportFile] = None
    cursor: Optional[str] = None


def _not_found() -> NotFound:
    return NotFound("Report not found")


def _validation(error: ValidationError) -> ValidationFailed:
    details = [detail(".".join(str(part) for part in e["loc"]) or "body", e["msg"], "body", e["type"]) for e in error.errors()]
    return ValidationFailed("The report definition is invalid", details=details)


class ReportService:
    def __init__(self, repository: ReportRepository | None = None, clock: Clock | None = None):
        self.repository = repository or ReportRepository()
        self._clock = clock
        self.page_bytes = engine.PAGE_BYTES  # a JSON page's groups or rows stay under this

    def _now(self) -> datetime:
        now = (self._clock or get_clock()).now().astimezone(timezone.utc)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    # --- definitions --------------------------------------------------------------------------
    def list(self, tenant: TenantContext) -> dict[str, dict[str, Any]]:
        reports = self.repository.of_owner(tenant.org_id, tenant.user_id)
        organization = self.repository.organization(tenant.org_id) if any(r.get("period") != "custom" for r in reports) else {}
        now = self._now()
        return {report["id"]: self._view(report, organization, now) for report in sorted(reports, key=lambda r: (not r.get("pinned"), r.get("name", "").lower(), r["id"]))}

    def get(self, tenant: TenantContext, report_id: str) -> dict[str, Any]:
        report = self._owned(tenant, report_id)
        return self._view(report, self._organization_for(tenant, report), self._now())

    def create(self, tenant: TenantContext, body: ReportDefinition) -> dict[str, Any]:
        self._check_owner_field(tenant, body.userId)
        now = timefmt.iso(self._now())
        report = {"id": ids.new_id(), "userId": tenant.user_id, **_definition(body), "version": 1, "createdAt": now, "updatedAt": now}
        self.repository.create(tenant.org_id, report)
        return self._view(report, self._organization_for(tenant, report), self._now())

    def update(self, tenant: TenantContext, report_id: str, body: ReportUpdate) -> dict[str, Any]:
        stored = self._owned(tenant, report_id)
        self._check_owner_field(tenant, body.userId)
        if body.id is not None and body.id != stored["id"]:
            raise ValidationFailed.field("id", "The id in the body must be the report's own")
        changes = body.model_dump(exclude_unset=True, exclude={"id", "userId"})
        merged = {**{name: stored.get(name) for name in DEFINITION_FIELDS}, **changes}
        if merged.get("period") != "custom" and "period" in changes and not {"start", "end"} & set(changes):
            merged["start"] = merged["end"] = None
        try:
            definition = ReportDefinition.model_validate({name: value for name, value in merged.items() if value is not None or name in ("selectedProjects", "selectedProjectMembers")})
        except ValidationError as error:
            raise _validation(error) from None
        report = {**stored, **_definition(definition), "version": int(stored["version"]) + 1, "updatedAt": timefmt.iso(self._now())}
        self.repository.replace(tenant.org_id, report, int(stored["version"]))
        return self._view(report, self._organization_for(tenant, report), self._now())

    def delete(self, tenant: TenantContext, report_id: str) -> None:
        canonical = ids.canonical_id(report_id)
        if canonical is None:
            raise _not_found()
        self.repository.delete(tenant.org_id, canonical, tenant.user_id)

    def _owned(self, tenant: TenantContext, report_id: str) -> dict[str, Any]:
        canonical = ids.canonical_id(report_id)
        report = self.repository.get(tenant.org_id, canonical) if canonical else None
        if report is None or report.get("userId") != tenant.user_id:
            raise _not_found()
        return report

    @staticmethod
    def _check_owner_field(tenant: TenantContext, user_id: str | None) -> None:
        if user_id is not None and user_id != tenant.user_id:
            raise ValidationFailed.field("userId", "A report belongs to the member who saves it; userId can only be your own")

    def _organization_for(self, tenant: TenantContext, report: dict[str, Any]) -> dict[str, Any]:
        return self.repository.organization(tenant.org_id) if report.get("period") != "custom" else {}

    def _view(self, report: dict[str, Any], organization: dict[str, Any], now: datetime) -> dict[str, Any]:
        shown = {name: report.get(name) for name in DEFINITION_FIELDS}
        shown["id"], shown["userId"] = report["id"], report["userId"]
        shown["filters"] = list(report.get("filters") or [])
        if report.get("period") != "custom":
            span = periods.resolve(report["period"], None, None, now, organization.get("timeZone") or "UTC",
                                   periods.week_start_index(organization.get("weekStart")))
            shown["start"], shown["end"] = span.start, span.end
        return shown

    # --- results ------------------------------------------------------------------------------
    def saved_results(self, tenant: TenantContext, report_id: str, view: str = "summary", format: str = "json",
                      limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> ReportOutput:
        report = self._owned(tenant, report_id)
        return self._results(tenant, {name: report.get(name) for name in DEFINITION_FIELDS}, view, format, limit, cursor)

    def results(self, tenant: TenantContext, body: ReportQuery, view: str = "summary", format: str = "json",
                limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> ReportOutput:
        return self._results(tenant, _definition(body), view, format, limit, cursor)

    def _results(self, tenant: TenantContext, definition: dict[str, Any], view: str, format: str, limit: int, cursor: str | None) -> ReportOutput:
        # reading allocates a dict per activity too (and no reference cycle): the cyclic collector
        # waits for the whole report, not only its aggregation
        with engine.gc_paused():
            return self._computed(tenant, definition, view, format, limit, cursor)

    def _computed(self, tenant: TenantContext, definition: dict[str, Any], view: str, format: str, limit: int, cursor: str | None) -> ReportOutput:
        problems = []
        if view not in VIEWS:
            problems.append(detail("view", f"view must be one of {', '.join(VIEWS)}", "query"))
        if format not in FORMATS:
            problems.append(detail("format", f"format must be one of {', '.join(FORMATS)}", "query"))
        if not 1 <= limit <= MAX_LIMIT:
            problems.append(detail("limit", f"limit must be between 1 and {MAX_LIMIT}", "query"))
        if problems:
            raise ValidationFailed(problems[0]["message"], details=problems)
        org_id = tenant.org_id
        organization = self.repository.organization(org_id)
        time_zone = organization.get("timeZone") or "UTC"
        week_start = periods.week_start_index(organization.get("weekStart"))
        now = self._now()
        span = periods.resolve(definition["period"], definition.get("start"), definition.get("end"), now, time_zone, week_start)
        metrics = list(definition.get("metrics") or ["time"])
        dimensions = list(definition.get("dimensions") or [])

        administered = set() if tenant.reads_all else set(self.repository.administered_project_ids(org_id, tenant.user_id))
        items = self._read(tenant, definition, administered, timefmt.iso(span.lower), timefmt.iso(span.upper))
        now_ms = engine.to_ms(timefmt.iso(now))
        # before any narrowing: time a member's entries share counts once, for the earliest one
        counted_from = engine.counted_starts(items, now_ms)
        only_projects = set(definition.get("selectedProjects") or ())
        only_users = set(definition.get("selectedProjectMembers") or ())
        filters = [{**condition, "value": set(condition["value"])} if isinstance(condition["value"], list) else condition
                   for condition in definition.get("filters") or []]
        if view == "detailed" or "approved" in dimensions or any(condition["field"] == "approved" for condition in filters):
            from sandglass.services.locks import lock_zone

            _mark_approved(items, self.repository.approved_weeks(org_id), lock_zone(organization))
        items = [item for item in items
                 if _visible(item, tenant, administered) and (not only_projects or item["projectId"] in only_projects)
                 and (not only_users or item["userId"] in only_users) and _passes(item, filters)]

        selected_projects = list(definition.get("selectedProjects") or [])
        selected_users = list(definition.get("selectedProjectMembers") or [])
        projects = self.repository.projects_by_id(org_id, {item["projectId"] for item in items} | set(selected_projects))
        users = self.repository.users_by_id(org_id, {item["userId"] for item in items} | set(selected_users))
        if not definition.get("showArchivedProjects"):
            items = [item for item in items if not projects.get(item["projectId"], {}).get("archived")]
        if not definition.get("showArchivedMembers"):
            items = [item for item in items if not _archived_user(users.get(item["userId"]))]

        pricing = engine.Pricing(now_ms=now_ms, counted_from=counted_from)
        rounding = organization.get("rounding") or {}
        if rounding.get("enabled"):
            pricing.rounding_interval = int(rounding.get("interval") or 0)
            pricing.rounding_mode = str(rounding.get("mode") or "NEAREST")
        if {"revenue", "profit"} & set(metrics):
            pricing.revenue = self._revenue_windows(org_id, {item["projectId"] for item in items})
        if {"cost", "profit"} & set(metrics):
            pricing.cost = {user_id: engine.RateTimeline(self.repository.cost_windows_of_user(org_id, user_id))
                            for user_id in {item["userId"] for item in items}}
        counted = Counted(
            definition=definition, view=view, span=span, now=now, metrics=metrics, dimensions=dimensions, items=items, pricing=pricing,
            calendar=engine.Calendar(time_zone, week_start),
            labels=engine.Labels(projects={pid: str(project.get("name", "")) for pid, project in projects.items()},
                                 users={uid: str(user.get("name") or user.get("email") or "") for uid, user in users.items()}),
            # shown without time when empty rows are not hidden: what the caller selected and may see
            fill={"project": [pid for pid in selected_projects if pid in projects and (tenant.reads_all or pid in administered)],
                  "user": [uid for uid in selected_users if uid in users and (tenant.reads_all or uid == tenant.user_id)]},
        )
        output = self._shape(tenant, counted, format, limit, cursor)
        if format != "json":
            from sandglass.services.reports_export import export

            output.file = export(output.body, format, definition.get("name") or "report")
            output.body = None
        return output

    def _shape(self, tenant: TenantContext, counted: "Counted", format: str, limit: int, cursor: str | None) -> ReportOutput:
        """Price, group and total the activities a report counts, in the view asked for."""
        entries = engine.price(counted.items, counted.pricing)
        span, metrics, pricing = counted.span, counted.metrics, counted.pricing
        header = {
            "period": counted.definition["period"], "start": span.start, "end": span.end, "timeZone": str(counted.calendar.zone),
            "weekStart": periods.WEEKDAYS[counted.calendar.week_start], "view": counted.view, "dimensions": counted.dimensions,
            "metrics": metrics, "generatedAt": timefmt.iso(counted.now),
            "rounding": ({"interval": pricing.rounding_interval, "mode": pricing.rounding_mode} if pricing.rounding_interval else None),
        }
        hide_empty = bool(counted.definition.get("hideEmptyRows"))
        output = ReportOutput()
        paged = format == "json"  # files carry every group and row; JSON pages, each under engine.PAGE_BYTES
        start = 0
        if paged:
            scope = "report:" + hashlib.sha256(json.dumps([counted.definition, counted.view, span.start, span.end], sort_keys=True, default=str).encode()).hexdigest()[:32]
            start = self.repository.read_position(tenant.org_id, scope, cursor) if cursor else 0
        following: Optional[int] = None
        if counted.view == "summary":
            grouping = engine.Grouping(counted.dimensions, metrics, span, counted.calendar, counted.labels, hide_empty, counted.fill)
            total, tree = engine.group(entries, grouping)
            if paged:  # only the groups on the page are rendered
                shown, following = engine.page_groups(tree, grouping, start, self.page_bytes)
            else:
                shown = engine.groups_view(tree, grouping)
            output.body = {**header, "groups": shown, "totals": total.view(metrics)}
        elif counted.view == "weekly":
            output.body = {**header, **engine.weekly(entries, counted.calendar, counted.labels, metrics, hide_empty,
                                                     () if hide_empty else counted.fill["user"])}
            if paged:
                output.body["rows"], following = engine.page_rows(output.body["rows"], start, self.page_bytes)
        else:
            entries.sort(key=lambda entry: (entry.start_ms, entry.id))
            total = engine.Totals()
            for entry in entries:
                total.add(entry)
            page = entries[start:start + limit] if paged else entries
            rows = [engine.detailed_row(entry, counted.labels, metrics) for entry in page]
            if paged:
                rows, cut = engine.page_rows(rows, 0, self.page_bytes)
                if cut is not None:
                    following = start + cut
                elif start + limit < len(entries):
                    following = start + limit
            output.body = {**header, "rows": rows, "totals": total.view(metrics)}
        if paged:
            if following is not None:
                output.cursor = self.repository.position_token(tenant.org_id, scope, following)
            output.body["truncated"] = output.cursor is not None
            output.body["nextCursor"] = output.cursor
        return output

    def _read(self, tenant: TenantContext, definition: dict[str, Any], administered: set[str], lower: str, upper: str) -> list[dict[str, Any]]:
        """The activities the report may count, read by partition (deduplicated by id)."""
        org_id, me = tenant.org_id, tenant.user_id
        selected_projects = definition.get("selectedProjects") or None
        selected_users = definition.get("selectedProjectMembers") or None
        sources: list[tuple[str, str]] = []
        if selected_projects and (not selected_users or len(selected_projects) <= len(selected_users)):
            for project_id in dict.fromkeys(selected_projects):
                # a project the caller does not administer: only their own entries on it count
                sources.append(("project", project_id) if tenant.reads_all or project_id in administered else ("user", me))
        elif selected_users:
            for user_id in dict.fromkeys(selected_users):
                if tenant.reads_all or user_id == me or administered:
                    sources.append(("user", user_id))
        elif tenant.reads_all:
            sources.append(("organization", org_id))
        else:
            sources.append(("user", me))
            sources.extend(("project", project_id) for project_id in sorted(administered))
        found: dict[str, dict[str, Any]] = {}
        for kind, owner in dict.fromkeys(sources):
            if kind == "organization":
                pages = self.repository.org_activities(org_id, lower, upper)
            elif kind == "user":
                pages = self.repository.user_activities(org_id, owner, lower, upper)
            else:
                pages = self.repository.project_activities(org_id, owner, lower, upper)
            for items in pages:
                for item in items:
                    found[item["id"]] = item
        return list(found.values())

    def _revenue_windows(self, org_id: str, project_ids: set[str]) -> dict[tuple[str, str], engine.RateTimeline]:
        timelines: dict[tuple[str, str], engine.RateTimeline] = {}
        for project_id in sorted(project_ids):
            by_user: dict[str, list[dict[str, Any]]] = {}
            for window in self.repository.revenue_windows_of_project(org_id, project_id):
                by_user.setdefault(window["userId"], []).append(window)
            for user_id, windows in by_user.items():
                timelines[(project_id, user_id)] = engine.RateTimeline(windows)
        return timelines


def _definition(body: ReportQuery) -> dict[str, Any]:
    data = body.model_dump(mode="json")
    definition = {name: data.get(name) for name in DEFINITION_FIELDS}
    if definition["period"] != "custom":
        definition["start"] = definition["end"] = None
    return definition


def _visible(item: dict[str, Any], tenant: TenantContext, administered: set[str]) -> bool:
    return tenant.reads_all or item["userId"] == tenant.user_id or item["projectId"] in administered


def _archived_user(user: dict[str, Any] | None) -> bool:
    return bool(user) and (bool(user.get("archived")) or user.get("status") == "DELETED")


def _mark_approved(items: list[dict[str, Any]], approved: dict[str, set[tuple[int, int]]], zone: str) -> None:
    """Set `approved` on the items whose member's week of their start is approved."""
    if not approved:
        return
    from sandglass.schedule import iso_week, local_date

    for item in items:
        weeks = approved.get(item["userId"])
        if weeks and iso_week(local_date(timefmt.parse(item["startedAt"]), zone)) in weeks:
            item["approved"] = True


def _passes(item: dict[str, Any], filters: list[dict[str, Any]]) -> bool:
    for condition in filters:
        field, operator, value = condition["field"], condition.get("operator", "is"), condition["value"]
        if field in ("billable", "pending", "approved"):
            actual = {"billable": bool(item.get("billable")), "pending": not item.get("endedAt"), "approved": item.get("approved") is True}[field]
            if (actual == value) != (operator == "is"):
                return False
        elif field == "name":
            name = str(item.get("name") or "")
            matched = value.casefold() in name.casefold() if operator == "contains" else name == value
            if matched != (operator in ("is", "contains")):
                return False
        else:
            actual = item["projectId"] if field == "project" else item["userId"]
            if (actual in value) != (operator == "in"):
                return False
    return True
