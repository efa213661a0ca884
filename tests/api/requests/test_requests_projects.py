"""Project requests: a role change, a member assignment and a self-service project assignment;
who may ask and resolve (organization and project Administrators), each effect, REJECTED, duplicates."""

from __future__ import annotations

from sandglass import ids

from tests.api.requests.conftest import ADMIN, BOSS, OLA, PIA, SAM

UNKNOWN = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def role_path(w, user):
    return f"/requests/projects/{w.project['id']}/members/{ids.project_member_id(w.project['id'], user['id'])}/role"


# --- role change ------------------------------------------------------------------------------------

def test_role_change_request_has_the_reference_fields_and_a_project_administrator_applies_it(world):
    request = world.create(role_path(world, world.sam), body={"role": "Administrator"})
    member_id = ids.project_member_id(world.project["id"], world.sam["id"])
    assert request == {"createdAt": "2026-11-13T12:00:00.000Z", "createdBy": world.sam["id"], "id": request["id"], "resolvedAt": None,
                       "resolvedBy": None, "status": "PENDING", "type": "PROJECT_MEMBER_ROLE", "projectId": world.project["id"],
                       "memberId": member_id, "userId": world.sam["id"], "role": "Administrator"}
    resolved = world.resolve(request["id"], "/projects/members/role", who=PIA)  # Pia administers the project
    assert resolved["status"] == "RESOLVED" and resolved["resolvedBy"] == world.pia["id"]
    stored = world.membership(world.project["id"], world.sam["id"])
    assert stored["role"] == "Administrator" and stored["version"] == 2


def test_rejected_role_change_keeps_the_role(world):
    request = world.create(role_path(world, world.sam), body={"role": "Administrator"})
    world.resolve(request["id"], "/projects/members/role", status="REJECTED")
    assert world.membership(world.project["id"], world.sam["id"])["role"] == "User"


def test_role_change_creation_rights_and_checks(world):
    assert world.call("POST", role_path(world, world.sam), OLA, {"role": "Administrator"}).status == 404  # not on the project
    same = world.call("POST", role_path(world, world.sam), SAM, {"role": "User"})
    assert same.status == 409 and same.json()["error"]["code"] == "ROLE_UNCHANGED"
    assert world.call("POST", role_path(world, world.sam), SAM, {"role": "Owner"}).status == 422
    assert world.call("POST", f"/requests/projects/{world.project['id']}/members/{UNKNOWN}/role", SAM, {"role": "User"}).status == 404
    assert world.call("POST", f"/requests/projects/{UNKNOWN}/members/{UNKNOWN}/role", ADMIN, {"role": "User"}).status == 404
    assert world.call("POST", "/requests/projects/not-an-id/members/nope/role", ADMIN, {"role": "User"}).status == 404
    # an Administrator may ask about any project's member
    assert world.create(role_path(world, world.pia), who=BOSS, body={"role": "User"})["status"] == "PENDING"
    assert world.call("GET", "/requests", ADMIN).json().keys() == {next(iter(world.call("GET", "/requests", BOSS).json()))}


def test_role_change_of_a_member_who_left_cannot_be_applied(world):
    request = world.create(role_path(world, world.sam), body={"role": "Administrator"})
    member_id = ids.project_member_id(world.project["id"], world.sam["id"])
    assert world.call("DELETE", f"/projects/{world.project['id']}/members/{member_id}", ADMIN).status in (200, 204)
    reply = world.call("PUT", f"/requests/{request['id']}/projects/members/role", ADMIN, {"status": "RESOLVED"})
    assert reply.status == 409 and reply.json()["error"]["code"] == "MEMBER_GONE"
    assert world.stored_request(request["id"])["status"] == "PENDING"
    assert world.resolve(request["id"], "/projects/members/role", status="REJECTED")["status"] == "REJECTED"


# --- member assignment ----------------------------------------------------------------------------

def test_member_assignment_adds_the_users_skipping_members(world):
    path = f"/requests/projects/{world.project['id']}/members"
    request = world.create(path, body={"userIds": [world.ola["id"], world.pia["id"]]})
    assert request["type"] == "PROJECT_MEMBERS" and request["userIds"] == [world.ola["id"], world.pia["id"]]
    assert world.create(path, body={"userIds": [world.pia["id"], world.ola["id"]]})["id"] == request["id"]  # same target: duplicate
    world.resolve(request["id"], "/projects/members", who=PIA)
    ola = world.membership(world.project["id"], world.ola["id"])
    assert ola["role"] == "User" and ola["assignedBy"] == world.pia["id"] and not ola["archived"]
    assert world.membership(world.project["id"], world.pia["id"])["role"] == "Administrator"  # untouched
    assert world.call("GET", f"/projects/{world.project['id']}", OLA).status == 200


