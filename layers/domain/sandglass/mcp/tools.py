"""The MCP tools: workflows over the domain services the REST handlers call (the same role and
lock rules, never a second copy). A tool resolves names to ids, calls one or a few services and
shapes a compact, typed answer; a business refusal (a DomainError) becomes a tool result with
`isError` and the service's own message."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any, Callable
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from sandglass import ids, timefmt
from sandglass.adapters.notifications import ConfiguredNotifier
from sandglass.clock import CurrentClock, get_clock
from sandglass.context import Caller, TenantContext
from sandglass.entities.activities import NO_PROJECT, REGULAR
from sandglass.entities.organizations import OrganizationSettings
from sandglass.errors import Conflict, NotFound, ValidationFailed
from sandglass.mcp import models as m
from sandglass.models.activities import ActivityCreate, ActivityUpdate, activity_view
from sandglass.models.organization import Organization as OrganizationModel, settings_entity
from sandglass.models.timesheets import incomplete_view
from sandglass.models.reports import ReportQuery, spec_of
from sandglass.models.requests import request_view
from sandglass.models.timesheets_locks import locks_view, week_lock_view
from sandglass.models.users import user_view
from sandglass.services import time_phrases as phrases
from sandglass.services.activities import ActivityQuery, ActivityService
from sandglass.services.locks import PERIOD_LOCKED, LockService
from sandglass.services.organizations import OrganizationService
from sandglass.services.projects import ProjectService
from sandglass.repositories.requests import RequestRepository
from sandglass.services.reports import ReportService
from sandglass.services.requests import RequestService
from sandglass.services.timesheets import TimesheetService
from sandglass.services.users import UserService
from sandglass.services.int_ids import IntIdService, as_number


# --- the services, one per container (built on first use, as in the REST handlers) --------------------

@cache
def organizations():
    return OrganizationService()


@cache
def activities():
    return ActivityService()


@cache
def projects():
    return ProjectService()


@cache
def users():
    return UserService()


@cache
def int_ids() -> IntIdService:
    return IntIdService()


@cache
def locks():
    return LockService()


@cache
def timesheets():
    return TimesheetService(day_marks=locks().day_marks)


@cache
def reports():
    return ReportService()


@cache
def requests():
    return RequestService(RequestRepository(), CurrentClock(), ConfiguredNotifier())  # notices as the REST requests send them


def now() -> datetime:
    return get_clock().now().astimezone(timezone.utc)


# --- the call's context -------------------------------------------------------------------------------

@dataclass
class Call:
    """One tool call: who, in which organization, in which time zone."""

    tenant: TenantContext
    organization: dict[str, Any]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.organization.get("timeZone") or "UTC")

    @property
    def settings(self) -> OrganizationSettings:
        """The organization's settings as the entity (what the domain services take)."""
        return settings_entity(OrganizationModel.model_validate(self.organization))

    def local(self, instant: str | None) -> str | None:
        if not instant:
            return None
        return timefmt.parse(instant).astimezone(self.zone).strftime("%Y-%m-%d %H:%M")


