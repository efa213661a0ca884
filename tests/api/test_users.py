"""Users, preferences and cost rates over HTTP."""

from __future__ import annotations

import uuid

import pytest
from sandglass_local.callcounter import counting

from sandglass import ids, keys

ADMIN = "admin@acme.test"
AUTHORIZER_READS = 2  # the in-process authorizer's GetItems (domain, member) are counted too
RATE = {"currency": "USD", "from": "2026-07-01T00:00:00+02:00", "to": "2026-12-31T23:59:59+01:00", "taxRate": 0, "value": 65}


def handler_reads(calls) -> int:
    return calls.reads - AUTHORIZER_READS


@pytest.fixture
def sam(acme, seed):
    return seed.member("acme", "sam@acme.test", name="Sam Lee", title="Product Designer")


def admin_id(seed):
    return ids.member_id(seed.org_id("acme"), ADMIN)


def admin_count(table, seed):
    return int(table.get_item(TableName="sandglass-test", Key=keys.organization(seed.org_id("acme")))["Item"]["adminCount"])


# --- directory -----------------------------------------------------------------------------------------

def test_list_and_get_users_reference_shape(api, sam, seed):
    with counting() as calls:
        reply = api.get("/users", as_="sam@acme.test", org="acme")
    assert reply.status == 200 and calls.calls["Query"] == 1 and calls.scans == 0
    users = reply.json()
    assert set(users) == {sam["id"], admin_id(seed)}
    assert set(users[sam["id"]]) == {"archived", "avatar", "email", "id", "name", "phone", "role", "title"}
    with counting() as calls:
        one = api.get(f"/users/{admin_id(seed)}", as_="sam@acme.test", org="acme")
    assert one.status == 200 and one.json()["role"] == "Administrator"
    assert handler_reads(calls) <= 2
    assert api.get(f"/users/{uuid.uuid4()}", as_=ADMIN, org="acme").status == 404
    assert api.get("/users/garbage", as_=ADMIN, org="acme").status == 404


def test_users_list_pages(api, acme, seed):
    for n in range(4):
        seed.member("acme", f"u{n}@acme.test")
    first = api.get("/users", as_=ADMIN, org="acme", query={"limit": "3"})
    assert len(first.json()) == 3 and first.header("X-Next-Cursor")
    second = api.get("/users", as_=ADMIN, org="acme", query={"limit": "3", "cursor": first.header("X-Next-Cursor")})
    assert len(second.json()) == 2 and not set(first.json()) & set(second.json())


def test_another_organizations_user_is_404(api, sam):
    api.signup("globex", "boss@globex.test")
    for method in ("GET", "PUT", "DELETE"):
        reply = api.call(method, f"/users/{sam['id']}", as_="boss@globex.test", org="globex", body={} if method == "PUT" else None)
        assert reply.status == 404, (method, reply.body)
    assert api.get(f"/users/{sam['id']}/rates/cost", as_="boss@globex.test", org="globex").status == 404
    assert api.post(f"/users/{sam['id']}/rates/cost", as_="boss@globex.test", org="globex", body=RATE).status == 404
    assert sam["id"] not in api.get("/users", as_="boss@globex.test", org="globex").json()


# --- invitations ---------------------------------------------------------------------------------------

def test_invite_creates_member_who_can_sign_in_and_sees_the_organization(api, acme, seed):
    body = {"email": "Sam.Lee@Example.com", "name": "Sam Lee", "role": "User", "title": "Product Designer"}
    with counting() as calls:
        reply = api.post("/users", as_=ADMIN, org="acme", body=body)
    assert reply.status == 200, reply.body
    # the organization's first invitation also records its onboarding step (one UpdateItem), and the
    # container's first new member claims a block of integer ids (one UpdateItem per 10 invites: docs/ids.md)
    assert calls.calls["TransactWriteItems"] == 1 and calls.writes <= 3 and handler_reads(calls) <= 2
    user = reply.json()
    assert user == {"archived": False, "avatar": None, "email": "sam.lee@example.com", "id": ids.member_id(seed.org_id("acme"), "sam.lee@example.com"),
                    "name": "Sam Lee", "phone": None, "role": "User", "title": "Product Designer"}
    orgs = api.get("/organizations", as_="sam.lee@example.com")
    assert orgs.status == 200 and [o["domain"] for o in orgs.json()] == ["acme"]
    assert api.get("/organization", as_="sam.lee@example.com", org="acme").status == 200
    assert api.get("/users", as_="sam.lee@example.com", org="acme").status == 200


