"""The MCP tool catalog: each tool's name, description, annotations, models and module, without
importing them. A tool's module, and with it the services its tools call, is imported on the tool's
first call, and the models on the first listing or call: an MCP session starts with `initialize` and
`tools/list`, and a container pays only for the services of the tools it runs (bench/cold_start.py).

These imports go through `importlib`, named in LAZY_IMPORTS; tests/unit/test_import_graph.py reads
that tuple and checks each as an import of this module (layers, no circle)."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Callable

from msgspec import Struct


# imported on first use; checked by the import-graph test as this module's imports
LAZY_IMPORTS = ("sandglass.mcp.models", "sandglass.mcp.tools.common", "sandglass.mcp.tools.entries",
                "sandglass.mcp.tools.weeks", "sandglass.mcp.tools.reports", "sandglass.mcp.tools.requests")
MODELS, COMMON, ENTRIES, WEEKS, REPORTS, REQUESTS = LAZY_IMPORTS


def module(name: str) -> ModuleType:
    """One of LAZY_IMPORTS, imported on first use (then from sys.modules)."""
    if name not in LAZY_IMPORTS:
        raise ValueError(f"{name} is not in LAZY_IMPORTS")
    return importlib.import_module(name)


def common() -> ModuleType:
    """The tools' shared module: open_call, project_list, whoami."""
    return module(COMMON)


class Tool(Struct, frozen=True):
    name: str
    title: str
    description: str
    input_model: str  # class names in sandglass.mcp.models
    output_model: str
    module: str  # the module that defines the function named like the tool
    read_only: bool = False
    destructive: bool = False
    idempotent: bool = False
    administrators: bool = False

    @property
    def input(self) -> Any:
        return getattr(module(MODELS), self.input_model)

    @property
    def output(self) -> Any:
        return getattr(module(MODELS), self.output_model)

    @property
    def run(self) -> Callable[..., Any]:
        return getattr(module(self.module), self.name)

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
         "WhoamiInput", "WhoamiOutput", COMMON, read_only=True, idempotent=True),
    Tool("find", "Find projects and members", "Fuzzy search by name in the organization: projects you can log time on and members "
         "(name or email). Returns ids and a score (1 = exact). Tasks, tags and clients do not exist in Sandglass yet; asking "
         "for them says so in `unsupported`. Other tools take names directly, so use find only when a name is ambiguous.",
         "FindInput", "FindOutput", COMMON, read_only=True, idempotent=True),
    Tool("log_time", "Log time", "Record a finished time entry for yourself on a project given by name. Say when with `when` "
         "('2h yesterday afternoon', '90m today at 14:00', '9:00-10:30 2026-12-03') or with local `start` plus `end` or "
         "`minutes`; times are in the organization's time zone. `dry_run: true` previews the entry and says whether the day is "
         "locked, saving nothing. A locked day is refused with the reason; then use request_unlock.",
         "LogTimeInput", "LogTimeOutput", ENTRIES),
    Tool("start_timer", "Start a timer", "Start a running timer for yourself on a project (by name), now. At most one timer runs: "
         "a running one is stopped at this one's start (the message says so). Stop it with stop_timer.",
         "StartTimerInput", "TimerOutput", ENTRIES),
    Tool("stop_timer", "Stop the timer", "Stop your running timer now (or at a local time `at`), turning it into a finished entry. "
         "Fails with 'No timer is running' when none runs.", "StopTimerInput", "TimerOutput", ENTRIES),
    Tool("current_timer", "Current timer", "Your running timer, if any: project, description, local start and minutes so far.",
         "CurrentTimerInput", "CurrentTimerOutput", ENTRIES, read_only=True, idempotent=True),
    Tool("edit_entry", "Edit an entry", "Change one of your entries by id (ids come from my_week or log_time): description, project "
         "(name), local start, end or duration in minutes, billable. Locked days refuse the change with the reason.",
         "EditEntryInput", "EntryOutput", ENTRIES, idempotent=True),
    Tool("delete_entry", "Delete an entry", "Delete one of your entries by id, permanently. Locked days refuse it with the reason.",
         "DeleteEntryInput", "DeletedOutput", ENTRIES, destructive=True, idempotent=True),
    Tool("my_week", "My week", "Your ISO week (default this week) in the organization's time zone: minutes per day, every entry "
         "with its id, the total against the expected time (workdays × core hours, minus public holidays), what is missing, "
         "and which days are locked (with the reason) or approved.", "MyWeekInput", "MyWeekOutput", WEEKS, read_only=True, idempotent=True),
    Tool("run_report", "Run a report", "Totals of tracked time for a period (preset such as thisWeek, lastMonth, or custom start/end "
         "dates), optionally only some projects or members (names) or billable time, grouped by up to three of project, user, "
         "member, day, week, month, billable, approved, with metrics time, billable (milliseconds, as in the REST reports), revenue, cost, profit, count. "
         "Returns the totals and a compact table. You see what the REST reports show you (a User: own time and administered projects).",
         "RunReportInput", "RunReportOutput", REPORTS, read_only=True, idempotent=True),
    Tool("timesheet_status", "Timesheet status", "A month's timesheets: minutes per member with lock and approval state "
         "(Administrators: every member, plus who is below this week's expected time; Users: themselves), and the locks in force.",
         "TimesheetStatusInput", "TimesheetStatusOutput", WEEKS, read_only=True, idempotent=True),
    Tool("lock_week", "Lock a week", "Administrators: lock a member's ISO week so Users can no longer change its entries.",
         "WeekLockInput", "WeekLockOutput", WEEKS, idempotent=True, administrators=True),
    Tool("unlock_week", "Unlock a week", "Administrators: open a member's locked ISO week for edits for `hours` (default 48); it "
         "locks again afterwards.", "UnlockWeekInput", "WeekLockOutput", WEEKS, idempotent=True, administrators=True),
    Tool("request_unlock", "Request an unlock", "Ask the Administrators to open your locked week (default this week) for edits. "
         "Refused when the week is not locked or a request is already pending.", "WeekRequestInput", "RequestOutput", REQUESTS),
    Tool("request_approval", "Request approval", "Submit your week (default this week) for approval; an approved week is locked.",
         "WeekRequestInput", "RequestOutput", REQUESTS),
    Tool("list_requests", "List requests", "Requests (unlock, approval, project roles and assignment, support access), newest first, "
         "PENDING by default. Administrators see everyone's; Users their own.", "ListRequestsInput", "ListRequestsOutput", REQUESTS, read_only=True, idempotent=True),
    Tool("resolve_request", "Resolve a request", "Approve or reject a pending request by id (Administrators; project Administrators "
         "for their projects' requests). Approving an unlock opens the week for the requester; approving an approval locks it.",
         "ResolveRequestInput", "RequestOutput", REQUESTS, administrators=True),
)}
