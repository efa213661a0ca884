"""Workspace routes: /auth, /organizations, /organization, /organization/rename."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from sandglass_local.callcounter import counting

ADMIN = "admin@acme.test"


# --- authentication ---------------------------------------------------------------------------

def test_no_token_is_401(api, acme):
    reply = api.get("/organization", org="acme")
    assert reply.status == 401
    assert reply.json()["error"]["code"] == "UNAUTHORIZED"


def test_expired_token_is_401(api, acme):
    token = api.token(ADMIN, now=datetime.now(timezone.utc) - timedelta(hours=2), ttl=timedelta(minutes=5))
    assert api.get("/organization", org="acme", token=token).status == 401


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "Bearer", ""])
def test_malformed_token_is_401(api, acme, token):
    assert api.get("/organization", org="acme", token=token or None, headers={} if token else {"Authorization": "Basic abc"}).status == 401


def test_wrong_signature_is_401(api, acme):
    from sandglass.services.auth import issue_token

    forged = issue_token(ADMIN, secret="another-secret-of-sufficient-length-xx")
    assert api.get("/organization", org="acme", token=forged).status == 401


def test_alg_none_is_401(api, acme):
    import jwt

    unsigned = jwt.encode({"email": ADMIN, "exp": 4102444800}, key=None, algorithm="none")
    assert api.get("/organization", org="acme", token=unsigned).status == 401


def test_token_without_email_is_401(api, acme):
    import jwt

    from tests.conftest import SECRET

    token = jwt.encode({"sub": "x", "exp": 4102444800}, SECRET, algorithm="HS256")
    assert api.get("/organization", org="acme", token=token).status == 401


def test_rs256_via_jwks(api, acme, monkeypatch):
    """Cognito-style RS256 tokens are verified against the configured JWKS."""
    import json

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    from sandglass.services import auth
    from sandglass.settings import reset_settings

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")

    class FakeJwks:
        def get_signing_key_from_jwt(self, token):
            assert jwt.get_unverified_header(token)["kid"] == "k1"
            return jwt.PyJWK(jwk)

    monkeypatch.setenv("JWKS_URL", "https://cognito-idp.example/pool/.well-known/jwks.json")
    reset_settings()
    monkeypatch.setattr(auth, "_jwks_client", lambda url: FakeJwks())
    token = jwt.encode({"email": ADMIN, "exp": 4102444800}, key, algorithm="RS256", headers={"kid": "k1"})
    assert api.get("/organization", org="acme", token=token).status == 200
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad = jwt.encode({"email": ADMIN, "exp": 4102444800}, other, algorithm="RS256", headers={"kid": "k1"})
    assert api.get("/organization", org="acme", token=bad).status == 401


def test_member_of_another_org_is_403(api, acme):
    api.signup("globex", "boss@globex.test")
    reply = api.get("/organization", as_="boss@globex.test", org="acme")
    assert reply.status == 403
    assert reply.json()["error"]["code"] == "FORBIDDEN"


def test_unknown_organization_is_404(api, acme):
    reply = api.get("/organization", as_=ADMIN, org="nowhere")
    assert reply.status == 404


def test_organization_from_host_label(api, acme):
    reply = api.get("/organization", as_=ADMIN, headers={"Host": "acme.sandglass.example"})
    assert reply.status == 200
    assert reply.json()["name"] == "Acme Studio"


# --- GET /auth, GET /organizations ----------------------------------------------------------------

def test_auth_snapshot(api, acme):
    token = api.token(ADMIN)
    reply = api.get("/auth", org="acme", token=token)
    assert reply.status == 200
    assert reply.json() == {"domain": "acme", "email": ADMIN, "token": token, "userId": reply.json()["userId"], "role": "Administrator"}
    assert reply.json()["userId"]


def test_auth_snapshot_without_org(api):
    reply = api.get("/auth", as_="nobody@example.test")
    assert reply.status == 200
    assert reply.json()["domain"] is None


def test_organizations_lists_active_memberships(api, acme):
    api.signup("northwind", ADMIN, "Northwind Consulting")
    api.signup("globex", "boss@globex.test")
    reply = api.get("/organizations", as_=ADMIN)
    assert reply.status == 200
    assert sorted(reply.json(), key=lambda o: o["domain"]) == [
        {"active": True, "domain": "acme", "name": "Acme Studio"},
        {"active": True, "domain": "northwind", "name": "Northwind Consulting"},
    ]


def test_organizations_leaves_out_where_the_member_is_archived(api, acme, seed):
    sam = seed.member("acme", "sam@acme.test")
    api.signup("northwind", "sam@acme.test", "Northwind Consulting")
    assert sorted(o["domain"] for o in api.get("/organizations", as_="sam@acme.test").json()) == ["acme", "northwind"]
    assert api.put(f"/users/{sam['id']}", as_=ADMIN, org="acme", body={"archived": True}).status == 200
    assert api.get("/organization", as_="sam@acme.test", org="acme").status == 403
    assert [o["domain"] for o in api.get("/organizations", as_="sam@acme.test").json()] == ["northwind"]
    assert api.put(f"/users/{sam['id']}", as_=ADMIN, org="acme", body={"archived": False}).status == 200
    assert sorted(o["domain"] for o in api.get("/organizations", as_="sam@acme.test").json()) == ["acme", "northwind"]


def test_organizations_works_on_any_host_for_non_member(api, acme):
    reply = api.get("/organizations", as_="stranger@example.test", org="acme")
    assert reply.status == 200
    assert reply.json() == []


def test_organizations_is_case_insensitive_on_email(api, acme):
    assert [o["domain"] for o in api.get("/organizations", as_="ADMIN@Acme.Test").json()] == ["acme"]


# --- POST /organizations (sign-up) ------------------------------------------------------------

def test_signup_creates_org_and_admin(api, table):
    reply = api.post("/organizations", as_="founder@new.test", body={"name": "New Co", "domain": "newco", "timeZone": "Europe/Warsaw", "currency": "EUR"})
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["name"] == "New Co" and body["timeZone"] == "Europe/Warsaw" and body["currency"] == "EUR"
    assert body["rounding"] == {"enabled": False, "interval": 900000, "mode": "NEAREST"}
    assert body["lockingTimesheets"] == {"enabled": False, "timeZone": None, "week": None, "year": None}
    assert body["plan"] == "free"
    marker = table.get_item(TableName="sandglass-test", Key={"PK": "DOMAIN#newco", "SK": "DOMAIN"})["Item"]
    assert marker["orgId"] == body["id"]
    # the founder is an Administrator of the new organization
    assert api.put("/organization", as_="founder@new.test", org="newco", body={"notes": "hi"}).status == 200


def test_signup_domain_taken_is_409(api, acme):
    reply = api.post("/organizations", as_="x@y.test", body={"name": "Other", "domain": "acme"})
    assert reply.status == 409
    assert reply.json()["error"]["code"] == "DOMAIN_TAKEN"


@pytest.mark.parametrize("body, field", [
    ({"name": "X", "domain": "A"}, "domain"),
    ({"name": "X", "domain": "ab"}, "domain"),
    ({"name": "X", "domain": "-abc"}, "domain"),
    ({"name": "X", "domain": "www"}, "domain"),
    ({"name": "X", "domain": "has space"}, "domain"),
    ({"name": "", "domain": "okay"}, "name"),
    ({"domain": "okay"}, "name"),
    ({"name": "X", "domain": "okay", "timeZone": "Mars/Olympus"}, "timeZone"),
    ({"name": "X", "domain": "okay", "currency": "XYZ"}, "currency"),
    ({"name": "X", "domain": "okay", "unknown": 1}, "unknown"),
])
def test_signup_validation(api, table, body, field):
    reply = api.post("/organizations", as_="x@y.test", body=body)
    assert reply.status == 422, reply.body
    assert any(d["field"] == field for d in reply.json()["error"]["details"])
    assert "Item" not in table.get_item(TableName="sandglass-test", Key={"PK": "DOMAIN#okay", "SK": "DOMAIN"})


def test_signup_malformed_json_is_400(api):
    reply = api.post("/organizations", as_="x@y.test", body="{not json", headers={"Content-Type": "application/json"})
    assert reply.status == 400
    assert reply.json()["error"]["code"] == "MALFORMED_JSON"


def test_signup_requires_token(api):
    assert api.post("/organizations", body={"name": "X", "domain": "okay"}).status == 401


# --- GET /organization ----------------------------------------------------------------------------

def test_get_organization_shape(api, acme):
    body = api.get("/organization", as_=ADMIN, org="acme").json()
    assert set(body) >= {"coreHours", "currency", "holidays", "id", "lockingTimesheets", "name", "notes", "onboarding", "plan", "rounding", "timeZone"}
    assert body["coreHours"] == {"start": "09:00", "end": "17:00"}
    assert body["holidays"] == {"country": None, "excluded": []}
    assert set(body["onboarding"]) == {"assignMembers", "inviteMembers", "organization", "preferences", "projects"}


def test_plain_user_can_read_organization(api, acme, seed):
    seed.member("acme", "sam@acme.test")
    assert api.get("/organization", as_="sam@acme.test", org="acme").status == 200


def test_archived_member_is_refused(api, acme, seed):
    seed.member("acme", "gone@acme.test", archived=None)
    from sandglass import ids, keys
    from sandglass.storage.table import Table

    org_id = seed.org_id("acme")
    Table().update(keys.user(org_id, ids.member_id(org_id, "gone@acme.test")), "SET archived = :t", values={":t": True})
    assert api.get("/organization", as_="gone@acme.test", org="acme").status == 403


# --- PUT /organization ----------------------------------------------------------------------------

def test_put_organization_merges_and_validates(api, acme):
    reply = api.put("/organization", as_=ADMIN, org="acme", body={
        "coreHours": {"end": "16:00", "start": "08:00"},
        "currency": "EUR",
        "notes": "Updated delivery schedule for the summer quarter.",
        "rounding": {"enabled": True, "interval": 900000, "mode": "NEAREST"},
        "timeZone": "Europe/Warsaw",
        "holidays": {"country": "PL"},
    })
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["coreHours"] == {"start": "08:00", "end": "16:00"}
    assert body["currency"] == "EUR" and body["timeZone"] == "Europe/Warsaw"
    assert body["rounding"]["enabled"] is True
    assert body["holidays"] == {"country": "PL", "excluded": []}
    # partial nested update keeps the sibling values
    body = api.put("/organization", as_=ADMIN, org="acme", body={"coreHours": {"end": "18:00"}}).json()
    assert body["coreHours"] == {"start": "08:00", "end": "18:00"}
    assert api.get("/organization", as_=ADMIN, org="acme").json() == body


@pytest.mark.parametrize("body, field", [
    ({"timeZone": "Europe/Nowhere"}, "timeZone"),
    ({"timeZone": "localtime"}, "timeZone"),
    ({"currency": "usd"}, "currency"),
    ({"currency": "ABC"}, "currency"),
    ({"coreHours": {"start": "9:00"}}, "coreHours.start"),
    ({"coreHours": {"start": "24:00"}}, "coreHours.start"),
    ({"coreHours": {"start": "18:00", "end": "09:00"}}, "coreHours"),
    ({"coreHours": {"start": "17:00"}}, "coreHours"),
    ({"rounding": {"interval": 0}}, "rounding.interval"),
    ({"rounding": {"interval": -5}}, "rounding.interval"),
    ({"rounding": {"mode": "SIDEWAYS"}}, "rounding.mode"),
    ({"holidays": {"country": "XX"}}, "holidays.country"),
    ({"holidays": {"excluded": ["not-a-date"]}}, "holidays.excluded.0"),
    ({"lockingTimesheets": {"week": 54}}, "lockingTimesheets.week"),
    ({"lockingTimesheets": {"timeZone": "Nope/Nope"}}, "lockingTimesheets.timeZone"),
    ({"name": ""}, "name"),
    ({"currency": None}, "currency"),
    ({"color": "blue"}, "color"),
])
def test_put_organization_validation(api, acme, body, field):
    before = api.get("/organization", as_=ADMIN, org="acme").json()
    reply = api.put("/organization", as_=ADMIN, org="acme", body=body)
    assert reply.status == 422, reply.body
    fields = [d["field"] for d in reply.json()["error"]["details"]]
    assert any(f == field or f.startswith(field) for f in fields), fields
    assert api.get("/organization", as_=ADMIN, org="acme").json() == before


def test_put_organization_wrong_types_are_422(api, acme):
    assert api.put("/organization", as_=ADMIN, org="acme", body={"rounding": "fast"}).status == 422
    assert api.put("/organization", as_=ADMIN, org="acme", body=["a"]).status == 422


def test_put_organization_requires_admin(api, acme, seed):
    seed.member("acme", "sam@acme.test")
    reply = api.put("/organization", as_="sam@acme.test", org="acme", body={"notes": "mine now"})
    assert reply.status == 403
    assert api.get("/organization", as_=ADMIN, org="acme").json()["notes"] == ""


def test_put_organization_stale_if_match_is_412(api, acme):
    assert api.put("/organization", as_=ADMIN, org="acme", body={"notes": "v2"}, headers={"If-Match": '"1"'}).status == 200
    reply = api.put("/organization", as_=ADMIN, org="acme", body={"notes": "v3"}, headers={"If-Match": '"1"'})
    assert reply.status == 412
    assert api.put("/organization", as_=ADMIN, org="acme", body={"notes": "x"}, headers={"If-Match": "banana"}).status == 400


def test_put_organization_other_org_admin_is_403(api, acme):
    api.signup("globex", "boss@globex.test")
    assert api.put("/organization", as_="boss@globex.test", org="acme", body={"notes": "pwned"}).status == 403


# --- POST /organization/rename -------------------------------------------------------------------

def test_rename_moves_domain(api, acme, table):
    reply = api.post("/organization/rename", as_=ADMIN, org="acme", body={"domain": "acme-europe"})
    assert reply.status == 200
    assert reply.json() == {"domain": "acme-europe"}
    assert api.get("/organization", as_=ADMIN, org="acme-europe").status == 200
    assert api.get("/organization", as_=ADMIN, org="acme").status == 404
    assert [o["domain"] for o in api.get("/organizations", as_=ADMIN).json()] == ["acme-europe"]
    # the old domain is free again
    api.signup("acme", "someone@else.test")


def test_rename_to_taken_domain_is_409(api, acme):
    api.signup("globex", "boss@globex.test")
    reply = api.post("/organization/rename", as_=ADMIN, org="acme", body={"domain": "globex"})
    assert reply.status == 409
    assert api.get("/organization", as_=ADMIN, org="acme").status == 200


def test_rename_validation_and_rights(api, acme, seed):
    assert api.post("/organization/rename", as_=ADMIN, org="acme", body={"domain": "Bad_Domain"}).status == 422
    assert api.post("/organization/rename", as_=ADMIN, org="acme", body={}).status == 422
    assert api.post("/organization/rename", as_=ADMIN, org="acme", body={"domain": "acme"}).status == 409
    seed.member("acme", "sam@acme.test")
    assert api.post("/organization/rename", as_="sam@acme.test", org="acme", body={"domain": "sams"}).status == 403


def test_concurrent_renames_to_same_domain_exactly_one_wins(api, acme):
    api.signup("globex", "boss@globex.test")
    results = []
    barrier = threading.Barrier(2)

    def rename(email, org):
        barrier.wait()
        reply = api.post("/organization/rename", as_=email, org=org, body={"domain": "contested"})
        results.append(reply.status)

    threads = [threading.Thread(target=rename, args=args) for args in [(ADMIN, "acme"), ("boss@globex.test", "globex")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]


# --- DELETE /organization -------------------------------------------------------------------------

def test_delete_requires_admin(api, acme, seed):
    seed.member("acme", "sam@acme.test")
    assert api.delete("/organization", as_="sam@acme.test", org="acme").status == 403
    assert api.get("/organization", as_=ADMIN, org="acme").status == 200


def test_delete_tombstones_then_purges(api, acme, seed, gateway, table):
    seed.member("acme", "sam@acme.test")
    org_id = seed.org_id("acme")
    reply = api.delete("/organization", as_=ADMIN, org="acme")
    assert reply.status == 200
    assert reply.json()["domain"] == "acme"
    # at once: nothing readable, domain free, not listed
    assert api.get("/organization", as_=ADMIN, org="acme").status == 404
    assert api.delete("/organization", as_=ADMIN, org="acme").status == 404
    assert api.get("/organizations", as_=ADMIN).json() == []
    api.signup("acme", "new-owner@acme2.test")
    assert api.get("/organization", as_=ADMIN, org="acme").status == 403
    # asynchronously, in pages: every item of the old organization goes
    before = table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"ORG#{org_id}"})
    assert len(before["Items"]) >= 3  # organization tombstone + two members
    assert gateway.run_jobs() >= 1
    left = table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"ORG#{org_id}"})
    assert left["Items"] == []
    memberships = table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": "ACCOUNT#sam@acme.test"})
    assert memberships["Items"] == []
    assert table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": "JOBS"})["Items"] == []


def test_purge_works_in_pages(api, acme, seed, gateway, table):
    from sandglass import keys

    org_id = seed.org_id("acme")
    items = [{"PK": keys.org_pk(org_id), "SK": f"NOTE#{i:04d}"} for i in range(450)]
    client = table
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={"sandglass-test": [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]})
    # a month marker earlier versions wrote: part of the item collection, purged with it
    client.put_item(TableName="sandglass-test", Item={"PK": keys.org_pk(org_id), "SK": "MONTH#2026-07"})
    api.delete("/organization", as_=ADMIN, org="acme")
    from sandglass.services.purge import PurgeService

    # a small budget forces several passes, as separate Lambda invocations would
    service = PurgeService()
    job_key = keys.job(keys.PURGE_ORGANIZATION, org_id)
    passes = 1
    while not service.run(job_key, page_budget=2):
        passes += 1
    assert passes >= 3
    assert table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"ORG#{org_id}"})["Items"] == []


# --- DynamoDB call budgets ------------------------------------------------------------------------

def _budget(api, method, path, **kwargs):
    with counting() as counter:
        reply = api.call(method, path, **kwargs)
    assert reply.status == 200, reply.body
    assert counter.scans == 0
    return counter


def test_call_budgets(api, acme):
    # every request pays the authorizer's two GetItems (domain, membership); budgets below are the handler's own
    auth = 2
    c = _budget(api, "GET", "/organization", as_=ADMIN, org="acme")
    assert c.reads - auth <= 2 and c.writes == 0
    c = _budget(api, "GET", "/organizations", as_=ADMIN)
    assert c.reads <= 2 and c.writes == 0
    c = _budget(api, "GET", "/auth", as_=ADMIN, org="acme")
    assert c.reads - auth <= 2 and c.writes == 0
    c = _budget(api, "PUT", "/organization", as_=ADMIN, org="acme", body={"notes": "x"})
    assert c.reads - auth <= 2 and c.writes == 1
    c = _budget(api, "POST", "/organizations", as_="new@x.test", body={"name": "N", "domain": "newdomain"})
    assert c.reads <= 2 and c.calls["TransactWriteItems"] == 1 and c.writes == 1
    c = _budget(api, "POST", "/organization/rename", as_=ADMIN, org="acme", body={"domain": "acme2"})
    assert c.reads - auth <= 2 and c.calls["TransactWriteItems"] == 1 and c.writes == 1
    c = _budget(api, "DELETE", "/organization", as_=ADMIN, org="acme2")
    assert c.reads - auth <= 2 and c.calls["TransactWriteItems"] == 1 and c.writes == 1


def test_json_body_without_content_type_is_read_as_json(api, acme):
    reply = api.put("/organization", as_=ADMIN, org="acme", body='{"notes": "curl default content type"}', headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 200, reply.body
    assert reply.json()["notes"] == "curl default content type"


ORG_ROUTES = [
    ("GET", "/auth", None),
    ("GET", "/organization", None),
    ("PUT", "/organization", {"notes": "x"}),
    ("DELETE", "/organization", None),
    ("POST", "/organization/rename", {"domain": "elsewhere"}),
]
ACCOUNT_ROUTES = [
    ("GET", "/organizations", None),
    ("POST", "/organizations", {"name": "X", "domain": "xdomain"}),
]


@pytest.mark.parametrize("method, path, body", ORG_ROUTES + ACCOUNT_ROUTES)
def test_every_route_refuses_missing_and_expired_tokens(api, acme, method, path, body):
    assert api.call(method, path, org="acme", body=body).status == 401
    expired = api.token(ADMIN, now=datetime.now(timezone.utc) - timedelta(days=1), ttl=timedelta(hours=1))
    reply = api.call(method, path, org="acme", token=expired, body=body)
    assert reply.status == 401
    assert reply.json()["error"]["code"] == "UNAUTHORIZED"
    assert api.get("/organization", as_=ADMIN, org="acme").json()["notes"] == ""


@pytest.mark.parametrize("method, path, body", [r for r in ORG_ROUTES if r[1] != "/auth"])
def test_every_organization_route_reads_an_unknown_or_deleted_organization_as_404(api, acme, method, path, body):
    assert api.call(method, path, as_=ADMIN, org="no-such-org", body=body).status == 404
    api.signup("gone", "owner@gone.test")
    assert api.delete("/organization", as_="owner@gone.test", org="gone").status == 200
    reply = api.call(method, path, as_="owner@gone.test", org="gone", body=body)
    assert reply.status == 404
    assert reply.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("method, path, body", [r for r in ORG_ROUTES if r[1] != "/auth"])
def test_every_organization_route_refuses_another_organizations_member(api, acme, method, path, body):
    api.signup("globex", "boss@globex.test")
    assert api.call(method, path, as_="boss@globex.test", org="acme", body=body).status == 403
    assert api.get("/organization", as_=ADMIN, org="acme").status == 200


def test_cors_headers_follow_settings(api, acme, gateway, monkeypatch):
    from sandglass.settings import reset_settings

    gateway.environment["CORS_ORIGINS"] = "https://app.example.com"
    gateway.apply_environment()
    gateway.reload()  # resolvers read their CORS settings when created
    import sys

    sys.modules.pop("sandglass_function_WorkspaceFunction", None)
    try:
        reply = api.get("/organization", as_=ADMIN, org="acme", headers={"Origin": "https://app.example.com"})
        assert reply.header("Access-Control-Allow-Origin") == "https://app.example.com"
        assert "ETag" in (reply.header("Access-Control-Expose-Headers") or "")
        other = api.get("/organization", as_=ADMIN, org="acme", headers={"Origin": "https://evil.example"})
        assert other.header("Access-Control-Allow-Origin") is None
    finally:
        gateway.environment["CORS_ORIGINS"] = ""
        gateway.apply_environment()
        gateway.reload()
        sys.modules.pop("sandglass_function_WorkspaceFunction", None)
        reset_settings()


def test_organization_booleans_are_strict(api, acme):
    for body in [{"rounding": {"enabled": "yes"}}, {"lockingTimesheets": {"enabled": 1}}, {"onboarding": {"projects": {"done": "true"}}}]:
        reply = api.put("/organization", as_=ADMIN, org="acme", body=body)
        assert reply.status == 422, (body, reply.body)


def test_concurrent_write_without_if_match_is_409_not_412(api, acme, monkeypatch):
    """A client that sent no If-Match never gets 412; a write that loses a race is a 409 to retry."""
    from sandglass.repositories.organizations import OrganizationRepository

    original = OrganizationRepository.update_settings

    def racing(self, org_id, settings, expected_version, stale):
        from sandglass import keys
        from sandglass.storage.table import Table

        Table().update(keys.organization(org_id), "SET version = version + :one", values={":one": 1})  # someone else wrote
        return original(self, org_id, settings, expected_version, stale)

    monkeypatch.setattr(OrganizationRepository, "update_settings", racing)
    reply = api.put("/organization", as_=ADMIN, org="acme", body={"notes": "mine"})
    assert reply.status == 409, reply.body


def test_email_spellings_of_one_address_are_one_member(api, acme):
    composed, decomposed = "ren\u00e9@acme.test", "rene\u0301@acme.test"
    first = api.post("/users", as_=ADMIN, org="acme", body={"email": composed, "name": "René"})
    again = api.post("/users", as_=ADMIN, org="acme", body={"email": decomposed.upper(), "name": "René"})
    assert first.status == again.status == 200, again.body
    assert first.json()["id"] == again.json()["id"]
    assert api.get("/organization", as_=decomposed, org="acme").status == 200


def test_organizations_lists_every_membership_beyond_one_page(api, seed):
    """GET /organizations reads every page of the account's memberships (it used to stop at 100)."""
    for n in range(105):
        api.signup(f"org{n:03d}", f"boss{n}@org{n:03d}.test")
        seed.member(f"org{n:03d}", "consultant@example.test")
    listed = api.get("/organizations", as_="consultant@example.test").json()
    assert len(listed) == 105


def test_a_request_without_an_organization_says_what_to_send(api, acme):
    reply = api.get("/projects", as_="admin@acme.test")
    assert reply.status == 404
    error = reply.json()["error"]
    assert error["code"] == "ORGANIZATION_REQUIRED" and "X-Organization" in error["message"] and ".localhost" in error["message"]
    unknown = api.get("/projects", as_="admin@acme.test", org="nowhere")
    assert unknown.status == 404 and unknown.json()["error"]["message"] == "Organization not found"


def test_an_organization_localhost_host_names_the_organization(api, acme):
    for host in ("acme.localhost:3000", "acme.localhost"):
        reply = api.get("/organization", as_="admin@acme.test", headers={"Host": host})
        assert reply.status == 200, (host, reply.body)
        assert reply.json()["name"] == "Acme Studio"
    assert api.get("/organization", as_="admin@acme.test", headers={"Host": "localhost:3000"}).json()["error"]["code"] == "ORGANIZATION_REQUIRED"
