"""Saved report definitions: exact Sandtime shapes, owner-only access, validation."""

import pytest

FIELDS = {"dimensions", "end", "filters", "hideEmptyRows", "id", "metrics", "name", "period", "pinned", "selectedProjectMembers",
          "selectedProjects", "showArchivedMembers", "showArchivedProjects", "start", "userId"}

REFERENCE_BODY = {
    "dimensions": ["project"], "end": "2026-07-31T23:59:59+02:00", "filters": [], "hideEmptyRows": True, "metrics": ["time", "billable"],
    "name": "July project summary", "period": "custom", "selectedProjectMembers": None,
    "selectedProjects": ["9d58c4ce-3e6f-4d06-bf47-f70d8c4af001", "58f5aa89-aed2-4a67-8808-d85ef4034f42"],
    "showArchivedMembers": False, "showArchivedProjects": False, "start": "2026-07-01T00:00:00+02:00",
}


def create(world, who=None, **body):
    reply = world.api.post("/reports", as_=who or world.admin, org="acme", body=body or REFERENCE_BODY)
    assert reply.status == 200, reply.body
    return reply.json()


def test_create_read_list_update_delete(world):
    api = world.api
    report = create(world)
    assert set(report) == FIELDS
    assert report["start"] == "2026-06-30T22:00:00.000Z" and report["end"] == "2026-07-31T21:59:59.000Z"
    assert report["userId"] == world.admin_id and report["pinned"] is False
    assert report["selectedProjects"] == REFERENCE_BODY["selectedProjects"]
    assert api.get(f"/reports/{report['id']}", as_=world.admin, org="acme").json() == report
    assert api.get("/reports", as_=world.admin, org="acme").json() == {report["id"]: report}

    reply = api.put(f"/reports/{report['id']}", as_=world.admin, org="acme", body={**REFERENCE_BODY, "pinned": True, "name": "July"})
    assert reply.status == 200, reply.body
    assert reply.json() == {**report, "pinned": True, "name": "July"}
    reply = api.put(f"/reports/{report['id']}", as_=world.admin, org="acme", body={"dimensions": ["user", "day"]})  # a subset
    assert reply.json()["dimensions"] == ["user", "day"] and reply.json()["name"] == "July"
    # what GET returned can be sent back as is
    reply = api.put(f"/reports/{report['id']}", as_=world.admin, org="acme", body=reply.json())
    assert reply.status == 200, reply.body

    assert api.delete(f"/reports/{report['id']}", as_=world.admin, org="acme").json() == {}
    assert api.get(f"/reports/{report['id']}", as_=world.admin, org="acme").status == 404
    assert api.delete(f"/reports/{report['id']}", as_=world.admin, org="acme").status == 404
    assert api.get("/reports", as_=world.admin, org="acme").json() == {}


def test_a_preset_shows_the_range_it_covers_now(world, clock):
    report = create(world, name="This week", period="thisWeek", start="2020-01-01T00:00:00Z", end="2020-01-02T00:00:00Z")
    # Wednesday 2026-07-15 in Warsaw: Monday 13th to Sunday 19th
    assert (report["start"], report["end"]) == ("2026-07-12T22:00:00.000Z", "2026-07-19T21:59:59.999Z")
    assert report["period"] == "thisWeek"
    clock.advance(days=7)
    again = world.api.get(f"/reports/{report['id']}", as_=world.admin, org="acme").json()
    assert (again["start"], again["end"]) == ("2026-07-19T22:00:00.000Z", "2026-07-26T21:59:59.999Z")


def test_a_report_belongs_to_its_creator(world):
    api = world.api
    mine = create(world, who="sam@acme.test", name="Mine", period="thisMonth")
    assert mine["userId"] == world.sam["id"]
    create(world, name="Admin's", period="today")
    assert list(api.get("/reports", as_="sam@acme.test", org="acme").json()) == [mine["id"]]
    for who in ("pia@acme.test", world.admin):  # Administrators too: the reference lists the caller's own reports
        assert api.get(f"/reports/{mine['id']}", as_=who, org="acme").status == 404
        assert api.put(f"/reports/{mine['id']}", as_=who, org="acme", body={"pinned": True}).status == 404
        assert api.delete(f"/reports/{mine['id']}", as_=who, org="acme").status == 404
        assert api.get(f"/reports/{mine['id']}/results", as_=who, org="acme").status == 404
    assert api.get(f"/reports/{mine['id']}", as_="sam@acme.test", org="acme").json()["pinned"] is False


