"""The 4me Timesheets dialect (/api/v1/timesheets...) against the Sandtime surface's figures, on the
same data: a person who moves between groups on the 10th, a DST month, locks, access by role."""

from __future__ import annotations

from tests.api.timesheets.conftest import ADMIN

ACCOUNT = {"account": "acme"}


def fourme(w, path, who=ADMIN, method="GET", **query):
    return w.api.call(method, "/api/v1/timesheets" + path, as_=who, headers=ACCOUNT, query=query or None)


def sandtime(w, path, **query):
    reply = w.api.get(path, as_=ADMIN, org="acme", query=query)
    assert reply.status == 200, reply.body
    return reply.json()


def groups(w):
    """Sales (manager Ola) and Support (substitute Pia); Sam in Sales from January, in Support from 10 February."""
    admin = {"as_": ADMIN, "org": "acme"}
    sales = w.api.post("/groups", body={"name": "Sales", "managerId": w.ola["id"]}, **admin).json()["id"]
    support = w.api.post("/groups", body={"name": "Support", "substituteId": w.pia["id"]}, **admin).json()["id"]
    assert w.api.put(f"/groups/{sales}/members/{w.sam['id']}", body={"from": "2026-01-05"}, **admin).status == 200
    assert w.api.put(f"/groups/{support}/members/{w.sam['id']}", body={"from": "2026-02-10"}, **admin).status == 200
    return sales, support


def test_a_person_who_switched_group_on_the_10th_has_two_timesheets_summing_to_the_sandtime_month(world):
    w = world
    sales, support = groups(w)
    w.activity(w.sam, "2026-02-03T08:00:00Z", "2026-02-03T09:00:00Z")    # 60 in Sales
    w.activity(w.sam, "2026-02-09T23:30:00Z", "2026-02-10T00:30:00Z")    # 10 Feb 00:30-01:30 Warsaw: 60 in Support
    w.activity(w.sam, "2026-02-12T08:00:00Z", "2026-02-12T10:30:00Z")    # 150 in Support
    month = fourme(w, "", person_id=w.sam["id"], month_of="2026-02-15")
    assert month.status == 200, month.body
    both = month.json()
    assert [sheet["sum_time_spent"] for sheet in both] == [60, 210]
    whole = sandtime(w, "/timesheets", userId=w.sam["id"], monthOf="2026-02-01")
    assert sum(sheet["sum_time_spent"] for sheet in both) == whole["sumTimeSpent"] == 270
    for sheet in both:
        assert list(sheet) == ["person", "workday", "sum_time_spent", "workdays", "locked", "locked_days"]
        assert sheet["person"] == {"id": w.sam["id"], "name": "Sam"}
        assert (sheet["workday"], sheet["locked_days"], sheet["locked"]) == (whole["workday"], whole["lockedDays"], whole["locked"])
        assert len(sheet["locked_days"]) == 28
        assert sheet["workdays"] == round(sheet["sum_time_spent"] / whole["workday"], 2)
    one = fourme(w, "", person_id=w.sam["id"], organization_id=sales, month_of="2026-02-01")
    assert one.status == 200 and one.json()["sum_time_spent"] == 60  # a single timesheet is an object

    totals = fourme(w, "/day_totals", person_id=w.sam["id"], week_of="2026-02-10")
    assert totals.json() == {**{f"2026-02-{d:02d}": "0" for d in range(9, 16)}, "2026-02-10": "60", "2026-02-12": "150"}
    assert totals.json() == {day: str(minutes) for day, minutes in sandtime(w, "/timesheets/dayTotals", userId=w.sam["id"], weekOf="2026-02-10").items()}
    only_sales = fourme(w, "/day_totals", person_id=w.sam["id"], organization_id=sales, week_of="2026-02-10")
    assert only_sales.json() == {"2026-02-09": "0"}


