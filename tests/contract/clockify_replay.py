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
from tests.contract.dialects import verdict
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
    if json_type(ours) != json_type(reference) and not (where.rsplit(".", 1)[-1] in SCRAPED_AS_STRING and isinstance(ours, list)):
        return [f"{where}: {json_type(ours)}, the reference has {json_type(reference)}"]
    name = where.rsplit(".", 1)[-1].rstrip("[]")
    if name in SCRAPED_AS_STRING and isinstance(ours, list) and isinstance(reference, str):
        return []
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


# fields Clockify answers null when the thing is not there; Sandglass also where it has no such
# thing (docs/clockify.md, Contract replay): a client's currency id (no currency entities) and
# code (a client without a currency of its own), an entry's approval status in the change feeds
# (Sandglass approves whole weeks, not entries)
NULLABLE = {"currencyId", "currencyCode", "approvalStatus", "taskId", "kioskId", "hourlyRate", "costRate", "end", "duration", "projectId", "activeWorkspace", "defaultWorkspace",
            "lockTimeEntries", "lockTimeZone", "budgetEstimate", "timeEstimate", "estimateReset", "cakeOrganizationId", "subdomain", "automaticLock", "clientId", "clientName", "task", "project"}


# a list the reference's response example shows as one string (its own request schema and the
# catalog say a list: `ccEmails[]`, at most 3)
SCRAPED_AS_STRING = {"ccEmails"}


def unverified(ours: Any, reference: Any, where: str = "$") -> list[str]:
    """Where our answer's list is empty but the reference's holds an object: that object's shape is
    not verified by this call (said in the table, not hidden)."""
    if isinstance(reference, list) and reference and isinstance(reference[0], dict) and reference[0]:
        return [where] if ours == [] else [line for item in ours or [] for line in unverified(item, reference[0], f"{where}[]")][:1]
    if isinstance(reference, dict) and isinstance(ours, dict):
        return [line for key in sorted(reference.keys() & ours.keys()) for line in unverified(ours[key], reference[key], f"{where}.{key}")]
    return []


@dataclass
class Result:
    summary: str
    method: str
    path: str
    status: int | None
    expected: int | None
    problems: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return verdict(self.status, self.expected, self.problems)


def _world(api, seed) -> dict[str, str]:
    api.signup("acme", ADMIN, "Acme Studio")
    org_id = seed.org_id("acme")
    admin_member = ids.member_id(org_id, ADMIN)
    sam = seed.member("acme", "sam@acme.test")
    project = seed.project("acme", members={admin_member: "Administrator", sam["id"]: "User"})
    return {"workspaceId": ids.short_id(org_id), "projectId": ids.short_id(project["id"]),
            "userId": ids.person_short_id(ADMIN), "samId": ids.person_short_id("sam@acme.test"), "addonId": "0" * 23 + "1"}


# What the replay changes in the reference's example requests, and why (the rest is sent as is)
ADJUSTMENTS = {
    "archived": "the examples archive the tag, client or task the later operations record time with: replayed with false "
                "(the project the example archives is the one deleted next, as Clockify requires)",
    "times": "the example's 2020-2021 entry would exceed the 24 h entry limit: replayed as 90 minutes on 2026-07-14",
    "ids": "the example's ids are replaced by the ids of the things the replay created (their examples' ids are not 24-hex)",
    "ccEmails": "the example's `[\"string\"]` placeholder is no address: replayed with one",
    "status": "the example creates its task DONE; time cannot be recorded on a done task: replayed ACTIVE",
}


def _ids_in(body: dict, world: dict[str, str], made: dict[str, str]) -> dict:
    body = dict(body)
    for name, value in (("projectId", world["projectId"]), ("clientId", made.get("clientId")), ("taskId", made.get("taskId"))):
        if name in body:
            body[name] = value
    if "tagIds" in body:
        body["tagIds"] = [made["tagId"]] if "tagId" in made else []
    if "assigneeIds" in body:
        body["assigneeIds"] = [world["userId"], world["samId"]]
    if "userGroupIds" in body:
        body["userGroupIds"] = []
    if "triggerSource" in body:
        body["triggerSource"] = [world["projectId"]]
    body.pop("assigneeId", None)  # deprecated in the reference; its example is the placeholder "string"
    body.pop("id", None)  # the task example sends its own id
    return body


