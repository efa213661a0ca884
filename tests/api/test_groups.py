"""Groups of people on the Sandtime surface: CRUD by Administrators, a membership history by day."""

from __future__ import annotations

from datetime import date

from sandglass.context import TenantContext
from sandglass.services.groups import GroupService

ADMIN = {"as_": "admin@acme.test", "org": "acme"}


def test_an_administrator_creates_a_group_with_a_manager_and_moves_a_person_on_the_10th(api, seed, acme):
    sam = seed.member("acme", "sam@acme.test", name="Sam")
    ola = seed.member("acme", "ola@acme.test", name="Ola")
    sales = api.post("/groups", body={"name": "Sales", "managerId": ola["id"]}, **ADMIN)
    assert sales.status == 200, sales.body
    assert sales.json() == {"id": sales.json()["id"], "name": "Sales", "managerId": ola["id"], "substituteId": None}
    assert sales.headers["ETag"] == '"1"'
    support = api.post("/groups", body={"name": "Support"}, **ADMIN).json()
    sales_id = sales.json()["id"]
    assert api.put(f"/groups/{sales_id}/members/{sam['id']}", body={"from": "2026-01-05"}, **ADMIN).status == 200
    moved = api.put(f"/groups/{support['id']}/members/{sam['id']}", body={"from": "2026-02-10"}, **ADMIN)
    assert moved.json() == {"userId": sam["id"], "groupId": support["id"], "from": "2026-02-10"}
    listed = api.get("/groups", **ADMIN).json()
    assert set(listed) == {sales_id, support["id"]}
    assert api.get(f"/groups/{sales_id}/members", **ADMIN).json() == [{"userId": sam["id"], "groupId": sales_id, "from": "2026-01-05"}]

    org_id = seed.org_id("acme")
    admin = TenantContext(org_id=org_id, domain="acme", user_id=sam["id"], email="sam@acme.test", role="Administrator")
    february = GroupService().spans(admin, date(2026, 2, 1), date(2026, 2, 28), user_id=sam["id"])
    assert [(s.group_id, s.first.day, s.last.day) for s in february] == [(sales_id, 1, 9), (support["id"], 10, 28)]


def test_group_rules_refuse_what_they_must(api, seed, acme):
    sam = seed.member("acme", "sam@acme.test", name="Sam")
    assert api.post("/groups", body={"name": "Ghosts", "managerId": "00000000-0000-4000-8000-000000000000"}, **ADMIN).status == 422
    group = api.post("/groups", body={"name": "Sales"}, **ADMIN).json()
    assert api.post("/groups", as_="sam@acme.test", org="acme", body={"name": "Mine"}).status == 403
    assert api.get(f"/groups/{group['id']}", as_="sam@acme.test", org="acme").status == 200  # every member reads them
    assert api.put(f"/groups/{group['id']}", headers={"If-Match": '"7"'}, body={"name": "Late"}, **ADMIN).status == 412
    renamed = api.put(f"/groups/{group['id']}", body={"name": "Inside sales", "managerId": sam["id"]}, **ADMIN)
    assert (renamed.status, renamed.json()["name"], renamed.json()["managerId"], renamed.headers["ETag"]) == (200, "Inside sales", sam["id"], '"2"')
    assert api.put(f"/groups/{group['id']}/members/{sam['id']}", body={"from": "2026-02-30"}, **ADMIN).status == 422
    assert api.put("/groups/00000000-0000-4000-8000-000000000000/members/" + sam["id"], body={"from": "2026-02-03"}, **ADMIN).status == 404
    assert api.put(f"/groups/{group['id']}/members/00000000-0000-4000-8000-000000000000", body={"from": "2026-02-03"}, **ADMIN).status == 422
    assert api.delete(f"/groups/{group['id']}", **ADMIN).status == 200
    assert api.get(f"/groups/{group['id']}", **ADMIN).status == 404
    other = api.signup("globex", "boss@globex.test")  # noqa: F841 - another organization sees nothing of acme's
    assert api.get(f"/groups/{group['id']}", as_="boss@globex.test", org="globex").status == 404
