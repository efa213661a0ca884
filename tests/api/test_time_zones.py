"""Time zones: one rule on every field that holds one (the organization's `timeZone` at sign-up and on
update, `lockingTimesheets.timeZone`, a member's preferences `timeZone`). A zone is an IANA name the
shipped tzdata lists, sent exactly: no `posixrules`, `localtime`, `Factory`, `posix/…` or `right/…`
file, no other spelling of a name, no surrounding space trimmed away."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ADMIN = "admin@acme.test"
AS_ADMIN = {"as_": ADMIN, "org": "acme"}

NOT_ZONES = ["posixrules", "localtime", "Factory", "posix/Europe/Warsaw", "right/UTC", "Europe", "America/", "/etc/localtime",
             "../zoneinfo/UTC", "Europe/Warsaw/", "Europe//Warsaw", "Mars/Olympus_Mons", "", "+02:00", "GMT+2", "zoneinfo/UTC"]
SPACED = ["Europe/Warsaw ", " Europe/Warsaw", "\tUTC", "UTC\n", "Europe/ Warsaw", "\u00a0UTC"]


def zones() -> list[str]:
    """The shipped tzdata's list of zones, less its `Factory` placeholder."""
    import importlib.resources

    return sorted(set(importlib.resources.files("tzdata").joinpath("zones").read_text().split()) - {"Factory"})


@pytest.fixture
def sam(api, acme):
    reply = api.post("/users", body={"email": "sam@acme.test", "name": "Sam"}, **AS_ADMIN)
    assert reply.status == 200, reply.body
    return reply.json()


def zone_fields(api, sam) -> dict[str, callable]:
    """Each field that holds a zone: a function sending `zone` there, returning the reply."""
    return {
        "sign-up timeZone": lambda zone: api.post("/organizations", as_="founder@globex.test", body={"name": "Globex", "domain": "globex", "timeZone": zone}),
        "organization timeZone": lambda zone: api.put("/organization", body={"timeZone": zone}, **AS_ADMIN),
        "lockingTimesheets.timeZone": lambda zone: api.put("/organization", body={"lockingTimesheets": {"timeZone": zone}}, **AS_ADMIN),
        "preferences timeZone": lambda zone: api.put(f"/users/{sam['id']}/preferences", as_="sam@acme.test", org="acme", body={"timeZone": zone}),
    }


def stored_zones(api, sam) -> tuple:
    organization = api.get("/organization", **AS_ADMIN).json()
    preferences = api.get(f"/users/{sam['id']}/preferences", as_="sam@acme.test", org="acme").json()
    return organization["timeZone"], (organization.get("lockingTimesheets") or {}).get("timeZone"), preferences["timeZone"]


@pytest.mark.parametrize("zone", NOT_ZONES + SPACED + ["europe/warsaw", "EUROPE/WARSAW", "utc"])
def test_what_is_not_an_iana_zone_name_is_422_on_every_zone_field(api, sam, zone):
    before = stored_zones(api, sam)
    for field, send in zone_fields(api, sam).items():
        reply = send(zone)
        assert reply.status == 422, (field, zone, reply.status, reply.body)
        details = reply.json()["error"]["details"]
        assert [detail["type"] for detail in details] == ["time_zone"], (field, details)
        assert details[0]["field"].endswith("timeZone") and ("IANA" in details[0]["message"] or "space" in details[0]["message"]), details
    assert stored_zones(api, sam) == before
    assert api.get("/organization", as_="founder@globex.test", org="globex").status == 404  # the sign-up did not happen


def test_the_messages_say_what_is_wrong(api, acme):
    def message(zone):
        return api.put("/organization", body={"timeZone": zone}, **AS_ADMIN).json()["error"]["details"][0]["message"]

    assert "space" in message("Europe/Warsaw ") and "'Europe/Warsaw '" in message("Europe/Warsaw ")
    assert "did you mean 'Europe/Warsaw'" in message("europe/warsaw")
    assert "posixrules" in message("posixrules") and "Europe/Warsaw" in message("posixrules")
    assert len(message("x" * 5000)) < 300  # a long value is not echoed whole


def test_not_a_string_is_422(api, acme):
    for value in (1, None, ["UTC"], {"name": "UTC"}):
        reply = api.put("/organization", body={"timeZone": value}, **AS_ADMIN)
        assert reply.status == 422, (value, reply.body)


def test_the_zone_list_is_the_shipped_tzdata_less_what_is_not_a_place():
    import importlib.resources
    import zoneinfo

    from sandglass.reference import time_zones

    listed = set(importlib.resources.files("tzdata").joinpath("zones").read_text().split())
    known = set(time_zones())
    assert known == listed - {"Factory"} == set(zones())
    assert {"UTC", "Europe/Warsaw", "America/Argentina/Buenos_Aires", "Etc/GMT-14", "America/Indiana/Indianapolis"} <= known
    assert not known & {"posixrules", "localtime", "Factory"} and not [zone for zone in known if zone.startswith(("posix/", "right/"))]
    assert known <= zoneinfo.available_timezones()  # every one loads
    for zone in ("UTC", "Europe/Warsaw", "Pacific/Kiritimati"):
        zoneinfo.ZoneInfo(zone)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(zone=st.sampled_from(zones()))
def test_every_listed_zone_is_accepted_and_stored_exactly(api_once, zone):
    api, sam = api_once
    for field, send in zone_fields(api, sam).items():
        if field == "sign-up timeZone":
            continue  # one organization per domain: probed below
        reply = send(zone)
        assert reply.status == 200, (field, zone, reply.body)
    assert stored_zones(api, sam) == (zone, zone, zone)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(zone=st.sampled_from(zones()), noise=st.sampled_from(["", " ", "\t", "\u00a0", "\u2003", "/", "x"]), where=st.sampled_from(["before", "after"]))
def test_a_listed_zone_changed_in_any_way_is_refused(api_once, zone, noise, where):
    api, sam = api_once
    sent = (noise + zone) if where == "before" else (zone + noise)
    reply = api.put("/organization", body={"timeZone": sent}, **AS_ADMIN)
    if sent in zones():
        assert reply.status == 200
    else:
        assert reply.status == 422 and reply.json()["error"]["details"][0]["type"] == "time_zone", (sent, reply.body)


@pytest.fixture
def api_once(api, sam):
    """The api and Sam, for hypothesis tests (one organization for every example)."""
    return api, sam


def test_a_signup_takes_a_listed_zone(api):
    reply = api.post("/organizations", as_="founder@globex.test", body={"name": "Globex", "domain": "globex", "timeZone": "America/Argentina/Buenos_Aires"})
    assert reply.status == 200 and reply.json()["timeZone"] == "America/Argentina/Buenos_Aires"
