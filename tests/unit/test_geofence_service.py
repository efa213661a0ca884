"""Enter/exit rules over in-memory repositories: nearest wins, actions, re-entry, races, exit reach."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from msgspec.structs import replace

from sandglass import geo
from sandglass.clock import FixedClock
from sandglass.context import TenantContext
from sandglass.entities.geofences import Geofence
from sandglass.errors import Conflict
from sandglass.models.activities import activity_view
from sandglass.models.geofences import GeofenceEvent
from sandglass.services.activities import ActivityService, no_rates
from sandglass.services.geofences import GeofenceService, exit_reach_m
from tests.unit.fakes import ORG, InMemoryActivities, InMemoryProjects

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
P = "11111111-1111-4111-8111-111111111111"
SAM = "aaaaaaaa-0000-4000-8000-000000000001"
SAM_T = TenantContext(ORG, "acme", SAM, "sam@acme.test", "User")


class Activities(InMemoryActivities):
    """The activity repository contract, with the two reads geofencing adds (running_timer, latest_of_user)."""


class Geofences:
    """GeofenceRepository over a dict; `registered_in` honours the cells like the real one."""

    table = None

    def __init__(self):
        self.items: dict[str, Geofence] = {}
        self.cell_reads: list[list[str]] = []

    def add(self, geofence_id, lat, lon, radius, enter="START_TRACKING_PROJECT", exit="STOP_TRACKING", name=None, project=P):
        self.items[geofence_id] = Geofence(id=geofence_id, name=name or geofence_id, latitude=lat, longitude=lon, radius=radius,
                                           enter_action=enter, exit_action=exit, project_id=project, cells=tuple(geo.cover(lat, lon, radius)))

    def get(self, org_id, geofence_id):
        return self.items.get(geofence_id)

    def registered_in(self, org_id, cells):
        cells = list(cells)
        self.cell_reads.append(cells)
        return [replace(g, cells=()) for g in self.items.values() if set(g.cells) & set(cells)]


@pytest.fixture
def world():
    activities = Activities()
    activities.add_project(P, members={SAM: "User"})
    activities.add_user(SAM)
    clock = FixedClock(NOW)
    fences = Geofences()
    service = GeofenceService(repository=fences, activity_repository=activities,
                              activities=ActivityService(repository=activities, clock=clock, projects=InMemoryProjects(activities),
                                                         guards=[], rates=no_rates),
                              projects=object(), organizations=object(), clock=clock)
    return service, fences, activities, clock


def event(lat, lon):
    return GeofenceEvent(latitude=lat, longitude=lon)


def entered(service, lat, lon):
    """The timer an enter event answers, as the Sandtime surface shows it (None: no action)."""
    started = service.enter(SAM_T, event(lat, lon))
    return None if started is None else activity_view(started)


def exited(service, lat, lon):
    return [activity_view(stopped) for stopped in service.exit(SAM_T, event(lat, lon))]


def test_nearest_centre_wins_and_ties_go_to_the_smaller_id(world):
    service, fences, _, _ = world
    fences.add("b-office", 52.2297, 21.0122, 500)
    fences.add("a-office", 52.2297, 21.0122, 300)
    fences.add("desk", 52.2300, 21.0122, 50)
    assert entered(service, 52.2300, 21.0122)["name"] == "desk"
    names = [entry.id for _, entry in service.containing(SAM_T, 52.2297, 21.0122)]
    assert names == ["a-office", "b-office", "desk"]  # desk is ~33 m off, inside its 50 m
    assert len(fences.cell_reads[-1]) == len(geo.LEVELS)


def test_enter_action_none_and_no_geofence(world):
    service, fences, activities, _ = world
    fences.add("lobby", 10, 10, 100, enter="NONE")
    assert entered(service, 10, 10) is None
    assert entered(service, -10, -10) is None
    assert activities.activities == {}


def test_re_entering_returns_the_same_timer_and_records_the_geofence(world):
    service, fences, activities, clock = world
    fences.add("office", 52.2297, 21.0122, 120)
    first = entered(service, 52.2297, 21.0122)
    clock.advance(minutes=5)
    assert entered(service, 52.2297, 21.0122) == first
    assert activities.activities[first["id"]]["geofenceId"] == "office" and len(activities.activities) == 1


def test_a_lost_race_answers_with_the_winners_timer(world):
    service, fences, activities, _ = world
    fences.add("office", 52.2297, 21.0122, 120)
    winner = {}

    def other_enter_commits_first():
        activities.before_commit = None
        winner.update(entered(service, 52.2297, 21.0122))

    activities.before_commit = other_enter_commits_first
    assert entered(service, 52.2297, 21.0122) == winner
    assert len(activities.activities) == 1


def test_a_duplicate_enter_that_missed_the_winners_timer_does_not_replace_it(world):
    """The duplicate looked for the geofence's timer before the winner committed it, and starts a
    moment later: a plain start would stop the winner's timer and run its own (two entries)."""
    service, fences, activities, clock = world
    fences.add("office", 52.2297, 21.0122, 120)
    winner = entered(service, 52.2297, 21.0122)
    clock.advance(seconds=1)
    looked_up = service._running_of
    lookups = []

    def before_the_winner_committed(tenant, geofence_id=None):
        lookups.append(geofence_id)
        return None if len(lookups) == 1 else looked_up(tenant, geofence_id)

    service._running_of = before_the_winner_committed
    assert entered(service, 52.2297, 21.0122) == winner
    assert len(activities.activities) == 1 and activities.activities[winner["id"]]["pending"]


def test_a_race_with_another_geofence_is_a_conflict(world):
    service, fences, activities, _ = world
    fences.add("office", 52.2297, 21.0122, 120)
    fences.add("depot", 50.0, 19.9, 120)

    def depot_commits_first():
        activities.before_commit = None
        entered(service, 50.0, 19.9)

    activities.before_commit = depot_commits_first
    with pytest.raises(Conflict):
        entered(service, 52.2297, 21.0122)


def test_exit_reach():
    assert exit_reach_m(120) == 370 and exit_reach_m(10) == 260 and exit_reach_m(5000) == 10_000


def test_exit_stops_only_within_reach(world):
    service, fences, _, clock = world
    fences.add("office", 52.2297, 21.0122, 120)
    timer = entered(service, 52.2297, 21.0122)
    clock.advance(hours=1)
    assert exited(service, 52.2297 + 0.004, 21.0122) == []  # ~445 m away: not this geofence
    stopped = exited(service, 52.2297 + 0.003, 21.0122)    # ~334 m: just left it
    assert [a["id"] for a in stopped] == [timer["id"]] and stopped[0]["endedAt"] == "2026-07-15T13:00:00.000Z"
    assert exited(service, 52.2297, 21.0122) == []