def test_a_dst_month_equals_the_sandtime_figures(world):
    w = world
    w.activity(w.sam, "2026-03-28T22:30:00Z", "2026-03-29T01:30:00Z")    # across the spring-forward night in Warsaw
    w.activity(w.sam, "2026-03-31T21:00:00Z", "2026-03-31T23:00:00Z")    # 23:00-01:00 Warsaw: half in April
    sheet = fourme(w, "", person_id=w.sam["id"], month_of="2026-03-31").json()
    whole = sandtime(w, "/timesheets", userId=w.sam["id"], monthOf="2026-03-01")
    assert sheet["sum_time_spent"] == whole["sumTimeSpent"] == 180 + 60
    assert len(sheet["locked_days"]) == 31


def test_locks_through_the_4me_dialect_answer_204_and_show_in_both_surfaces(world):
    w = world
    locked = fourme(w, "/lock", method="POST", person_id=w.sam["id"], week_of="2026-02-10")
    assert (locked.status, locked.body) == (204, "")
    sheet = fourme(w, "", person_id=w.sam["id"], month_of="2026-02-01").json()
    assert sheet["locked_days"] == "0" * 8 + "1" * 7 + "0" * 13
    assert sheet["locked_days"] == sandtime(w, "/timesheets", userId=w.sam["id"], monthOf="2026-02-01")["lockedDays"]
    month = w.api.post("/timesheets/lock", as_=ADMIN, org="acme", query={"monthOf": "2026-02-01"})  # organization-wide month lock (Sandtime)
    assert month.status in (200, 204), month.body
    assert fourme(w, "", person_id=w.sam["id"], month_of="2026-02-01").json()["locked"] is True
    unlocked = fourme(w, "/lock", method="DELETE", person_id=w.sam["id"], date="2026-02-11")
    assert unlocked.status == 204
    assert fourme(w, "/lock", method="POST", person_id=w.sam["id"], date="2026-02-11", who="sam@acme.test").status == 403


def test_access_is_the_person_their_groups_leaders_auditors_and_administrators(world):
    w = world
    sales, support = groups(w)
    w.activity(w.sam, "2026-02-03T08:00:00Z", "2026-02-03T09:00:00Z")
    assert fourme(w, "", "sam@acme.test", person_id=w.sam["id"], month_of="2026-02-01").status == 200
    by_manager = fourme(w, "", "ola@acme.test", organization_id=sales, month_of="2026-02-01")
    assert by_manager.status == 200 and [s["sum_time_spent"] for s in by_manager.json()] == [60]
    assert fourme(w, "", "ola@acme.test", organization_id=support, month_of="2026-02-01").status == 403
    assert fourme(w, "", "pia@acme.test", organization_id=support, month_of="2026-02-01").status == 200  # the substitute
    assert fourme(w, "", "pia@acme.test", person_id=w.ola["id"], month_of="2026-02-01").status == 404
    assert fourme(w, "/day_totals", "ola@acme.test", person_id=w.sam["id"], date="2026-02-03").json() == {"2026-02-03": "60"}
    w.api.post("/users", as_=ADMIN, org="acme", body={"email": "audrey@acme.test", "name": "Audrey", "role": "Auditor"})
    assert fourme(w, "", "audrey@acme.test", organization_id=support, month_of="2026-02-01").status == 200
    assert fourme(w, "/lock", "audrey@acme.test", method="POST", person_id=w.sam["id"], date="2026-02-03").status == 403


def test_fields_paging_and_bad_input(world):
    w = world
    sales, _ = groups(w)
    w.api.put(f"/groups/{sales}/members/{w.pia['id']}", as_=ADMIN, org="acme", body={"from": "2026-01-01"})
    first = fourme(w, "", organization_id=sales, month_of="2026-02-01", per_page="1", fields="person,sum_time_spent")
    assert first.status == 200 and len(first.json()) == 1 and list(first.json()[0]) == ["person", "sum_time_spent"]
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    second = fourme(w, "", organization_id=sales, month_of="2026-02-01", per_page="1", page="2")
    assert 'rel="prev"' in second.headers["Link"] and 'rel="next"' not in second.headers["Link"]
    assert {first.json()[0]["person"]["id"], second.json()[0]["person"]["id"]} == {w.pia["id"], w.sam["id"]}
    assert fourme(w, "", organization_id=sales).status == 422                          # month_of is required
    assert fourme(w, "", month_of="2026-02-01").status == 422                          # a group or a person
    assert fourme(w, "", organization_id=sales, month_of="2026-02-01", fields="salary").status == 422
    assert fourme(w, "", organization_id=sales, month_of="2026-02-30").status == 422
    assert fourme(w, "", organization_id=sales, month_of="2026-02-01", per_page="101").status == 422
    incomplete = fourme(w, "/incomplete", week_of="2026-02-10", organization_id=sales)
    assert incomplete.status == 200 and list(incomplete.json()[0]) == ["id", "name", "primary_email", "completeness", "remaining_time"]


