"""The activity rules over in-memory repositories: timers, rights, limits, write conditions, guards."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from msgspec.structs import replace

from sandglass.clock import FixedClock
from sandglass.context import TenantContext
from sandglass.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from sandglass.models.activities import ActivityCreate, ActivityUpdate, activity_view
from sandglass.entities.activities import Activity
from sandglass.services.activities import ActivityQuery, ActivityService, no_rates
from sandglass.months import months_between
from sandglass.services.activities import rules, timers
from tests.unit.fakes import ORG, Condition, InMemoryActivities, InMemoryProjects

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
P = "11111111-1111-4111-8111-111111111111"  # Sam is a User, Pia its Administrator
Q = "22222222-2222-4222-8222-222222222222"  # Sam is a User
OLD = "33333333-3333-4333-8333-333333333333"  # archived
SAM, PIA, OLA, ADMIN = ("aaaaaaaa-0000-4000-8000-00000000000" + str(n) for n in range(4))


def tenant(user_id: str, role: str = "User") -> TenantContext:
    return TenantContext(ORG, "acme", user_id, f"{user_id[-1]}@acme.test", role)


SAM_T, PIA_T, OLA_T, ADMIN_T = tenant(SAM), tenant(PIA), tenant(OLA), tenant(ADMIN, "Administrator")


@pytest.fixture
def repo() -> InMemoryActivities:
    repo = InMemoryActivities()
    repo.add_project(P, members={SAM: "User", PIA: "Administrator"})
    repo.add_project(Q, billable=False, members={SAM: "User"})
    repo.add_project(OLD, archived=True, members={SAM: "User"})
    for user in (SAM, PIA, OLA, ADMIN):
        repo.add_user(user)
    return repo


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def service(repo, clock) -> ActivityService:
    return ActivityService(repository=repo, clock=clock, projects=InMemoryProjects(repo), guards=[], rates=no_rates)


def entry(service, who=SAM_T, project=P, start="2026-07-03T09:00:00+02:00", end="2026-07-03T10:30:00+02:00", **extra):
    return service.create(who, ActivityCreate(name="Work", projectId=project, startedAt=start, endedAt=end, **extra))


def timer(service, who=SAM_T, start=None, project=P):
    body = {"projectId": project, "pending": True, **({"startedAt": start} if start else {})}
    return service.create(who, ActivityCreate(**body))


# --- creating ---------------------------------------------------------------------------------------

def test_an_entry_is_stored_in_utc_with_the_project_billable_default(service, repo):
    created = entry(service, project=Q)
    stored = repo.activities[created.activity.id]
    assert stored["startedAt"] == "2026-07-03T07:00:00.000Z" and stored["endedAt"] == "2026-07-03T08:30:00.000Z"
    assert stored["billable"] is False and stored["version"] == 1 and "pending" not in stored


@pytest.mark.parametrize("project, problem", [(OLD, "archived"), ("44444444-4444-4444-8444-444444444444", "No such project")])
def test_archived_or_unknown_projects_are_refused(service, repo, project, problem):
    with pytest.raises(ValidationFailed, match=problem):
        entry(service, project=project)
    assert repo.activities == {}


def test_a_user_needs_membership_an_administrator_does_not(service, repo):
    with pytest.raises(ValidationFailed, match="not a member"):
        entry(service, who=OLA_T)
    assert entry(service, who=ADMIN_T).activity.user_id == ADMIN


def test_only_administrators_record_for_others_and_lock(service):
    with pytest.raises(Forbidden):
        entry(service, userId="55555555-5555-4555-8555-555555555555")
    with pytest.raises(Forbidden):
        entry(service, locked=True)


def test_duration_limit_follows_the_organization(service, repo):
    with pytest.raises(ValidationFailed, match="at most 24 hours"):
        entry(service, start="2026-07-01T00:00:00Z", end="2026-07-02T00:00:01Z")
    repo.organization["maxActivityHours"] = 48
    assert entry(service, start="2026-07-01T00:00:00Z", end="2026-07-02T00:00:01Z")


def test_end_must_follow_start(service):
    with pytest.raises(ValidationFailed, match="after startedAt"):
        entry(service, start="2026-07-03T10:00:00Z", end="2026-07-03T10:00:00Z")


def test_a_membership_removed_between_read_and_write_fails_the_write(service, repo):
    """The read said "member"; the write's condition is checked at commit, as DynamoDB does."""
    repo.before_commit = lambda: repo.memberships.pop((P, SAM))
    with pytest.raises(ValidationFailed, match="no longer a member"):
        entry(service)
    assert repo.activities == {}


