"""Webhooks' pure rules: events of a change, triggers, backoff, safe targets, signatures."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timezone

import pytest

from sandglass import signatures
from sandglass.ports.webhooks import UnsafeTarget, check_address, check_url
from sandglass.entities.changes import Change
from sandglass.entities.webhooks import Webhook
from sandglass.services.webhook_delivery import BACKOFF, next_delay
from sandglass.services.webhooks import EVENT_TYPES, events_of, triggers

AT = datetime(2026, 7, 15, tzinfo=timezone.utc)


def _change(entity_type="activity", operation="created", state=None, owner=None, entity_id="a1"):
    return Change(org_id="o", position="1", entity_type=entity_type, entity_id=entity_id, operation=operation, at=AT,
                  state=state if operation != "deleted" else None, owner=owner)


def _hook(trigger="WORKSPACE_ID", sources=(), enabled=True):
    return Webhook(org_id="o", id="w", owner="u", name="n", url="https://x.example.com/", event="NEW_TIME_ENTRY", trigger_source_type=trigger,
                   trigger_source=tuple(sources), token="t", enabled=enabled, created_at=AT)


def test_events_of_changes():
    assert events_of(_change(state={"pending": False})) == ["NEW_TIME_ENTRY"]
    assert events_of(_change(state={"pending": True})) == ["NEW_TIME_ENTRY", "NEW_TIMER_STARTED"]
    assert events_of(_change(operation="deleted")) == ["TIME_ENTRY_DELETED"]
    assert events_of(_change("member", "updated", {"status": "DELETED"})) == ["USER_DELETED_FROM_WORKSPACE"]  # removed from the workspace
    assert events_of(_change("member", "updated", {"status": "ACTIVE"})) == ["USER_UPDATED"]
    assert events_of(_change("project", "updated", {})) == ["PROJECT_UPDATED"]
    assert events_of(_change("preferences", "updated", {})) == []
    assert "NEW_TIME_ENTRY" in EVENT_TYPES and "TIME_ENTRY_UPDATED" in EVENT_TYPES


def test_triggers():
    entry = _change(state={"projectId": "p1", "userId": "u1"}, owner="u1")
    assert triggers(_hook(), entry)
    assert not triggers(_hook(enabled=False), entry)
    assert triggers(_hook("PROJECT_ID", ["p1"]), entry) and not triggers(_hook("PROJECT_ID", ["p2"]), entry)
    assert triggers(_hook("USER_ID", ["u1"]), entry) and not triggers(_hook("USER_ID", ["u2"]), entry)
    assert triggers(_hook("PROJECT_ID", ["p9"]), _change("project", "updated", {}, entity_id="p9"))
    assert triggers(_hook("USER_ID", ["u1"]), _change(operation="deleted", owner="u1"))  # a tombstone keeps its owner


def test_backoff_spans_more_than_a_day_in_nine_attempts():
    delays = [next_delay(attempt) for attempt in range(1, 10)]
    assert delays[:-1] == list(BACKOFF) and delays[-1] is None
    assert sum(BACKOFF) >= 24 * 3600
    assert all(later >= earlier for earlier, later in zip(BACKOFF, BACKOFF[1:]))
    assert max(BACKOFF) <= 12 * 3600  # SQS's visibility limit


@pytest.mark.parametrize("address", ["10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "0.0.0.0", "224.0.0.1",
                                     "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "100.64.0.1"])
def test_non_public_addresses_are_refused(address):
    with pytest.raises(UnsafeTarget):
        check_address(ipaddress.ip_address(address), allow_loopback=False)


def test_public_addresses_pass_and_loopback_only_locally():
    check_address(ipaddress.ip_address("93.184.216.34"), allow_loopback=False)
    check_address(ipaddress.ip_address("127.0.0.1"), allow_loopback=True)
    with pytest.raises(UnsafeTarget):
        check_address(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)


def test_url_forms():
    assert check_url("https://hooks.example.com/x", allow_loopback=False) == ("https", "hooks.example.com", 443)
    assert check_url("http://127.0.0.1:9999/x", allow_loopback=True) == ("http", "127.0.0.1", 9999)
    for bad in ("http://hooks.example.com/", "https://localhost/", "https://u:p@example.com/", "https://example.com:99999/", "file:///etc/passwd"):
        with pytest.raises(UnsafeTarget):
            check_url(bad, allow_loopback=False)


def test_signatures_verify_within_the_replay_window_only():
    header = signatures.sign("token", b'{"a":1}', 1_000_000)
    assert header.startswith("t=1000000, v1=")
    assert signatures.verify("token", header, b'{"a":1}', now=1_000_000 + 299)
    assert not signatures.verify("token", header, b'{"a":1}', now=1_000_000 + 301)
    assert not signatures.verify("token", header, b'{"a":2}', now=1_000_000)
    assert not signatures.verify("other", header, b'{"a":1}', now=1_000_000)
    assert not signatures.verify("token", "garbage", b'{"a":1}', now=1_000_000)
    assert not signatures.verify("token", "t=1000000", b'{"a":1}', now=1_000_000)
