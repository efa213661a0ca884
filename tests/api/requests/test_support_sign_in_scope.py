"""The support sign-in's bearer acts for one member in the one organization that granted it, for its
window only: Sam is a User in acme and an Administrator of globex; acme grants support a sign-in as
Sam, and the bearer it yields is refused in globex, on the account-wide routes and once its window
ends, whatever names the organization (X-Organization or the host)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.api.requests.conftest import SAM, SUPPORT


@pytest.fixture
def real_time(clock):
    """The authorizer checks tokens against real time: the domain clock is set to it."""
    clock.instant = datetime.now(timezone.utc).replace(microsecond=0)
    return clock


@pytest.fixture
def globex(api, seed, world):
    """Sam's other organization, where he is an Administrator."""
    org = api.signup("globex", "admin@globex.test", "Globex")
    seed.member("globex", SAM, role="Administrator", name="Sam")
    return org


def support_bearer(world, outbox) -> dict:
    request = world.create("/requests/impersonation", body={"reason": "My timer looks wrong"})
    world.resolve(request["id"], "")
    grant = [message for message in outbox() if message["kind"] == "impersonation-grant"][-1]
    assert grant["to"] == SUPPORT
    session = world.api.call("POST", "/auth/impersonation", org="acme", body={"token": grant["data"]["token"]})
    assert session.status == 200, session.body
    return {**session.json(), "requestId": request["id"]}


def test_the_support_bearer_names_its_organization_and_member(world, outbox, real_time):
    import jwt

    session = support_bearer(world, outbox)
    claims = jwt.decode(session["token"], options={"verify_signature": False})
    assert claims["org"] == world.org_id and claims["userId"] == world.sam["id"] == session["userId"]
    assert claims["act"] == {"sub": "support", "requestId": session["requestId"]}
    assert world.api.get("/activities", token=session["token"], org="acme").status == 200
    me = world.api.get("/auth", token=session["token"], org="acme").json()
    assert (me["domain"], me["userId"], me["role"]) == ("acme", world.sam["id"], "User")


def test_the_support_bearer_is_refused_in_the_members_other_organization(world, outbox, real_time, globex, api):
    session = support_bearer(world, outbox)
    before = api.get("/organization", as_="admin@globex.test", org="globex").json()
    assert api.get("/users", as_=SAM, org="globex").status == 200  # Sam's own session works there
    for naming in ({"org": "globex"}, {"org": "acme", "headers": {"Host": "globex.example.com"}}):
        assert api.get("/users", token=session["token"], **naming).status == 403
        refused = api.put("/organization", token=session["token"], body={"notes": "support was here"}, **naming)
        assert refused.status == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
        assert api.post("/projects", token=session["token"], body={"name": "Not theirs"}, **naming).status == 403
    assert api.get("/organization", as_="admin@globex.test", org="globex").json() == before
    assert api.get("/projects", as_="admin@globex.test", org="globex").json() == {}


def test_the_support_bearer_cannot_act_for_the_whole_account(world, outbox, real_time, globex, api):
    session = support_bearer(world, outbox)
    assert api.get("/organizations", token=session["token"], org="acme").status == 403
    assert api.get("/organizations", token=session["token"]).status == 403
    created = api.post("/organizations", token=session["token"], body={"name": "Support's own", "domain": "supportco"})
    assert created.status == 403
    assert api.get("/organization", as_=SAM, org="supportco").status == 404
    assert api.get("/auth", token=session["token"]).status == 403  # no organization named: not its scope


