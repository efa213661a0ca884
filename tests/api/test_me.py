"""The caller's own user id: GET /auth carries it, and /users/me/... addresses the caller."""

from __future__ import annotations

ADMIN = "admin@acme.test"


def test_auth_snapshot_gives_the_callers_user_id_and_role(api, acme, seed):
    sam = seed.member("acme", "sam@acme.test")
    reply = api.get("/auth", as_="sam@acme.test", org="acme")
    assert reply.status == 200
    body = reply.json()
    assert body["userId"] == sam["id"] and body["role"] == "User" and body["domain"] == "acme"
    # the id is the one the users routes take
    assert api.get(f"/users/{body['userId']}", as_="sam@acme.test", org="acme").json()["email"] == "sam@acme.test"
    admin = api.get("/auth", as_=ADMIN, org="acme").json()
    assert admin["role"] == "Administrator" and admin["userId"] != sam["id"]


def test_auth_snapshot_outside_an_organization_has_no_user_id(api, acme):
    assert api.get("/auth", as_="stranger@example.test", org="acme").json()["userId"] is None
    body = api.get("/auth", as_=ADMIN).json()
    assert body["userId"] is None and body["role"] is None and body["domain"] is None


def test_users_me_is_the_caller(api, acme, seed):
    sam = seed.member("acme", "sam@acme.test", name="Sam")
    reply = api.get("/users/me", as_="sam@acme.test", org="acme")
    assert reply.status == 200 and reply.json()["id"] == sam["id"] and reply.json()["email"] == "sam@acme.test"
    assert reply.header("ETag")
    reply = api.put("/users/me", as_="sam@acme.test", org="acme", body={"title": "Designer"})
    assert reply.status == 200 and reply.json()["title"] == "Designer"
    assert api.get("/users/me/preferences", as_="sam@acme.test", org="acme").status == 200
    # not a member: 403, as every organization route
    assert api.get("/users/me", as_="stranger@example.test", org="acme").status == 403
