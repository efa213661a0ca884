"""Which activities a report counts and which partitions it reads (services/reports/selection.py),
on hand-made items: visibility, selections, every filter kind, archives, approvals, settings."""

import pytest

from sandglass.entities.reports import Directory, ReportFilter, ReportSpec
from sandglass.repositories.organizations import settings_from_item
from sandglass.services.reports import selection
from sandglass.services.reports.selection import Viewer

P, Q, R = "p", "q", "r"
SAM, PIA, OLA = "sam", "pia", "ola"


def item(id_, user, project, name="Work", billable=True, ended="2026-07-03T08:00:00.000Z", start="2026-07-03T07:00:00.000Z"):
    return {"id": id_, "userId": user, "projectId": project, "name": name, "billable": billable, "startedAt": start, "endedAt": ended}


ITEMS = [
    item("a1", SAM, P, name="Kick-off meeting"),
    item("a2", SAM, Q, billable=False),
    item("a3", PIA, P, ended=None),
    item("a4", OLA, R, name="kick-off"),
]


def kept(spec=ReportSpec(), viewer=Viewer(SAM, True)):
    return [found["id"] for found in selection.narrowed([dict(one) for one in ITEMS], spec, viewer)]


def test_visibility_admin_user_and_project_administrator():
    assert kept() == ["a1", "a2", "a3", "a4"]
    assert kept(viewer=Viewer(SAM, False)) == ["a1", "a2"]
    assert kept(viewer=Viewer(OLA, False, frozenset({P}))) == ["a1", "a3", "a4"]


def test_selections_narrow_and_empty_selections_do_not():
    assert kept(ReportSpec(selected_projects=(P,))) == ["a1", "a3"]
    assert kept(ReportSpec(selected_members=(SAM,))) == ["a1", "a2"]
    assert kept(ReportSpec(selected_projects=(P,), selected_members=(SAM,))) == ["a1"]
    assert kept(ReportSpec(selected_projects=(), selected_members=())) == ["a1", "a2", "a3", "a4"]


@pytest.mark.parametrize(("condition", "ids"), [
    (ReportFilter(field="billable", operator="is", value=True), ["a1", "a3", "a4"]),
    (ReportFilter(field="billable", operator="isNot", value=True), ["a2"]),
    (ReportFilter(field="pending", operator="is", value=True), ["a3"]),
    (ReportFilter(field="pending", operator="isNot", value=True), ["a1", "a2", "a4"]),
    (ReportFilter(field="approved", operator="is", value=False), ["a1", "a2", "a3", "a4"]),
    (ReportFilter(field="name", operator="contains", value="KICK"), ["a1", "a4"]),
    (ReportFilter(field="name", operator="is", value="kick-off"), ["a4"]),
    (ReportFilter(field="name", operator="isNot", value="Work"), ["a1", "a4"]),
    (ReportFilter(field="project", operator="in", value=(P, R)), ["a1", "a3", "a4"]),
    (ReportFilter(field="project", operator="notIn", value=(P,)), ["a2", "a4"]),
    (ReportFilter(field="user", operator="in", value=(PIA,)), ["a3"]),
    (ReportFilter(field="user", operator="notIn", value=(PIA, SAM)), ["a4"]),
])
def test_each_filter_kind(condition, ids):
    assert kept(ReportSpec(filters=(condition,))) == ids


def test_filters_combine_with_and():
    both = (ReportFilter(field="billable", value=True), ReportFilter(field="user", operator="in", value=(SAM, OLA)))
    assert kept(ReportSpec(filters=both)) == ["a1", "a4"]


