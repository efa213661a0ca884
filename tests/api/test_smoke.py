def test_signup_and_read(api, acme):
    reply = api.get("/organization", as_="admin@acme.test", org="acme")
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["name"] == "Acme Studio"


# Route groups declared in template.yaml whose issues may still be open (geofences, billing and reports are built).
UNBUILT_CANDIDATES = ["/requests/projects/00000000-0000-4000-8000-000000000000/members", "/timesheets/lock"]


def test_unbuilt_group_answers_501(api, acme):
    import pytest

    for path in UNBUILT_CANDIDATES:
        reply = api.get(path, as_="admin@acme.test", org="acme")
        if reply.status == 501:
            assert reply.json()["error"]["code"] == "NOT_IMPLEMENTED"
            return
    pytest.skip("every declared route group is built")


def test_seeded_member_can_read_organization(api, acme, seed):
    seed.member("acme", "sam@acme.test")
    seed.project("acme", members={})
    assert api.get("/organization", as_="sam@acme.test", org="acme").status == 200
