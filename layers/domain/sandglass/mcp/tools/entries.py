"""The MCP tools over one's own entries: log time, timers, edit and delete."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from sandglass import timefmt
from sandglass.entities.activities import NO_PROJECT
from sandglass.errors import Conflict, NotFound, ValidationFailed
from sandglass.mcp import models as m
from sandglass.mcp.tools.common import Call, days_between, entry, now, phrase, resolve_entry_id, resolve_project
from sandglass.models.activities import ActivityCreate, ActivityUpdate, activity_view
from sandglass.services import time_phrases as phrases
from sandglass.services.activities import ActivityQuery, ActivityService
from sandglass.services.lock_rules import PERIOD_LOCKED
from sandglass.services.locks import LockService


@cache
def activities():
    return ActivityService()


@cache
def locks():
    return LockService()



def lock_hint(error: Conflict) -> Conflict:
    if error.code in (PERIOD_LOCKED, "ACTIVITY_LOCKED"):
        return Conflict(f"{error.message}. Ask for the week to be opened with request_unlock, or ask an Administrator.",
                        code=error.code, details=error.details)
    return error


def running_timer(call: Call) -> dict[str, Any] | None:
    found = activities().list(call.tenant, ActivityQuery(user_id=call.tenant.user_id, pending=True, limit=5))
    return next((activity_view(activity) for activity in found.activities.values()), None)

def _span(call: Call, when: str | None, start: str | None, end: str | None, minutes: int | None) -> phrases.Span:
    given = [name for name, value in (("when", when), ("start", start)) if value]
    if len(given) != 1:
        raise ValidationFailed("Give either 'when' (a phrase such as '2h yesterday afternoon') or 'start' with 'end' or 'minutes'")
    if when:
        return phrase(lambda: phrases.parse_when(when, now(), call.zone))
    lower = phrase(lambda: phrases.local_instant(start, call.zone))
    if (end is None) == (minutes is None):
        raise ValidationFailed("With 'start', give exactly one of 'end' or 'minutes'")
    upper = phrase(lambda: phrases.local_instant(end, call.zone)) if end else lower + timedelta(minutes=minutes)
    if upper <= lower:
        raise ValidationFailed("The entry must end after it starts")
    return phrases.Span(lower, upper)


def log_time(call: Call, args: m.LogTimeInput) -> m.LogTimeOutput:
    project = resolve_project(call, args.project)
    span = _span(call, args.when, args.start, args.end, args.minutes)
    reasons = [reason for reason in locks().own_day_reasons(call.tenant, days_between(call, span.start, span.end)).values() if reason]
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
        raise lock_hint(error) from None
    saved = entry(call, activity_view(result.activity), project["name"])
    return m.LogTimeOutput(dryRun=False, entry=saved, timeZone=str(call.zone), locked=False, lockReason=None,
                           message=f"Logged {saved.minutes} min on '{project['name']}' ({saved.localStart} – {saved.localEnd}).")


def start_timer(call: Call, args: m.StartTimerInput) -> m.TimerOutput:
    project = resolve_project(call, args.project)
    previous = running_timer(call)
    try:
        result = activities().create(call.tenant, ActivityCreate(name=args.description, projectId=project["id"], billable=args.billable, pending=True))
    except Conflict as error:
        raise lock_hint(error) from None
    stopped = f" The timer on '{previous.get('name') or previous.get('projectId') or NO_PROJECT}' was stopped." if previous else ""
    return m.TimerOutput(entry=entry(call, activity_view(result.activity), project["name"]), message=f"Timer started on '{project['name']}'.{stopped}")


def stop_timer(call: Call, args: m.StopTimerInput) -> m.TimerOutput:
    running = running_timer(call)
    if running is None:
        raise NotFound("No timer is running")
    at = phrase(lambda: phrases.local_instant(args.at, call.zone)) if args.at else None
    update = ActivityUpdate(endedAt=timefmt.iso(at)) if at else ActivityUpdate(pending=False)
    try:
        result = activities().update(call.tenant, running["id"], update)
    except Conflict as error:
        raise lock_hint(error) from None
    stopped = entry(call, activity_view(result.activity))
    return m.TimerOutput(entry=stopped, message=f"Timer stopped after {stopped.minutes} min.")


def current_timer(call: Call, args: m.CurrentTimerInput) -> m.CurrentTimerOutput:
    running = running_timer(call)
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
    start = phrase(lambda: phrases.local_instant(args.start, call.zone)) if args.start else None
    if start:
        changes["startedAt"] = timefmt.iso(start)
    if args.end and args.minutes:
        raise ValidationFailed("Give end or minutes, not both")
    if args.end:
        changes["endedAt"] = timefmt.iso(phrase(lambda: phrases.local_instant(args.end, call.zone)))
    elif args.minutes:
        begin = start or activities().get(call.tenant, resolve_entry_id(call, args.entry_id)).activity.started_at
        changes["endedAt"] = timefmt.iso(begin + timedelta(minutes=args.minutes))
    if not changes:
        raise ValidationFailed("Nothing to change: give description, notes, project, start, end, minutes or billable")
    try:
        result = activities().update(call.tenant, resolve_entry_id(call, args.entry_id), ActivityUpdate(**changes))
    except Conflict as error:
        raise lock_hint(error) from None
    return m.EntryOutput(entry=entry(call, activity_view(result.activity)))


def delete_entry(call: Call, args: m.DeleteEntryInput) -> m.DeletedOutput:
    try:
        activities().delete(call.tenant, entry_id := resolve_entry_id(call, args.entry_id))
    except Conflict as error:
        raise lock_hint(error) from None
    return m.DeletedOutput(deleted=entry_id, message="The entry was deleted.")
