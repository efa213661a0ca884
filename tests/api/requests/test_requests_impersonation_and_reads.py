"""Impersonation requests (the one-time support sign-in) and reading requests: GET /requests with
its filters and paging, GET /requests/{requestId}, and another organization's ids."""

from __future__ import annotations

from tests.api.requests.conftest import ADMIN, BOSS, OLA, PIA, SAM, SUPPORT


def support_token(outbox) -> str:
    grants = [message for message in outbox() if message["kind"] == "impersonation-grant"]
    assert [message["to"] for message in grants] == [SUPPORT]
    return grants[-1]["data"]["token"]


def exchange(w, token, org="acme"):
    return w.api.call("POST", "/auth/impersonation", org=org, body={"token": token})


def test_resolved_impersonation_sends_a_one_time_token_to_support_only(world, outbox, clock):
    from datetime import datetime, timedelta, timezone

    from sandglass.timefmt import iso

    clock.instant = datetime.now(timezone.utc).replace(microsecond=0)  # the authorizer checks the session token against real time
    request = world.create("/requests/impersonation", body={"reason": "My timer looks wrong"})
    assert request["type"] == "IMPERSONATION" and request["userId"] == world.sam["id"] and request["reason"] == "My timer looks wrong"
    resolved = world.resolve(request["id"], "")
    token = support_token(outbox)
    assert token not in str(resolved) and "token" not in resolved
    session = exchange(world, token)
    assert session.status == 200, session.body
    body = session.json()
    assert body["userId"] == world.sam["id"] and body["email"] == SAM and body["expiresAt"] == iso(clock.instant + timedelta(minutes=15))
    me = world.api.get("/auth", token=body["token"], org="acme")
    assert me.status == 200 and me.json()["email"] == SAM
    import jwt

    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["act"] == {"sub": "support", "requestId": request["id"]} and (claims["org"], claims["userId"]) == (world.org_id, world.sam["id"])
    again = exchange(world, token)
    assert again.status == 401 and again.json()["error"]["code"] == "INVALID_SIGN_IN_TOKEN"


def test_a_sign_in_token_expires_after_15_minutes_and_belongs_to_its_organization(world, outbox, clock, api):
    api.signup("globex", "admin@globex.test", "Globex")
    request = world.create("/requests/impersonation")
    world.resolve(request["id"], "")
    token = support_token(outbox)
    assert exchange(world, token, org="globex").status == 401
    assert exchange(world, "x" * 43).status == 401
    assert exchange(world, token, org=None).status == 401
    clock.advance(minutes=16)
    assert exchange(world, token).status == 401


def test_rejected_impersonation_issues_nothing(world, outbox):
    request = world.create("/requests/impersonation")
    world.resolve(request["id"], "", status="REJECTED")
    assert [message for message in outbox() if message["kind"] == "impersonation-grant"] == []


def test_impersonation_rights(world):
    assert world.call("POST", "/requests/impersonation", SAM, {"userId": world.pia["id"]}).status == 403
    by_admin = world.create("/requests/impersonation", who=ADMIN, body={"userId": world.pia["id"]})
    assert by_admin["userId"] == world.pia["id"] and by_admin["createdBy"] == world.admin_id
    own = world.call("PUT", f"/requests/{by_admin['id']}", ADMIN, {"status": "RESOLVED"})
    assert own.status == 403 and own.json()["error"]["code"] == "OWN_REQUEST"  # BOSS is another Administrator
    assert world.resolve(by_admin["id"], "", who=BOSS)["status"] == "RESOLVED"
    assert world.call("POST", "/requests/impersonation", ADMIN, {"userId": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}).status == 404


def test_impersonation_needs_a_support_address(world, gateway):
    gateway.environment["SUPPORT_EMAIL"] = ""
    gateway.apply_environment()
    from sandglass.settings import reset_settings

    reset_settings()
    reply = world.call("POST", "/requests/impersonation", SAM)
    assert reply.status == 409 and reply.json()["error"]["code"] == "SUPPORT_NOT_CONFIGURED"


# --- reading ----------------------------------------------------------------------------------------

def _make_some(world):
    assert world.call("POST", "/timesheets/lock", ADMIN, {"userId": world.sam["id"], "year": 2026, "week": 45}).status == 200
    unlock = world.create("/requests/timesheets/2026/45/unlock")
    approval = world.create("/requests/timesheets/2026/44/approvals")
    assignment = world.create("/requests/projects/request-assignment", who=OLA)
    world.resolve(approval["id"], "/timesheets/approvals")
    return unlock, approval, assignment


def test_members_list_their_own_requests_and_administrators_everyone(world, clock):
    unlock, approval, assignment = _make_some(world)
    everyone = world.call("GET", "/requests", ADMIN).json()
    assert set(everyone) == {unlock["id"], approval["id"], assignment["id"]}
    assert set(world.call("GET", "/requests", SAM).json()) == {unlock["id"], approval["id"]}
    assert set(world.call("GET", "/requests", OLA).json()) == {assignment["id"]}
    assert world.call("GET", f"/requests?createdBy={world.ola['id']}", SAM).json() == {}
    assert set(world.call("GET", "/requests?status=PENDING", ADMIN).json()) == {unlock["id"], assignment["id"]}
    assert set(world.call("GET", "/requests?type=TIMESHEET_APPROVAL", ADMIN).json()) == {approval["id"]}
    assert set(world.call("GET", f"/requests?createdBy={world.sam['id']}&status=PENDING", ADMIN).json()) == {unlock["id"]}
    assert world.call("GET", "/requests?status=OPEN", ADMIN).status == 422
    assert world.call("GET", "/requests?type=VACATION", ADMIN).status == 422
    assert world.call("GET", "/requests?createdBy=nope", ADMIN).status == 422


def test_listing_is_newest_first_and_pages_with_a_cursor(world, clock):
    ids_in_order = []
    for week in (40, 41, 42):
        ids_in_order.append(world.create(f"/requests/timesheets/2026/{week}/approvals")["id"])
        clock.advance(minutes=1)
    first = world.call("GET", "/requests?limit=2", ADMIN)
    assert list(first.json()) == ids_in_order[::-1][:2]
    cursor = first.headers["X-Next-Cursor"]
    rest = world.call("GET", f"/requests?limit=2&cursor={cursor}", ADMIN)
    assert list(rest.json()) == ids_in_order[:1]
    assert world.call("GET", f"/requests?limit=2&status=PENDING&cursor={cursor}", ADMIN).status == 400  # bound to its query


def test_get_a_request(world, api):
    unlock, approval, assignment = _make_some(world)
    assert world.call("GET", f"/requests/{unlock['id']}", SAM).json() == unlock
    assert world.call("GET", f"/requests/{approval['id']}", BOSS).json()["status"] == "RESOLVED"
    assert world.call("GET", f"/requests/{unlock['id']}", OLA).status == 404
    assert world.call("GET", f"/requests/{unlock['id']}", PIA).status == 404
    assert world.call("GET", "/requests/not-an-id", ADMIN).status == 404
    api.signup("globex", "admin@globex.test", "Globex")
    assert api.get(f"/requests/{unlock['id']}", as_="admin@globex.test", org="globex").status == 404
    assert api.put(f"/requests/{unlock['id']}/timesheets/unlock", as_="admin@globex.test", org="globex", body={"status": "RESOLVED"}).status == 404
    assert world.stored_request(unlock["id"])["status"] == "PENDING"
