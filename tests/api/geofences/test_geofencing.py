"""Enter and exit events: containment, nearest wins, timers through the activities rules, idempotency."""

from __future__ import annotations

import math

from sandglass import keys
from sandglass_local.callcounter import counting

ADMIN, SAM, WARSAW = "admin@acme.test", "sam@acme.test", (52.2297, 21.0122)
EARTH_RADIUS_M = 6_371_008.8


def north_of(lat, lon, metres):
    return lat + math.degrees(metres / EARTH_RADIUS_M), lon


def east_of(lat, lon, metres):
    return lat, lon + math.degrees(metres / EARTH_RADIUS_M) / math.cos(math.radians(lat))


def _stored_activity(table, world, activity_id):
    return table.get_item(TableName="sandglass-test", Key=keys.activity(world.org_id, activity_id))["Item"]


def test_enter_starts_a_timer_named_after_the_geofence(world, table):
    fence = world.geofence()
    reply = world.enter(*WARSAW)
    assert reply.status == 200, reply.body
    timer = reply.json()
    assert timer["name"] == "Warsaw office" and timer["projectId"] == world.p["id"] and timer["pending"] is True
    assert timer["endedAt"] is None and timer["startedAt"] == "2026-07-15T12:00:00.000Z" and timer["userId"] == world.sam["id"]
    assert _stored_activity(table, world, timer["id"])["geofenceId"] == fence["id"]
    assert [a["id"] for a in world.running()] == [timer["id"]]


def test_points_just_inside_and_just_outside_a_120_m_radius(world):
    world.geofence()
    for bearing in (north_of, east_of):
        assert world.enter(*bearing(*WARSAW, 121)).json() is None
        assert world.enter(*bearing(*WARSAW, -121)).json() is None
    inside = world.enter(*north_of(*WARSAW, 119)).json()
    assert inside["name"] == "Warsaw office"
    assert world.enter(*east_of(*WARSAW, -119)).json()["id"] == inside["id"]


def test_no_geofence_and_enter_action_none_answer_null(world):
    world.geofence(name="Lobby", enterAction="NONE", projectId=None)
    for point in (WARSAW, (0, 0), (-45.5, 170.25)):
        reply = world.enter(*point)
        assert reply.status == 200 and reply.body == "null"
    assert world.running() == []


def test_across_the_antimeridian(world):
    world.geofence(name="Fiji east", latitude=-16.5, longitude=179.9995, radius=120)
    west = world.enter(-16.5, -179.9995)  # ~107 m away, on the other side of the 180th meridian
    assert west.json()["name"] == "Fiji east"
    assert world.enter(-16.5, -179.9999).json()["id"] == west.json()["id"]  # ~64 m: the same running timer
    world.api.put(f"/activities/{west.json()['id']}", as_=SAM, org="acme", body={"pending": False})
    assert world.enter(-16.5, -179.997).json() is None  # ~400 m: outside
    assert world.enter(-16.5, 180.0).json()["name"] == "Fiji east"


def test_at_the_poles(world, clock):
    world.geofence(name="North pole", latitude=90, longitude=0, radius=120)
    world.geofence(name="Near south pole", latitude=-89.9995, longitude=-60, radius=120, enterAction="START_TRACKING_PROJECT",
                   projectId=world.q["id"])
    # every meridian meets at the pole: longitude does not matter there
    assert world.enter(89.9992, 135.0).json()["name"] == "North pole"   # ~89 m from the pole
    assert world.enter(90, -180).json()["name"] == "North pole"
    assert world.enter(89.998, 0).json() is None                      # ~222 m from the pole: outside
    clock.advance(minutes=1)
    south = world.enter(-89.9999, 120.0).json()                      # across the pole, ~67 m from the centre
    assert south["name"] == "Near south pole" and south["projectId"] == world.q["id"]
    assert world.enter(-89.9993, 120.0).json() is None                 # ~78 m beyond the pole: ~133 m from the centre