def _phrase(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except phrases.PhraseError as error:
        raise ValidationFailed(str(error)) from None


def _all(page_call: Callable[[str | None], tuple[dict[str, Any], str | None]], cap: int = 2000) -> list[Any]:
    found, cursor = [], None
    while True:
        page, cursor = page_call(cursor)
        found += list(page.values())
        if not cursor or len(found) >= cap:
            return found


def _dump(value: Any) -> dict[str, Any]:
    return value.model_dump(mode="json", exclude={"version"}) if isinstance(value, BaseModel) else dict(value)


def _score(query: str, *names: str) -> float:
    query = query.lower().strip()
    best = 0.0
    for name in names:
        name = (name or "").lower()
        if not name:
            continue
        if name == query:
            return 1.0
        ratio = difflib.SequenceMatcher(None, query, name).ratio()
        if query in name:
            ratio = max(ratio, 0.75 + 0.2 * len(query) / len(name))
        elif any(word.startswith(query) for word in name.replace("@", " ").replace(".", " ").split()):
            ratio = max(ratio, 0.7)
        best = max(best, ratio)
    return round(best, 3)


MATCH_FLOOR = 0.5


def _project_list(call: Call, include_archived: bool = False) -> list[dict[str, Any]]:
    archived = "include" if include_archived else "false"
    return [_dump(p) for p in _all(lambda cursor: projects().list(call.tenant, archived, 100, cursor))]


def _member_list(call: Call) -> list[dict[str, Any]]:
    return [_dump(u) for u in _all(lambda cursor: _user_page(call, cursor))]


def _pick(what: str, query: str, candidates: list[dict[str, Any]], names: Callable[[dict[str, Any]], tuple[str, ...]]) -> dict[str, Any]:
    """The one candidate a name means: an id, an exact name, or a clearly best fuzzy match."""
    canonical = ids.canonical_id(query)
    if canonical:
        for candidate in candidates:
            if candidate["id"] == canonical:
                return candidate
        raise NotFound(f"{what.capitalize()} not found")
    scored = sorted(((_score(query, *names(c)), c) for c in candidates), key=lambda pair: -pair[0])
    scored = [(score, c) for score, c in scored if score >= MATCH_FLOOR]
    if not scored:
        raise NotFound(f"No {what} matches '{query}'; call find to see what exists")
    if scored[0][0] < 1.0 and len(scored) > 1 and scored[1][0] >= scored[0][0] - 0.05:
        options = ", ".join(f"'{names(c)[0]}'" for _, c in scored[:5])
        raise ValidationFailed(f"'{query}' matches several {what}s: {options}; say which")
    return scored[0][1]


def _by_id(call: Call, kind: str, value: str | int) -> str:
    """An integer or 24-hex id the organization has, as its uuid; anything else unchanged (a
    uuid, a name, or digits that number nothing: then a name like "2026")."""
    if isinstance(value, str) and ids.canonical_id(value):
        return value
    return int_ids().resolve(call.tenant.org_id, kind, value) or str(value)


def _entry_id(call: Call, value: str | int) -> str:
    """An entry's uuid from its uuid, 24-hex or integer id (404 for one the organization does not
    have); any other text unchanged, for the service to refuse."""
    if isinstance(value, str) and not ids.is_short_id(value) and as_number(value) is None:
        return value
    return int_ids().require(call.tenant.org_id, "activity", value)


def resolve_project(call: Call, query: str) -> dict[str, Any]:
    return _pick("project", _by_id(call, "project", query), _project_list(call), lambda p: (p["name"],))


def _user_page(call: Call, cursor: str | None) -> tuple[dict[str, Any], str | None]:
    found, cursor = users().list(call.tenant, 100, cursor)
    return {member.id: user_view(member) for member in found}, cursor


def resolve_member(call: Call, query: str) -> dict[str, Any]:
    return _pick("member", _by_id(call, "person", query), _member_list(call), lambda u: (u.get("name") or u["email"], u["email"]))


def entry(call: Call, activity: dict[str, Any], project_name: str | None = None) -> m.Entry:
    started = timefmt.parse(activity["startedAt"])
    ended = timefmt.parse(activity["endedAt"]) if activity.get("endedAt") else None
    minutes = round(((ended or now()) - started).total_seconds() / 60)
    return m.Entry(id=activity.get("id"), description=activity.get("name", ""), projectId=activity.get("projectId"),
                   projectName=project_name if activity.get("projectId") else NO_PROJECT, type=activity.get("type") or REGULAR,
                   userId=activity["userId"], billable=bool(activity.get("billable")), startedAt=activity["startedAt"],
                   endedAt=activity.get("endedAt"), localStart=call.local(activity["startedAt"]), localEnd=call.local(activity.get("endedAt")),
                   minutes=max(minutes, 0), running=bool(activity.get("pending")), notes=activity.get("notes") or "",
                   entryLocked=bool(activity.get("locked")))


def _days(call: Call, start: datetime, end: datetime) -> list[date]:
    first, last = start.astimezone(call.zone).date(), (end - timedelta(milliseconds=1)).astimezone(call.zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _lock_hint(error: Conflict) -> Conflict:
    if error.code in (PERIOD_LOCKED, "ACTIVITY_LOCKED"):
        return Conflict(f"{error.message}. Ask for the week to be opened with request_unlock, or ask an Administrator.",
                        code=error.code, details=error.details)
    return error


def _running(call: Call) -> dict[str, Any] | None:
    found = activities().list(call.tenant, ActivityQuery(user_id=call.tenant.user_id, pending=True, limit=5))
    return next((activity_view(activity) for activity in found.activities.values()), None)


# --- the tools ----------------------------------------------------------------------------------------

def whoami(call: Call | None, args: m.WhoamiInput, person: dict[str, str]) -> m.WhoamiOutput:
    mine = organizations().list_for(Caller(email=person["email"], subject=person.get("subject") or person["email"]))
    current = None
    if call is not None:
        settings = call.organization
        current = m.Current(domain=call.tenant.domain, name=settings.get("name", ""), userId=call.tenant.user_id, role=call.tenant.role,
                            timeZone=settings.get("timeZone") or "UTC", settings=settings)
    note = ("Pass organization='<domain>' to any tool to act in another of your organizations." if current else
            "No organization selected: send the X-Sandtime-Organization header or pass organization='<domain>' (one of organizations).")
    return m.WhoamiOutput(email=person["email"], name=person.get("name") or "", organizations=[m.OrganizationRef(domain=o.domain, name=o.name) for o in mine],
                          current=current, note=note)


def find(call: Call, args: m.FindInput) -> m.FindOutput:
    out = m.FindOutput()
    if "projects" in args.kinds:
        scored = [(_score(args.query, p["name"]), p) for p in _project_list(call, args.include_archived)]
        out.projects = [m.ProjectMatch(id=p["id"], name=p["name"], billable=p["billable"], archived=p["archived"], score=s)
                        for s, p in sorted(scored, key=lambda pair: -pair[0]) if s >= MATCH_FLOOR][:args.limit]
    if "members" in args.kinds:
        scored = [(_score(args.query, u.get("name") or "", u["email"]), u) for u in _member_list(call) if args.include_archived or not u.get("archived")]
        out.members = [m.MemberMatch(id=u["id"], name=u.get("name") or u["email"], email=u["email"], role=u["role"], archived=u["archived"], score=s)
                       for s, u in sorted(scored, key=lambda pair: -pair[0]) if s >= MATCH_FLOOR][:args.limit]
    out.unsupported = [f"{kind}: Sandglass has no {kind} yet" for kind in args.kinds if kind in ("tasks", "tags", "clients")]
    return out


def _span(call: Call, when: str | None, start: str | None, end: str | None, minutes: int | None) -> phrases.Span:
    given = [name for name, value in (("when", when), ("start", start)) if value]
    if len(given) != 1:
        raise ValidationFailed("Give either 'when' (a phrase such as '2h yesterday afternoon') or 'start' with 'end' or 'minutes'")
    if when:
        return _phrase(lambda: phrases.parse_when(when, now(), call.zone))
    lower = _phrase(lambda: phrases.local_instant(start, call.zone))
    if (end is None) == (minutes is None):
        raise ValidationFailed("With 'start', give exactly one of 'end' or 'minutes'")
    upper = _phrase(lambda: phrases.local_instant(end, call.zone)) if end else lower + timedelta(minutes=minutes)
    if upper <= lower:
        raise ValidationFailed("The entry must end after it starts")
    return phrases.Span(lower, upper)


def log_time(call: Call, args: m.LogTimeInput) -> m.LogTimeOutput:
    project = resolve_project(call, args.project)
    span = _span(call, args.when, args.start, args.end, args.minutes)
    reasons = [reason for reason in locks().own_day_reasons(call.tenant, _days(call, span.start, span.end)).values() if reason]
    body = ActivityCreate(name=args.description, projectId=project["id"], billable=args.billable, notes=args.notes,
                          startedAt=timefmt.iso(span.start), endedAt=timefmt.iso(span.end))
    locked = bool(reasons) and not call.tenant.is_admin
    if args.dry_run:
        preview = {"id": None, "name": args.description, "notes": args.notes, "projectId": project["id"], "userId": call.tenant.user_id,
                   "billable": project["billable"] if args.billable is None else args.billable,
                   "startedAt": timefmt.iso(span.start), "endedAt": timefmt.iso(span.end)}
        message = (f"Would be refused: {reasons[0]}. Use request_unlock for that week." if locked
                   else f"Preview only: {span.minutes} min on '{project['name']}'. Call again without dry_run to save it.")
        return m.LogTimeOutput(dryRun=True, entry=entry(call, preview, project["name"]), timeZone=str(call.zone), locked=locked,
                               lockReason=reasons[0] if reasons else None, message=message)
    try:
        result = activities().create(call.tenant, body)
    except Conflict as error:
        raise _lock_hint(error) from None
    saved = entry(call, activity_view(result.activity), project["name"])
    return m.LogTimeOutput(dryRun=False, entry=saved, timeZone=str(call.zone), locked=False, lockReason=None,
                           message=f"Logged {saved.minutes} min on '{project['name']}' ({saved.localStart} – {saved.localEnd}).")


def start_timer(call: Call, args: m.StartTimerInput) -> m.TimerOutput:
    project = resolve_project(call, args.project)
    previous = _running(call)
    try:
        result = activities().create(call.tenant, ActivityCreate(name=args.description, projectId=project["id"], billable=args.billable, pending=True))
    except Conflict as error:
        raise _lock_hint(error) from None
    stopped = f" The timer on '{previous.get('name') or previous.get('projectId') or NO_PROJECT}' was stopped." if previous else ""
    return m.TimerOutput(entry=entry(call, activity_view(result.activity), project["name"]), message=f"Timer started on '{project['name']}'.{stopped}")


def stop_timer(call: Call, args: m.StopTimerInput) -> m.TimerOutput:
    running = _running(call)
    if running is None:
        raise NotFound("No timer is running")
    at = _phrase(lambda: phrases.local_instant(args.at, call.zone)) if args.at else None
    update = ActivityUpdate(endedAt=timefmt.iso(at)) if at else ActivityUpdate(pending=False)
    try:
        result = activities().update(call.tenant, running["id"], update)
    except Conflict as error:
        raise _lock_hint(error) from None
    stopped = entry(call, activity_view(result.activity))
    return m.TimerOutput(entry=stopped, message=f"Timer stopped after {stopped.minutes} min.")


def current_timer(call: Call, args: m.CurrentTimerInput) -> m.CurrentTimerOutput:
    running = _running(call)
    return m.CurrentTimerOutput(running=running is not None, entry=entry(call, running) if running else None)


def edit_entry(call: Call, args: m.EditEntryInput) -> m.EntryOutput:
    changes: dict[str, Any] = {}
    if args.description is not None:
        changes["name"] = args.description
    if args.notes is not None:
        changes["notes"] = args.notes
    if args.project is not None:
        changes["projectId"] = resolve_project(call, args.project)["id"]
    if args.billable is not None:
        changes["billable"] = args.billable
    start = _phrase(lambda: phrases.local_instant(args.start, call.zone)) if args.start else None
    if start:
        changes["startedAt"] = timefmt.iso(start)
    if args.end and args.minutes:
        raise ValidationFailed("Give end or minutes, not both")
    if args.end:
        changes["endedAt"] = timefmt.iso(_phrase(lambda: phrases.local_instant(args.end, call.zone)))
    elif args.minutes:
        begin = start or activities().get(call.tenant, _entry_id(call, args.entry_id)).activity.started_at
        changes["endedAt"] = timefmt.iso(begin + timedelta(minutes=args.minutes))
    if not changes:
        raise ValidationFailed("Nothing to change: give description, notes, project, start, end, minutes or billable")
    try:
        result = activities().update(call.tenant, _entry_id(call, args.entry_id), ActivityUpdate(**changes))
    except Conflict as error:
        raise _lock_hint(error) from None
    return m.EntryOutput(entry=entry(call, activity_view(result.activity)))


def delete_entry(call: Call, args: m.DeleteEntryInput) -> m.DeletedOutput:
    try:
        activities().delete(call.tenant, entry_id := _entry_id(call, args.entry_id))
    except Conflict as error:
        raise _lock_hint(error) from None
    return m.DeletedOutput(deleted=entry_id, message="The entry was deleted.")


def _week(call: Call, text: str | None) -> tuple[int, int]:
    return _phrase(lambda: phrases.parse_week(text, now(), call.zone))


def my_week(call: Call, args: m.MyWeekInput) -> m.MyWeekOutput:
    year, week = _week(call, args.week)
    monday = date.fromisocalendar(year, week, 1)
    days = [monday + timedelta(days=n) for n in range(7)]
    totals = timesheets().day_totals(call.tenant, week_of=monday.isoformat())  # minutes per day
    reasons = locks().own_day_reasons(call.tenant, days)
    lower = datetime.combine(monday, datetime.min.time(), tzinfo=call.zone).astimezone(timezone.utc)
    upper = datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=call.zone).astimezone(timezone.utc)
    listed = activities().list(call.tenant, ActivityQuery(lower=lower, upper=upper, user_id=call.tenant.user_id, limit=200))
    names = {p["id"]: p["name"] for p in _project_list(call, include_archived=True)}
    entries = [entry(call, activity_view(a), names.get(a.project_id)) for a in listed.activities.values()]
    expected = timesheets().expected(call.settings, days)
    total = sum(totals.values())
    approved: set[date] = set()
    for month_of in sorted({monday.replace(day=1), days[-1].replace(day=1)}):  # approvals come with the monthly timesheet
        sheet = timesheets().member_month(call.tenant, month_of.isoformat(), call.tenant.user_id)
        approved |= {month_of + timedelta(days=n) for n, flag in enumerate(sheet.approved_days) if flag == "1"}
    return m.MyWeekOutput(
        year=year, week=week, timeZone=str(call.zone),
        days=[m.Day(date=d.isoformat(), minutes=totals.get(d, 0), locked=reasons[d] is not None, lockReason=reasons[d]) for d in days],
        entries=entries, totalMinutes=total, expectedMinutes=expected, missingMinutes=max(expected - total, 0),
        locked=all(reasons[d] is not None for d in days), approved=all(d in approved for d in days))


def _rows(groups: list[dict[str, Any]], prefix: list[str], rows: list[m.ReportRow], cap: int) -> bool:
    for group in groups:
        labels = prefix + [str(group.get("label", group.get("key")))]
        if group.get("groups"):
            if _rows(group["groups"], labels, rows, cap):
                return True
        else:
            if len(rows) >= cap:
                return True
            rows.append(m.ReportRow(group=labels, values=group["totals"]))
    return False


def run_report(call: Call, args: m.RunReportInput) -> m.RunReportOutput:
    filters: list[dict[str, Any]] = []
    if args.billable is not None:
        filters.append({"field": "billable", "operator": "is", "value": args.billable})
    if args.description_contains:
        filters.append({"field": "name", "operator": "contains", "value": args.description_contains})
    definition: dict[str, Any] = {"period": args.period, "dimensions": args.group_by, "metrics": args.metrics, "filters": filters}
    if args.period == "custom":
        if not (args.start and args.end):
            raise ValidationFailed("A custom period needs start and end dates (yyyy-mm-dd)")
        try:
            first, last = date.fromisoformat(args.start), date.fromisoformat(args.end)
        except ValueError:
            raise ValidationFailed("start and end are dates: yyyy-mm-dd") from None
        definition["start"] = datetime.combine(first, datetime.min.time(), tzinfo=call.zone).isoformat()
        definition["end"] = (datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=call.zone) - timedelta(milliseconds=1)).isoformat()
    if args.projects:
        definition["selectedProjects"] = [resolve_project(call, name)["id"] for name in args.projects]
    if args.members:
        definition["selectedProjectMembers"] = [resolve_member(call, name)["id"] for name in args.members]
    try:
        query = ReportQuery.model_validate(definition)
    except ValueError as error:
        raise ValidationFailed(f"The report is invalid: {error}") from None
    body = reports().results(call.tenant, spec_of(query), "summary").body
    rows: list[m.ReportRow] = []
    truncated = _rows(body.get("groups") or [], [], rows, 200)
    return m.RunReportOutput(period={"period": body["period"], "start": body["start"], "end": body["end"], "timeZone": body["timeZone"]},
                             groupBy=list(body["dimensions"]), metrics=list(body["metrics"]), totals=body["totals"], rows=rows, truncated=truncated)


