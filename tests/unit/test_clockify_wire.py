"""The Clockify dialect's wire conventions and the 24-hex ids, both directions."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandglass import ids
from sandglass.dialects.clockify import errors, paging, wire
from sandglass.dialects.clockify.resolver import normalise_path
from sandglass.errors import BadRequest, NotFound


@given(st.uuids())
def test_a_short_id_is_24_lower_hex_and_leads_back_to_its_uuid(value):
    entity_id = str(value)
    short = ids.short_id(entity_id)
    assert len(short) == 24 and short == short.lower() and ids.is_short_id(short)
    assert entity_id.startswith(ids.short_id_prefix(short))
    assert ids.short_id_prefix(short.upper()) == ids.short_id_prefix(short)


@pytest.mark.parametrize("value", ["", "5b71561", "5b715612b07987511079111g", "5b715612b0798751107911111", None, 12])
def test_anything_but_24_hex_is_no_short_id(value):
    assert not ids.is_short_id(value)
    if isinstance(value, str):
        assert ids.short_id_prefix(value) is None


def test_a_person_has_one_id_whatever_the_spelling_of_their_email():
    assert ids.person_short_id("Ann@Example.com ") == ids.person_short_id("ann@example.com")
    assert ids.person_short_id("ann@example.com") != ids.person_short_id("bob@example.com")
    assert ids.is_short_id(ids.person_short_id("ann@example.com"))


@given(st.integers(min_value=0, max_value=10_000 * 3600))
def test_durations_are_iso_without_days_and_read_back(seconds):
    text = wire.duration(timedelta(seconds=seconds))
    assert "D" not in text and text.startswith("PT") and len(text) >= 4
    assert wire.parse_duration(text) == timedelta(seconds=seconds)


def test_duration_examples():
    assert wire.duration(timedelta(hours=86, minutes=40, seconds=13)) == "PT86H40M13S"
    assert wire.duration(timedelta(0)) == "PT0S"
    assert wire.duration(timedelta(milliseconds=999)) == "PT0S"
    assert wire.duration(None) is None
    isodate = pytest.importorskip("isodate")
    assert isodate.parse_duration("PT86H40M13S") == timedelta(hours=86, minutes=40, seconds=13)


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 12, 30), timezones=st.just(timezone.utc)))
def test_instants_go_out_in_whole_utc_seconds(moment):
    text = wire.instant(moment)
    assert text.endswith("Z") and "." not in text and len(text) == 20
    assert wire.parse_instant(text) == moment.replace(microsecond=0)


@pytest.mark.parametrize("text", ["2026-07-03T08:30:00Z", "2026-07-03T08:30:00.000Z", "2026-07-03T10:30:00+02:00", "2026-07-03T08:30:00"])
def test_any_iso_instant_comes_in(text):
    assert wire.parse_instant(text) == datetime(2026, 7, 3, 8, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("text,expected", [("true", True), ("1", True), ("TRUE", True), ("false", False), ("0", False), ("", None), (None, None)])
def test_booleans_read_as_clockify_clients_send_them(text, expected):
    assert wire.boolean(text) is expected


def test_other_boolean_spellings_are_refused():
    with pytest.raises(ValueError):
        wire.boolean("yes")


def test_arrays_repeated_or_comma_joined():
    assert wire.joined(["a", "b,c", "a", ""]) == ["a", "b", "c"]
    assert wire.joined("a,b") == ["a", "b"]
    assert wire.joined(None) == []


def test_paging_clamps_and_slices():
    request = paging.page_request("3", "2")
    assert request.slice(list(range(10))) == [4, 5]
    assert paging.page_request("9", "5").slice(list(range(10))) == []
    assert paging.page_request(None, "100000").size == paging.MAX_PAGE_SIZE
    assert paging.page_request("0", "0") == paging.PageRequest(1, 1)
    with pytest.raises(BadRequest):
        paging.page_request("x", None)


def test_error_bodies():
    import json

    assert json.loads(errors.from_domain(NotFound("Project not found")).body) == {"message": "Project not found", "code": 404}
    assert json.loads(errors.response(401, "").body) == {"description": errors.AUTHENTICATION_REQUIRED, "code": 1000}


@pytest.mark.parametrize("path,expected", [("/api/v1//workspaces/x/", "/api/v1/workspaces/x"), ("/api/v1/user/", "/api/v1/user"), ("/", "/")])
def test_paths_are_normalised(path, expected):
    assert normalise_path(path) == expected
