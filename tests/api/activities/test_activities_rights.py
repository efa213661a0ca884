"""Who sees and changes what: User, project Administrator, organization Administrator, other org."""

from __future__ import annotations


def test_owner_project_admin_and_org_admin_see_an_entry_others_get_404(world):
    api = world.api
    mine = world.entry("sam@acme.test")            # on p, which pia administers
    internal = world.entry("sam@acme.test", world.q)  # on q, which pia does not administer
    for who in ("sam@acme.test", "pia@acme.test", "admin@acme.test"):
        assert api.get(f"/activities/{mine['id']}", as_=who, org="acme").status == 200, who
    assert api.get(f"/activities/{mine['id']}", as_="ola@acme.test", org="acme").status == 404
    assert api.get(f"/activities/{internal['id']}", as_="pia@acme.test", org="acme").status == 404
    assert api.put(f"/activities/{internal['id']}", as_="pia@acme.test", org="acme", body={"name": "x"}).status == 404
    assert api.delete(f"/activities/{internal['id']}", as_="ola@acme.test", org="acme").status == 404
    assert api.put(f"/activities/{mine['id']}", as_="ola@acme.test", org="acme", body={"name": "x"}).status == 404
    # a project Administrator corrects entries on their project
    fixed = api.put(f"/activities/{mine['id']}", as_="pia@acme.test", org="acme", body={"name": "Fixed by pia"})
    assert fixed.status == 200 and fixed.json()["userId"] == world.sam["id"]
    # ...but cannot move them to a project they do not administer, nor reassign them
    assert api.put(f"/activities/{mine['id']}", as_="pia@acme.test", org="acme", body={"projectId": world.q["id"]}).status == 403
    assert api.put(f"/activities/{mine['id']}", as_="pia@acme.test", org="acme", body={"userId": world.pia["id"]}).status == 403
    assert api.delete(f"/activities/{mine['id']}", as_="pia@acme.test", org="acme").status == 200


def test_another_organization_gets_404(world, api):
    entry = world.entry("sam@acme.test")
    api.signup("globex", "boss@globex.test")
    assert api.get(f"/activities/{entry['id']}", as_="boss@globex.test", org="globex").status == 404
    assert api.put(f"/activities/{entry['id']}", as_="boss@globex.test", org="globex", body={"name": "x"}).status == 404
    assert api.delete(f"/activities/{entry['id']}", as_="boss@globex.test", org="globex").status == 404
    assert api.get("/activities", as_="boss@globex.test", org="globex", query={"from": "2026-07-01T00:00:00Z"}).json() == {}
    # acme's project is not a project of globex
    reply = api.post("/activities", as_="boss@globex.test", org="globex", body={
        "name": "x", "projectId": world.p["id"], "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z"})
    assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == "projectId"
    # an acme member asking for globex is not a member there
    assert api.get("/activities", as_="sam@acme.test", org="globex").status == 403


def test_only_org_admins_record_for_another_member(world):
    api = world.api
    body = {"name": "x", "projectId": world.p["id"], "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z"}
    assert api.post("/activities", as_="sam@acme.test", org="acme", body={**body, "userId": world.ola["id"]}).status == 403
    assert api.post("/activities", as_="pia@acme.test", org="acme", body={**body, "userId": world.sam["id"]}).status == 403
    created = api.post("/activities", as_="admin@acme.test", org="acme", body={**body, "userId": world.ola["id"]})
    assert created.status == 200 and created.json()["userId"] == world.ola["id"]  # admins skip project membership
    assert api.get(f"/activities/{created.json()['id']}", as_="ola@acme.test", org="acme").status == 200
    stranger = api.post("/activities", as_="admin@acme.test", org="acme", body={**body, "userId": "0b5e4a51-6d0a-4a3b-9d7e-2b1c1f9a0c11"})
    assert stranger.status == 422 and stranger.json()["error"]["details"][0]["field"] == "userId"
    # sending one's own id is fine
    assert api.post("/activities", as_="sam@acme.test", org="acme", body={**body, "userId": world.sam["id"]}).status == 200


def test_members_need_project_membership(world):
    api = world.api
    body = {"name": "x", "projectId": world.p["id"], "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z"}
    refused = api.post("/activities", as_="ola@acme.test", org="acme", body=body)
    assert refused.status == 422 and refused.json()["error"]["details"][0]["field"] == "projectId"
    own = world.entry("pia@acme.test")
    moved = api.put(f"/activities/{own['id']}", as_="pia@acme.test", org="acme", body={"projectId": world.q["id"]})
    assert moved.status == 422 and moved.json()["error"]["details"][0]["field"] == "projectId"
    archived = api.post("/activities", as_="sam@acme.test", org="acme", body={**body, "projectId": world.archived["id"]})
    assert archived.status == 422 and "archived" in archived.json()["error"]["message"]


def test_list_visibility(world):
    api = world.api
    sam_p = world.entry("sam@acme.test", start="2026-07-03T09:00:00Z", end="2026-07-03T10:00:00Z")
    sam_q = world.entry("sam@acme.test", world.q, start="2026-07-04T09:00:00Z", end="2026-07-04T10:00:00Z")
    pia_p = world.entry("pia@acme.test", start="2026-07-05T09:00:00Z", end="2026-07-05T10:00:00Z")
    ids = lambda who, **q: list(api.get("/activities", as_=who, org="acme", query=q).json())
    assert ids("sam@acme.test") == [sam_p["id"], sam_q["id"]]
    assert ids("ola@acme.test") == []
    assert ids("pia@acme.test") == [pia_p["id"]]  # without filters: their own
    assert ids("pia@acme.test", projectId=world.p["id"]) == [sam_p["id"], pia_p["id"]]
    assert ids("pia@acme.test", userId=world.sam["id"]) == [sam_p["id"]]  # only projects pia administers
    assert ids("sam@acme.test", projectId=world.p["id"]) == [sam_p["id"]]  # plain member: own entries
    assert ids("sam@acme.test", userId=world.pia["id"]) == []
    assert ids("ola@acme.test", projectId=world.p["id"]) == []
    assert ids("admin@acme.test") == [pia_p["id"], sam_q["id"], sam_p["id"]]  # everything, newest first
    assert ids("admin@acme.test", userId=world.sam["id"]) == [sam_p["id"], sam_q["id"]]