def test_the_nearest_centre_wins(world, clock):
    here = north_of(*WARSAW, 40)
    world.geofence(name="Campus", radius=1000, projectId=world.q["id"])
    world.geofence(name="Office")  # centre at WARSAW, 40 m away; Campus shares the centre -> tie by distance
    world.geofence(name="Desk", latitude=here[0], longitude=here[1], radius=10)
    assert world.enter(*here).json()["name"] == "Desk"
    clock.advance(minutes=1)
    far = north_of(*WARSAW, 500)
    assert world.enter(*far).json()["name"] == "Campus"


def test_entering_again_returns_the_running_timer(world, clock):
    world.geofence()
    first = world.enter(*WARSAW).json()
    clock.advance(minutes=10)  # the clock moves on: still the same timer
    again = world.enter(*north_of(*WARSAW, 30))
    assert again.status == 200 and again.json() == first
    assert len(world.running()) == 1


def test_enter_stops_a_running_manual_timer_at_the_new_start(world, clock):
    manual = world.api.post("/activities", as_=SAM, org="acme",
                            body={"name": "Manual", "projectId": world.q["id"], "pending": True, "startedAt": "2026-07-15T11:00:00Z"}).json()
    world.geofence()
    timer = world.enter(*WARSAW).json()
    stopped = world.api.get(f"/activities/{manual['id']}", as_=SAM, org="acme").json()
    assert stopped["endedAt"] == timer["startedAt"] == "2026-07-15T12:00:00.000Z" and "pending" not in stopped
    assert [a["id"] for a in world.running()] == [timer["id"]]
    # the manual timer is not the geofence's: exit leaves nothing else running to stop twice
    clock.advance(hours=1)
    assert [a["id"] for a in world.exit(*WARSAW).json()] == [timer["id"]]


def test_entering_another_geofence_replaces_the_timer(world, clock):
    world.geofence()
    world.geofence(name="Depot", latitude=50.0, longitude=19.9, projectId=world.q["id"])
    office = world.enter(*WARSAW).json()
    clock.advance(minutes=90)
    depot = world.enter(50.0, 19.9).json()
    assert depot["name"] == "Depot" and depot["id"] != office["id"]
    old = world.api.get(f"/activities/{office['id']}", as_=SAM, org="acme").json()
    assert old["endedAt"] == "2026-07-15T13:30:00.000Z"


def test_start_tracking_uses_the_most_recent_project(world):
    world.geofence(enterAction="START_TRACKING", projectId=None)
    refused = world.enter(*WARSAW)
    assert refused.status == 409 and refused.json()["error"]["code"] == "NO_PROJECT"
    world.api.post("/activities", as_=SAM, org="acme", body={"name": "Older", "projectId": world.p["id"],
                                                             "startedAt": "2026-07-01T09:00:00Z", "endedAt": "2026-07-01T10:00:00Z"})
    world.api.post("/activities", as_=SAM, org="acme", body={"name": "Latest", "projectId": world.q["id"],
                                                             "startedAt": "2026-07-10T09:00:00Z", "endedAt": "2026-07-10T10:00:00Z"})
    timer = world.enter(*WARSAW).json()
    assert timer["projectId"] == world.q["id"] and timer["billable"] is False


def test_start_tracking_falls_back_to_the_geofence_project(world):
    world.geofence(enterAction="START_TRACKING", projectId=world.q["id"])
    assert world.enter(*WARSAW).json()["projectId"] == world.q["id"]


def test_activity_rules_refuse_with_409(world, seed):
    world.geofence()
    refused = world.enter(*WARSAW, who="ola@acme.test")  # not a member of the project
    assert refused.status == 409
    error = refused.json()["error"]
    assert error["code"] == "GEOFENCE_ACTION_REFUSED" and error["details"][0]["field"] == "projectId"
    assert world.running("ola@acme.test") == []


def test_exit_stops_the_geofence_timer_once(world, clock):
    world.geofence()
    timer = world.enter(*WARSAW).json()
    clock.advance(hours=3)
    reply = world.exit(*north_of(*WARSAW, 200))  # reported a little beyond the boundary
    assert reply.status == 200
    stopped = reply.json()
    assert len(stopped) == 1 and stopped[0]["id"] == timer["id"]
    assert stopped[0]["endedAt"] == "2026-07-15T15:00:00.000Z" and "pending" not in stopped[0]
    assert world.exit(*WARSAW).json() == []
    assert world.running() == []