def test_reinvite_is_not_a_duplicate(api, acme):
    first = api.post("/users", as_=ADMIN, org="acme", body={"email": "kim@acme.test", "name": "Kim"}).json()
    again = api.post("/users", as_=ADMIN, org="acme", body={"email": "KIM@acme.test ", "name": "Someone else", "role": "Administrator"})
    assert again.status == 200 and again.json() == first
    users = api.get("/users", as_=ADMIN, org="acme").json()
    assert [u["email"] for u in users.values()].count("kim@acme.test") == 1


def test_invite_rights_and_validation(api, sam):
    assert api.post("/users", as_="sam@acme.test", org="acme", body={"email": "x@acme.test"}).status == 403
    for body in ({}, {"email": "not-an-email"}, {"email": "x@acme.test", "role": "Owner"}, {"email": "x@acme.test", "name": "n" * 201},
                 {"email": "x@acme.test", "password": "x"}, {"email": 42}):
        assert api.post("/users", as_=ADMIN, org="acme", body=body).status == 422, body


@pytest.mark.parametrize("email", ["a\u0000@acme.test", "a@acme\u0007.test", "a\u007f@acme.test", "a@acme.test\u0000"])
def test_invite_refuses_control_characters_in_the_email(api, sam, email):
    reply = api.post("/users", as_=ADMIN, org="acme", body={"email": email})
    assert reply.status == 422, reply.body
    assert len(api.get("/users", as_=ADMIN, org="acme").json()) == 2  # admin and sam, nothing stored


# --- updates ------------------------------------------------------------------------------------------

def test_user_edits_own_profile_only(api, sam, seed):
    reply = api.put(f"/users/{sam['id']}", as_="sam@acme.test", org="acme", body={"phone": "+1 415 555 0188", "title": "Lead"})
    assert reply.status == 200 and reply.json()["phone"] == "+1 415 555 0188" and reply.json()["title"] == "Lead"
    assert api.put(f"/users/{admin_id(seed)}", as_="sam@acme.test", org="acme", body={"title": "Intern"}).status == 403
    assert api.put(f"/users/{sam['id']}", as_="sam@acme.test", org="acme", body={"role": "Administrator"}).status == 403
    assert api.put(f"/users/{sam['id']}", as_="sam@acme.test", org="acme", body={"archived": True}).status == 403
    assert api.put(f"/users/{sam['id']}", as_="sam@acme.test", org="acme", body={"email": "other@acme.test"}).status == 422
    assert api.put(f"/users/{sam['id']}", as_="sam@acme.test", org="acme", body={"email": "sam@acme.test", "name": "Sam"}).status == 200
    assert api.put(f"/users/{sam['id']}", as_="sam@acme.test", org="acme", body={"name": None}).status == 422
    assert api.put(f"/users/{sam['id']}", as_="sam@acme.test", org="acme", body={"phone": "1" * 51}).status == 422