def test_a_project_archived_between_read_and_write_fails_an_administrators_write(service, repo):
    repo.before_commit = lambda: repo.projects[P].update(archived=True)
    with pytest.raises(ValidationFailed, match="archived or deleted meanwhile"):
        entry(service, who=ADMIN_T)


# --- timers --------------------------------------------------------------------------------------------

def test_a_timer_starts_now_and_claims_the_marker(service, repo):
    running = timer(service).activity
    assert activity_view(running)["startedAt"] == "2026-07-15T12:00:00.000Z" and activity_view(running)["pending"] is True
    assert repo.timers[SAM]["activityId"] == running.id


def test_starting_a_timer_stops_the_running_one_at_the_new_start(service, repo):
    first = timer(service, start="2026-07-15T08:00:00Z").activity
    second = timer(service, start="2026-07-15T10:30:00+02:00").activity
    assert repo.activities[first.id]["endedAt"] == "2026-07-15T08:30:00.000Z"
    assert "pending" not in repo.activities[first.id] and repo.activities[first.id]["version"] == 2
    assert repo.timers[SAM]["activityId"] == second.id
    assert len(repo.commits[-1]) == 2  # one transaction: the new timer and the stop of the old one


def test_a_new_timer_must_start_after_the_running_one(service, repo):
    timer(service, start="2026-07-15T08:00:00Z")
    with pytest.raises(ValidationFailed, match="must start after it"):
        timer(service, start="2026-07-15T07:00:00Z")


def test_a_timer_cannot_start_in_the_future_beyond_the_clock_skew(service):
    assert timer(service, start=(NOW + rules.MAX_CLOCK_SKEW).isoformat())
    with pytest.raises(ValidationFailed, match="future"):
        timer(service, who=PIA_T, start=(NOW + rules.MAX_CLOCK_SKEW + timedelta(seconds=1)).isoformat())


def test_a_timer_running_too_long_is_stopped_at_the_limit(service, repo):
    first = timer(service, start="2026-07-13T08:00:00Z").activity
    timer(service, start="2026-07-15T09:00:00Z")
    assert repo.activities[first.id]["endedAt"] == "2026-07-14T08:00:00.000Z"


def test_pending_false_stops_now_and_releases_the_marker(service, repo, clock):
    running = timer(service, start="2026-07-15T11:00:00Z").activity
    clock.advance(minutes=30)
    stopped = service.update(SAM_T, running.id, ActivityUpdate(pending=False)).activity
    assert activity_view(stopped)["endedAt"] == "2026-07-15T12:30:00.000Z" and "pending" not in activity_view(stopped)
    assert SAM not in repo.timers


def test_losing_the_marker_race_is_a_409_and_stores_nothing(service, repo):
    repo.before_commit = lambda: repo.timers.setdefault(SAM, {"activityId": "someone-else"})
    with pytest.raises(Conflict) as raised:
        timer(service)
    assert raised.value.code == "TIMER_RUNNING" and repo.activities == {}


def test_timer_changes_for_an_update():
    running = Activity(id="a", user_id=SAM, project_id=P, started_at=datetime(2026, 7, 15, 8, tzinfo=timezone.utc))
    assert [t.action for t in timers.moves_for_update(running, replace(running, ended_at=NOW))] == ["release"]
    moved = timers.moves_for_update(running, replace(running, user_id=PIA))
    assert [(t.action, t.user_id) for t in moved] == [("release", SAM), ("claim", PIA)]
    repointed = timers.moves_for_update(running, replace(running, started_at=datetime(2026, 7, 15, 7, tzinfo=timezone.utc)))
    assert repointed[0].replacing == "a"
    stopped = replace(running, ended_at=NOW)
    assert timers.moves_for_update(stopped, replace(stopped, name="x")) == []
    assert [t.action for t in timers.moves_for_delete(running)] == ["release"] and timers.moves_for_delete(stopped) == []


# --- corrections and rights -------------------------------------------------------------------------------

def test_others_activities_are_invisible_unless_you_administer_the_project(service):
    created = entry(service).activity
    with pytest.raises(NotFound):
        service.get(OLA_T, created.id)
    assert service.get(PIA_T, created.id).activity.id == created.id
    assert service.get(ADMIN_T, created.id).version == 1


def test_a_stale_if_match_is_412_and_a_lost_race_without_it_409(service, repo):
    created = entry(service).activity
    with pytest.raises(PreconditionFailed):
        service.update(SAM_T, created.id, ActivityUpdate(name="x"), if_match=7)
    repo.before_commit = lambda: repo.activities[created.id].update(version=5)
    with pytest.raises(Conflict):
        service.update(SAM_T, created.id, ActivityUpdate(name="y"))