def test_the_support_bearer_is_refused_after_its_window(world, api):
    from sandglass.services.auth import issue_token

    past = datetime.now(timezone.utc) - timedelta(minutes=16)
    scope = {"org": world.org_id, "userId": world.sam["id"], "act": {"sub": "support", "requestId": "r"}}
    ended = issue_token(SAM, ttl=timedelta(minutes=15), now=past, extra_claims=scope)
    reply = api.get("/activities", token=ended, org="acme")
    assert reply.status == 401
    # no leeway for it: a second past its end is too late (a session token keeps 30 s for clock skew)
    just_ended = issue_token(SAM, ttl=timedelta(minutes=15), now=datetime.now(timezone.utc) - timedelta(minutes=15, seconds=2), extra_claims=scope)
    assert api.get("/activities", token=just_ended, org="acme").status == 401
    still_valid = issue_token(SAM, ttl=timedelta(minutes=1), extra_claims=scope)
    assert api.get("/activities", token=still_valid, org="acme").status == 200


@pytest.mark.parametrize("claims", [
    {"act": {"sub": "support", "requestId": "r"}},                       # the old shape: names no organization
    {"act": {"sub": "support"}, "org": "{org}"},                          # names no member
    {"act": {"sub": "support"}, "org": "{org}", "userId": "{pia}"},      # another member than the token's person
    {"org": "{other}"},                                                   # a session scoped elsewhere
    {"org": 7, "userId": "{sam}"},                                        # not an organization id
])
def test_a_scoped_token_that_does_not_fit_the_request_is_refused(world, api, claims):
    from sandglass import ids
    from sandglass.services.auth import issue_token

    values = {"{org}": world.org_id, "{pia}": world.pia["id"], "{sam}": world.sam["id"], "{other}": ids.new_id()}
    filled = {key: values.get(value, value) if isinstance(value, str) else value for key, value in claims.items()}
    reply = api.get("/activities", token=issue_token(SAM, extra_claims=filled), org="acme")
    assert reply.status in (401, 403), reply.body
    assert api.get("/activities", as_=SAM, org="acme").status == 200


def test_a_token_scoped_to_its_member_works_like_the_member(world, api):
    from sandglass.services.auth import issue_token

    token = issue_token(SAM, extra_claims={"org": world.org_id, "userId": world.sam["id"]})
    assert api.get("/activities", token=token, org="acme").status == 200
    assert api.get("/users", token=token, org="acme").status == 200


def test_archiving_the_member_ends_the_support_bearer(world, outbox, real_time, api):
    from tests.api.requests.conftest import ADMIN

    session = support_bearer(world, outbox)
    assert api.get("/activities", token=session["token"], org="acme").status == 200
    assert api.delete(f"/users/{world.sam['id']}", as_=ADMIN, org="acme").status in (200, 204)
    assert api.get("/activities", token=session["token"], org="acme").status == 403


def test_a_personal_api_key_authenticates_alone_not_beside_a_bearer(world, api):
    """X-Api-Key is a credential (tests/api/test_api_keys.py): an unknown key is 401, and a key sent
    with a bearer token is 401 too (one credential per request), even when both are good."""
    assert api.get("/activities", org="acme", headers={"X-Api-Key": "a" * 48}).status == 401
    key = api.post("/api-keys", as_=SAM, body={"name": "cli"}).json()["key"]
    assert api.get("/activities", org="acme", headers={"X-Api-Key": key}).status == 200
    assert api.get("/activities", as_=SAM, org="acme", headers={"X-Api-Key": key}).status == 401


def test_the_support_bearer_cannot_manage_api_keys(world, outbox, real_time, api):
    session = support_bearer(world, outbox)
    key = api.post("/api-keys", as_=SAM, body={"name": "cli"}).json()
    for method, path in (("GET", "/api-keys"), ("POST", "/api-keys"), ("POST", f"/api-keys/{key['id']}/rotate"), ("DELETE", f"/api-keys/{key['id']}")):
        for org in ("acme", None):
            reply = api.call(method, path, token=session["token"], org=org, body={"name": "by support"} if path == "/api-keys" else None)
            assert reply.status == 403, (method, path, org, reply.body)
    assert [item["id"] for item in api.get("/api-keys", as_=SAM).json()] == [key["id"]]