def test_administrator_changes_role_and_archived(api, sam, seed, table):
    with counting() as calls:
        reply = api.put(f"/users/{sam['id']}", as_=ADMIN, org="acme", body={"role": "Administrator", "title": "Head of Operations"})
    assert reply.status == 200 and reply.json()["role"] == "Administrator"
    assert handler_reads(calls) <= 2 and calls.calls["TransactWriteItems"] == 1
    assert admin_count(table, seed) == 2
    assert api.post("/users", as_="sam@acme.test", org="acme", body={"email": "new@acme.test"}).status == 200
    assert api.put(f"/users/{sam['id']}", as_=ADMIN, org="acme", body={"archived": True}).status == 200
    assert admin_count(table, seed) == 1
    # an archived member can no longer sign in
    assert api.get("/users", as_="sam@acme.test", org="acme").status == 403
    assert api.put(f"/users/{sam['id']}", as_=ADMIN, org="acme", body={"archived": False}).status == 200
    assert admin_count(table, seed) == 2
    assert api.put(f"/users/{sam['id']}", as_=ADMIN, org="acme", body={"archived": "no"}).status == 422


def test_last_active_administrator_cannot_be_demoted_archived_or_deleted(api, sam, seed, table):
    me = admin_id(seed)
    for body in ({"role": "User"}, {"archived": True}):
        reply = api.put(f"/users/{me}", as_=ADMIN, org="acme", body=body)
        assert reply.status == 409 and reply.json()["error"]["code"] == "LAST_ADMINISTRATOR", body
    assert api.delete(f"/users/{me}", as_=ADMIN, org="acme").status == 409
    assert api.get(f"/users/{me}", as_=ADMIN, org="acme").json()["role"] == "Administrator"
    # with a second Administrator the first may step down, and then the second is the last one
    assert api.put(f"/users/{sam['id']}", as_=ADMIN, org="acme", body={"role": "Administrator"}).status == 200
    assert api.put(f"/users/{me}", as_=ADMIN, org="acme", body={"role": "User"}).status == 200
    assert api.put(f"/users/{sam['id']}", as_="sam@acme.test", org="acme", body={"role": "User"}).status == 409
    assert admin_count(table, seed) == 1


def test_if_match_on_user_update(api, sam):
    assert api.put(f"/users/{sam['id']}", as_=ADMIN, org="acme", body={"title": "a"}, headers={"If-Match": '"7"'}).status == 412
    assert api.put(f"/users/{sam['id']}", as_=ADMIN, org="acme", body={"title": "a"}, headers={"If-Match": '"1"'}).status == 200


@pytest.mark.parametrize("header", ['"\u00b2"', '"\u0661"', '"' + "9" * 40 + '"', '"' + "9" * 5000 + '"', '""'])
def test_malformed_if_match_is_400_never_500(api, sam, header):
    for path, body in ((f"/users/{sam['id']}", {"title": "a"}), ("/organization", {"notes": "a"})):
        reply = api.put(path, as_=ADMIN, org="acme", body=body, headers={"If-Match": header})
        assert reply.status == 400 and reply.json()["error"]["code"] == "INVALID_IF_MATCH", (path, header, reply.body)


# --- deletion -----------------------------------------------------------------------------------------

