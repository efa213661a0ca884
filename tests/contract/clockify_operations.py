"""The Clockify reference's (seeds/001) operations served on the Clockify surface, with their
example request and response, read from the reference text.

The reference is a scraped API page: each operation is its summary line, `Authorizations:`, its
parameters, its method and path on two lines, then "Request samples" / "Response samples" with the
examples' JSON. Operation ids are not in it: the summary names each operation."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.contract import dialects

METHODS = ("get", "post", "put", "patch", "delete")

WS = "/v1/workspaces/{workspaceId}"
# The operations this surface serves, in the order the replay calls them: the 32 tier-1 operations of
# research/clockify_compat.md §3.1, then the 8 webhook and the 3 entity-change operations.
TIER_ONE = [
    ("get", "/v1/user"), ("get", "/v1/workspaces"), ("get", WS), ("get", WS + "/users"),
    ("post", WS + "/tags"), ("get", WS + "/tags"), ("get", WS + "/tags/{id}"), ("put", WS + "/tags/{id}"),
    ("post", WS + "/clients"), ("get", WS + "/clients"), ("get", WS + "/clients/{id}"), ("put", WS + "/clients/{id}"),
    ("post", WS + "/projects"), ("get", WS + "/projects"), ("get", WS + "/projects/{projectId}"), ("put", WS + "/projects/{projectId}"),
    ("post", WS + "/projects/{projectId}/tasks"), ("get", WS + "/projects/{projectId}/tasks"),
    ("get", WS + "/projects/{projectId}/tasks/{taskId}"), ("put", WS + "/projects/{projectId}/tasks/{taskId}"),
    ("post", WS + "/time-entries"), ("get", WS + "/time-entries/{id}"), ("put", WS + "/time-entries/{id}"),
    ("get", WS + "/user/{userId}/time-entries"), ("post", WS + "/user/{userId}/time-entries"),
    ("patch", WS + "/user/{userId}/time-entries"), ("get", WS + "/time-entries/status/in-progress"),
    ("delete", WS + "/time-entries/{id}"), ("delete", WS + "/projects/{projectId}/tasks/{taskId}"),
    ("delete", WS + "/projects/{projectId}"), ("delete", WS + "/tags/{id}"), ("delete", WS + "/clients/{id}"),
]
WEBHOOKS = [
    ("post", WS + "/webhooks"), ("get", WS + "/webhooks"), ("get", WS + "/webhooks/{webhookId}"), ("put", WS + "/webhooks/{webhookId}"),
    ("patch", WS + "/webhooks/{webhookId}/token"), ("post", WS + "/webhooks/{webhookId}/logs"),
    ("get", WS + "/addons/{addonId}/webhooks"), ("delete", WS + "/webhooks/{webhookId}"),
]
ENTITY_CHANGES = [("get", WS + "/entities/created"), ("get", WS + "/entities/updated"), ("get", WS + "/entities/deleted")]
SERVED = TIER_ONE + WEBHOOKS + ENTITY_CHANGES

# The reference's operationId of each served operation, with the summary the reference gives it.
# The scraped page (seeds/001) keeps each operation's method, path and summary but not its Redoc
# anchor (`#tag/<Tag>/operation/<operationId>`), where Clockify's operationIds live: they are those
# of Clockify's published API document (docs.clockify.me / docs.developer.clockify.me). The summary
# ties each id to the reference: test_clockify_operation_ids fails when the reference names an
# operation differently than recorded here.
OPERATION_IDS: dict[tuple[str, str], tuple[str, str]] = {
    ("get", "/v1/user"): ("getLoggedUser", "Get currently logged-in user's info"),
    ("get", "/v1/workspaces"): ("getWorkspacesOfUser", "Get all my workspaces"),
    ("get", WS): ("getWorkspaceOfUser", "Get workspace info"),
    ("get", WS + "/users"): ("getUsersOfWorkspace", "Find all users on workspace"),
    ("post", WS + "/tags"): ("createNewTag", "Add a new tag"),
    ("get", WS + "/tags"): ("getTags", "Find tags on workspace"),
    ("get", WS + "/tags/{id}"): ("getTag", "Get tag by ID"),
    ("put", WS + "/tags/{id}"): ("updateTag", "Update tag"),
    ("delete", WS + "/tags/{id}"): ("deleteTag", "Delete tag"),
    ("post", WS + "/clients"): ("createClient", "Add a new client"),
    ("get", WS + "/clients"): ("getClients", "Find clients on workspace"),
    ("get", WS + "/clients/{id}"): ("getClient", "Get client by ID"),
    ("put", WS + "/clients/{id}"): ("updateClient", "Update client"),
    ("delete", WS + "/clients/{id}"): ("deleteClient", "Delete client"),
    ("post", WS + "/projects"): ("createNewProject", "Add a new project"),
    ("get", WS + "/projects"): ("getProjects", "Get all projects on workspace"),
    ("get", WS + "/projects/{projectId}"): ("getProject", "Find project by ID"),
    ("put", WS + "/projects/{projectId}"): ("updateProject", "Update project on workspace"),
    ("delete", WS + "/projects/{projectId}"): ("deleteProject", "Delete project from workspace"),
    ("post", WS + "/projects/{projectId}/tasks"): ("createTask", "Add a new task on project"),
    ("get", WS + "/projects/{projectId}/tasks"): ("getTasks", "Find tasks on project"),
    ("get", WS + "/projects/{projectId}/tasks/{taskId}"): ("getTask", "Get task by id"),
    ("put", WS + "/projects/{projectId}/tasks/{taskId}"): ("updateTask", "Update task on project"),
    ("delete", WS + "/projects/{projectId}/tasks/{taskId}"): ("deleteTask", "Delete task from project"),
    ("post", WS + "/time-entries"): ("createTimeEntry", "Add a new time entry"),
    ("get", WS + "/time-entries/{id}"): ("getTimeEntry", "Get a specific time entry on workspace"),
    ("put", WS + "/time-entries/{id}"): ("updateTimeEntry", "Update time entry on workspace"),
    ("delete", WS + "/time-entries/{id}"): ("deleteTimeEntry", "Delete time entry from workspace"),
    ("get", WS + "/user/{userId}/time-entries"): ("getTimeEntries", "Get time entries for a user on workspace"),
    ("post", WS + "/user/{userId}/time-entries"): ("createForOthers", "Add a new time entry for another user on workspace"),
    ("patch", WS + "/user/{userId}/time-entries"): ("stopRunningTimeEntry", "Stop currently running timer on workspace for user"),
    ("get", WS + "/time-entries/status/in-progress"): ("getInProgressTimeEntries", "Get all in progress time entries on workspace"),
    ("post", WS + "/webhooks"): ("createWebhook", "Create webhooks"),
    ("get", WS + "/webhooks"): ("getWebhooks", "Get all webhooks on workspace"),
    ("get", WS + "/webhooks/{webhookId}"): ("getWebhook", "Get a specific webhook by id"),
    ("put", WS + "/webhooks/{webhookId}"): ("updateWebhook", "Update a webhook"),
    ("delete", WS + "/webhooks/{webhookId}"): ("deleteWebhook", "Delete webhook"),
    ("patch", WS + "/webhooks/{webhookId}/token"): ("generateNewToken", "Generate new token"),
    ("post", WS + "/webhooks/{webhookId}/logs"): ("getLogsForWebhook", "Get logs for a webhook"),
    ("get", WS + "/addons/{addonId}/webhooks"): ("getAddonWebhooks", "Get all webhooks for addon on workspace"),
    ("get", WS + "/entities/created"): ("getCreatedEntityInfo", "Created entities (Experimental)"),
    ("get", WS + "/entities/updated"): ("getUpdatedEntityInfo", "Updated entities (Experimental)"),
    ("get", WS + "/entities/deleted"): ("getDeletedEntityInfo", "Deleted entities (Experimental)"),
}


def find_reference() -> Path:
    return dialects.find_reference("001", "Clockify")


def _json_after(lines: list[str], start: int) -> tuple[object, int]:
    """The JSON value that starts at the first line from `start` opening with { or [."""
    index = start
    while index < len(lines) and not lines[index].startswith(("{", "[")):
        index += 1
    depth, chunk = 0, []
    for position in range(index, len(lines)):
        line = lines[position]
        chunk.append(line)
        depth += line.count("{") + line.count("[") - line.count("}") - line.count("]")
        if depth <= 0:
            return json.loads("\n".join(chunk)), position + 1
    raise ValueError(f"unbalanced JSON from line {index}")


def _summary(lines: list[str], start: int) -> str:
    """The operation's title: the line before `Authorizations:`; when paragraphs come between (a
    description, a "💡 Note", a tag's own heading before its first operation), the first line of the
    last paragraph after the previous operation's last sample (JSON) or path that is not a note."""
    if lines[start - 1]:
        return lines[start - 1]
    index = start - 1
    while index > 0 and not lines[index - 1].startswith(("}", "]", "/v1/")) and start - index < 40:
        index -= 1
    paragraphs, current = [], []
    for line in lines[index:start]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    titled = [paragraph for paragraph in paragraphs if not paragraph[0].startswith("💡")]
    return (titled or paragraphs)[-1][0]


def operations_in(text: str) -> list[dict]:
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line == "Authorizations:"]
    found = []
    for number, start in enumerate(starts):
        end = starts[number + 1] - 1 if number + 1 < len(starts) else len(lines)
        block = lines[start:end]
        where = next((i for i, line in enumerate(block[:-1]) if line in METHODS and block[i + 1].startswith("/v1/")), None)
        if where is None:
            continue
        operation = {"summary": _summary(lines, start), "method": block[where], "path": block[where + 1], "request": None, "response": None, "status": None}
        if "Request samples" in block:
            try:
                operation["request"], _ = _json_after(block, block.index("Request samples"))
            except ValueError:
                pass
        statuses = [re.match(r"^(\d{3}) ", line) for line in block[:where]]
        codes = [match.group(1) for match in statuses if match]
        operation["status"] = int(codes[0]) if codes else None
        if "Response samples" in block:
            try:
                operation["response"], _ = _json_after(block, block.index("Response samples"))
            except ValueError:
                pass
        found.append(operation)
    return found


def load() -> list[dict]:
    """The served operations as the reference documents them (in SERVED order)."""
    every = {(operation["method"], operation["path"]): operation for operation in operations_in(find_reference().read_text())}
    return [every[key] for key in SERVED if key in every]
