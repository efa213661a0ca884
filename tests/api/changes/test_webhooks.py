"""Webhooks: management, and delivery from the change log to a loopback receiver."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from sandglass import signatures
from tests.api.changes.conftest import ADMIN
from tests.conftest import fixed_clock

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
SAM = "sam@acme.test"


@pytest.fixture
def clock():
    yield from fixed_clock(NOW)


def _hook(api, url, event="NEW_TIME_ENTRY", **extra):
    reply = api.post("/webhooks", as_=ADMIN, org="acme", body={"name": "Payroll", "url": url, "webhookEvent": event, **extra})
    assert reply.status == 200, reply.body
    return reply.json()


def _project(api):
    reply = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Website"})
    assert reply.status == 200, reply.body
    return reply.json()["id"]


def _entry(api, project_id, day=3):
    reply = api.post("/activities", as_=ADMIN, org="acme", body={"name": "Work", "projectId": project_id,
                                                                  "startedAt": f"2026-07-{day:02d}T09:00:00Z", "endedAt": f"2026-07-{day:02d}T10:00:00Z"})
    assert reply.status == 200, reply.body
    return reply.json()


def _deliveries(api, webhook_id):
    reply = api.get(f"/webhooks/{webhook_id}/deliveries", as_=ADMIN, org="acme")
    assert reply.status == 200, reply.body
    return reply.json()


# --- management ----------------------------------------------------------------------------------

def test_crud_token_rotation_and_etags(api, acme):
    hook = _hook(api, "https://hooks.example.com/in")
    assert hook["enabled"] and len(hook["authToken"]) >= 32 and hook["triggerSourceType"] == "WORKSPACE_ID"
    assert [h["id"] for h in api.get("/webhooks", as_=ADMIN, org="acme").json()] == [hook["id"]]
    got = api.get(f"/webhooks/{hook['id']}", as_=ADMIN, org="acme")
    assert got.status == 200 and got.header("ETag") == '"1"'
    put = api.put(f"/webhooks/{hook['id']}", as_=ADMIN, org="acme", headers={"If-Match": '"1"'}, body={"name": "Invoices", "webhookEvent": "NEW_PROJECT"})
    assert put.status == 200 and put.json()["name"] == "Invoices" and put.json()["webhookEvent"] == "NEW_PROJECT"
    assert api.put(f"/webhooks/{hook['id']}", as_=ADMIN, org="acme", headers={"If-Match": '"1"'}, body={"name": "Stale"}).status == 412
    rotated = api.post(f"/webhooks/{hook['id']}/token", as_=ADMIN, org="acme").json()
    assert rotated["authToken"] != hook["authToken"]
    assert api.delete(f"/webhooks/{hook['id']}", as_=ADMIN, org="acme").status == 200
    assert api.get(f"/webhooks/{hook['id']}", as_=ADMIN, org="acme").status == 404


def test_only_administrators_manage_webhooks(api, acme, seed):
    seed.member("acme", SAM)
    assert api.get("/webhooks", as_=SAM, org="acme").status == 403
    assert api.post("/webhooks", as_=SAM, org="acme", body={"name": "Mine", "url": "https://x.example.com/", "webhookEvent": "NEW_PROJECT"}).status == 403


@pytest.mark.parametrize("url", ["http://hooks.example.com/in", "https://10.0.0.5/in", "https://169.254.169.254/latest/meta-data",
                                 "https://127.0.0.1/in", "https://localhost/in", "https://[::1]/in", "ftp://example.com/", "https://user:pw@example.com/"])
def test_unsafe_targets_are_refused(api, acme, url):
    reply = api.post("/webhooks", as_=ADMIN, org="acme", body={"name": "Bad", "url": url, "webhookEvent": "NEW_PROJECT"})
    assert reply.status == 422, (url, reply.body)


def test_unknown_events_and_triggers_without_sources_are_refused(api, acme):
    assert api.post("/webhooks", as_=ADMIN, org="acme", body={"name": "Bad", "url": "https://x.example.com/", "webhookEvent": "NOPE"}).status == 422
    assert api.post("/webhooks", as_=ADMIN, org="acme", body={"name": "Bad", "url": "https://x.example.com/", "webhookEvent": "NEW_PROJECT",
                                                               "triggerSourceType": "PROJECT_ID"}).status == 422


def test_ten_per_administrator(api, acme):
    for n in range(10):
        _hook(api, f"https://hooks.example.com/{n}")
    reply = api.post("/webhooks", as_=ADMIN, org="acme", body={"name": "Eleventh", "url": "https://hooks.example.com/11", "webhookEvent": "NEW_PROJECT"})
    assert reply.status == 409 and reply.json()["error"]["code"] == "WEBHOOK_LIMIT"
    first = api.get("/webhooks", as_=ADMIN, org="acme").json()[0]["id"]
    assert api.delete(f"/webhooks/{first}", as_=ADMIN, org="acme").status == 200
    _hook(api, "https://hooks.example.com/again")


# --- delivery -------------------------------------------------------------------------------------

def test_an_event_arrives_once_signed_with_both_signatures(api, streaming, acme, receiver, clock):
    hook = _hook(api, receiver.url)
    project = _project(api)
    entry = _entry(api, project)
    assert len(receiver.received) == 1
    delivery = receiver.received[0]
    headers, body = delivery["headers"], delivery["body"]
    assert headers["Clockify-Signature"] == hook["authToken"] and headers["Clockify-Webhook-Event-Type"] == "NEW_TIME_ENTRY"
    assert signatures.verify(hook["authToken"], headers["Sandglass-Signature"], body, now=NOW.timestamp())
    assert not signatures.verify(hook["authToken"], headers["Sandglass-Signature"], body, now=NOW.timestamp() + 301)  # replay window
    assert not signatures.verify("another-token", headers["Sandglass-Signature"], body, now=NOW.timestamp())
    event = json.loads(body)
    assert event["eventType"] == "NEW_TIME_ENTRY" and event["entityId"] == entry["id"] and event["state"]["name"] == "Work"
    assert headers["Sandglass-Event-Id"] == event["eventId"]
    log = _deliveries(api, hook["id"])
    assert [(d["status"], d["attempts"], d["statusCode"]) for d in log] == [("DELIVERED", 1, 200)]


def test_each_event_type_arrives_once_per_change(api, streaming, acme, receiver, clock):
    created = _hook(api, receiver.url, "NEW_TIME_ENTRY")
    updated = _hook(api, receiver.url, "TIME_ENTRY_UPDATED")
    deleted = _hook(api, receiver.url, "TIME_ENTRY_DELETED")
    projects = _hook(api, receiver.url, "NEW_PROJECT")
    entry = _entry(api, _project(api))
    assert api.put(f"/activities/{entry['id']}", as_=ADMIN, org="acme", body={"name": "Edited"}).status == 200
    assert api.delete(f"/activities/{entry['id']}", as_=ADMIN, org="acme").status == 200
    kinds = [d["headers"]["Clockify-Webhook-Event-Type"] for d in receiver.received]
    assert kinds == ["NEW_PROJECT", "NEW_TIME_ENTRY", "TIME_ENTRY_UPDATED", "TIME_ENTRY_DELETED"]
    tombstone = json.loads(receiver.received[-1]["body"])
    assert tombstone["operation"] == "deleted" and tombstone["state"] is None and tombstone["entityId"] == entry["id"]
    for hook in (created, updated, deleted, projects):
        assert [d["status"] for d in _deliveries(api, hook["id"])] == ["DELIVERED"]


def test_a_trigger_source_narrows_to_one_project(api, streaming, acme, receiver, clock):
    watched, other = _project(api), _project(api)
    _hook(api, receiver.url, triggerSourceType="PROJECT_ID", triggerSource=[watched])
    _entry(api, other)
    ours = _entry(api, watched, day=4)
    assert [json.loads(d["body"])["entityId"] for d in receiver.received] == [ours["id"]]


def test_a_receiver_failing_twice_gets_the_event_once_more_after_the_retries(api, gateway, streaming, acme, receiver, clock):
    hook = _hook(api, receiver.url)
    receiver.script = [500, 503]
    _entry(api, _project(api))
    assert len(receiver.received) == 1
    log = _deliveries(api, hook["id"])[0]
    assert log["status"] == "RETRYING" and log["statusCode"] == 500 and log["nextAttemptAt"] == "2026-07-15T12:01:00.000Z"
    clock.advance(seconds=59)
    gateway.webhooks.pump()
    assert len(receiver.received) == 1  # not before its backoff
    clock.advance(seconds=1)
    gateway.webhooks.pump()
    clock.advance(seconds=300)
    gateway.webhooks.pump()
    assert len(receiver.received) == 3
    assert len({d["headers"]["Sandglass-Event-Id"] for d in receiver.received}) == 1  # the same event: receivers deduplicate
    assert [d["headers"]["Sandglass-Delivery-Attempt"] for d in receiver.received] == ["1", "2", "3"]
    log = _deliveries(api, hook["id"])[0]
    assert (log["status"], log["attempts"], log["statusCode"], log["nextAttemptAt"]) == ("DELIVERED", 3, 200, None)
    clock.advance(days=2)
    gateway.webhooks.pump()
    assert len(receiver.received) == 3


def test_a_receiver_down_for_the_whole_window_ends_in_the_dead_letter_queue(api, gateway, streaming, acme, receiver, clock):
    from sandglass.adapters.delivery_queue import local_queue

    hook = _hook(api, receiver.url)
    receiver.script = [500] * 20
    _entry(api, _project(api))
    from sandglass.services.webhook_delivery import BACKOFF

    assert sum(BACKOFF) >= 24 * 3600  # the retry window
    for delay in BACKOFF:
        clock.advance(seconds=delay)
        gateway.webhooks.pump()
    assert len(receiver.received) == 9
    assert [m.body["webhookId"] for m in local_queue().dead] == [hook["id"]]
    log = _deliveries(api, hook["id"])[0]
    assert (log["status"], log["attempts"], log["nextAttemptAt"]) == ("DEAD", 9, None)


def test_an_endpoint_failing_for_days_is_disabled_and_its_owner_told(api, gateway, streaming, acme, receiver, clock, outbox):
    hook = _hook(api, receiver.url)
    receiver.script = [500] * 100
    project = _project(api)
    _entry(api, project)
    clock.advance(days=3, seconds=1)
    _entry(api, project, day=4)
    got = api.get(f"/webhooks/{hook['id']}", as_=ADMIN, org="acme").json()
    assert got["enabled"] is False and "failed" in got["disabledReason"]
    assert [n["to"] for n in outbox() if n.get("kind") == "webhook-disabled"] == [ADMIN]
    before = len(receiver.received)
    _entry(api, project, day=5)
    clock.advance(hours=1)
    gateway.webhooks.pump()
    assert len(receiver.received) == before  # disabled: nothing more is sent
    enabled = api.put(f"/webhooks/{hook['id']}", as_=ADMIN, org="acme", body={"enabled": True}).json()
    assert enabled["enabled"] and enabled["failingSince"] is None


def test_a_delivery_log_cursor_is_refused_in_another_organization(api, streaming, acme, receiver, clock):
    hook = _hook(api, receiver.url)
    project = _project(api)
    _entry(api, project)
    _entry(api, project, day=4)
    first = api.get(f"/webhooks/{hook['id']}/deliveries", as_=ADMIN, org="acme", query={"limit": "1"})
    cursor = first.header("X-Next-Cursor")
    assert first.status == 200 and len(first.json()) == 1 and cursor
    api.signup("globex", "boss@globex.test")
    theirs = api.post("/webhooks", as_="boss@globex.test", org="globex", body={"name": "Theirs", "url": "https://hooks.example.com/g",
                                                                              "webhookEvent": "NEW_PROJECT"}).json()
    assert api.get(f"/webhooks/{theirs['id']}/deliveries", as_="boss@globex.test", org="globex", query={"cursor": cursor}).status == 400
    assert api.get(f"/webhooks/{hook['id']}/deliveries", as_="boss@globex.test", org="globex").status == 404


def test_every_event_type_of_projects_entries_timers_and_people_arrives_once_per_change_signed(api, streaming, acme, receiver, clock, feed):
    from collections import Counter

    from sandglass.services.webhooks import EVENTS, TIMER_STARTED

    events = ["NEW_PROJECT", "PROJECT_UPDATED", "PROJECT_DELETED", "NEW_TIME_ENTRY", "TIME_ENTRY_UPDATED", "TIME_ENTRY_DELETED",
              "NEW_TIMER_STARTED", "USER_JOINED_WORKSPACE", "USER_UPDATED"]
    hooks = {event: _hook(api, receiver.url, event) for event in events}
    _, since = feed()
    kept, dropped = _project(api), _project(api)
    assert api.put(f"/projects/{kept}", as_=ADMIN, org="acme", body={"name": "Renamed"}).status == 200
    assert api.delete(f"/projects/{dropped}", as_=ADMIN, org="acme").status == 200
    entry = _entry(api, kept)
    assert api.put(f"/activities/{entry['id']}", as_=ADMIN, org="acme", body={"name": "Edited"}).status == 200
    assert api.delete(f"/activities/{entry['id']}", as_=ADMIN, org="acme").status == 200
    timer = api.post("/activities", as_=ADMIN, org="acme", body={"name": "Timer", "projectId": kept, "startedAt": "2026-07-15T11:00:00Z",
                                                                   "pending": True})
    assert timer.status == 200, timer.body
    person = api.post("/users", as_=ADMIN, org="acme", body={"email": SAM, "name": "Sam"})
    assert person.status == 200, person.body
    assert api.put(f"/users/{person.json()['id']}", as_=ADMIN, org="acme", body={"title": "Designer"}).status == 200

    got = [(d["headers"]["Clockify-Webhook-Event-Type"], d) for d in receiver.received]
    changes, _ = feed(since=since)
    raised = Counter(EVENTS[(c["entityType"], c["operation"])] for c in changes if (c["entityType"], c["operation"]) in EVENTS)
    raised[TIMER_STARTED] = sum(1 for c in changes if c["entityType"] == "activity" and (c["state"] or {}).get("pending"))
    assert Counter(kind for kind, _ in got) == {event: raised[event] for event in events}  # one delivery per change
    assert all(raised[event] >= 1 for event in events)
    for kind, delivery in got:
        token, body = hooks[kind]["authToken"], delivery["body"]
        assert delivery["headers"]["Clockify-Signature"] == token
        assert signatures.verify(token, delivery["headers"]["Sandglass-Signature"], body, now=NOW.timestamp())
        assert json.loads(body)["eventType"] == kind
    assert len({(kind, d["headers"]["Sandglass-Event-Id"]) for kind, d in got}) == len(got)  # no event twice to a webhook


def test_locks_unlocks_and_removed_people_arrive_once_per_change_signed(api, streaming, acme, receiver, clock, feed):
    events = ["TIMESHEET_LOCKED", "TIMESHEET_UNLOCKED", "USER_DELETED_FROM_WORKSPACE"]
    hooks = {event: _hook(api, receiver.url, event) for event in events}
    person = api.post("/users", as_=ADMIN, org="acme", body={"email": SAM, "name": "Sam"}).json()
    lock = api.post("/timesheets/lock", as_=ADMIN, org="acme", body={"userId": person["id"], "year": 2026, "week": 28})
    assert lock.status == 200, lock.body
    assert api.delete(f"/timesheets/lock/{lock.json()['id']}", as_=ADMIN, org="acme").status in (200, 204)
    assert api.delete(f"/users/{person['id']}", as_=ADMIN, org="acme").status in (200, 204)
    got = [(d["headers"]["Clockify-Webhook-Event-Type"], d) for d in receiver.received]
    assert sorted(kind for kind, _ in got) == sorted(events)
    for kind, delivery in got:
        token, body = hooks[kind]["authToken"], delivery["body"]
        assert delivery["headers"]["Clockify-Signature"] == token
        assert signatures.verify(token, delivery["headers"]["Sandglass-Signature"], body, now=NOW.timestamp())
    unlocked = json.loads(dict(got)["TIMESHEET_UNLOCKED"]["body"])
    assert unlocked["operation"] == "deleted" and unlocked["state"] is None  # a tombstone