def timesheet_status(call: Call, args: m.TimesheetStatusInput) -> m.TimesheetStatusOutput:
    today = now().astimezone(call.zone).date()
    try:
        month = date.fromisoformat(args.month) if args.month else today
    except ValueError:
        raise ValidationFailed("month is a date: yyyy-mm-dd") from None
    if call.tenant.reads_all:
        sheets = timesheets().organization_month(call.tenant, month.isoformat())
    else:
        sheets = [timesheets().member_month(call.tenant, month.isoformat(), call.tenant.user_id)]
    members = [m.MemberMonth(userId=s.member.id, name=s.member.name, email=s.member.email, minutes=s.spent,
                             workdayMinutes=s.workday, locked=s.locked, approved=s.approved) for s in sheets]
    incomplete = [incomplete_view(week) for week in timesheets().incomplete(call.tenant, today.isoformat())] if call.tenant.reads_all else None
    return m.TimesheetStatusOutput(month=month.strftime("%Y-%m"), members=members, incompleteThisWeek=incomplete, locks=locks_view(locks().locks(call.tenant)))


def lock_week(call: Call, args: m.WeekLockInput) -> m.WeekLockOutput:
    member = resolve_member(call, args.member)
    year, week = _week(call, args.week)
    lock = locks().lock_week(call.tenant, member["id"], year, week, None)
    return m.WeekLockOutput(lock=week_lock_view(lock), message=f"Week {year}-W{week:02d} of {member.get('name') or member['email']} is locked.")