def test_another_organizations_report_is_404(world):
    api = world.api
    api.signup("beta", "boss@beta.test")
    theirs = api.post("/reports", as_="boss@beta.test", org="beta", body=REFERENCE_BODY).json()
    assert api.get(f"/reports/{theirs['id']}", as_=world.admin, org="acme").status == 404
    assert api.get(f"/reports/{theirs['id']}/results", as_=world.admin, org="acme").status == 404
    assert api.delete(f"/reports/{theirs['id']}", as_=world.admin, org="acme").status == 404
    assert api.get(f"/reports/{theirs['id']}", as_="boss@beta.test", org="beta").status == 200


@pytest.mark.parametrize("report_id", ["nope", "6B0DFE58-9C80-4D8D-8A9F-9E48983F4E0", "00000000-0000-0000-0000-000000000000"])
def test_unknown_or_malformed_ids_are_404(world, report_id):
    assert world.api.get(f"/reports/{report_id}", as_=world.admin, org="acme").status == 404
    assert world.api.delete(f"/reports/{report_id}", as_=world.admin, org="acme").status == 404


@pytest.mark.parametrize("change, field", [
    ({"dimensions": ["project", "colour"]}, "dimensions.1"),
    ({"dimensions": ["project", "user", "day", "week"]}, "dimensions"),
    ({"dimensions": ["day", "day"]}, "body"),
    ({"metrics": []}, "metrics"),
    ({"metrics": ["time", "time"]}, "body"),
    ({"metrics": ["hours"]}, "metrics.0"),
    ({"period": "nextWeek"}, "period"),
    ({"start": None}, "body"),
    ({"end": "2026-06-01T00:00:00Z"}, "body"),
    ({"end": "2027-08-01T00:00:00Z"}, "body"),
    ({"start": "July"}, "start"),
    ({"filters": [{"field": "billable", "operator": "in", "value": True}]}, "filters.0"),
    ({"filters": [{"field": "project", "operator": "in", "value": ["x"]}]}, "filters.0"),
    ({"filters": [{"field": "colour", "value": "red"}]}, "filters.0.field"),
    ({"selectedProjects": ["not-a-uuid"]}, "selectedProjects.0"),
    ({"hideEmptyRows": "yes"}, "hideEmptyRows"),
    ({"colour": "red"}, "colour"),
    ({"name": ""}, "name"),
])
def test_invalid_definitions_are_422(world, change, field):
    body = {**REFERENCE_BODY, **change}
    reply = world.api.post("/reports", as_=world.admin, org="acme", body=body)
    assert reply.status == 422, reply.body
    assert field in {detail["field"] for detail in reply.json()["error"]["details"]}
    assert world.results(body).status == 422 or field == "name"


def test_name_is_required_to_save_and_owner_cannot_change(world):
    body = {key: value for key, value in REFERENCE_BODY.items() if key != "name"}
    assert world.api.post("/reports", as_=world.admin, org="acme", body=body).status == 422
    assert world.results(body).status == 200  # an unsaved result needs no name
    reply = world.api.post("/reports", as_=world.admin, org="acme", body={**REFERENCE_BODY, "userId": world.sam["id"]})
    assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == "userId"
    report = create(world)
    reply = world.api.put(f"/reports/{report['id']}", as_=world.admin, org="acme", body={"userId": world.sam["id"]})
    assert reply.status == 422
    reply = world.api.put(f"/reports/{report['id']}", as_=world.admin, org="acme", body={"period": "custom", "end": "2026-01-01T00:00:00Z"})
    assert reply.status == 422 and world.api.get(f"/reports/{report['id']}", as_=world.admin, org="acme").json() == report


def test_saved_definition_is_stored_in_the_owners_partition(world, table):
    from sandglass import keys

    report = create(world, who="sam@acme.test", **world.custom(name="x"))
    item = table.get_item(TableName="sandglass-test", Key=keys.report(world.org_id, report["id"]))["Item"]
    assert item[keys.gsi_pk(keys.GSI_USER)] == keys.user_partition(world.org_id, world.sam["id"])
    assert item["version"] == 1


def test_put_refuses_null_for_fields_that_cannot_be_null(world):
    report = create(world)
    reply = world.api.put(f"/reports/{report['id']}", as_=world.admin, org="acme", body={"name": None, "pinned": None})
    assert reply.status == 422 and "name, pinned cannot be null" in reply.body
    reply = world.api.put(f"/reports/{report['id']}", as_=world.admin, org="acme", body={"selectedProjects": None})
    assert reply.status == 200 and reply.json()["selectedProjects"] is None
