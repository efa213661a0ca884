"""Report results stay under Lambda's 6 MB whatever the data: groups and rows are paged, totals whole."""

import json

import pytest

from sandglass.services.reports import views

LAMBDA_LIMIT = 6 * 1024 * 1024
ALL_METRICS = ["time", "billable", "revenue", "cost", "profit", "count"]


def lambda_response_size(reply) -> int:
    """The size of the proxy answer Lambda would return for this reply (the body as an escaped string)."""
    return len(json.dumps({"statusCode": reply.status, "headers": reply.headers, "body": reply.body, "isBase64Encoded": False}))


def every_page(world, definition, **query):
    pages, cursor = [], None
    while True:
        reply = world.results(definition, **query, **({"cursor": cursor} if cursor else {}))
        assert reply.status == 200, reply.body[:500]
        assert lambda_response_size(reply) <= LAMBDA_LIMIT
        body = reply.json()
        pages.append(body)
        assert body["truncated"] is (body["nextCursor"] is not None)
        assert reply.header("X-Next-Cursor") == body["nextCursor"]
        cursor = body["nextCursor"]
        if cursor is None:
            return pages
        assert len(pages) < 200


def merged(pages_groups):
    """The group trees of consecutive pages, repeated (continued) groups joined back into one."""
    whole = []
    for groups in pages_groups:
        for group in groups:
            group = dict(group)
            if group.pop("continued", False):
                previous = whole[-1]
                assert (previous["key"], previous["totals"]) == (group["key"], group["totals"])
                previous["groups"] = merged([previous["groups"], group["groups"]])
            else:
                whole.append(group)
    return whole


YEAR = {"start": "2026-01-01T00:00:00+01:00", "end": "2026-12-31T23:59:59+01:00"}


def test_a_summary_that_would_be_tens_of_megabytes_comes_in_pages_under_6_mb(world):
    """Every day x week x month of a year with empty rows shown: 366 x 53 x 13 groups, about 30 MB
    in one body. Each page is under Lambda's limit, carries the whole totals, and the pages joined
    are the groups of the unpaged result (the CSV file carries every group)."""
    world.activity(world.sam, world.p, "2026-07-03T07:00:00.000Z", "2026-07-03T08:30:00.000Z")
    definition = world.custom(**YEAR, dimensions=["day", "week", "month"], metrics=["time", "count"])
    unbounded = len(json.dumps(engine_groups_unpaged(world, definition)))
    assert unbounded > 2 * LAMBDA_LIMIT
    pages = every_page(world, definition)
    assert len(pages) >= 3
    assert all(page["totals"] == {"time": 5_400_000, "count": 1, "running": 0} for page in pages)
    groups = merged(page["groups"] for page in pages)
    assert [group["key"] for group in groups] == [f"2026-{m:02d}-{d:02d}" for m, d in days_of_2026()]
    assert sum(len(group["groups"]) for group in groups) == sum(len(group["groups"]) for group in engine_groups_unpaged(world, definition))
    assert json.dumps(groups) == json.dumps(engine_groups_unpaged(world, definition))


def days_of_2026():
    from datetime import date, timedelta

    first = date(2026, 1, 1)
    return [((first + timedelta(days=n)).month, (first + timedelta(days=n)).day) for n in range(365)]


def engine_groups_unpaged(world, definition):
    """The same report with a page budget no result reaches: every group in one body (not over HTTP)."""
    cached = getattr(world, "_unpaged", None)
    if cached is None:
        from sandglass.context import TenantContext
        from sandglass.models.reports import ReportQuery, spec_of
        from sandglass.services.reports.service import ReportService

        service = ReportService()
        service.page_bytes = 1 << 40
        tenant = TenantContext(world.org_id, "acme", world.admin_id, world.admin, "Administrator")
        cached = world._unpaged = service.results(tenant, spec_of(ReportQuery.model_validate(definition))).body["groups"]
    return cached


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of about 2 kB so a handful of activities spans several of them."""
    monkeypatch.setattr(views, "PAGE_BYTES", 2_000)
    from sandglass.services.reports.service import ReportService

    original = ReportService.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.page_bytes = views.PAGE_BYTES

    monkeypatch.setattr(ReportService, "__init__", init)


def test_small_pages_join_into_the_whole_summary_with_totals_on_each(world, small_pages, api):
    for n in range(12):
        world.activity(world.sam if n % 2 else world.pia, world.p if n % 3 else world.q,
                       f"2026-07-{n + 2:02d}T07:00:00.000Z", f"2026-07-{n + 2:02d}T08:00:00.000Z")
    definition = world.custom(dimensions=["project", "user", "day"], metrics=ALL_METRICS, hideEmptyRows=True)
    whole = engine_groups_unpaged(world, definition)
    gateway_module = api.gateway.module("ReportsFunction")
    gateway_module.service.cache_clear()
    pages = every_page(world, definition)
    assert len(pages) > 2
    assert len({json.dumps(page["totals"]) for page in pages}) == 1 and pages[0]["totals"]["count"] == 12
    assert merged(page["groups"] for page in pages) == whole


def test_weekly_rows_and_detailed_rows_page_too(world, small_pages, api, monkeypatch):
    for n in range(12):
        world.activity(world.sam if n % 2 else world.pia, world.p, f"2026-07-{n + 2:02d}T07:00:00.000Z", f"2026-07-{n + 2:02d}T08:00:00.000Z",
                       name="x" * 300)
    api.gateway.module("ReportsFunction").service.cache_clear()
    detailed = every_page(world, world.custom(metrics=["time"]), view="detailed", limit=1000)
    assert len(detailed) > 1 and sum(len(page["rows"]) for page in detailed) == 12
    assert len({row["id"] for page in detailed for row in page["rows"]}) == 12
    monkeypatch.setattr(views, "PAGE_BYTES", 300)  # about one member row
    api.gateway.module("ReportsFunction").service.cache_clear()
    weekly = every_page(world, world.custom(metrics=ALL_METRICS), view="weekly")
    assert len(weekly) > 1 and sorted(row["userId"] for page in weekly for row in page["rows"]) == sorted(
        {world.sam["id"], world.pia["id"]})


def test_a_cursor_of_one_view_is_refused_by_another(world, small_pages, api):
    for n in range(12):
        world.activity(world.sam, world.p, f"2026-07-{n + 2:02d}T07:00:00.000Z", f"2026-07-{n + 2:02d}T08:00:00.000Z")
    api.gateway.module("ReportsFunction").service.cache_clear()
    definition = world.custom(dimensions=["day"], metrics=ALL_METRICS, hideEmptyRows=True)
    cursor = world.results(definition).json()["nextCursor"]
    assert cursor
    reply = world.results(definition, view="detailed", cursor=cursor)
    assert reply.status == 400 and reply.json()["error"]["code"] == "INVALID_CURSOR"
