def test_signup_and_read(api, acme):
    reply = api.get("/organization", as_="admin@acme.test", org="acme")
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["name"] == "Acme Studio"


def test_unbuilt_group_answers_501(api, acme):
    reply = api.get("/geofences", as_="admin@acme.test", org="acme")
    assert reply.status == 501, reply.body
    assert reply.json()["error"]["code"] == "NOT_IMPLEMENTED"


def test_seeded_member_can_read_organization(api, acme, seed):
    seed.member("acme", "sam@acme.test")
    seed.project("acme", members={})
    assert api.get("/organization", as_="sam@acme.test", org="acme").status == 200