def unlock_week(call: Call, args: m.UnlockWeekInput) -> m.WeekLockOutput:
    member = resolve_member(call, args.member)
    year, week = _week(call, args.week)
    until = now() + timedelta(hours=args.hours)
    lock = locks().lock_week(call.tenant, member["id"], year, week, until)
    return m.WeekLockOutput(lock=week_lock_view(lock), message=f"Week {year}-W{week:02d} of {member.get('name') or member['email']} is open for edits until {call.local(timefmt.iso(until))}.")


def request_unlock(call: Call, args: m.WeekRequestInput) -> m.RequestOutput:
    year, week = _week(call, args.week)
    made = requests().request_unlock(call.tenant, year, week)
    return m.RequestOutput(request=request_view(made), message=f"Unlock of week {year}-W{week:02d} requested; an Administrator resolves it (resolve_request).")


def request_approval(call: Call, args: m.WeekRequestInput) -> m.RequestOutput:
    year, week = _week(call, args.week)
    made = requests().request_approval(call.tenant, year, week)
    return m.RequestOutput(request=request_view(made), message=f"Week {year}-W{week:02d} submitted for approval.")


def list_requests(call: Call, args: m.ListRequestsInput) -> m.ListRequestsOutput:
    found, cursor = requests().list(call.tenant, args.status, args.type, call.tenant.user_id if args.mine else None, args.limit, None)
    return m.ListRequestsOutput(requests=[request_view(request) for request in found], more=cursor is not None)