def test_locking_a_group_locks_each_members_days_in_the_group(world):
    w = world
    sales, support = groups(w)
    w.api.put(f"/groups/{sales}/members/{w.pia['id']}", as_=ADMIN, org="acme", body={"from": "2026-01-01"})
    locked = fourme(w, "/lock", method="POST", organization_id=sales, month_of="2026-02-01")
    assert locked.status == 204, locked.body
    sam = fourme(w, "", person_id=w.sam["id"], month_of="2026-02-01").json()
    assert [sheet["locked_days"] for sheet in sam] == ["1" * 9 + "0" * 19] * 2  # the person's month, in both timesheets
    assert fourme(w, "", person_id=w.pia["id"], month_of="2026-02-01").json()["locked"] is True
    assert fourme(w, "", person_id=w.ola["id"], month_of="2026-02-01").json()["locked"] is False  # in no group
    assert fourme(w, "/lock", method="DELETE", organization_id=sales, person_id=w.pia["id"], date="2026-02-03").status == 204
    assert fourme(w, "", person_id=w.pia["id"], month_of="2026-02-01").json()["locked_days"] == "11" + "0" + "1" * 25
    assert fourme(w, "/lock", method="POST", organization_id=sales, month_of="2026-02-01", week_of="2026-02-02").status == 422
    assert fourme(w, "/lock", method="POST", organization_id=support, date="2026-02-03", who="pia@acme.test").status == 403


def test_people_and_groups_are_addressed_and_shown_by_their_integer_ids(world):
    from sandglass import keys
    from sandglass.services.int_ids import IntIdService
    from sandglass.storage.table import Table

    w = world
    sales, _ = groups(w)
    w.activity(w.sam, "2026-02-03T08:00:00Z", "2026-02-03T09:00:00Z")
    before = fourme(w, "", person_id=w.sam["id"], organization_id=sales, month_of="2026-02-01").json()
    assert before["person"]["id"] == w.sam["id"]  # seeded before integer ids: the UUID until the backfill numbers them
    IntIdService().backfill(w.org_id)
    sam = int(Table().get(keys.user(w.org_id, w.sam["id"]))["number"])
    group = int(Table().get(keys.group(w.org_id, sales))["number"])
    sheet = fourme(w, "", person_id=str(sam), organization_id=str(group), month_of="2026-02-01")
    assert sheet.status == 200 and sheet.json()["person"] == {"id": sam, "name": "Sam"} and sheet.json()["sum_time_spent"] == 60
    assert [row["id"] for row in fourme(w, "/incomplete", organization_id=str(group), week_of="2026-02-03").json()] == [sam]
    assert fourme(w, "/day_totals", person_id=str(sam), date="2026-02-03").json() == {"2026-02-03": "60"}
    assert fourme(w, "/lock", method="POST", person_id=str(sam), date="2026-02-03").status == 204
    assert fourme(w, "", person_id=str(sam), month_of="2026-02-01").json()[0]["locked_days"] == "001" + "0" * 25
    for query in ({"person_id": "987654"}, {"organization_id": "987654"}, {"person_id": "-3"}, {"organization_id": "1.0"}):
        missing = fourme(w, "", month_of="2026-02-01", **query)
        assert (missing.status, set(missing.json())) == (404, {"message"}), (query, missing.body)