def test_delete_user_revokes_access_at_once_and_purges_their_data(api, sam, seed, table, gateway):
    org_id = seed.org_id("acme")
    project = seed.project("acme", members={sam["id"]: "User"})
    assert api.put(f"/users/{sam['id']}/preferences", as_="sam@acme.test", org="acme", body={"locale": "pl-PL"}).status == 200
    assert api.post(f"/users/{sam['id']}/rates/cost", as_=ADMIN, org="acme", body=RATE).status == 200
    mid = ids.project_member_id(project["id"], sam["id"])
    assert api.post(f"/projects/{project['id']}/members/{mid}/rates/revenue", as_=ADMIN, org="acme", body=RATE).status == 200
    assert api.delete(f"/users/{sam['id']}", as_="sam@acme.test", org="acme").status == 403
    with counting() as calls:
        reply = api.delete(f"/users/{sam['id']}", as_=ADMIN, org="acme")
    assert reply.status == 200 and reply.json() == {}
    assert handler_reads(calls) <= 2 and calls.calls["TransactWriteItems"] == 1 and calls.writes == 1
    assert api.get("/users", as_="sam@acme.test", org="acme").status == 403
    assert api.get("/organizations", as_="sam@acme.test").json() == []
    assert api.get(f"/users/{sam['id']}", as_=ADMIN, org="acme").status == 404
    assert sam["id"] not in api.get("/users", as_=ADMIN, org="acme").json()
    # re-inviting while the purge is pending is refused, not mixed with the old data
    assert api.post("/users", as_=ADMIN, org="acme", body={"email": "sam@acme.test"}).status == 409
    gateway.run_jobs()
    left = table.query(TableName="sandglass-test", IndexName="GSI1", KeyConditionExpression="GSI1PK = :pk",
                       ExpressionAttributeValues={":pk": keys.user_partition(org_id, sam["id"])})["Items"]
    assert left == []
    assert "Item" not in table.get_item(TableName="sandglass-test", Key=keys.user(org_id, sam["id"]))
    assert api.get(f"/projects/{project['id']}/members/{mid}", as_=ADMIN, org="acme").status == 404
    # afterwards the address can be invited again, starting clean
    again = api.post("/users", as_=ADMIN, org="acme", body={"email": "sam@acme.test"})
    assert again.status == 200 and again.json()["id"] == sam["id"]
    assert api.get(f"/users/{sam['id']}/rates/cost", as_=ADMIN, org="acme").json() == {}


# --- preferences ---------------------------------------------------------------------------------------

def test_preferences_defaults_and_nested_merge(api, sam, seed):
    with counting() as calls:
        reply = api.get(f"/users/{sam['id']}/preferences", as_="sam@acme.test", org="acme")
    assert reply.status == 200 and handler_reads(calls) <= 2
    defaults = reply.json()
    assert defaults["locale"] == "en-US" and defaults["timeZone"] == "UTC"
    assert defaults["notifications"] == {"activityCreated": {"dashboard": True, "email": False, "popup": True},
                                         "monthlyGoalReached": {"dashboard": True, "email": True, "popup": True}}
    assert set(defaults) == {"dateTimeFormat", "desktop", "durationFormat", "locale", "notifications", "timeZone"}
    reply = api.put(f"/users/{sam['id']}/preferences", as_="sam@acme.test", org="acme",
                    body={"locale": "pl-PL", "notifications": {"monthlyGoalReached": {"popup": False}}, "timeZone": "Europe/Warsaw"})
    assert reply.status == 200, reply.body
    expected = {**defaults, "locale": "pl-PL", "timeZone": "Europe/Warsaw",
                "notifications": {"activityCreated": defaults["notifications"]["activityCreated"],
                                  "monthlyGoalReached": {"dashboard": True, "email": True, "popup": False}}}
    assert reply.json() == expected
    assert api.get(f"/users/{sam['id']}/preferences", as_="sam@acme.test", org="acme").json() == expected
    later = api.put(f"/users/{sam['id']}/preferences", as_="sam@acme.test", org="acme", body={"desktop": {"startTrackingOnStartup": True}}).json()
    assert later["notifications"]["monthlyGoalReached"]["popup"] is False and later["desktop"]["startTrackingOnStartup"] is True


def test_preferences_default_time_zone_follows_the_organization(api, seed):
    api.signup("globex", "boss@globex.test", timeZone="Europe/Warsaw")
    me = ids.member_id(seed.org_id("globex"), "boss@globex.test")
    assert api.get(f"/users/{me}/preferences", as_="boss@globex.test", org="globex").json()["timeZone"] == "Europe/Warsaw"


def test_preferences_are_private_and_validated(api, sam, seed):
    assert api.get(f"/users/{sam['id']}/preferences", as_=ADMIN, org="acme").status == 404
    assert api.put(f"/users/{sam['id']}/preferences", as_=ADMIN, org="acme", body={"locale": "pl-PL"}).status == 404
    for body in ({"locale": "en_US"}, {"locale": "not a locale"}, {"timeZone": "Mars/Olympus"}, {"timeZone": "../etc/passwd"},
                 {"notifications": {"monthlyGoalReached": {"popup": "no"}}}, {"notifications": {"sms": {}}}, {"durationFormat": {"mode": "WEEKS"}}):
        assert api.put(f"/users/{sam['id']}/preferences", as_="sam@acme.test", org="acme", body=body).status == 422, body


