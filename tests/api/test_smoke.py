import re


def test_signup_and_read(api, acme):
    reply = api.get("/organization", as_="admin@acme.test", org="acme")
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["name"] == "Acme Studio"


def test_every_declared_route_is_built(api, acme, gateway):
    """No route of the template answers 501 any more (every route group's issue has landed)."""
    some_id = "00000000-0000-4000-8000-000000000000"
    for route in gateway.routes:
        path = re.sub(r"\{[^}]+\}", some_id, route.path)
        reply = api.call(route.method, path, as_="admin@acme.test", org="acme")
        assert reply.status != 501, (route.method, route.path, reply.body)


def test_seeded_member_can_read_organization(api, acme, seed):
    seed.member("acme", "sam@acme.test")
    seed.project("acme", members={})
    assert api.get("/organization", as_="sam@acme.test", org="acme").status == 200