def test_partitions_read():
    admin, sam = Viewer(SAM, True), Viewer(SAM, False)
    assert selection.sources(ReportSpec(), admin, "org") == [("organization", "org")]
    assert selection.sources(ReportSpec(), Viewer(PIA, False, frozenset({Q, P})), "org") == [("user", PIA), ("project", P), ("project", Q)]
    # the shorter selection decides; a project the caller does not administer: their own partition, once
    assert selection.sources(ReportSpec(selected_projects=(P, Q, P)), admin, "org") == [("project", P), ("project", Q)]
    assert selection.sources(ReportSpec(selected_projects=(P, Q)), sam, "org") == [("user", SAM)]
    assert selection.sources(ReportSpec(selected_projects=(P, Q), selected_members=(PIA,)), admin, "org") == [("user", PIA)]
    # a plain User asking for somebody else's time reads nothing
    assert selection.sources(ReportSpec(selected_members=(PIA,)), sam, "org") == []


def test_archived_projects_and_members_are_left_out_unless_shown():
    directory = selection.directory_of(
        {P: {"name": "Website"}, R: {"name": "Old", "archived": True}},
        {SAM: {"name": "Sam"}, OLA: {"email": "ola@acme.test", "status": "DELETED"}, PIA: {"name": "Pia", "archived": True}})
    assert directory.project_names == {P: "Website", R: "Old"} and directory.member_names[OLA] == "ola@acme.test"
    assert directory.archived_projects == {R} and directory.archived_members == {OLA, PIA}
    items = [dict(one) for one in ITEMS]
    assert [found["id"] for found in selection.unarchived(items, ReportSpec(), directory)] == ["a1", "a2"]
    assert [found["id"] for found in selection.unarchived(items, ReportSpec(show_archived_members=True), directory)] == ["a1", "a2", "a3"]
    shown = ReportSpec(show_archived_members=True, show_archived_projects=True)
    assert [found["id"] for found in selection.unarchived(items, shown, directory)] == ["a1", "a2", "a3", "a4"]


def test_fill_shows_only_existing_selections_the_viewer_may_see():
    directory = Directory(project_names={P: "Website", Q: "Internal"}, member_names={SAM: "Sam", PIA: "Pia"})
    spec = ReportSpec(selected_projects=(P, Q, "gone"), selected_members=(SAM, PIA, "gone"))
    assert selection.fill(spec, Viewer(SAM, True), directory) == {"project": [P, Q], "user": [SAM, PIA]}
    assert selection.fill(spec, Viewer(SAM, False, frozenset({Q})), directory) == {"project": [Q], "user": [SAM]}


def test_approved_weeks_in_the_lock_zone():
    # Sunday 23:30 UTC is Monday in Warsaw: week 28 there, week 27 in UTC
    items = [item("a", SAM, P, start="2026-07-05T22:30:00.000Z"), item("b", PIA, P, start="2026-07-05T22:30:00.000Z")]
    selection.mark_approved(items, {SAM: {(2026, 28)}}, "Europe/Warsaw")
    assert [found.get("approved") for found in items] == [True, None]
    items = [item("a", SAM, P, start="2026-07-05T22:30:00.000Z")]
    selection.mark_approved(items, {SAM: {(2026, 28)}}, "UTC")
    assert items[0].get("approved") is None


def test_settings_of_an_organization_item():
    settings = selection.settings_of(settings_from_item({"timeZone": "Europe/Warsaw", "weekStart": "sunday",
                                                         "rounding": {"enabled": True, "interval": 900000, "mode": "UP"},
                                                         "lockingTimesheets": {"timeZone": "America/New_York"}}))
    assert (settings.time_zone, settings.week_start, settings.rounding_interval, settings.rounding_mode, settings.lock_zone) == (
        "Europe/Warsaw", 6, 900000, "UP", "America/New_York")
    off = selection.settings_of(settings_from_item({"rounding": {"enabled": False, "interval": 900000, "mode": "UP"}}))
    assert (off.time_zone, off.week_start, off.rounding_interval, off.rounding_mode, off.lock_zone) == ("UTC", 0, 0, "NEAREST", "UTC")


def test_a_spec_needs_approvals_when_grouped_or_filtered_by_them():
    assert not ReportSpec().needs_approvals
    assert ReportSpec(dimensions=("approved",)).needs_approvals
    assert ReportSpec(filters=(ReportFilter(field="approved", value=True),)).needs_approvals
