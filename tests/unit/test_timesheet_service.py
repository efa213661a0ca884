"""The timesheet reads on typed entities, without storage (an in-memory repository), and the two
wire mappings of their results: Sandtime (models/timesheets.py) and 4me (dialects/fourme/timesheets.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from sandglass.clock import FixedClock
from sandglass.context import TenantContext
from sandglass.dialects.fourme import timesheets as fourme
from sandglass.entities.activities import BREAK, Activity
from sandglass.entities.organizations import CoreHours, Organization, OrganizationSettings, Rounding
from sandglass.entities.people import Member
from sandglass.entities.timesheets import IncompleteWeek, MonthTimesheet, TimesheetMember
from sandglass.errors import Forbidden, NotFound, ValidationFailed
from sandglass.models import timesheets as sandtime
from sandglass.repositories.activities import TimerMarker
from sandglass.repositories.timesheets import MemberRead, OrganizationRead
from sandglass.services.timesheets import TimesheetService, expected_days, week_days

NOW = datetime(2026, 11, 13, 12, 0, tzinfo=timezone.utc)  # a Friday
UTC = timezone.utc
ORG = Organization(id="o1", domain="acme", created_at=datetime(2026, 1, 1, tzinfo=UTC),
                   settings=OrganizationSettings(name="Acme", time_zone="Europe/Warsaw", core_hours=CoreHours(start=time(8), end=time(16)),
                                                 rounding=Rounding(enabled=True, interval=timedelta(minutes=15), mode="UP")))
SAM = Member(id="00000000-0000-4000-8000-000000000001", email="sam@acme.test", name="Sam", role="User", status="ACTIVE", number=7)
PIA = Member(id="00000000-0000-4000-8000-000000000002", email="pia@acme.test", name="", role="User", status="ACTIVE")
OLA = Member(id="00000000-0000-4000-8000-000000000003", email="ola@acme.test", name="Ola", role="User", status="ACTIVE", archived=True,
             archived_at=datetime(2026, 11, 11, 10, tzinfo=UTC))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def work(activity_id: str, member: Member, start: datetime, minutes: int | None, kind: str = "REGULAR") -> Activity:
    return Activity(id=activity_id, user_id=member.id, project_id="p1", started_at=start, type=kind,
                    ended_at=start + timedelta(minutes=minutes) if minutes is not None else None)


ACTIVITIES = [work("a1", SAM, at(9, 8), 52), work("a2", SAM, at(9, 8, 30), 60),  # overlapping: 90 minutes of wall time, rounded up per entry
              work("a3", SAM, at(10, 12), 30, BREAK), work("a4", OLA, at(10, 8), 120), work("a5", PIA, at(13, 10), None)]


class MemoryTimesheets:
    """TimesheetRepository's read API over entities held in memory."""

    def __init__(self, organization=ORG, members=(SAM, PIA, OLA), activities=ACTIVITIES):
        self.organization, self.members, self.activities = organization, list(members), list(activities)

    def member_read(self, org_id, user_id):
        member = next((m for m in self.members if m.id == user_id), None)
        running = next((TimerMarker(a.user_id, a.id, a.started_at.isoformat()) for a in self.activities if a.user_id == user_id and a.running), None)
        return MemberRead(self.organization, member, running)

    def organization_read(self, org_id):
        return OrganizationRead(self.organization, list(self.members), [])

    def member_activities(self, org_id, user_id, lower, upper, running=()):
        return [a for a in self.activities if a.user_id == user_id]

    def organization_activities(self, org_id, lower, upper, running=()):
        return list(self.activities)

    def projects_administered_for(self, org_id, admin_id, user_id):
        return set()


def tenant(role="Administrator", user_id="00000000-0000-4000-8000-000000000004") -> TenantContext:
    return TenantContext(org_id="o1", domain="acme", user_id=user_id, email="x@acme.test", role=role)


def service(**repository) -> TimesheetService:
    return TimesheetService(MemoryTimesheets(**repository), FixedClock(NOW))


def test_a_members_month_counts_wall_time_once_rounds_per_entry_and_leaves_breaks_out():
    sheet = service().member_month(tenant(), "2026-11-20", SAM.id)
    assert sheet.member == TimesheetMember(id=SAM.id, name="Sam", email=SAM.email, number=7)
    # a1 08:00-08:52 rounds up to 60; a2 counts from 08:52 to 09:30 (38) and rounds up to 45; the break is not worked time
    assert (sheet.workday, sheet.spent, sheet.workdays) == (480, 105, 0.22)
    assert sheet.locked_days == "0" * 30 and not sheet.locked and not sheet.approved