def test_exit_without_a_running_timer_is_an_empty_list(world):
    world.geofence()
    reply = world.exit(*WARSAW)
    assert reply.status == 200 and reply.json() == []


def test_exit_leaves_other_timers_alone(world, clock):
    world.geofence()
    world.geofence(name="No stop", latitude=50.0, longitude=19.9, exitAction="NONE", projectId=world.q["id"])
    manual = world.api.post("/activities", as_=SAM, org="acme", body={"name": "Manual", "projectId": world.q["id"], "pending": True}).json()
    assert world.exit(*WARSAW).json() == []                    # a manual timer is not a geofence's
    clock.advance(minutes=5)
    world.enter(*WARSAW)
    assert world.exit(*north_of(*WARSAW, 2000)).json() == []   # far from the geofence that started it
    assert world.exit(50.0, 19.9).json() == []                 # leaving another geofence
    assert len(world.running()) == 1 and world.running()[0]["id"] != manual["id"]
    clock.advance(minutes=5)
    world.enter(50.0, 19.9)
    assert world.exit(50.0, 19.9).json() == []                 # its exitAction is NONE
    assert world.running()[0]["name"] == "No stop"


def test_exit_caps_a_timer_that_ran_past_the_limit(world, clock):
    world.geofence()
    timer = world.enter(*WARSAW).json()
    clock.advance(hours=30)
    stopped = world.exit(*WARSAW).json()
    assert stopped[0]["id"] == timer["id"] and stopped[0]["endedAt"] == "2026-07-16T12:00:00.000Z"


def test_events_are_validated(world):
    for body in ({"latitude": 91, "longitude": 0}, {"latitude": 0, "longitude": -181}, {"longitude": 0},
                 {"latitude": "1", "longitude": 0}, {"latitude": 0, "longitude": 0, "source": "x" * 101},
                 {"latitude": 0, "longitude": 0, "extra": 1}):
        for path in ("/geofencing/enter", "/geofencing/exit"):
            assert world.api.post(path, as_=SAM, org="acme", body=body).status == 422, (path, body)


def test_lookup_reads_the_same_whatever_the_number_of_geofences_and_activities(world):
    world.geofence()
    for n in range(40):  # a dense neighbourhood: 40 geofences within ~4 km, and many of Sam's entries
        world.geofence(name=f"Shop {n}", latitude=WARSAW[0] + 0.001 * n, longitude=WARSAW[1] + 0.0007 * n, radius=60)
    for day in range(1, 11):
        world.api.post("/activities", as_=SAM, org="acme", body={"name": "Work", "projectId": world.p["id"],
                                                                 "startedAt": f"2026-07-{day:02d}T09:00:00Z", "endedAt": f"2026-07-{day:02d}T10:00:00Z"})
    with counting() as counter:
        world.enter(*WARSAW)
    assert counter.scans == 0
    # authorizer 2 GetItem; 4 cell Queries; marker GetItem; create: BatchGet, the rates it keeps
    # (2 Queries) + transaction
    assert counter.calls["Query"] == 6
    assert counter.reads <= 2 + 4 + 1 + 1 + 2


def test_concurrent_enter_events_start_one_timer(world):
    # a phone can report the same region entry twice at once (region monitoring and a visit)
    import threading

    world.geofence()
    barrier = threading.Barrier(6)
    replies: list = [None] * 6

    def enter(index: int) -> None:
        barrier.wait()
        replies[index] = world.enter(*north_of(*WARSAW, index))

    threads = [threading.Thread(target=enter, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [reply.status for reply in replies] == [200] * 6, [reply.body for reply in replies]
    running = world.running()
    assert len(running) == 1
    assert {reply.json()["id"] for reply in replies} == {running[0]["id"]}
    assert len(world.api.get("/activities", as_=SAM, org="acme").json()) == 1
