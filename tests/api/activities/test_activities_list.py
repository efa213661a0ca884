"""Lists: filters, start order, paging with signed cursors; DynamoDB call budgets."""

from __future__ import annotations

from sandglass_local.callcounter import counting

from sandglass.context import TenantContext
from sandglass.models.activities import ActivityCreate, ActivityUpdate
from sandglass.services.activities import ActivityQuery, ActivityService
from tests.api.cursors import tampered


def _seed_days(world, who="sam@acme.test", days=range(1, 6), month="07"):
    created = []
    for day in days:
        created.append(world.entry(who, start=f"2026-{month}-{day:02d}T09:00:00Z", end=f"2026-{month}-{day:02d}T10:00:00Z"))
    return created


def _list(world, who="sam@acme.test", **query):
    return world.api.get("/activities", as_=who, org="acme", query={k: str(v) for k, v in query.items()})


def test_filters_and_start_order(world):
    entries = _seed_days(world, days=[5, 1, 3])
    running = world.api.post("/activities", as_="sam@acme.test", org="acme", body={"projectId": world.q["id"], "pending": True}).json()
    order = [entries[1]["id"], entries[2]["id"], entries[0]["id"], running["id"]]
    assert list(_list(world).json()) == order
    assert list(_list(world, **{"from": "2026-07-03T09:00:00Z"}).json()) == order[1:]
    assert list(_list(world, **{"from": "2026-07-02T00:00:00+02:00", "to": "2026-07-05T09:00:00Z"}).json()) == [entries[2]["id"]]
    assert list(_list(world, pending="true").json()) == [running["id"]]
    assert list(_list(world, pending="false").json()) == order[:3]
    assert list(_list(world, projectId=world.q["id"]).json()) == [running["id"]]
    assert list(_list(world, userId=world.sam["id"], projectId=world.p["id"]).json()) == order[:3]
    body = _list(world).json()
    assert body[entries[0]["id"]] == entries[0]


def test_paging_with_cursor_headers(world):
    entries = _seed_days(world, days=range(1, 8))
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        reply = _list(world, **query)
        assert reply.status == 200
        pages += 1
        seen.extend(reply.json())
        cursor = reply.header("X-Next-Cursor")
        if not cursor:
            break
        assert 'rel="next"' in reply.header("Link") and "limit=3" in reply.header("Link")
    assert seen == [e["id"] for e in entries]
    assert pages in (3, 4)


def test_org_admin_pages_across_months(world):
    july = _seed_days(world, days=[1, 2], month="07")
    august = _seed_days(world, days=[1, 2, 3], month="08")
    seen, cursor = [], None
    while True:
        query = {"from": "2026-07-01T00:00:00Z", "to": "2026-09-01T00:00:00Z", "limit": 2, **({"cursor": cursor} if cursor else {})}
        reply = _list(world, "admin@acme.test", **query)
        assert reply.status == 200, reply.body
        assert len(reply.json()) <= 2
        seen.extend(reply.json())
        cursor = reply.header("X-Next-Cursor")
        if not cursor:
            break
    assert seen == [e["id"] for e in july + august]


def test_bad_or_foreign_cursor_is_400(world, api):
    _seed_days(world)
    cursor = _list(world, limit=2).header("X-Next-Cursor")
    assert cursor
    assert _list(world, limit=2, cursor="garbage").status == 400
    assert _list(world, limit=2, cursor=tampered(cursor)).status == 400
    # same cursor on another query (another partition / filter) is refused
    assert _list(world, limit=2, cursor=cursor, projectId=world.p["id"]).status == 400
    assert _list(world, limit=2, cursor=cursor, pending="true").status == 400
    foreign = _list(world, "admin@acme.test", limit=2, cursor=cursor)
    assert foreign.status == 400 and foreign.json()["error"]["code"] == "INVALID_CURSOR"
    assert _list(world, limit=2, cursor=cursor).status == 200


# --- call budgets (service level: the authorizer's own GetItem is not the route's) ------------

