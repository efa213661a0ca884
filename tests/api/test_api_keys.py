"""Personal API keys through the API: create, list, rotate, revoke, expiry and last use; a key acts
for its person in each of their organizations and nowhere else, on REST and MCP; only a session
token manages keys; the secret is never stored."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from tests.conftest import TABLE, fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
ADMIN = "admin@acme.test"


@pytest.fixture(autouse=True)
def clock():
    yield from fixed_clock(NOW)


def create(api, name="laptop CLI", as_=ADMIN, **body):
    reply = api.post("/api-keys", as_=as_, body={"name": name, **body})
    assert reply.status == 201, reply.body
    return reply.json()


def with_key(api, method, path, key, org="acme", **kwargs):
    return api.call(method, path, org=org, headers={"X-Api-Key": key, **kwargs.pop("headers", {})}, **kwargs)


def stored_items():
    return boto3.client("dynamodb").scan(TableName=TABLE)["Items"]  # test-only look at everything stored


def test_a_key_is_shown_once_and_listed_without_its_secret(api, acme, clock):
    created = create(api, expiresAt="2026-08-01T00:00:00+02:00")
    key = created["key"]
    assert len(key) == 48 and key.isalnum() and key.isascii()
    assert created["name"] == "laptop CLI" and created["last4"] == key[-4:]
    assert created["createdAt"] == "2026-07-15T12:00:00.000Z" and created["expiresAt"] == "2026-07-31T22:00:00.000Z"
    assert created["lastUsedAt"] is None
    listed = api.get("/api-keys", as_=ADMIN)
    assert listed.status == 200
    assert listed.json() == [{key_: value for key_, value in created.items() if key_ != "key"}]
    assert key not in listed.body
    clock.advance(seconds=1)
    assert create(api, "second")["key"] != key
    assert [item["name"] for item in api.get("/api-keys", as_=ADMIN).json()] == ["laptop CLI", "second"]


def test_the_key_is_never_stored_in_clear(api, acme):
    created = create(api)
    secret = created["key"]
    dumped = json.dumps(stored_items())
    assert secret not in dumped and secret[:12] not in dumped and secret[-12:] not in dumped
    items = [item for item in stored_items() if "APIKEY" in item["SK"]["S"] or item["PK"]["S"].startswith("APIKEY#")]
    assert len(items) == 2  # the lookup item (by keyed hash) and the account's listing item
    lookup = next(item for item in items if item["PK"]["S"].startswith("APIKEY#"))
    digest = lookup["PK"]["S"].removeprefix("APIKEY#")
    import hashlib

    assert len(digest) == 64 and digest != hashlib.sha256(secret.encode()).hexdigest()  # keyed, not a bare hash
    assert lookup["email"]["S"] == ADMIN and lookup["keyId"]["S"] == created["id"]


def test_a_key_authenticates_rest_with_any_header_case(api, acme):
    key = create(api)["key"]
    for header in ("X-Api-Key", "x-api-key", "X-API-KEY"):
        reply = api.get("/organization", org="acme", headers={header: key})
        assert reply.status == 200, reply.body
        assert reply.json()["id"] == acme["id"]
    me = with_key(api, "GET", "/auth", key).json()
    assert me["email"] == ADMIN and me["role"] == "Administrator" and me["token"] == ""
    assert [org["domain"] for org in with_key(api, "GET", "/organizations", key, org=None).json()] == ["acme"]
    made = with_key(api, "POST", "/projects", key, body={"name": "Keyed project"})
    assert made.status == 200, made.body


def test_a_key_works_in_every_organization_of_its_person_and_no_other(api, acme, seed):
    api.signup("globex", "boss@globex.test")
    api.signup("initech", "lumbergh@initech.test")
    member = seed.member("globex", ADMIN, role="User")
    key = create(api)["key"]
    assert with_key(api, "GET", "/activities", key, org="acme").status == 200
    assert with_key(api, "GET", "/auth", key, org="globex").json()["role"] == "User"
    assert with_key(api, "GET", "/activities", key, org="globex").status == 200
    refused = with_key(api, "GET", "/activities", key, org="initech")
    assert refused.status == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
    # by host too
    assert api.call("GET", "/activities", headers={"X-Api-Key": key, "Host": "initech.localhost:3000"}).status == 403
    # archiving the membership ends the key there, not elsewhere
    assert api.delete(f"/users/{member['id']}", as_="boss@globex.test", org="globex").status in (200, 204)
    assert with_key(api, "GET", "/activities", key, org="globex").status == 403
    assert with_key(api, "GET", "/activities", key, org="acme").status == 200


@pytest.mark.parametrize("key", ["", "a" * 48, "a" * 47, "!" * 48, "a" * 49, "é" * 48])
def test_an_unknown_or_malformed_key_is_401(api, acme, key):
    reply = with_key(api, "GET", "/activities", key)
    assert reply.status == 401 and reply.json()["error"]["code"] == "UNAUTHORIZED"


def test_a_key_and_a_bearer_together_are_401(api, acme):
    key = create(api)["key"]
    reply = api.get("/activities", as_=ADMIN, org="acme", headers={"X-Api-Key": key})
    assert reply.status == 401


def test_revoked_key_is_401_and_gone_from_the_list(api, acme):
    created, kept = create(api), create(api, "kept")
    assert with_key(api, "GET", "/activities", created["key"]).status == 200
    reply = api.delete(f"/api-keys/{created['id']}", as_=ADMIN)
    assert reply.status == 200, reply.body
    assert with_key(api, "GET", "/activities", created["key"]).status == 401
    assert with_key(api, "GET", "/activities", kept["key"]).status == 200
    assert [item["id"] for item in api.get("/api-keys", as_=ADMIN).json()] == [kept["id"]]
    assert api.delete(f"/api-keys/{created['id']}", as_=ADMIN).status == 404
    assert not [item for item in stored_items() if created["id"] in json.dumps(item)]


def test_rotation_keeps_the_id_and_ends_the_old_secret(api, acme, clock):
    created = create(api)
    clock.advance(minutes=5)
    rotated = api.post(f"/api-keys/{created['id']}/rotate", as_=ADMIN)
    assert rotated.status == 200, rotated.body
    fresh = rotated.json()
    assert fresh["id"] == created["id"] and fresh["name"] == created["name"] and fresh["key"] != created["key"]
    assert fresh["last4"] == fresh["key"][-4:] and fresh["rotatedAt"] == "2026-07-15T12:05:00.000Z"
    assert with_key(api, "GET", "/activities", created["key"]).status == 401
    assert with_key(api, "GET", "/activities", fresh["key"]).status == 200
    assert [item["last4"] for item in api.get("/api-keys", as_=ADMIN).json()] == [fresh["last4"]]
    assert len([item for item in stored_items() if item["PK"]["S"].startswith("APIKEY#")]) == 1


def test_an_expired_key_is_401(api, acme, clock):
    created = create(api, expiresAt="2026-07-15T13:00:00Z")
    assert with_key(api, "GET", "/activities", created["key"]).status == 200
    clock.advance(minutes=59, seconds=59)
    assert with_key(api, "GET", "/activities", created["key"]).status == 200
    clock.advance(seconds=1)
    assert with_key(api, "GET", "/activities", created["key"]).status == 401
    assert api.post(f"/api-keys/{created['id']}/rotate", as_=ADMIN).status == 409
    assert api.get("/api-keys", as_=ADMIN).json()[0]["expiresAt"] == "2026-07-15T13:00:00.000Z"  # still listed, to revoke


@pytest.mark.parametrize("body, field", [({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 101}, "name"),
                                         ({"name": "ok", "expiresAt": "2026-07-15T11:59:59Z"}, "expiresAt"),
                                         ({"name": "ok", "expiresAt": "tomorrow"}, "expiresAt"), ({"name": "ok", "scope": "all"}, "scope")])
def test_bad_create_bodies_are_422(api, acme, body, field):
    reply = api.post("/api-keys", as_=ADMIN, body=body)
    assert reply.status == 422, reply.body
    assert field in json.dumps(reply.json()["error"]["details"])
    assert api.get("/api-keys", as_=ADMIN).json() == []


def test_last_use_is_recorded_at_most_once_an_hour(api, acme, clock):
    from sandglass_local.callcounter import counting

    created = create(api)
    with counting() as counter:
        with_key(api, "GET", "/organization", created["key"])
    assert counter.writes == 1
    assert api.get("/api-keys", as_=ADMIN).json()[0]["lastUsedAt"] == "2026-07-15T12:00:00.000Z"
    clock.advance(minutes=59)
    with counting() as counter:
        with_key(api, "GET", "/organization", created["key"])
    assert counter.writes == 0
    assert api.get("/api-keys", as_=ADMIN).json()[0]["lastUsedAt"] == "2026-07-15T12:00:00.000Z"
    clock.advance(minutes=2)
    with_key(api, "GET", "/organization", created["key"])
    assert api.get("/api-keys", as_=ADMIN).json()[0]["lastUsedAt"] == "2026-07-15T13:01:00.000Z"


def test_only_a_session_token_manages_keys(api, acme):
    created = create(api)
    key = created["key"]
    for method, path, body in (("GET", "/api-keys", None), ("POST", "/api-keys", {"name": "minted by a key"}),
                               ("POST", f"/api-keys/{created['id']}/rotate", None), ("DELETE", f"/api-keys/{created['id']}", None)):
        reply = with_key(api, method, path, key, org=None, body=body)
        assert reply.status == 403, (method, path, reply.body)
        assert reply.json()["error"]["code"] == "SESSION_REQUIRED"
    assert [item["id"] for item in api.get("/api-keys", as_=ADMIN).json()] == [created["id"]]
    assert with_key(api, "GET", "/activities", key).status == 200


def test_keys_belong_to_their_person(api, acme, seed):
    seed.member("acme", "sam@acme.test")
    mine = create(api)
    assert api.get("/api-keys", as_="sam@acme.test").json() == []
    assert api.post(f"/api-keys/{mine['id']}/rotate", as_="sam@acme.test").status == 404
    assert api.delete(f"/api-keys/{mine['id']}", as_="sam@acme.test").status == 404
    assert api.delete("/api-keys/not-an-id", as_="sam@acme.test").status == 404
    assert with_key(api, "GET", "/activities", mine["key"]).status == 200
    assert with_key(api, "GET", "/auth", mine["key"]).json()["email"] == ADMIN


def test_a_key_works_on_mcp(api, acme, seed):
    api.signup("globex", "boss@globex.test")
    seed.member("globex", ADMIN, role="User")
    key = create(api)["key"]

    def whoami(arguments=None, org="acme"):
        headers = {"X-Api-Key": key, "Accept": "application/json, text/event-stream", "X-Sandtime-Organization": org}
        reply = api.call("POST", "/mcp", headers=headers,
                         body={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "whoami", "arguments": arguments or {}}})
        assert reply.status == 200, reply.body
        return reply.json()["result"]

    me = whoami()
    assert me["isError"] is False and me["structuredContent"]["current"]["domain"] == "acme"
    there = whoami({"organization": "globex"})
    assert there["isError"] is False and there["structuredContent"]["current"]["role"] == "User"
    reply = api.call("POST", "/mcp", headers={"X-Api-Key": "b" * 48, "Accept": "application/json, text/event-stream", "X-Sandtime-Organization": "acme"},
                     body={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert reply.status == 401


def test_a_scoped_token_cannot_manage_keys(api, acme):
    from sandglass.services.auth import issue_token

    created = create(api)
    org_id = api.get("/organization", as_=ADMIN, org="acme").json()["id"]
    scoped = issue_token(ADMIN, extra_claims={"org": org_id})
    for method, path in (("GET", "/api-keys"), ("POST", "/api-keys"), ("DELETE", f"/api-keys/{created['id']}")):
        assert api.call(method, path, token=scoped, org="acme", body={"name": "x"} if method == "POST" else None).status == 403
    assert len(api.get("/api-keys", as_=ADMIN).json()) == 1
