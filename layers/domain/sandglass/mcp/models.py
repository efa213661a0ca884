"""The MCP tools' inputs and outputs: pydantic models whose JSON Schemas are the tools'
`inputSchema` / `outputSchema`. Enumerations come from the domain models (report dimensions,
metrics, periods, request kinds and statuses), so a value the REST API refuses is refused here too."""

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from sandglass.models.reports import Dimension, Metric, Period
from sandglass.models.requests import RequestStatus, RequestType

Organization = Optional[str]
ORGANIZATION = Field(None, max_length=63, description="Organization domain (e.g. 'acme') for this call; default: the X-Sandtime-Organization header. whoami lists yours.")
WEEK = Field(None, max_length=32, description="ISO week '2026-W49', 'this week', 'last week' or a date inside the week (default: this week)")


# An entry's id as the surfaces spell it: a uuid, 24 hex digits, or an integer id (as a number or digits).
EntryId = Union[Annotated[str, Field(min_length=1, max_length=64)], Annotated[int, Field(ge=1, le=10 ** 18)]]


class Input(BaseModel):
    """Built on first use (defer_build): a cold start pays only for the tool it runs."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


# --- inputs -------------------------------------------------------------------------------------------

class WhoamiInput(Input):
    organization: Organization = ORGANIZATION


class FindInput(Input):
    query: str = Field(min_length=1, max_length=200, description="A name or part of one; matching is fuzzy and case-insensitive")
    kinds: list[Literal["projects", "members", "tasks", "tags", "clients"]] = Field(
        default_factory=lambda: ["projects", "members"], max_length=5, description="What to search (tasks, tags and clients do not exist in Sandglass yet)")
    include_archived: StrictBool = False
    limit: int = Field(5, ge=1, le=25)
    organization: Organization = ORGANIZATION


class LogTimeInput(Input):
    project: str = Field(min_length=1, max_length=200, description="Project name (fuzzy) or id")
    when: Optional[str] = Field(None, max_length=200, description="A phrase: '2h yesterday afternoon', '90m today at 14:00', '9:00-10:30 2026-12-03' (see SKILL.md)")
    start: Optional[str] = Field(None, max_length=64, description="Local start '2026-12-03T09:00' (organization time zone) or an ISO instant with an offset")
    end: Optional[str] = Field(None, max_length=64, description="Local end, like start")
    minutes: Optional[int] = Field(None, ge=1, le=1440, description="Duration in minutes (with start)")
    description: str = Field("", max_length=3000, description="What was done (the entry's name)")
    notes: str = Field("", max_length=10_000, description="Longer notes about the work (several lines)")
    billable: Optional[StrictBool] = Field(None, description="Default: the project's billable flag")
    dry_run: StrictBool = Field(False, description="true: only preview the entry and its lock state; nothing is saved")
    organization: Organization = ORGANIZATION


class StartTimerInput(Input):
    project: str = Field(min_length=1, max_length=200, description="Project name (fuzzy) or id")
    description: str = Field("", max_length=3000)
    billable: Optional[StrictBool] = None
    organization: Organization = ORGANIZATION


class StopTimerInput(Input):
    at: Optional[str] = Field(None, max_length=64, description="Local stop time '2026-12-03T17:30' (default: now)")
    organization: Organization = ORGANIZATION


class CurrentTimerInput(Input):
    organization: Organization = ORGANIZATION


class EditEntryInput(Input):
    entry_id: EntryId = Field(description="The entry's id (from my_week or log_time): its uuid, or its integer id")
    description: Optional[str] = Field(None, max_length=3000)
    notes: Optional[str] = Field(None, max_length=10_000, description="Replace the entry's notes (\"\" clears them)")
    project: Optional[str] = Field(None, min_length=1, max_length=200, description="Move to this project (name or id)")
    start: Optional[str] = Field(None, max_length=64, description="New local start '2026-12-03T09:00'")
    end: Optional[str] = Field(None, max_length=64, description="New local end")
    minutes: Optional[int] = Field(None, ge=1, le=1440, description="New duration, keeping the start")
    billable: Optional[StrictBool] = None
    organization: Organization = ORGANIZATION


class DeleteEntryInput(Input):
    entry_id: EntryId
    organization: Organization = ORGANIZATION


class MyWeekInput(Input):
    week: Optional[str] = WEEK
    organization: Organization = ORGANIZATION


class RunReportInput(Input):
    period: Period = Field("thisWeek", description="A preset, or 'custom' with start and end dates")
    start: Optional[str] = Field(None, max_length=10, description="Custom period: first day 'yyyy-mm-dd' (inclusive)")
    end: Optional[str] = Field(None, max_length=10, description="Custom period: last day 'yyyy-mm-dd' (inclusive)")
    group_by: list[Dimension] = Field(default_factory=lambda: ["project"], max_length=3, description="Grouping, outermost first")
    metrics: list[Metric] = Field(default_factory=lambda: ["time"], min_length=1, max_length=6)
    projects: Optional[list[str]] = Field(None, max_length=20, description="Only these projects (names or ids)")
    members: Optional[list[str]] = Field(None, max_length=20, description="Only these members (names, emails or ids)")
    billable: Optional[StrictBool] = Field(None, description="Only billable (true) or non-billable (false) time")
    description_contains: Optional[str] = Field(None, min_length=1, max_length=200)
    organization: Organization = ORGANIZATION


class TimesheetStatusInput(Input):
    month: Optional[str] = Field(None, max_length=10, description="Any date of the month 'yyyy-mm-dd' (default: this month)")
    organization: Organization = ORGANIZATION


class WeekLockInput(Input):
    member: str = Field(min_length=1, max_length=200, description="Member name, email or id")
    week: Optional[str] = WEEK
    organization: Organization = ORGANIZATION


class UnlockWeekInput(WeekLockInput):
    hours: int = Field(48, ge=1, le=720, description="How long the week stays open for edits")


class WeekRequestInput(Input):
    week: Optional[str] = WEEK
    organization: Organization = ORGANIZATION


class ListRequestsInput(Input):
    status: Optional[RequestStatus] = Field("PENDING", description="Default PENDING; null for every status")
    type: Optional[RequestType] = None
    mine: StrictBool = Field(False, description="Only the requests you made (Administrators see everyone's otherwise)")
    limit: int = Field(20, ge=1, le=100)
    organization: Organization = ORGANIZATION


class ResolveRequestInput(Input):
    request_id: str = Field(min_length=1, max_length=64)
    decision: Literal["approve", "reject"]
    project_ids: Optional[list[str]] = Field(None, max_length=100, description="Project assignment requests only: where the requester goes")
    organization: Organization = ORGANIZATION


# --- outputs ------------------------------------------------------------------------------------------

class OrganizationRef(Output):
    domain: str
    name: str


class Current(Output):
    domain: str
    name: str
    userId: str
    role: Literal["Administrator", "Auditor", "User"]
    timeZone: str
    settings: dict[str, Any] = Field(description="The organization's settings as GET /api/organization returns them")


class WhoamiOutput(Output):
    email: str
    name: str
    organizations: list[OrganizationRef]
    current: Optional[Current] = Field(description="The organization this call acts in (null when none is named or you are not a member)")
    note: str


class ProjectMatch(Output):
    id: str
    name: str
    billable: bool
    archived: bool
    score: float


class MemberMatch(Output):
    id: str
    name: str
    email: str
    role: str
    archived: bool
    score: float


class FindOutput(Output):
    projects: list[ProjectMatch] = Field(default_factory=list)
    members: list[MemberMatch] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list, description="Kinds asked for that Sandglass does not have yet")


class Entry(Output):
    id: Optional[str] = Field(description="null in a dry-run preview")
    description: str
    projectId: Optional[str] = Field(description="null: no project (written on the Clockify surface)")
    projectName: Optional[str] = None
    userId: str
    billable: bool
    type: str = Field("REGULAR", description="REGULAR or BREAK (a break is not worked time and never billable)")
    startedAt: str = Field(description="UTC")
    endedAt: Optional[str] = Field(description="UTC; null while running")
    localStart: str = Field(description="In the organization's time zone")
    localEnd: Optional[str] = None
    minutes: int
    running: bool
    notes: str = Field("", description="Notes about what was worked on (empty when none)")
    entryLocked: bool = Field(False, description="The entry itself is locked: only organization Administrators change it")


class LogTimeOutput(Output):
    dryRun: bool
    entry: Entry
    timeZone: str
    locked: bool = Field(description="A day the entry covers is locked for you")
    lockReason: Optional[str] = None
    message: str


class TimerOutput(Output):
    entry: Entry
    message: str


class CurrentTimerOutput(Output):
    running: bool
    entry: Optional[Entry] = None


class EntryOutput(Output):
    entry: Entry


class DeletedOutput(Output):
    deleted: str
    message: str


class Day(Output):
    date: str
    minutes: int
    locked: bool
    lockReason: Optional[str] = None


class MyWeekOutput(Output):
    year: int
    week: int
    timeZone: str
    days: list[Day]
    entries: list[Entry]
    totalMinutes: int
    expectedMinutes: int
    missingMinutes: int
    locked: bool = Field(description="Every day of the week is locked for you")
    approved: bool = Field(description="The week is approved")


class ReportRow(Output):
    group: list[str] = Field(description="One label per group_by dimension")
    values: dict[str, Any]


class RunReportOutput(Output):
    period: dict[str, Any]
    groupBy: list[str]
    metrics: list[str]
    totals: dict[str, Any]
    rows: list[ReportRow]
    truncated: bool


class MemberMonth(Output):
    userId: str
    name: str
    email: str
    minutes: int
    workdayMinutes: int
    locked: bool
    approved: bool


class TimesheetStatusOutput(Output):
    month: str
    members: list[MemberMonth]
    incompleteThisWeek: Optional[list[dict[str, Any]]] = Field(description="Members below this week's expected time (Administrators; null for Users)")
    locks: dict[str, Any]


class WeekLockOutput(Output):
    lock: dict[str, Any]
    message: str


class RequestOutput(Output):
    request: dict[str, Any]
    message: str


class ListRequestsOutput(Output):
    requests: list[dict[str, Any]]
    more: bool
