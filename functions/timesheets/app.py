"""Timesheets routes: 4me-style reads (monthly timesheets, day totals, incomplete weeks), the
Sandtime runners of auto-lock and reminders, and locks (Sandtime user-week locks, 4me date locks).

Thin handlers: validate, one service call, return. The rules live in sandglass.services.timesheets,
sandglass.services.schedules and sandglass.services.locks.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Optional, Union

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import Field

from sandglass.composition.schedules import schedules as schedule_service
from sandglass.http.etag import with_etag
from sandglass.errors import ValidationFailed
from sandglass.http.resolver import create_app
from sandglass.http.tenant import tenant
from sandglass.models import ApiModel, Empty
from sandglass.models.organization import Organization, organization_view
from sandglass.models import timesheets as views
from sandglass.models.timesheets import DAY_TOTALS_SCHEMA, IncompleteTimesheet, Timesheet
from sandglass.models.timesheets_locks import Locks, WeekLock, WeekLockRequest, locks_view, week_lock_view
from sandglass.dialects.fourme import paging
from sandglass.dialects.fourme.models import FourmeIncompleteTimesheet, FourmeTimesheet
from sandglass.dialects.fourme import errors as fourme_errors, timesheets as fourme
from sandglass.dialects.fourme.ids import IntegerIds
from sandglass.services.group_timesheets import GroupTimesheetService
from sandglass.services.int_ids import IntIdService
from sandglass.services.locks import LockService
from sandglass.services.timesheets import TimesheetService

app = create_app(dialects=(fourme_errors,))  # /v1/timesheets... answers errors in 4me's shape

# one service per container, built on the first request (not at import: cold start)
locks = cache(LockService)
timesheets = cache(lambda: TimesheetService(day_marks=locks().day_marks))  # locked days by the full lock model, approved weeks
schedules = schedule_service
group_timesheets = cache(lambda: GroupTimesheetService(timesheets(), locks=locks()))
wire_ids = cache(lambda: IntegerIds(IntIdService()))  # 4me's integer ids of people and groups (docs/ids.md)


# --- reads and runners (issue 8) --------------------------------------------------------------

ISO_DATE = {"format": "date"}  # documented so clients (and the fuzzer) send yyyy-mm-dd
DateText = Annotated[Optional[str], Query(max_length=10, json_schema_extra=ISO_DATE, description="A date as yyyy-mm-dd")]
Fields = Annotated[Optional[str], Query(max_length=200, description="Comma-separated fields to return")]
UserId = Annotated[Optional[str], Query(alias="userId", max_length=64, description="A member's id (Administrators: anyone; Users: themselves)")]


class RunRequest(ApiModel):
    reason: Optional[str] = Field(None, max_length=500)


@app.get("/timesheets", tags=["Timesheets"], summary="Monthly timesheet of a member, or (Administrators, no userId) of every member",
         responses={200: {"description": "The member's month (with userId), else every member's", "content": {"application/json": {"model": Union[Timesheet, list[Timesheet]]}}}})
def get_timesheets(
    month_of: Annotated[str, Query(alias="monthOf", max_length=10, json_schema_extra=ISO_DATE, description="Any date of the month, yyyy-mm-dd")],
    user_id: UserId = None,
    fields: Fields = None,
) -> Union[dict[str, Any], list[dict[str, Any]]]:
    chosen = views.chosen_fields(fields, views.MONTH_FIELDS)
    if user_id is not None:
        return views.timesheet_view(timesheets().member_month(tenant(app), month_of, user_id), chosen)
    return [views.timesheet_view(sheet, chosen) for sheet in timesheets().organization_month(tenant(app), month_of)]


@app.get("/timesheets/dayTotals", tags=["Timesheets"], summary="Minutes per local day of a date, a week or a month (one of date, weekOf, monthOf)",
         responses={200: {"description": "Minutes per local day", "content": {"application/json": {"schema": DAY_TOTALS_SCHEMA}}}})
def get_day_totals(
    user_id: UserId = None,
    date: DateText = None,
    week_of: Annotated[Optional[str], Query(alias="weekOf", max_length=10, json_schema_extra=ISO_DATE)] = None,
    month_of: Annotated[Optional[str], Query(alias="monthOf", max_length=10, json_schema_extra=ISO_DATE)] = None,
) -> dict[str, int]:
    return views.day_totals_view(timesheets().day_totals(tenant(app), user_id, date, week_of, month_of))


@app.get("/timesheets/incomplete", tags=["Timesheets"], summary="Members below the week's expected time (Administrators)",
         responses={200: {"description": "Members below the week's expected time", "content": {"application/json": {"model": list[IncompleteTimesheet]}}}})
def get_incomplete(
    week_of: Annotated[str, Query(alias="weekOf", max_length=10, json_schema_extra=ISO_DATE, description="Any date of the week, yyyy-mm-dd")],
    fields: Fields = None,
) -> list[dict[str, Any]]:
    weeks = timesheets().incomplete(tenant(app), week_of)  # the rights come first: then the fields
    chosen = views.chosen_fields(fields, views.INCOMPLETE_FIELDS)
    return [views.incomplete_view(week, chosen) for week in weeks]


@app.put("/timesheets/auto-lock", tags=["Timesheets"], summary="Run auto-lock for the organization now (Administrators)")
def put_auto_lock(body: Annotated[Optional[RunRequest], Body()] = None) -> Response[Organization]:
    return with_etag(organization_view(schedules().run_auto_lock(tenant(app))))


@app.post("/timesheets/reminder", tags=["Timesheets"], summary="Send timesheet reminders for the current week now (Administrators)")
def post_reminder(body: Annotated[Optional[RunRequest], Body()] = None) -> None:
    return schedules().run_reminders(tenant(app))


# --- end of reads and runners -------------------------------------------------------------------

# --- locks (issue 8) ------------------------------------------------------------------------------
# POST /timesheets/lock serves both styles on one path: with any of the query parameters userId,
# date, weekOf, monthOf it is the 4me date lock (no body; 204), otherwise the Sandtime user-week
# lock (JSON body userId/year/week/unlockedTo; 200 with the lock). Mixing the two is a 422.

LockDate = Annotated[Optional[str], Query(max_length=10, json_schema_extra=ISO_DATE, description="Lock this day (yyyy-mm-dd)")]
LockWeekOf = Annotated[Optional[str], Query(alias="weekOf", max_length=10, json_schema_extra=ISO_DATE, description="Lock the ISO week of this date (yyyy-mm-dd)")]
LockMonthOf = Annotated[Optional[str], Query(alias="monthOf", max_length=10, json_schema_extra=ISO_DATE, description="Lock the month of this date (yyyy-mm-dd)")]
LockUserId = Annotated[Optional[str], Query(alias="userId", max_length=64, description="The member; omitted: the whole organization")]


@app.post("/timesheets/lock", tags=["Timesheets"], summary="Lock a member's ISO week or open an unlock window (JSON body), or lock dates (4me: query) (Administrators)",
          responses={200: {"description": "The member-week lock (Sandtime style: JSON body)", "content": {"application/json": {"model": WeekLock}}},
                     204: {"description": "Dates locked (4me style: query)"}})
def post_lock(
    body: Annotated[Optional[WeekLockRequest], Body()] = None,
    user_id: LockUserId = None,
    date: LockDate = None,
    week_of: LockWeekOf = None,
    month_of: LockMonthOf = None,
) -> Response[Optional[WeekLock]]:
    lock = locks().post_lock(tenant(app), body, user_id, date, week_of, month_of)
    return Response(status_code=204) if lock is None else Response(status_code=200, content_type="application/json", body=week_lock_view(lock))


@app.delete("/timesheets/lock", tags=["Timesheets"], summary="Unlock a day, the ISO week or the month of a date, for a member or the organization (4me; Administrators)",
            responses={204: {"description": "Dates unlocked"}})
def delete_lock_dates(user_id: LockUserId = None, date: LockDate = None, week_of: LockWeekOf = None, month_of: LockMonthOf = None) -> Response[None]:
    locks().lock_dates(tenant(app), user_id, date, week_of, month_of, lock=False)
    return Response(status_code=204)


@app.delete("/timesheets/lock/<lockId>", tags=["Timesheets"], summary="Delete a member's week lock or unlock window (Administrators)")
def delete_lock(lock_id: Annotated[str, Path(alias="lockId", max_length=64, description="The timesheet lock identifier")]) -> Empty:
    locks().delete_week(tenant(app), lock_id)
    return {}


@app.get("/timesheets/locks", tags=["Timesheets"], summary="What locks days: the auto-lock watermark, week locks and date locks (a User: their own)")
def get_locks(user_id: LockUserId = None) -> Locks:
    return locks_view(locks().locks(tenant(app), user_id))


# --- end of locks -----------------------------------------------------------------------------------


# --- the 4me Timesheets dialect (/api/v1/timesheets...: snake_case, its errors, ids through dialects.fourme.ids) ---
FOURME = "4me Timesheets"
Id = Annotated[Optional[str], Query(max_length=64, description="A person's integer id (or UUID)")]
GroupIdQuery = Annotated[Optional[str], Query(max_length=64, description="4me's organization: a Sandglass group's integer id (or UUID)")]
Page = Annotated[int, Query(ge=1, le=100_000, description="Page number (from 1)")]
PerPage = Annotated[int, Query(ge=1, le=paging.MAX_PER_PAGE, description="Items per page (at most 100)")]
FourmeDate = Annotated[Optional[str], Query(max_length=10, json_schema_extra=ISO_DATE, description="Any date (yyyy-mm-dd)")]


def _fourme_page(items: list[Any], page: int, per_page: int) -> Response:
    chosen, more = paging.page_of(items, page, per_page)
    query = {k: v for k, v in (app.current_event.query_string_parameters or {}).items() if k not in ("page", "per_page")}
    link = paging.link_header("/api" + app.current_event.path if not app.current_event.path.startswith("/api") else app.current_event.path,
                              query, page, per_page, more)
    return Response(status_code=200, content_type="application/json", body=chosen, headers={"Link": link} if link else {})


@app.get("/v1/timesheets", tags=[FOURME], summary="4me: the month's timesheets of a group (organization_id) or a person (person_id)",
         responses={200: {"description": "One timesheet (a person with one), else an array in generation order",
                          "content": {"application/json": {"model": Union[FourmeTimesheet, list[FourmeTimesheet]]}}}})
def fourme_timesheets(month_of: FourmeDate = None, organization_id: GroupIdQuery = None, person_id: Id = None, fields: Fields = None,
                      page: Page = 1, per_page: PerPage = paging.DEFAULT_PER_PAGE) -> Response[Union[dict[str, Any], list[dict[str, Any]]]]:
    if month_of is None:
        raise ValidationFailed.field("month_of", "month_of is required (yyyy-mm-dd)", where="query", type="missing")
    chosen = fourme.chosen_fields(fields, fourme.TIMESHEET_FIELDS)
    who, ids = tenant(app), wire_ids()
    found = group_timesheets().month(who, month_of, ids.person_in(who, person_id), ids.group_in(who, organization_id))
    sheets = [fourme.timesheet(sheet, chosen, ids.person_out(sheet.member.id, sheet.member.number)) for sheet in found]
    if person_id is not None and len(sheets) == 1:
        return Response(status_code=200, content_type="application/json", body=sheets[0])
    return _fourme_page(sheets, page, per_page)


@app.get("/v1/timesheets/incomplete", tags=[FOURME], summary="4me: people below the week's expected time (organization_id filters by group)",
         responses={200: {"description": "The incomplete timesheets", "content": {"application/json": {"model": list[FourmeIncompleteTimesheet]}}}})
def fourme_incomplete(week_of: FourmeDate = None, organization_id: GroupIdQuery = None, fields: Fields = None, page: Page = 1,
                      per_page: PerPage = paging.DEFAULT_PER_PAGE) -> Response[list[dict[str, Any]]]:
    if week_of is None:
        raise ValidationFailed.field("week_of", "week_of is required (yyyy-mm-dd)", where="query", type="missing")
    chosen = fourme.chosen_fields(fields, fourme.INCOMPLETE_FIELDS)
    who, ids = tenant(app), wire_ids()
    records = group_timesheets().incomplete(who, week_of, ids.group_in(who, organization_id))
    return _fourme_page([fourme.incomplete(record, chosen, ids.person_out(record.member.id, record.member.number)) for record in records], page, per_page)


@app.get("/v1/timesheets/day_totals", tags=[FOURME], summary="4me: a person's minutes per day (as strings) of a date, week or month")
def fourme_day_totals(person_id: Id = None, organization_id: GroupIdQuery = None, date: FourmeDate = None, week_of: FourmeDate = None,
                      month_of: FourmeDate = None) -> dict[str, str]:
    who, ids = tenant(app), wire_ids()
    return fourme.day_totals(group_timesheets().day_totals(who, ids.person_in(who, person_id), ids.group_in(who, organization_id), date, week_of, month_of))


def _fourme_lock(person_id, organization_id, date, week_of, month_of, lock: bool) -> Response:
    who, ids = tenant(app), wire_ids()
    group_timesheets().lock(who, ids.person_in(who, person_id), ids.group_in(who, organization_id), date, week_of, month_of, lock=lock)
    return Response(status_code=204)


@app.post("/v1/timesheets/lock", tags=[FOURME], summary="4me: lock a date, week or month of a person or a group (organization_id) (Administrators); 204",
          responses={204: {"description": "Dates locked"}})
def fourme_lock(person_id: Id = None, organization_id: GroupIdQuery = None, date: FourmeDate = None, week_of: FourmeDate = None,
                month_of: FourmeDate = None) -> Response[None]:
    return _fourme_lock(person_id, organization_id, date, week_of, month_of, lock=True)


@app.delete("/v1/timesheets/lock", tags=[FOURME], summary="4me: unlock a date, week or month of a person or a group (organization_id) (Administrators); 204",
            responses={204: {"description": "Dates unlocked"}})
def fourme_unlock(person_id: Id = None, organization_id: GroupIdQuery = None, date: FourmeDate = None, week_of: FourmeDate = None,
                  month_of: FourmeDate = None) -> Response[None]:
    return _fourme_lock(person_id, organization_id, date, week_of, month_of, lock=False)


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