def resolve_request(call: Call, args: m.ResolveRequestInput) -> m.RequestOutput:
    service = requests()
    kind = service.get(call.tenant, args.request_id).kind
    status = "RESOLVED" if args.decision == "approve" else "REJECTED"
    resolved = service.resolve(call.tenant, args.request_id, kind, status, args.project_ids)
    return m.RequestOutput(request=request_view(resolved), message=f"Request {'approved' if status == 'RESOLVED' else 'rejected'}.")


# --- the catalog --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    description: str
    input: type[m.Input]
    output: type[m.Output]
    run: Callable[..., m.Output]
    read_only: bool = False
    destructive: bool = False
    idempotent: bool = False
    administrators: bool = False

    def listing(self) -> dict[str, Any]:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "inputSchema": self.input.model_json_schema(),
            "outputSchema": self.output.model_json_schema(mode="serialization"),
            "annotations": {"title": self.title, "readOnlyHint": self.read_only, "destructiveHint": self.destructive,
                            "idempotentHint": self.idempotent, "openWorldHint": False},
        }


TOOLS = {tool.name: tool for tool in (
    Tool("whoami", "Who am I", "Who you are and where you act: your email, every organization you belong to (domain and name), and "
         "for the selected organization your user id, role (Administrator, Auditor or User), time zone and settings (workday, rounding, "
         "locking). Call it first; pick another organization per call with the `organization` argument.",
         m.WhoamiInput, m.WhoamiOutput, whoami, read_only=True, idempotent=True),
    Tool("find", "Find projects and members", "Fuzzy search by name in the organization: projects you can log time on and members "
         "(name or email). Returns ids and a score (1 = exact). Tasks, tags and clients do not exist in Sandglass yet; asking "
         "for them says so in `unsupported`. Other tools take names directly, so use find only when a name is ambiguous.",
         m.FindInput, m.FindOutput, find, read_only=True, idempotent=True),
    Tool("log_time", "Log time", "Record a finished time entry for yourself on a project given by name. Say when with `when` "
         "('2h yesterday afternoon', '90m today at 14:00', '9:00-10:30 2026-12-03') or with local `start` plus `end` or "
         "`minutes`; times are in the organization's time zone. `dry_run: true` previews the entry and says whether the day is "
         "locked, saving nothing. A locked day is refused with the reason; then use request_unlock.",
         m.LogTimeInput, m.LogTimeOutput, log_time),
    Tool("start_timer", "Start a timer", "Start a running timer for yourself on a project (by name), now. At most one timer runs: "
         "a running one is stopped at this one's start (the message says so). Stop it with stop_timer.",
         m.StartTimerInput, m.TimerOutput, start_timer),
    Tool("stop_timer", "Stop the timer", "Stop your running timer now (or at a local time `at`), turning it into a finished entry. "
         "Fails with 'No timer is running' when none runs.", m.StopTimerInput, m.TimerOutput, stop_timer),
    Tool("current_timer", "Current timer", "Your running timer, if any: project, description, local start and minutes so far.",
         m.CurrentTimerInput, m.CurrentTimerOutput, current_timer, read_only=True, idempotent=True),
    Tool("edit_entry", "Edit an entry", "Change one of your entries by id (ids come from my_week or log_time): description, project "
         "(name), local start, end or duration in minutes, billable. Locked days refuse the change with the reason.",
         m.EditEntryInput, m.EntryOutput, edit_entry, idempotent=True),
    Tool("delete_entry", "Delete an entry", "Delete one of your entries by id, permanently. Locked days refuse it with the reason.",
         m.DeleteEntryInput, m.DeletedOutput, delete_entry, destructive=True, idempotent=True),
    Tool("my_week", "My week", "Your ISO week (default this week) in the organization's time zone: minutes per day, every entry "
         "with its id, the total against the expected time (workdays × core hours, minus public holidays), what is missing, "
         "and which days are locked (with the reason) or approved.", m.MyWeekInput, m.MyWeekOutput, my_week, read_only=True, idempotent=True),
    Tool("run_report", "Run a report", "Totals of tracked time for a period (preset such as thisWeek, lastMonth, or custom start/end "
         "dates), optionally only some projects or members (names) or billable time, grouped by up to three of project, user, "
         "member, day, week, month, billable, approved, with metrics time, billable (milliseconds, as in the REST reports), revenue, cost, profit, count. "
         "Returns the totals and a compact table. You see what the REST reports show you (a User: own time and administered projects).",
         m.RunReportInput, m.RunReportOutput, run_report, read_only=True, idempotent=True),
    Tool("timesheet_status", "Timesheet status", "A month's timesheets: minutes per member with lock and approval state "
         "(Administrators: every member, plus who is below this week's expected time; Users: themselves), and the locks in force.",
         m.TimesheetStatusInput, m.TimesheetStatusOutput, timesheet_status, read_only=True, idempotent=True),
    Tool("lock_week", "Lock a week", "Administrators: lock a member's ISO week so Users can no longer change its entries.",
         m.WeekLockInput, m.WeekLockOutput, lock_week, idempotent=True, administrators=True),
    Tool("unlock_week", "Unlock a week", "Administrators: open a member's locked ISO week for edits for `hours` (default 48); it "
         "locks again afterwards.", m.UnlockWeekInput, m.WeekLockOutput, unlock_week, idempotent=True, administrators=True),
    Tool("request_unlock", "Request an unlock", "Ask the Administrators to open your locked week (default this week) for edits. "
         "Refused when the week is not locked or a request is already pending.", m.WeekRequestInput, m.RequestOutput, request_unlock),
    Tool("request_approval", "Request approval", "Submit your week (default this week) for approval; an approved week is locked.",
         m.WeekRequestInput, m.RequestOutput, request_approval),
    Tool("list_requests", "List requests", "Requests (unlock, approval, project roles and assignment, support access), newest first, "
         "PENDING by default. Administrators see everyone's; Users their own.", m.ListRequestsInput, m.ListRequestsOutput,
         list_requests, read_only=True, idempotent=True),
    Tool("resolve_request", "Resolve a request", "Approve or reject a pending request by id (Administrators; project Administrators "
         "for their projects' requests). Approving an unlock opens the week for the requester; approving an approval locks it.",
         m.ResolveRequestInput, m.RequestOutput, resolve_request, administrators=True),
)}