def _tenant(world, who):
    user = {"sam": world.sam, "pia": world.pia}[who] if who != "admin" else None
    if user is None:
        from sandglass import ids

        return TenantContext(world.org_id, "acme", ids.member_id(world.org_id, "admin@acme.test"), "admin@acme.test", "Administrator")
    return TenantContext(world.org_id, "acme", user["id"], user["email"], "User")


def test_call_budgets(world):
    service = ActivityService()
    sam, pia, admin = _tenant(world, "sam"), _tenant(world, "pia"), _tenant(world, "admin")
    body = ActivityCreate(name="x", projectId=world.p["id"], startedAt="2026-07-03T09:00:00Z", endedAt="2026-07-03T10:00:00Z")
    with counting() as c:
        created = service.create(sam, body, idempotency_key="budget")
    # the first entry of a month also notes the month (one PutItem, once per month and container);
    # a create reads the revenue and cost windows it keeps (rateSnapshot: 2 Queries)
    assert c.calls["TransactWriteItems"] == 1 and c.calls["PutItem"] == 1 and c.reads <= 4 and c.calls["Query"] == 2 and c.scans == 0, c.calls
    with counting() as c:
        service.create(sam, body.model_copy(update={"name": "y"}))
    assert c.calls["TransactWriteItems"] == 1 and c.writes == 1 and c.reads <= 4, c.calls
    with counting() as c:
        service.create(sam, body, idempotency_key="budget")  # replay
    assert c.writes == 0 and c.reads == 1, c.calls
    activity_id = created.activity.id
    for tenant in (sam, pia, admin):
        with counting() as c:
            service.get(tenant, activity_id)
        assert c.reads <= 2 and c.writes == 0, c.calls
    with counting() as c:
        service.update(pia, activity_id, ActivityUpdate(name="y"))
    assert c.calls["TransactWriteItems"] == 1 and c.writes == 1 and c.reads <= 2, c.calls
    with counting() as c:
        service.update(admin, activity_id, ActivityUpdate(userId=world.ola["id"], projectId=world.q["id"]))
    # the first entry on project q also marks it as holding activities (one UpdateItem, once per
    # project); moved to another member and project, it keeps their rates (2 Queries)
    assert c.calls["TransactWriteItems"] == 1 and c.calls["UpdateItem"] == 1 and c.reads <= 4, c.calls
    timer = ActivityCreate(projectId=world.p["id"], pending=True, startedAt="2026-07-15T08:00:00Z")
    service.create(sam, timer)
    with counting() as c:
        started = service.create(sam, ActivityCreate(projectId=world.p["id"], pending=True))  # stops the first
    assert c.writes == 1 and c.reads <= 5, c.calls
    with counting() as c:
        service.update(sam, started.activity.id, ActivityUpdate(pending=False))
    assert c.writes == 1 and c.reads <= 2, c.calls
    with counting() as c:
        service.delete(sam, started.activity.id)
    assert c.writes == 1 and c.reads <= 2, c.calls
    for tenant, query in ((sam, {}), (admin, {}), (admin, {"project_id": world.p["id"]}), (admin, {"user_id": world.sam["id"]})):
        with counting() as c:
            service.list(tenant, ActivityQuery(**query))
        # an Administrator's unfiltered list first reads the organization's months (one more Query)
        assert c.calls["Query"] == (2 if tenant is admin and not query else 1) and c.scans == 0 and c.writes == 0, (query, c.calls)
    with counting() as c:
        service.list(pia, ActivityQuery(project_id=world.p["id"]))
    assert c.calls["Query"] == 1 and c.reads == 2, c.calls  # + the membership GetItem


def test_org_admin_open_ended_ranges_cover_the_bound_month(world):
    """`from` alone after the current month (planned time) or `to` alone after it must not
    silently skip entries that the same filter shows to their owner."""
    september = world.entry("sam@acme.test", start="2026-09-03T09:00:00Z", end="2026-09-03T10:00:00Z")
    july = world.entry("sam@acme.test", start="2026-07-03T09:00:00Z", end="2026-07-03T10:00:00Z")
    for query, expected in (({"from": "2026-09-01T00:00:00Z"}, [september["id"]]),
                            ({"to": "2026-10-01T00:00:00Z"}, [july["id"], september["id"]]),
                            ({"to": "2026-07-10T00:00:00Z"}, [july["id"]])):
        owner = _list(world, **query)
        admin = _list(world, "admin@acme.test", **query)
        assert owner.status == admin.status == 200, (query, admin.body)
        assert list(owner.json()) == expected, query
        assert list(admin.json()) == expected, query


