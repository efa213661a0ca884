"""The Clockify contract replay: each served operation of the Clockify reference is sent its example
request (ids and times replaced by the test world's: the example's 2020-2021 entry would exceed
Sandglass's 24 h entry limit) and its answer is compared with the example answer by shape: the
status, every field the example has (recursively), the JSON types, 24-hex ids, whole-second `Z`
times and ISO-8601 durations (the example's `"duration": "8000"` is a scrape artefact of the page:
research/clockify_compat.md §4.3)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandglass import ids
from tests.contract import clockify_operations
from tests.contract.shapes import json_type

ADMIN = "admin@acme.test"
HEX24 = re.compile(r"^[0-9a-f]{24}$")
SECONDS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
DURATION = re.compile(r"^PT(?=\d)(\d+H)?(\d+M)?(\d+S)?$")
ID_FIELDS = re.compile(r"(^id$|Id$)")
TIME_FIELDS = {"start", "end"}


def differences(ours: Any, reference: Any, where: str = "$") -> list[str]:
    """The reference's fields and JSON types, recursively; a null of ours fits a reference value
    where Clockify itself answers null when the thing is absent (an entry's task, kiosk, rates)."""
    if reference is None or (ours is None and where.rsplit(".", 1)[-1] in NULLABLE):
        return []
    if json_type(ours) != json_type(reference):
        return [f"{where}: {json_type(ours)}, the reference has {json_type(reference)}"]
    name = where.rsplit(".", 1)[-1].rstrip("[]")
    if isinstance(ours, str):
        if ID_FIELDS.search(name) and HEX24.match(reference.lower()[:24]) and len(reference) == 24 and not HEX24.match(ours):
            return [f"{where}: {ours!r} is not a 24-hex id"]
        if name in TIME_FIELDS and not SECONDS_Z.match(ours):
            return [f"{where}: {ours!r} is not a whole-second UTC time with Z"]
        if name == "duration" and not DURATION.match(ours):
            return [f"{where}: {ours!r} is not an ISO-8601 duration"]
        return []
    if isinstance(reference, list):
        return [line for item in ours for line in differences(item, reference[0], f"{where}[]")] if reference else []
    if not isinstance(reference, dict):
        return []
    found = [f"{where}.{key}: missing" for key in sorted(reference.keys() - ours.keys())]
    for key in sorted(reference.keys() & ours.keys()):
        found += differences(ours[key], reference[key], f"{where}.{key}")
    return found


# fields Clockify answers null when the thing is not there
NULLABLE = {"taskId", "kioskId", "hourlyRate", "costRate", "end", "duration", "projectId", "activeWorkspace", "defaultWorkspace",
            "lockTimeEntries", "lockTimeZone", "budgetEstimate", "timeEstimate", "estimateReset", "cakeOrganizationId", "subdomain", "automaticLock", "clientId", "clientName", "task", "project"}


@dataclass
class Result:
    summary: str
    method: str
    path: str
    status: int | None
    expected: int | None
    problems: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.status != self.expected:
            return f"status {self.status}, the reference {self.expected}" + (f": {self.problems[0]}" if self.problems else "")
        return "matches" if not self.problems else "; ".join(self.problems[:3]) + (f" (+{len(self.problems) - 3})" if len(self.problems) > 3 else "")


def _world(api, seed) -> dict[str, str]:
    api.signup("acme", ADMIN, "Acme Studio")
    org_id = seed.org_id("acme")
    admin_member = ids.member_id(org_id, ADMIN)
    sam = seed.member("acme", "sam@acme.test")
    project = seed.project("acme", members={admin_member: "Administrator", sam["id"]: "User"})
    spare = seed.project("acme", "Spare")
    return {"workspaceId": ids.short_id(org_id), "projectId": ids.short_id(project["id"]), "spareProjectId": ids.short_id(spare["id"]),
            "userId": ids.person_short_id(ADMIN), "samId": ids.person_short_id("sam@acme.test")}


def _body(operation: dict, world: dict[str, str]) -> Any:
    body = operation["request"]
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if "projectId" in body:
        body["projectId"] = world["projectId"]
    for unknown in ("taskId", "clientId"):  # Sandglass has no tasks or clients yet (docs/clockify.md)
        if unknown in body:
            body[unknown] = None
    if "tagIds" in body:
        body["tagIds"] = []
    if "start" in body:
        body["start"] = "2026-07-14T09:00:00Z"
    if "end" in body:
        body["end"] = "2026-07-14T10:30:00Z"
    if "name" in body and operation["method"] == "post":
        body["name"] = "Replayed project"
    if "archived" in body:  # the example archives the project the later operations record time on
        body["archived"] = False
    return body


def run(api, seed) -> list[Result]:
    world = _world(api, seed)
    results: list[Result] = []
    entries: dict[str, str] = {}

    def send(operation: dict, path_values: dict[str, str], body: Any = None, *, query: str = "") -> Result:
        path = operation["path"]
        for name, value in path_values.items():
            path = path.replace("{" + name + "}", value)
        reply = api.call(operation["method"].upper(), "/api" + path + query, as_=ADMIN, body=body)
        result = Result(operation["summary"], operation["method"].upper(), operation["path"], reply.status, operation["status"])
        if reply.status >= 300:
            result.problems = [f"{reply.status} {reply.body[:160]}"]
        if operation["response"] is not None and reply.status < 300:
            result.problems = differences(reply.json(), operation["response"])
        elif operation["status"] == 204 and reply.body:
            result.problems = ["a body where the reference has none"]
        results.append(result)
        return result

    by_key = {(operation["method"], operation["path"]): operation for operation in clockify_operations.load()}
    ws = {"workspaceId": world["workspaceId"]}
    entry_path = "/v1/workspaces/{workspaceId}/time-entries"
    user_path = "/v1/workspaces/{workspaceId}/user/{userId}/time-entries"
    for method, path in clockify_operations.SERVED:
        operation = by_key.get((method, path))
        if operation is None:
            continue
        values = dict(ws)
        if "{projectId}" in path:
            values["projectId"] = world["spareProjectId"] if method == "delete" else world["projectId"]
        if "{userId}" in path:
            values["userId"] = world["samId"] if method == "post" else world["userId"]
        if "{id}" in path:
            values["id"] = entries["made"]
        body = _body(operation, world)
        if (method, path) == ("post", entry_path):
            made = send(operation, values, body)
            if made.status != 201:  # the following operations still need an entry
                body = {"start": "2026-07-14T09:00:00Z", "end": "2026-07-14T10:30:00Z", "projectId": world["projectId"]}
                api.call("POST", f"/api/v1/workspaces/{ws['workspaceId']}/time-entries", as_=ADMIN, body=body)
            entries["made"] = api.call("GET", f"/api/v1/workspaces/{ws['workspaceId']}/user/{world['userId']}/time-entries", as_=ADMIN).json()[0]["id"]
            continue
        if (method, path) == ("patch", user_path):  # a running timer to stop
            api.call("POST", f"/api/v1/workspaces/{ws['workspaceId']}/time-entries", as_=ADMIN,
                     body={"start": "2026-07-15T08:00:00Z", "projectId": world["projectId"]})
            body = {"end": "2026-07-15T09:00:00Z"}
        if (method, path) == ("get", "/v1/workspaces/{workspaceId}/time-entries/status/in-progress"):
            api.call("POST", f"/api/v1/workspaces/{ws['workspaceId']}/time-entries", as_=ADMIN,
                     body={"start": "2026-07-15T10:00:00Z", "projectId": world["projectId"]})
        send(operation, values, body)
    return results


def markdown_table(results: list[Result]) -> str:
    rows = ["| operation | method and path | status | verdict |", "|---|---|---|---|"]
    for result in results:
        rows.append(f"| {result.summary} | `{result.method} {result.path}` | {result.status} | {result.verdict} |")
    matching = sum(1 for result in results if result.verdict == "matches")
    return "\n".join(rows) + f"\n\n{matching} of {len(results)} operations match.\n"