def test_locked_activities_change_only_for_administrators(service):
    created = entry(service, who=ADMIN_T, userId=SAM, locked=True).activity
    with pytest.raises(Conflict) as raised:
        service.update(SAM_T, created.id, ActivityUpdate(name="x"))
    assert raised.value.code == "ACTIVITY_LOCKED"
    with pytest.raises(Conflict):
        service.delete(SAM_T, created.id)
    assert service.update(ADMIN_T, created.id, ActivityUpdate(name="x")).activity.name == "x"


# --- write guards ------------------------------------------------------------------------------------

def test_guards_see_every_change_and_their_conditions_join_the_write(repo, clock):
    seen = []

    class LockedOnTheThird:
        def wanted(self, tenant_, user_ids):
            return []

        def __call__(self, tx, tenant_, images, reads, now):
            seen.append([image.version for image in images])
            touched = {image.started_at.date().isoformat() for image in images}
            tx.add_condition(Condition(lambda _repo: "2026-07-03" not in touched, Conflict("locked", code="PERIOD_LOCKED")))

    service = ActivityService(repository=repo, clock=clock, guards=[LockedOnTheThird()], projects=InMemoryProjects(repo), rates=no_rates)
    created = entry(service, start="2026-07-02T09:00:00Z", end="2026-07-02T10:00:00Z").activity
    with pytest.raises(Conflict, match="locked"):
        service.update(SAM_T, created.id, ActivityUpdate(startedAt="2026-07-03T09:00:00Z", endedAt="2026-07-03T10:00:00Z"))
    service.delete(SAM_T, created.id)
    assert seen == [[1], [1, 2], [1]]  # create: the new entry; update: before and after; delete: before
    assert repo.activities == {}


# --- idempotency -----------------------------------------------------------------------------------------

def test_an_idempotent_retry_replays_and_another_body_is_refused(service, repo):
    body = ActivityCreate(name="Work", projectId=P, startedAt="2026-07-03T09:00:00Z", endedAt="2026-07-03T10:00:00Z")
    first = service.create(SAM_T, body, idempotency_key="k1")
    again = service.create(SAM_T, body, idempotency_key="k1")
    assert again.activity == first.activity and len(repo.activities) == 1
    with pytest.raises(ValidationFailed) as raised:
        service.create(SAM_T, body.model_copy(update={"name": "Other"}), idempotency_key="k1")
    assert raised.value.code == "IDEMPOTENCY_KEY_REUSED"


# --- lists ----------------------------------------------------------------------------------------------

def test_a_member_filtering_on_a_project_sees_only_their_own_entries(service):
    entry(service, who=PIA_T)
    mine = entry(service).activity
    listed = service.list(SAM_T, ActivityQuery(project_id=P)).activities
    assert list(listed) == [mine.id]
    assert len(service.list(PIA_T, ActivityQuery(project_id=P)).activities) == 2  # she administers P


def test_a_project_administrator_sees_another_member_only_on_projects_they_administer(service):
    on_p = entry(service).activity
    entry(service, project=Q)
    assert list(service.list(PIA_T, ActivityQuery(user_id=SAM)).activities) == [on_p.id]
    assert service.list(OLA_T, ActivityQuery(user_id=SAM)).activities == {}


def test_to_must_follow_from(service):
    with pytest.raises(ValidationFailed):
        service.list(ADMIN_T, ActivityQuery(lower=NOW, upper=NOW))


# --- pure rules --------------------------------------------------------------------------------------------

def test_months_and_the_organization_window():
    jan = datetime(2026, 1, 31, tzinfo=timezone.utc)
    assert months_between(jan, datetime(2026, 3, 1, tzinfo=timezone.utc)) == ["2026-01", "2026-02"]
    assert months_between(datetime(2026, 12, 5, tzinfo=timezone.utc), datetime(2027, 1, 2, tzinfo=timezone.utc)) == ["2026-12", "2027-01"]
    lower, upper = rules.organization_window(NOW, None, None)
    assert (lower.isoformat(), upper.isoformat()) == ("2026-07-01T00:00:00+00:00", "2026-08-01T00:00:00+00:00")
    assert rules.organization_window(NOW, jan, None)[1].isoformat() == "2026-08-01T00:00:00+00:00"
    future = datetime(2026, 10, 3, tzinfo=timezone.utc)
    assert rules.organization_window(NOW, future, None)[1].isoformat() == "2026-11-01T00:00:00+00:00"
    assert rules.organization_window(NOW, None, jan)[0].isoformat() == "2026-01-01T00:00:00+00:00"