def test_sub_millisecond_bounds_keep_from_inclusive_and_to_exclusive(world):
    """Instants are stored to the millisecond; a bound finer than that must not be truncated
    onto an entry it excludes (from) or past one it includes (to)."""
    entry = world.entry("sam@acme.test", start="2026-07-03T09:00:00.000Z", end="2026-07-03T10:00:00Z")
    for who in ("sam@acme.test", "admin@acme.test"):
        assert list(_list(world, who, **{"from": "2026-07-03T09:00:00.000Z"}).json()) == [entry["id"]]
        assert list(_list(world, who, **{"from": "2026-07-03T09:00:00.0005Z"}).json()) == []
        assert list(_list(world, who, **{"from": "2026-07-01T00:00:00Z", "to": "2026-07-03T09:00:00.0005Z"}).json()) == [entry["id"]]
        assert list(_list(world, who, **{"from": "2026-07-01T00:00:00Z", "to": "2026-07-03T09:00:00.000Z"}).json()) == []


def test_other_time_data_in_a_month_partition_is_not_read_as_activities(world, table):
    from sandglass import keys

    mine = world.entry("sam@acme.test", start="2026-07-10T09:00:00Z", end="2026-07-10T10:00:00Z")
    # e.g. a future day-total item sharing the organization's month partition
    table.put_item(TableName="sandglass-test", Item={"PK": keys.org_pk(world.org_id), "SK": "TOTAL#2026-07-10",
                                                     "GSI3PK": keys.month_partition(world.org_id, "2026-07"), "GSI3SK": "2026-07-10T00:00:00.000Z#total"})
    reply = world.api.get("/activities", as_=world.admin, org="acme", query={"from": "2026-07-01T00:00:00Z", "to": "2026-08-01T00:00:00Z"})
    assert reply.status == 200, reply.body
    assert list(reply.json()) == [mine["id"]]


def test_a_project_administrator_of_more_than_100_projects_sees_them_all(world, seed):
    """DynamoDB takes at most 100 operands in IN: beyond that the page is filtered in code, never
    truncated to the first 100 projects."""
    roles = {world.pia["id"]: "Administrator", world.sam["id"]: "User"}
    projects = [seed.project("acme", f"Admin {i:03d}", members=roles) for i in range(102)]
    entries = {world.entry("sam@acme.test", project)["id"] for project in projects}
    world.entry("sam@acme.test", world.q)  # a project pia does not administer
    listed = world.api.get("/activities", as_="pia@acme.test", org="acme", query={"userId": world.sam["id"]}).json()
    assert set(listed) == entries


def test_org_admin_default_list_is_everything_newest_first(world):
    """Without from/to an Administrator sees every entry of the organization, newest first, month
    by month: an entry just recorded for another month never vanishes from the default list."""
    march = world.entry("sam@acme.test", start="2026-03-03T09:00:00Z", end="2026-03-03T10:00:00Z")
    july = _seed_days(world, days=[1, 2], month="07")
    september = world.entry("sam@acme.test", start="2026-09-03T09:00:00Z", end="2026-09-03T10:00:00Z")
    expected = [september["id"], july[1]["id"], july[0]["id"], march["id"]]
    assert list(_list(world, "admin@acme.test").json()) == expected
    seen, cursor = [], None
    while True:
        reply = _list(world, "admin@acme.test", limit=1, **({"cursor": cursor} if cursor else {}))
        assert reply.status == 200, reply.body
        seen.extend(reply.json())
        cursor = reply.header("X-Next-Cursor")
        if len(seen) == 2:  # a new month noted between two pages does not invalidate the cursor
            world.entry("sam@acme.test", start="2026-05-03T09:00:00Z", end="2026-05-03T10:00:00Z")
        if not cursor:
            break
    assert seen[:3] == expected[:3] and seen[-1] == march["id"] and len(seen) == 5
