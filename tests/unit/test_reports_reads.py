"""Which partitions a report reads (an in-memory repository records them): the organization's
months only for an Administrator's unfiltered report; members' or projects' partitions otherwise."""

from datetime import datetime, timezone

from sandglass.clock import FixedClock
from sandglass.context import TenantContext
from sandglass.models.reports import ReportQuery, spec_of
from sandglass.repositories.organizations import organization_from_item
from sandglass.services.reports.service import ReportService

P, Q = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
SAM, PIA, ADMIN = "33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444", "55555555-5555-4555-8555-555555555555"
ACTIVITIES = [
    {"id": "a1", "name": "x", "projectId": P, "userId": SAM, "billable": True, "startedAt": "2026-07-03T07:00:00.000Z", "endedAt": "2026-07-03T08:00:00.000Z"},
    {"id": "a2", "name": "x", "projectId": Q, "userId": SAM, "billable": False, "startedAt": "2026-07-04T07:00:00.000Z", "endedAt": "2026-07-04T08:00:00.000Z"},
    {"id": "a3", "name": "x", "projectId": P, "userId": PIA, "billable": True, "startedAt": "2026-08-04T07:00:00.000Z", "endedAt": "2026-08-04T08:00:00.000Z"},
]


class FakeRepository:
    def __init__(self, administered=()):
        self.read: list[tuple[str, str]] = []
        self.administered = list(administered)

    def organization(self, org_id):
        return organization_from_item({"id": org_id, "timeZone": "UTC"})

    def administered_project_ids(self, org_id, user_id):
        return self.administered

    def _pages(self, kind, owner, lower, upper, keep):
        self.read.append((kind, owner))
        yield [dict(a) for a in ACTIVITIES if keep(a) and lower <= a["startedAt"] < upper]

    def org_activities(self, org_id, lower, upper):
        for month in ("2026-07", "2026-08")[: 1 + (upper > "2026-08")]:
            yield from self._pages("month", month, lower, upper, lambda a, m=month: a["startedAt"].startswith(m))

    def user_activities(self, org_id, user_id, lower, upper):
        return self._pages("user", user_id, lower, upper, lambda a: a["userId"] == user_id)

    def project_activities(self, org_id, project_id, lower, upper):
        return self._pages("project", project_id, lower, upper, lambda a: a["projectId"] == project_id)

    def projects_by_id(self, org_id, ids):
        return {pid: {"id": pid, "name": pid[:1]} for pid in ids}

    def users_by_id(self, org_id, ids):
        return {uid: {"id": uid, "name": uid[:1]} for uid in ids}


def run(tenant, repository, **definition):
    service = ReportService(repository, FixedClock(datetime(2026, 9, 1, tzinfo=timezone.utc)))
    body = ReportQuery(period="custom", start="2026-07-01T00:00:00Z", end="2026-08-31T23:59:59Z", metrics=["count"], **definition)
    return service.results(tenant, spec_of(body)).body["totals"]["count"]


def tenant(user_id, role="User"):
    return TenantContext("org", "acme", user_id, "x@acme.test", role)


def test_an_administrators_unfiltered_report_reads_the_month_partitions():
    repository = FakeRepository()
    assert run(tenant(ADMIN, "Administrator"), repository) == 3
    assert repository.read == [("month", "2026-07"), ("month", "2026-08")]


def test_a_report_narrowed_to_members_reads_their_partitions():
    repository = FakeRepository()
    assert run(tenant(ADMIN, "Administrator"), repository, selectedProjectMembers=[PIA]) == 1
    assert repository.read == [("user", PIA)]


def test_a_report_narrowed_to_projects_reads_their_partitions():
    repository = FakeRepository()
    assert run(tenant(ADMIN, "Administrator"), repository, selectedProjects=[P, Q]) == 3
    assert repository.read == [("project", P), ("project", Q)]
    # both narrowed: the shorter list decides which partitions are read
    repository = FakeRepository()
    assert run(tenant(ADMIN, "Administrator"), repository, selectedProjects=[P, Q], selectedProjectMembers=[SAM]) == 2
    assert repository.read == [("user", SAM)]


def test_a_user_reads_their_own_partition_and_the_projects_they_administer():
    repository = FakeRepository(administered=[P])
    assert run(tenant(PIA), repository) == 2  # her own entry and Sam's on P, not Sam's on Q
    assert repository.read == [("user", PIA), ("project", P)]
    repository = FakeRepository()
    assert run(tenant(SAM), repository, selectedProjects=[P]) == 1  # not an administrator of P: his own entries on it
    assert repository.read == [("user", SAM)]
