"""Every kind of request, the same promises: a duplicate PENDING request returns the first, an
answer is final (409 on a second one, whichever it is), and REJECTED leaves everything but the
request as it was."""

from __future__ import annotations

import pytest

from sandglass import ids

from tests.api.requests.conftest import ADMIN, BOSS, OLA, SAM


def _kinds(w):
    member_id = ids.project_member_id(w.project["id"], w.sam["id"])
    return {
        "unlock": (SAM, "/requests/timesheets/2026/45/unlock", None, "/timesheets/unlock"),
        "approval": (SAM, "/requests/timesheets/2026/45/approvals", None, "/timesheets/approvals"),
        "role": (SAM, f"/requests/projects/{w.project['id']}/members/{member_id}/role", {"role": "Administrator"}, "/projects/members/role"),
        "members": (SAM, f"/requests/projects/{w.project['id']}/members", {"userIds": [w.ola["id"]]}, "/projects/members"),
        "assignment": (OLA, "/requests/projects/request-assignment", {"projectIds": [w.project["id"]]}, "/projects/assign"),
        "impersonation": (SAM, "/requests/impersonation", {"reason": "help"}, ""),
    }


def _everything_but_requests(table) -> list[dict]:
    """The table's items, except the requests themselves and their pending markers."""
    from sandglass import keys

    items = table.scan(TableName="sandglass-test")["Items"]  # test-only inspection of the whole (tiny) table
    skip = (keys.REQUEST_SK_PREFIX, keys.PENDING_REQUEST_SK_PREFIX)
    return sorted((item for item in items if not item["SK"].startswith(skip)), key=lambda item: (item["PK"], item["SK"]))


@pytest.mark.parametrize("kind", ["unlock", "approval", "role", "members", "assignment", "impersonation"])
def test_duplicates_final_answers_and_rejections(world, table, outbox, kind):
    if kind == "unlock":
        assert world.call("POST", "/timesheets/lock", ADMIN, {"userId": world.sam["id"], "year": 2026, "week": 45}).status == 200
    who, path, body, suffix = _kinds(world)[kind]
    first = world.create(path, who=who, body=body)
    assert first["status"] == "PENDING"
    assert world.create(path, who=who, body=body)["id"] == first["id"]
    before = _everything_but_requests(table)
    sent_before = len(outbox())

    rejected = world.resolve(first["id"], suffix, who=BOSS, status="REJECTED")
    assert rejected["status"] == "REJECTED" and rejected["resolvedBy"] == world.boss["id"]
    assert _everything_but_requests(table) == before
    assert [message["kind"] for message in outbox()[sent_before:]] == ["request-resolved"]  # to the requester only

    for status in ("RESOLVED", "REJECTED"):
        again = world.call("PUT", f"/requests/{first['id']}{suffix}", ADMIN, {"status": status})
        assert again.status == 409 and again.json()["error"]["code"] == "REQUEST_ALREADY_RESOLVED"
    assert _everything_but_requests(table) == before
    assert world.stored_request(first["id"])["status"] == "REJECTED"
