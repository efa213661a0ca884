"""Report definitions as typed entities: the Sandtime wire <-> ReportSpec mapping, the stored item
<-> ReportDefinition mapping, a partial update's merge, a preset's covered range, the checks of a
result's query parameters and the cursor scope."""

from datetime import datetime, timezone

import pytest

from sandglass.entities.reports import ReportDefinition, ReportFilter, ReportSettings, ReportSpec
from sandglass.errors import ValidationFailed
from sandglass.models.reports import ReportQuery, ReportUpdate, report_view, revision, spec_fields, spec_of
from sandglass.repositories.reports import from_item, to_item
from sandglass.services.reports import periods
from sandglass.services.reports.service import check_output, covering, listing_order, result_scope

P = "11111111-1111-4111-8111-111111111111"
U = "33333333-3333-4333-8333-333333333333"
WIRE = {"name": "July", "period": "custom", "start": "2026-07-01T00:00:00+02:00", "end": "2026-07-31T23:59:59+02:00",
        "dimensions": ["project", "day"], "metrics": ["time", "revenue"],
        "filters": [{"field": "project", "operator": "in", "value": [P.upper()]}, {"field": "name", "operator": "contains", "value": "x"}],
        "selectedProjects": None, "selectedProjectMembers": [U], "hideEmptyRows": True}


def test_the_wire_maps_to_a_spec_and_back():
    spec = spec_of(ReportQuery.model_validate(WIRE))
    assert spec.start == datetime(2026, 6, 30, 22, tzinfo=timezone.utc) and spec.end == datetime(2026, 7, 31, 21, 59, 59, tzinfo=timezone.utc)
    assert spec.filters[0] == ReportFilter(field="project", operator="in", value=(P,))
    assert spec.dimensions == ("project", "day") and spec.selected_projects is None and spec.selected_members == (U,)
    shown = spec_fields(spec)
    assert shown["start"] == "2026-06-30T22:00:00.000Z" and shown["end"] == "2026-07-31T21:59:59.000Z"
    assert shown["filters"][0] == {"field": "project", "operator": "in", "value": [P]}
    assert spec_of(ReportQuery.model_validate(shown)) == spec


def test_a_preset_keeps_no_start_or_end():
    spec = spec_of(ReportQuery.model_validate({**WIRE, "period": "lastMonth"}))
    assert (spec.period, spec.start, spec.end) == ("lastMonth", None, None)


def test_a_definition_survives_its_stored_item():
    spec = spec_of(ReportQuery.model_validate(WIRE))
    now = datetime(2026, 7, 15, 12, tzinfo=timezone.utc)
    definition = ReportDefinition(id=P, owner_id=U, spec=spec, version=3, created_at=now, updated_at=now)
    item = to_item("org", definition)
    assert item["selectedProjectMembers"] == [U] and item["filters"][0]["value"] == [P] and item["start"] == "2026-06-30T22:00:00.000Z"
    assert item["userId"] == U and item["version"] == 3
    assert from_item(item) == definition
    assert report_view(definition) == {**spec_fields(spec), "id": P, "userId": U}


def test_a_partial_update_merges_and_revalidates():
    stored = spec_of(ReportQuery.model_validate(WIRE))
    renamed = revision(ReportUpdate.model_validate({"name": "August", "pinned": True}))(stored)
    assert renamed == ReportSpec(**{**{name: getattr(stored, name) for name in stored.__slots__}, "name": "August", "pinned": True})
    to_preset = revision(ReportUpdate.model_validate({"period": "thisWeek"}))(stored)
    assert (to_preset.period, to_preset.start, to_preset.end) == ("thisWeek", None, None)
    with pytest.raises(ValidationFailed) as refused:
        revision(ReportUpdate.model_validate({"start": None}))(stored)
    assert "custom period needs both start and end" in refused.value.details[0]["message"]


def test_a_preset_is_shown_with_the_range_it_covers_now():
    definition = ReportDefinition(id=P, owner_id=U, spec=ReportSpec(period="thisMonth"))
    now = datetime(2026, 7, 15, 12, tzinfo=timezone.utc)
    shown = covering(definition, ReportSettings(time_zone="Europe/Warsaw"), now)
    assert shown.spec.start == datetime(2026, 6, 30, 22, tzinfo=timezone.utc)
    assert shown.spec.end == datetime(2026, 7, 31, 22, tzinfo=timezone.utc) - periods.ONE_MS
    custom = ReportDefinition(id=P, owner_id=U, spec=spec_of(ReportQuery.model_validate(WIRE)))
    assert covering(custom, ReportSettings(), now) is custom


def test_listing_order_pinned_then_name():
    def named(name, pinned=False, id_="x"):
        return ReportDefinition(id=id_, owner_id=U, spec=ReportSpec(name=name, pinned=pinned))
    reports = [named("b"), named("A", id_="2"), named("a", id_="1"), named("z", pinned=True)]
    assert [(report.spec.name, report.id) for report in sorted(reports, key=listing_order)] == [("z", "x"), ("a", "1"), ("A", "2"), ("b", "x")]


def test_query_parameters_are_checked_together():
    check_output("summary", "json", 1)
    with pytest.raises(ValidationFailed) as refused:
        check_output("monthly", "docx", 0)
    assert [found["field"] for found in refused.value.details] == ["view", "format", "limit"]


def test_a_cursor_scope_depends_on_spec_view_and_range():
    spec = spec_of(ReportQuery.model_validate(WIRE))
    span = periods.span(spec.period, spec.start, spec.end, datetime(2026, 7, 15, tzinfo=timezone.utc), "UTC")
    scope = result_scope(spec, "summary", span)
    assert scope == result_scope(spec_of(ReportQuery.model_validate(WIRE)), "summary", span)
    assert scope != result_scope(spec, "weekly", span)
    assert scope != result_scope(spec_of(ReportQuery.model_validate({**WIRE, "hideEmptyRows": False})), "summary", span)