def _body(operation: dict, world: dict[str, str], made: dict[str, str]) -> Any:
    body = operation["request"]
    if not isinstance(body, dict):
        return body
    body = _ids_in(body, world, made)
    if "start" in body:
        body["start"] = "2026-07-14T09:00:00Z"
    if "end" in body:
        body["end"] = "2026-07-15T09:00:00Z" if operation["method"] == "patch" else "2026-07-14T10:30:00Z"  # a stop ends the timer _prepare started
    if body.get("ccEmails") == ["string"]:
        body["ccEmails"] = ["billing@example.com"]  # the example's placeholder is no address
    if "archived" in body and not operation["path"].endswith("/projects/{projectId}"):
        body["archived"] = False
    if operation["path"].endswith("/tasks") or operation["path"].endswith("/tasks/{taskId}"):
        body["status"] = "ACTIVE"
    return body


# The reference shows no example answer for these; the schema it names is the one of another
# operation's example (an array of time entries; the webhook the delete answers).
SAME_SHAPE_AS = {
    ("get", clockify_operations.WS + "/time-entries/status/in-progress"): ("get", clockify_operations.WS + "/user/{userId}/time-entries"),
    ("delete", clockify_operations.WS + "/webhooks/{webhookId}"): ("get", clockify_operations.WS + "/webhooks/{webhookId}"),
}

# Query strings each operation is replayed with: the example's request has none, so the first is
# the plain call; the others exercise documented parameters (each its own row).
VARIANTS = {
    ("get", clockify_operations.WS + "/projects"): ["", "?hydrated=true&archived=false&page=1&page-size=50"],
    ("get", clockify_operations.WS + "/projects/{projectId}"): ["", "?hydrated=true"],
    ("get", clockify_operations.WS + "/users"): ["", "?status=ACTIVE&include-roles=true&memberships=ALL"],
    ("get", clockify_operations.WS + "/time-entries/{id}"): ["", "?hydrated=true"],
    ("get", clockify_operations.WS + "/user/{userId}/time-entries"): [
        "", "?hydrated=true", "?in-progress=true", "?get-week-before=2026-07-20T00:00:00Z",
        "?start=2026-07-01T00:00:00Z&end=2026-07-31T00:00:00Z&page=1&page-size=10"],
    ("get", clockify_operations.WS + "/time-entries/status/in-progress"): ["?page=1&page-size=10"],
    ("get", "/v1/user"): ["?include-memberships=true"],
    ("get", clockify_operations.WS + "/entities/created"): ["?type=TIME_ENTRY"],
    ("get", clockify_operations.WS + "/entities/updated"): ["?type=TIME_ENTRY"],
    ("get", clockify_operations.WS + "/entities/deleted"): ["?type=TIME_ENTRY"],
    ("post", clockify_operations.WS + "/webhooks/{webhookId}/logs"): ["?page=0&size=50"],
}

# A hydrated time entry embeds its project, task and tags: each is compared with the reference's
# own example of that thing (the reference shows no hydrated entry)
HYDRATED = {"project": ("get", clockify_operations.WS + "/projects/{projectId}"),
            "task": ("get", clockify_operations.WS + "/projects/{projectId}/tasks/{taskId}"),
            "tags": ("get", clockify_operations.WS + "/tags")}


# The embedded project is the project's summary, not the whole project (docs/clockify.md, Contract
# replay): its rates, memberships, estimates and duration are not embedded; these fields are compared
SUMMARY_PROJECT_FIELDS = {"id", "name", "clientId", "clientName", "color", "billable", "archived", "workspaceId"}


def hydrated_differences(answer: Any, by_key: dict) -> list[str]:
    entries = answer if isinstance(answer, list) else [answer]
    found = [] if entries else ["no entry to verify the hydrated fields on"]
    for entry in entries:
        for name, key in HYDRATED.items():
            if name not in entry:
                found.append(f"$.{name}: missing (hydrated)")
            elif entry[name] is not None:
                reference = by_key[key]["response"]
                if name == "project":
                    reference = {field: value for field, value in reference.items() if field in SUMMARY_PROJECT_FIELDS}
                found += differences(entry[name], reference, f"$.{name}")
    return sorted(set(found))


