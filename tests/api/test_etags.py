"""Every entity that accepts If-Match hands out its ETag, and the ETag round-trips."""

from __future__ import annotations

import pytest

ADMIN = "admin@acme.test"


def _round_trip(api, path, change):
    first = api.get(path, as_=ADMIN, org="acme")
    assert first.status == 200, first.body
    tag = first.header("ETag")
    assert tag and tag.startswith('"')
    updated = api.put(path, as_=ADMIN, org="acme", body=change, headers={"If-Match": tag})
    assert updated.status == 200, updated.body
    assert updated.header("ETag") != tag
    assert api.get(path, as_=ADMIN, org="acme").header("ETag") == updated.header("ETag")
    stale = api.put(path, as_=ADMIN, org="acme", body=change, headers={"If-Match": tag})
    assert stale.status == 412, stale.body


def test_organization_etag(api, acme):
    _round_trip(api, "/organization", {"notes": "etag"})


def test_project_and_member_etags(api, acme, seed):
    sam = seed.member("acme", "sam@acme.test")
    created = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Tagged"})
    assert created.status == 200 and created.header("ETag")
    project_id = created.json()["id"]
    _round_trip(api, f"/projects/{project_id}", {"notes": "etag"})
    member = api.post(f"/projects/{project_id}/members", as_=ADMIN, org="acme", body={"userId": sam["id"]})
    assert member.status == 200 and member.header("ETag")
    _round_trip(api, f"/projects/{project_id}/members/{member.json()['id']}", {"title": "Lead"})


def test_user_etag(api, acme):
    invited = api.post("/users", as_=ADMIN, org="acme", body={"email": "tag@acme.test", "name": "Tag"})
    assert invited.status == 200 and invited.header("ETag")
    _round_trip(api, f"/users/{invited.json()['id']}", {"title": "Tagged"})


@pytest.mark.parametrize("value", ["*"])
def test_if_match_star_and_weak_forms(api, acme, value):
    reply = api.put("/organization", as_=ADMIN, org="acme", body={"notes": "x"}, headers={"If-Match": value})
    assert reply.status == 200, reply.body


def test_weak_etag_never_matches(api, acme):
    reply = api.put("/organization", as_=ADMIN, org="acme", body={"notes": "x"}, headers={"If-Match": 'W/"1"'})
    assert reply.status == 412
    assert api.get("/organization", as_=ADMIN, org="acme").json()["notes"] == ""