def test_the_organization_month_lists_archived_members_with_time_by_name_and_a_running_timer_up_to_now():
    sheets = service().organization_month(tenant(), "2026-11-01")
    assert [(s.member.name, s.member.archived, s.spent) for s in sheets] == [("Ola", True, 120), ("pia@acme.test", False, 120), ("Sam", False, 105)]
    quiet = service(activities=ACTIVITIES[:3]).organization_month(tenant(), "2026-11-01")
    assert [s.member.id for s in quiet] == [PIA.id, SAM.id]  # archived without time: not listed


def test_day_totals_are_minutes_per_date():
    totals = service().day_totals(tenant(), SAM.id, week_of="2026-11-12")
    assert list(totals) == [date(2026, 11, 9) + timedelta(days=n) for n in range(7)]
    assert totals[date(2026, 11, 9)] == 105 and sum(totals.values()) == 105


def test_incomplete_weeks_list_active_members_below_the_expected_time_and_need_the_rights():
    weeks = service().incomplete(tenant(), "2026-11-09")
    # Monday-Friday of 480 minutes each; Ola (archived) is not listed
    assert weeks == [IncompleteWeek(member=TimesheetMember(id=PIA.id, name=PIA.email, email=PIA.email), completeness=1, remaining=2400 - 120),
                     IncompleteWeek(member=TimesheetMember(id=SAM.id, name="Sam", email=SAM.email, number=7), completeness=1, remaining=2400 - 105)]
    with pytest.raises(Forbidden):
        service().incomplete(tenant(role="User", user_id=SAM.id), "2026-11-09")
    assert service(organization=None).incomplete_members("o1", date(2026, 11, 9), NOW) == []
    with pytest.raises(NotFound):
        service(organization=None).incomplete(tenant(), "2026-11-09")


def test_expected_days_run_from_the_later_start_to_the_archiving_day_in_the_organizations_zone():
    week = week_days(date(2026, 11, 9))
    # Ola was archived on Wednesday 11:00 Warsaw: Monday to Wednesday
    assert expected_days(ORG, OLA, week) == week[:3]
    # invited on Tuesday 23:30 UTC = Wednesday 00:30 in Warsaw: from Wednesday on
    invited = Member(id=SAM.id, email=SAM.email, name="Sam", role="User", created_at=datetime(2026, 11, 10, 23, 30, tzinfo=UTC))
    assert expected_days(ORG, invited, week) == week[2:]
    assert TimesheetService.expected(ORG.settings, expected_days(ORG, invited, week)) == 3 * 480


def test_a_member_gone_or_another_members_month_for_a_user_is_404():
    with pytest.raises(NotFound):
        service(members=()).member_month(tenant(), "2026-11-01", SAM.id)
    with pytest.raises(NotFound):
        service().member_month(tenant(role="User", user_id=PIA.id), "2026-11-01", SAM.id)


SHEET = MonthTimesheet(member=TimesheetMember(id="u1", name="Ola", email="ola@x.test", archived=True, number=3), workday=480, spent=600,
                       workdays=1.25, locked=False, locked_days="0110", approved=False, approved_days="0000")


def test_the_sandtime_views_name_the_fields_and_choose_them_in_the_order_asked():
    assert sandtime.timesheet_view(SHEET) == {"user": {"id": "u1", "name": "Ola", "email": "ola@x.test", "archived": True}, "workday": 480,
                                              "sumTimeSpent": 600, "workdays": 1.25, "locked": False, "lockedDays": "0110", "approved": False,
                                              "approvedDays": "0000"}
    chosen = sandtime.chosen_fields(" lockedDays, user,lockedDays ", sandtime.MONTH_FIELDS)
    assert list(sandtime.timesheet_view(SHEET, chosen)) == ["lockedDays", "user"]
    assert sandtime.chosen_fields("", sandtime.MONTH_FIELDS) == sandtime.MONTH_FIELDS
    with pytest.raises(ValidationFailed):
        sandtime.chosen_fields("user,salary", sandtime.MONTH_FIELDS)
    week = IncompleteWeek(member=TimesheetMember(id="u2", name="pia@x.test", email="pia@x.test"), completeness=0, remaining=2400)
    assert sandtime.incomplete_view(week) == {"id": "u2", "name": "pia@x.test", "email": "pia@x.test", "completeness": 0, "remainingTime": 2400}
    assert sandtime.day_totals_view({date(2026, 11, 9): 5}) == {"2026-11-09": 5}


def test_the_4me_mapping_of_the_same_results():
    week = IncompleteWeek(member=TimesheetMember(id="u2", name="Pia", email="pia@x.test", number=9), completeness=1, remaining=15)
    assert fourme.incomplete(week, fourme.INCOMPLETE_FIELDS, 9) == {"id": 9, "name": "Pia", "primary_email": "pia@x.test", "completeness": 1,
                                                                   "remaining_time": 15}
    assert fourme.day_totals({date(2026, 11, 9): 5}) == {"2026-11-09": "5"}