# --- cost rates ----------------------------------------------------------------------------------------

def test_cost_rate_crud_reference_shape(api, sam):
    base = f"/users/{sam['id']}/rates/cost"
    with counting() as calls:
        reply = api.post(base, as_=ADMIN, org="acme", body=RATE)
    assert reply.status == 200, reply.body
    assert handler_reads(calls) <= 2 and calls.calls["TransactWriteItems"] == 1 and calls.writes == 1
    rate = reply.json()
    assert rate == {"currency": "USD", "from": "2026-06-30T22:00:00.000Z", "id": rate["id"], "taxRate": 0,
                    "to": "2026-12-31T22:59:59.000Z", "userId": sam["id"], "value": 65}
    with counting() as calls:
        assert api.get(f"{base}/{rate['id']}", as_="sam@acme.test", org="acme").json() == rate
    assert handler_reads(calls) <= 2
    assert api.get(base, as_="sam@acme.test", org="acme").json() == {rate["id"]: rate}
    assert api.put(f"{base}/{rate['id']}", as_=ADMIN, org="acme", body={**RATE, "value": 72}).json()["value"] == 72
    assert api.put(f"{base}/{rate['id']}", as_=ADMIN, org="acme", body={"value": 72.5, "taxRate": 8.25}).json()["taxRate"] == 8.25
    assert api.delete(f"{base}/{rate['id']}", as_=ADMIN, org="acme").json() == {}
    assert api.get(base, as_=ADMIN, org="acme").json() == {}


def test_cost_rate_rights(api, sam, seed):
    kim = seed.member("acme", "kim@acme.test")
    base = f"/users/{sam['id']}/rates/cost"
    assert api.post(base, as_="sam@acme.test", org="acme", body=RATE).status == 403
    assert api.get(base, as_="kim@acme.test", org="acme").status == 403
    assert api.post(base, as_="kim@acme.test", org="acme", body=RATE).status == 403
    assert api.get(f"/users/{uuid.uuid4()}/rates/cost", as_="kim@acme.test", org="acme").status == 404
    assert api.post(f"/users/{uuid.uuid4()}/rates/cost", as_=ADMIN, org="acme", body=RATE).status == 404
    assert api.get(f"/users/{kim['id']}/rates/cost/{uuid.uuid4()}", as_=ADMIN, org="acme").status == 404