# What binds a created thing's id for the later operations (the created answer's `id`)
BINDS = {
    ("post", clockify_operations.WS + "/tags"): "tagId", ("post", clockify_operations.WS + "/clients"): "clientId",
    ("post", clockify_operations.WS + "/projects"): "madeProjectId", ("post", clockify_operations.WS + "/projects/{projectId}/tasks"): "taskId",
    ("post", clockify_operations.WS + "/time-entries"): "entryId", ("post", clockify_operations.WS + "/webhooks"): "webhookId",
}


def _path_values(method: str, path: str, world: dict[str, str], made: dict[str, str]) -> dict[str, str]:
    values = {"workspaceId": world["workspaceId"], "addonId": world["addonId"], "webhookId": made.get("webhookId", ""),
              "taskId": made.get("taskId", "")}
    # the project the replay creates is read, replaced and deleted; tasks live on the seeded one
    made_project = "/tasks" not in path and path.endswith("{projectId}")
    values["projectId"] = made.get("madeProjectId", "") if made_project else world["projectId"]
    values["userId"] = world["samId"] if method == "post" else world["userId"]
    kind = "tagId" if "/tags/" in path else "clientId" if "/clients/" in path else "entryId"
    values["id"] = made.get(kind, "")
    return values


def _prepare(api, method: str, path: str, world: dict[str, str]) -> None:
    """What an operation needs first: a running timer to list (`in-progress=true`) and then stop
    (PATCH), a running timer in the workspace's in-progress list."""
    base = f"/api/v1/workspaces/{world['workspaceId']}/time-entries"
    if (method, path) == ("get", clockify_operations.WS + "/user/{userId}/time-entries"):
        api.call("POST", base, as_=ADMIN, body={"start": "2026-07-15T08:00:00Z", "projectId": world["projectId"]})
    if (method, path) == ("get", clockify_operations.WS + "/time-entries/status/in-progress"):
        api.call("POST", base, as_=ADMIN, body={"start": "2026-07-15T10:00:00Z", "projectId": world["projectId"]})


def run(api, seed) -> list[Result]:
    world = _world(api, seed)
    made: dict[str, str] = {}
    results: list[Result] = []
    by_key = {(operation["method"], operation["path"]): operation for operation in clockify_operations.load()}
    for method, path in clockify_operations.SERVED:
        operation = by_key.get((method, path))
        if operation is None:
            continue
        reference = operation["response"]
        if reference is None and (method, path) in SAME_SHAPE_AS:
            reference = by_key[SAME_SHAPE_AS[(method, path)]]["response"]
        _prepare(api, method, path, world)
        target = path
        for name, value in _path_values(method, path, world, made).items():
            target = target.replace("{" + name + "}", value)
        body = _body(operation, world, made)
        for query in VARIANTS.get((method, path), [""]):
            reply = api.call(method.upper(), "/api" + target + query, as_=ADMIN, body=body)
            result = Result(operation["summary"], method.upper(), path + query, reply.status, operation["status"])
            if reply.status >= 300:
                result.problems = [f"{reply.status} {reply.body[:160]}"]
            elif reference is not None:
                result.problems = differences(reply.json(), reference)
                result.empty = unverified(reply.json(), reference)
                if "hydrated=true" in query and "/time-entries" in path:
                    result.problems += hydrated_differences(reply.json(), by_key)
            elif operation["status"] == 204 and reply.body:
                result.problems = ["a body where the reference has none"]
            results.append(result)
            if (method, path) in BINDS and reply.status < 300:
                made[BINDS[(method, path)]] = reply.json()["id"]
    return results


def markdown_table(results: list[Result]) -> str:
    rows = ["| operation | method and path | status | verdict |", "|---|---|---|---|"]
    for result in results:
        note = f" (`{', '.join(result.empty)}` empty here: its items' shape is checked by the API tests)" if result.empty else ""
        rows.append(f"| {result.summary} | `{result.method} {result.path}` | {result.status} | {result.verdict}{note} |")
    operations = {(result.method, result.path.split("?")[0]) for result in results}
    failing = {(result.method, result.path.split("?")[0]) for result in results if result.verdict != "matches"}
    return "\n".join(rows) + (f"\n\n{len(operations - failing)} of {len(operations)} operations match "
                              f"({sum(1 for result in results if result.verdict == 'matches')} of {len(results)} calls).\n")