def test_member_assignment_checks(world):
    path = f"/requests/projects/{world.project['id']}/members"
    unknown = world.call("POST", path, SAM, {"userIds": [world.ola["id"], UNKNOWN]})
    assert unknown.status == 422 and unknown.json()["error"]["details"][0]["field"] == "userIds.1"
    members = world.call("POST", path, SAM, {"userIds": [world.pia["id"]]})
    assert members.status == 409 and members.json()["error"]["code"] == "ALREADY_MEMBERS"
    assert world.call("POST", path, SAM, {"userIds": []}).status == 422
    assert world.call("POST", path, SAM, {"userIds": ["x"]}).status == 422
    assert world.call("POST", path, OLA, {"userIds": [world.ola["id"]]}).status == 404  # Ola is not on the project
    assert world.call("GET", "/requests", ADMIN).json() == {}


def test_a_project_administrator_only_resolves_requests_of_their_projects(world, seed):
    other = seed.project("acme", "Intranet", members={world.sam["id"]: "User"})
    request = world.create(f"/requests/projects/{other['id']}/members", body={"userIds": [world.ola["id"]]})
    assert world.call("PUT", f"/requests/{request['id']}/projects/members", PIA, {"status": "RESOLVED"}).status == 404
    assert world.call("GET", f"/requests/{request['id']}", PIA).status == 404
    assert world.membership(other["id"], world.ola["id"]) is None
    world.resolve(request["id"], "/projects/members", who=BOSS, status="REJECTED")
    assert world.membership(other["id"], world.ola["id"]) is None


# --- project assignment ---------------------------------------------------------------------------

def test_request_assignment_without_a_body_and_resolution_with_projects(world, seed):
    other = seed.project("acme", "Intranet")
    request = world.create("/requests/projects/request-assignment", who=OLA)
    assert request["type"] == "PROJECT_ASSIGNMENT" and request["projectIds"] == []
    missing = world.call("PUT", f"/requests/{request['id']}/projects/assign", ADMIN, {"status": "RESOLVED"})
    assert missing.status == 422 and missing.json()["error"]["details"][0]["field"] == "projectIds"
    resolved = world.resolve(request["id"], "/projects/assign", projectIds=[world.project["id"], other["id"]])
    assert resolved["projectIds"] == [world.project["id"], other["id"]]
    for project in (world.project, other):
        assert world.membership(project["id"], world.ola["id"])["role"] == "User"


def test_request_assignment_with_projects_uses_them_by_default(world):
    request = world.create("/requests/projects/request-assignment", who=OLA, body={"projectIds": [world.project["id"]]})
    assert request["projectIds"] == [world.project["id"]]
    world.resolve(request["id"], "/projects/assign", who=PIA)  # Pia administers every project named
    assert world.membership(world.project["id"], world.ola["id"]) is not None


def test_request_assignment_checks(world):
    unknown = world.call("POST", "/requests/projects/request-assignment", OLA, {"projectIds": [UNKNOWN]})
    assert unknown.status == 422 and unknown.json()["error"]["details"][0]["field"] == "projectIds.0"
    already = world.call("POST", "/requests/projects/request-assignment", SAM, {"projectIds": [world.project["id"]]})
    assert already.status == 409
    request = world.create("/requests/projects/request-assignment", who=OLA)
    bad = world.call("PUT", f"/requests/{request['id']}/projects/assign", ADMIN, {"status": "RESOLVED", "projectIds": [UNKNOWN]})
    assert bad.status == 422
    world.resolve(request["id"], "/projects/assign", status="REJECTED", projectIds=[world.project["id"]])
    assert world.membership(world.project["id"], world.ola["id"]) is None


def test_concurrent_resolutions_apply_once(world):
    import threading

    request = world.create("/requests/projects/request-assignment", who=OLA, body={"projectIds": [world.project["id"]]})
    barrier, replies = threading.Barrier(4), []

    def resolve(who, status):
        barrier.wait()
        replies.append(world.call("PUT", f"/requests/{request['id']}/projects/assign", who, {"status": status}))

    threads = [threading.Thread(target=resolve, args=args) for args in ((ADMIN, "RESOLVED"), (BOSS, "REJECTED"), (ADMIN, "REJECTED"),
                                                                        (BOSS, "RESOLVED"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [200, 409, 409, 409], [reply.body for reply in replies]
    winner = next(reply.json() for reply in replies if reply.status == 200)
    stored = world.stored_request(request["id"])
    assert stored["status"] == winner["status"]
    assert (world.membership(world.project["id"], world.ola["id"]) is not None) == (winner["status"] == "RESOLVED")
