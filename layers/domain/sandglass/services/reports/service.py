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

A result is read (_count: settings, activities, approvals, names, rates), narrowed
(selection.py), then computed and shaped (views.py, engine.py), then paged or written as a file
(export.py). Definitions and specs are typed (entities/reports.py); the Sandtime wire mapping lives
in models/reports.py.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Optional

from msgspec import Struct
from msgspec.structs import replace

from sandglass import amounts
from sandglass import ids, timefmt
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.entities.rates import RateWindow
from sandglass.entities.reports import ReportDefinition, ReportSettings, ReportSpec
from sandglass.errors import NotFound, ValidationFailed, detail
from sandglass.repositories.reports import ReportRepository
from sandglass.services.reports import engine, periods, rollups, selection, views
from sandglass.services.reports.export import ExportFile, export
from sandglass.services.reports.selection import Item, Viewer
from sandglass.services.reports.views import VIEWS, Counted
from sandglass.timefmt import utc_ms

FORMATS = ("json", "csv", "xlsx", "pdf")
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000


class ReportOutput(Struct):
    body: Optional[dict[str, Any]] = None
    file: Optional[ExportFile] = None
    cursor: Optional[str] = None


def _not_found() -> NotFound:
    return NotFound("Report not found")


def check_output(view: str, format: str, limit: int) -> None:
    """422 naming every query parameter out of its range."""
    problems = []
    if view not in VIEWS:
        problems.append(detail("view", f"view must be one of {', '.join(VIEWS)}", "query"))
    if format not in FORMATS:
        problems.append(detail("format", f"format must be one of {', '.join(FORMATS)}", "query"))
    if not 1 <= limit <= MAX_LIMIT:
        problems.append(detail("limit", f"limit must be between 1 and {MAX_LIMIT}", "query"))
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)


def listing_order(definition: ReportDefinition) -> tuple:
    """Pinned reports first, then by name (case-insensitive), then id."""
    return (not definition.spec.pinned, (definition.spec.name or "").lower(), definition.id)


def covering(definition: ReportDefinition, settings: ReportSettings | None, now: datetime) -> ReportDefinition:
    """A definition as shown: a preset's start/end are the range it covers now."""
    spec = definition.spec
    if spec.is_custom or settings is None:
        return definition
    covered = periods.span(spec.period, None, None, now, settings.time_zone, settings.week_start)
    return replace(definition, spec=replace(spec, start=covered.lower, end=covered.upper - periods.ONE_MS))


def result_scope(spec: ReportSpec, view: str, span: periods.Range) -> str:
    """What a result's cursor is bound to: the same spec, view and range."""
    return "report:" + hashlib.sha256(repr((spec, view, span.start, span.end)).encode()).hexdigest()[:32]