def test_cost_windows_never_overlap_and_validate(api, sam):
    base = f"/users/{sam['id']}/rates/cost"
    assert api.post(base, as_=ADMIN, org="acme", body={**RATE, "from": "2026-01-01T00:00:00Z", "to": None}).status == 200
    clash = api.post(base, as_=ADMIN, org="acme", body={**RATE, "from": "2025-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"})
    assert clash.status == 409 and clash.json()["error"]["code"] == "RATE_OVERLAP"
    assert api.post(base, as_=ADMIN, org="acme", body={**RATE, "from": "2025-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}).status == 200
    for patch in ({"value": 65.001}, {"currency": "EURO"}, {"taxRate": 100.5}, {"to": "2025-01-01T00:00:00Z"}):
        assert api.post(base, as_=ADMIN, org="acme", body={**RATE, **patch}).status == 422, patch


# --- hostile input never reaches a 500 -------------------------------------------------------------------

def test_hostile_input_is_4xx(api, sam):
    admin = {"as_": ADMIN, "org": "acme"}
    base = f"/users/{sam['id']}/rates/cost"
    for raw in ('{"currency":"USD","from":"2026-01-01T00:00:00Z","value":NaN}', '{"currency":"USD","from":"2026-01-01T00:00:00Z","value":Infinity}'):
        assert api.post(base, body=raw, **admin).status == 422
    assert api.post(base, body={**RATE, "from": "2026-01-01T00:00:00Z" + "0" * 5000}, **admin).status == 422
    assert api.post(base, body="[1, 2", **admin).status == 400
    assert api.put(f"/users/{sam['id']}/preferences", as_="sam@acme.test", org="acme", body=[1, 2]).status == 422
    assert api.get("/users", query={"cursor": "x" * 5000}, **admin).status == 422
    assert api.get("/users", query={"cursor": "eyJub3QiOiJzaWduZWQifQ"}, **admin).status == 400
    assert api.delete(f"/projects/{'x' * 3000}", query={"cascade": "maybe"}, **admin).status == 422
    assert api.get(f"/projects/{'x' * 3000}", **admin).status == 404
    assert api.get(f"/users/{'%00' * 10}", **admin).status == 404
    assert api.post("/users", body={"email": "a" * 300 + "@acme.test"}, **admin).status == 422


def test_json_numbers_too_long_for_python_ints_are_400(api, sam):
    """json.loads raises a plain ValueError (not a JSONDecodeError) for an integer over 4300 digits."""
    admin = {"as_": ADMIN, "org": "acme"}
    huge = "1" + "0" * 5000
    for method, path, raw in (
        ("POST", f"/users/{sam['id']}/rates/cost", '{"currency":"USD","from":"2026-01-01T00:00:00Z","value":%s}' % huge),
        ("PUT", "/organization", '{"maxActivityHours":%s}' % huge),
        ("POST", "/projects", '{"name":"x","billable":%s}' % huge),
    ):
        reply = api.call(method, path, body=raw, headers={"Content-Type": "application/json"}, **admin)
        assert reply.status == 400 and reply.json()["error"]["code"] == "MALFORMED_JSON", (path, reply.body)


def test_cost_rates_of_a_malformed_user_id_are_404_for_everybody(api, sam):
    for who in (ADMIN, "sam@acme.test"):
        for method, path, body in (("GET", "/users/not-a-uuid/rates/cost", None), ("POST", "/users/not-a-uuid/rates/cost", RATE),
                                   ("GET", f"/users/not-a-uuid/rates/cost/{uuid.uuid4()}", None)):
            reply = api.call(method, path, as_=who, org="acme", body=body)
            assert reply.status == 404, (who, method, path, reply.body)


def test_two_administrators_demoting_each_other_at_once_leave_one(api, sam, seed, table):
    import threading

    me = admin_id(seed)
    assert api.put(f"/users/{sam['id']}", as_=ADMIN, org="acme", body={"role": "Administrator"}).status == 200
    for first, second in (({"role": "User"}, {"role": "User"}), ({"archived": True}, {"role": "User"})):
        statuses = []
        calls = [(me, first, "sam@acme.test"), (sam["id"], second, ADMIN)]
        threads = [threading.Thread(target=lambda t=t: statuses.append(api.put(f"/users/{t[0]}", as_=t[2], org="acme", body=t[1]).status)) for t in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # the loser is refused: 409 (last Administrator) or, once the winner's demotion landed first, 403
        assert statuses.count(200) == 1 and set(statuses) - {200} <= {403, 409}, statuses
        assert admin_count(table, seed) == 1
        # restore two active Administrators for the next round (as whoever is still one)
        remaining = [uid for uid, email in ((me, ADMIN), (sam["id"], "sam@acme.test"))
                     if api.get("/users", as_=email, org="acme").status == 200
                     and api.get(f"/users/{uid}", as_=email, org="acme").json()["role"] == "Administrator"]
        assert len(remaining) == 1
        actor = ADMIN if remaining[0] == me else "sam@acme.test"
        other = sam["id"] if remaining[0] == me else me
        assert api.put(f"/users/{other}", as_=actor, org="acme", body={"role": "Administrator", "archived": False}).status == 200
        assert admin_count(table, seed) == 2