class ReportService:
    def __init__(self, repository: ReportRepository | None = None, clock: Clock | None = None):
        self.repository = repository or ReportRepository()
        self._clock = clock
        self.page_bytes = views.PAGE_BYTES  # a JSON page's groups or rows stay under this

    def _now(self) -> datetime:
        return utc_ms((self._clock or get_clock()).now())

    # --- definitions --------------------------------------------------------------------------
    def list(self, tenant: TenantContext) -> list[ReportDefinition]:
        """The caller's saved reports, pinned first, then by name."""
        reports = self.repository.of_owner(tenant.org_id, tenant.user_id)
        settings = self._settings_for(tenant, reports)
        now = self._now()
        return [covering(report, settings, now) for report in sorted(reports, key=listing_order)]

    def get(self, tenant: TenantContext, report_id: str) -> ReportDefinition:
        report = self._owned(tenant, report_id)
        return covering(report, self._settings_for(tenant, [report]), self._now())

    def create(self, tenant: TenantContext, spec: ReportSpec, claimed_owner: str | None = None) -> ReportDefinition:
        self._check_owner_field(tenant, claimed_owner)
        now = self._now()
        report = ReportDefinition(id=ids.new_id(), owner_id=tenant.user_id, spec=_stored_spec(spec), version=1, created_at=now, updated_at=now)
        self.repository.create(tenant.org_id, report)
        return covering(report, self._settings_for(tenant, [report]), now)

    def update(self, tenant: TenantContext, report_id: str, revise: Callable[[ReportSpec], ReportSpec], *,
               claimed_id: str | None = None, claimed_owner: str | None = None) -> ReportDefinition:
        """`revise` maps the stored spec to the new one (the dialect's merge of a partial body; it
        raises ValidationFailed when the result is invalid)."""
        stored = self._owned(tenant, report_id)
        self._check_owner_field(tenant, claimed_owner)
        if claimed_id is not None and claimed_id != stored.id:
            raise ValidationFailed.field("id", "The id in the body must be the report's own")
        now = self._now()
        report = replace(stored, spec=_stored_spec(revise(stored.spec)), version=stored.version + 1, updated_at=now)
        self.repository.replace(tenant.org_id, report, stored.version)
        return covering(report, self._settings_for(tenant, [report]), now)

    def delete(self, tenant: TenantContext, report_id: str) -> None:
        canonical = ids.canonical_id(report_id)
        if canonical is None:
            raise _not_found()
        self.repository.delete(tenant.org_id, canonical, tenant.user_id)

    def _owned(self, tenant: TenantContext, report_id: str) -> ReportDefinition:
        canonical = ids.canonical_id(report_id)
        report = self.repository.get(tenant.org_id, canonical) if canonical else None
        if report is None or report.owner_id != tenant.user_id:
            raise _not_found()
        return report

    @staticmethod
    def _check_owner_field(tenant: TenantContext, user_id: str | None) -> None:
        if user_id is not None and user_id != tenant.user_id:
            raise ValidationFailed.field("userId", "A report belongs to the member who saves it; userId can only be your own")

    def _settings_for(self, tenant: TenantContext, reports: Iterable[ReportDefinition]) -> ReportSettings | None:
        """The organization's settings when a preset's range is to be shown (else not read)."""
        if all(report.spec.is_custom for report in reports):
            return None
        return selection.settings_of(self.repository.organization(tenant.org_id).settings)

    # --- results ------------------------------------------------------------------------------
    def saved_results(self, tenant: TenantContext, report_id: str, view: str = "summary", format: str = "json",
                      limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> ReportOutput:
        return self.results(tenant, self._owned(tenant, report_id).spec, view, format, limit, cursor)

    def results(self, tenant: TenantContext, spec: ReportSpec, view: str = "summary", format: str = "json",
                limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> ReportOutput:
        check_output(view, format, limit)
        spec = _stored_spec(spec)
        # reading allocates a dict per activity too (and no reference cycle): the cyclic collector
        # waits for the whole report, not only its aggregation
        with engine.gc_paused():
            counted = self._count(tenant, spec, view)
            if format != "json":  # a file carries every group and row
                shown, _ = views.body(counted, None, limit, self.page_bytes)
                return ReportOutput(file=export(shown, format, spec.name or "report"))
            return self._page(tenant, counted, limit, cursor)

    def _count(self, tenant: TenantContext, spec: ReportSpec, view: str) -> Counted:
        """Read what the report counts, narrowed to what the caller may see and asked for."""
        org_id = tenant.org_id
        settings = selection.settings_of(self.repository.organization(org_id).settings)
        now = self._now()
        span = periods.span(spec.period, spec.start, spec.end, now, settings.time_zone, settings.week_start)
        administered = () if tenant.reads_all else self.repository.administered_project_ids(org_id, tenant.user_id)
        viewer = Viewer(tenant.user_id, tenant.reads_all, frozenset(administered))
        sources = selection.sources(spec, viewer, org_id)
        assembled = self._from_cells(org_id, spec, view, settings, span, sources)
        if assembled is None:
            items, cells = self._read(org_id, sources, span), []
        else:  # the members cells cannot stand for are read from their activities (rollups.py)
            items = self._read_members(org_id, sources, span, assembled.fallback) + assembled.open
            cells = assembled.cells if counts_all(spec, viewer) else [
                (key, totals) for key, totals in assembled.cells if not cell_excluded(key, spec, viewer)]
        now_ms = amounts.to_ms(timefmt.iso(now))
        counted_from = engine.counted_starts(items, now_ms)  # before any narrowing: shared time counts once
        if view == "detailed" or spec.needs_approvals:
            selection.mark_approved(items, self.repository.approved_weeks(org_id), settings.lock_zone)
        items = selection.narrowed(items, spec, viewer)
        directory = selection.directory_of(
            self.repository.projects_by_id(org_id, {item["projectId"] for item in items if item.get("projectId")}
                                           | {key[0] for key, _ in cells if key[0]} | set(spec.selected_projects or ())),
            self.repository.users_by_id(org_id, {item["userId"] for item in items} | {key[1] for key, _ in cells}
                                        | set(spec.selected_members or ())))
        items = selection.unarchived(items, spec, directory)
        if cells and (directory.archived_projects or directory.archived_members):
            cells = [(key, totals) for key, totals in cells if selection.unarchived([cell_row(key)], spec, directory)]
        return Counted(spec=spec, view=view, span=span, now=now, settings=settings, items=items,
                       pricing=self._pricing(org_id, items, settings, spec.metrics, now_ms, counted_from),
                       calendar=engine.Calendar(settings.time_zone, settings.week_start),
                       labels=engine.Labels(projects=directory.project_names, users=directory.member_names),
                       fill=selection.fill(spec, viewer, directory), cells=cells)

    def _from_cells(self, org_id: str, spec: ReportSpec, view: str, settings: ReportSettings, span: periods.Range,
                    sources: list[tuple[str, str]]) -> rollups.Assembled | None:
        """The report's cells, when its view, grouping and filters can be told from cells and every
        local month it covers was built under the organization's current settings; else None."""
        cells = getattr(self.repository, "rollups", None)
        if cells is None or not cells_answer(spec, view):
            return None
        lower, upper = amounts.to_ms(span.start), amounts.to_ms(span.end) + 1
        if upper <= lower:
            return None
        calendar = engine.Calendar(settings.time_zone)
        first_day, last_day = calendar.buckets(lower)[0], calendar.buckets(upper - 1)[0]
        after = (date.fromisoformat(last_day) + timedelta(days=1)).isoformat()
        months = sorted({day.isoformat()[:7] for day in calendar.days_of(span)})
        basis = rollups.basis_of(settings)
        if len(months) > MAX_CELL_MONTHS or any(cells.built(org_id, month) != basis for month in months):
            return None
        found = (rollups.from_record(record) for month in months for page in cells.member_days(org_id, month, first_day, after) for record in page)
        return rollups.assemble(found, lower, upper, sources, needs_money=bool(MONEY & set(spec.metrics)), basis=basis)

    def _read_members(self, org_id: str, sources: list[tuple[str, str]], span: periods.Range, members: Iterable[str]) -> list[Item]:
        """The activities of some members that the report's partitions hold (one Query per member and 1 MB)."""
        lower, upper = timefmt.iso(span.lower), timefmt.iso(span.upper)
        found: dict[str, Item] = {}
        for user_id in sorted(members):
            for items in self.repository.user_activities(org_id, user_id, lower, upper):
                for item in items:
                    if rollups.reads(sources, user_id, item.get("projectId")):
                        found[item["id"]] = item
        return list(found.values())

    def _page(self, tenant: TenantContext, counted: Counted, limit: int, cursor: str | None) -> ReportOutput:
        """One JSON page from the cursor's position, and the cursor of the next (bound to the org and report)."""
        scope = result_scope(counted.spec, counted.view, counted.span)
        start = self.repository.read_position(tenant.org_id, scope, cursor) if cursor else 0
        shown, following = views.body(counted, start, limit, self.page_bytes)
        output = ReportOutput(body=shown)
        if following is not None:
            output.cursor = self.repository.position_token(tenant.org_id, scope, following)
        shown["truncated"] = output.cursor is not None
        shown["nextCursor"] = output.cursor
        return output

    def _read(self, org_id: str, sources: list[tuple[str, str]], span: periods.Range) -> list[Item]:
        """The activities of the partitions, read by key range (deduplicated by id)."""
        lower, upper = timefmt.iso(span.lower), timefmt.iso(span.upper)
        found: dict[str, Item] = {}
        for kind, owner in sources:
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

    def _pricing(self, org_id: str, items: list[Item], settings: ReportSettings, metrics: Iterable[str], now_ms: int,
                 counted_from: dict[str, int]) -> engine.Pricing:
        """The rounding and the rate windows the metrics need (none read for time-only reports)."""
        pricing = engine.Pricing(now_ms=now_ms, counted_from=counted_from, rounding_interval=settings.rounding_interval,
                                 rounding_mode=settings.rounding_mode)
        metrics = set(metrics)
        if {"revenue", "profit"} & metrics:
            pricing.revenue = self._revenue_windows(org_id, {item["projectId"] for item in items if item.get("projectId")})
        if {"cost", "profit"} & metrics:
            pricing.cost = {user_id: engine.RateTimeline(self.repository.cost_windows_of_user(org_id, user_id))
                            for user_id in {item["userId"] for item in items}}
        return pricing

    def _revenue_windows(self, org_id: str, project_ids: set[str]) -> dict[tuple[str, str], engine.RateTimeline]:
        timelines: dict[tuple[str, str], engine.RateTimeline] = {}
        for project_id in sorted(project_ids):
            by_user: dict[str, list[RateWindow]] = {}
            for window in self.repository.revenue_windows_of_project(org_id, project_id):
                by_user.setdefault(window.user_id, []).append(window)
            for user_id, windows in by_user.items():
                timelines[(project_id, user_id)] = engine.RateTimeline(windows)
        return timelines


MONEY = frozenset(("revenue", "cost", "profit"))
MAX_CELL_MONTHS = 24  # a longer report reads its activities


def cells_answer(spec: ReportSpec, view: str) -> bool:
    """Whether a result can be told from cells: a summary, not grouped or filtered by approval or
    by name (cells keep neither); its members are then read from cells or, where cells cannot
    stand for their activities, from those."""
    return view == "summary" and not spec.needs_approvals and all(condition.field != "name" for condition in spec.filters)


def cell_row(key: tuple) -> Item:
    """A finished activity row with a cell's project, member and billable flag: what the visibility,
    selection, filter and archive rules look at (selection.py)."""
    return {"id": "", "projectId": key[0], "userId": key[1], "billable": key[3], "endedAt": "finished"}


def counts_all(spec: ReportSpec, viewer: Viewer) -> bool:
    """Whether the report counts everything it reads (selection.narrowed keeps every item)."""
    return viewer.reads_all and not spec.selected_projects and not spec.selected_members and not spec.filters


def cell_excluded(key: tuple, spec: ReportSpec, viewer: Viewer) -> bool:
    return not selection.narrowed([cell_row(key)], spec, viewer)


def _stored_spec(spec: ReportSpec) -> ReportSpec:
    """A preset keeps no start/end (its range is computed when it runs)."""
    return spec if spec.is_custom or (spec.start is None and spec.end is None) else replace(spec, start=None, end=None)
