"""The Sonderplan contract replay: the reference's request example (seeds/002_*.txt: one
`POST /v2/time-entry`, its curl and its answer) is sent as written, with the example's person and
project ids replaced by the test world's integer ids, and the answer is compared with the
example's by status and shape (every field, JSON types). Then what was written is read back in the
same dialect and checked against the body that was sent (times, name, notes, flags, bookings).

The example sends both time spellings with different instants (`start` 2019-01-14, ISO 2022-02-22):
Unix seconds win (docs/sonderplan.md), which is what the read-back checks."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.contract import dialects
from tests.contract.dialects import markdown_table as table, verdict
from tests.contract.shapes import field_differences, json_type

ADMIN = "admin@acme.test"
JANE = "jane.smith@acme.test"


def find_reference() -> Path:
    return dialects.find_reference("002", "Sonderplan")


@dataclass
class Example:
    method: str
    path: str
    headers: dict[str, str]
    request: Any
    status: int
    response: Any


def load() -> list[Example]:
    """Every request example of the reference: a curl (method, URL, headers, --data) followed by its answer."""
    text = find_reference().read_text()
    examples = []
    for curl in re.finditer(r"curl --request (\w+) \\\n\s+--url (\S+) \\\n(.*?)--data '(.*?)'\n(\{.*?\n\})\n", text, re.S):
        method, url, header_text, data, answer = curl.groups()
        headers = dict(re.findall(r"--header '([^:]+): ([^']*)'", header_text))
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        status = int(re.search(r"^Response\s+(\d{3})", text[curl.end():], re.M)[1])
        examples.append(Example(method, path, headers, json.loads(data), status, json.loads(answer)))
    return examples


def differences(ours: Any, reference: Any, where: str = "$") -> list[str]:
    if json_type(ours) != json_type(reference):
        return [f"{where}: {json_type(ours)}, the reference has {json_type(reference)}"]
    return field_differences(ours, reference, where, differences) if isinstance(reference, dict) else []


@dataclass
class Result:
    operation: str
    status: int | None
    expected: int | None
    problems: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return verdict(self.status, self.expected, self.problems)


def _world(api, seed) -> dict[str, Any]:
    from sandglass.repositories.projects import ProjectRepository
    from sandglass.repositories.users import UserRepository
    from sandglass.services.int_ids import IntIdService

    api.signup("acme", ADMIN, "Acme Studio")
    org_id = seed.org_id("acme")
    jane = seed.member("acme", JANE, name="Jane Smith")
    project = seed.project("acme", "Colour", billable=True, members={jane["id"]: "User"})
    IntIdService().backfill(org_id)  # seeded items carry no integer ids yet
    return {"org": org_id, "owner": UserRepository().get(org_id, jane["id"]).number,
            "project": ProjectRepository().get(org_id, project["id"]).number}


def _sent(example: Example, world: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(json.dumps(example.request))
    body["owner_id"] = world["owner"]
    body["project"] = [{**item, "id": world["project"]} for item in body["project"]]
    return body


def _read_back(sent: dict[str, Any], entry: dict[str, Any]) -> list[str]:
    expected = {"owner_id": sent["owner_id"], "name": sent["name"], "description": sent["description"], "start": sent["start"],
                "end": sent["end"], "project": [{"id": item["id"]} for item in sent["project"]],
                "booking": [{"id": item["id"]} for item in sent["booking"]],
                "billable": sent["billable"] == "true", "locked": sent["locked"] == "true"}
    return [f"$.success.{name}: {entry.get(name)!r}, sent {value!r}" for name, value in expected.items() if entry.get(name) != value]


def run(api, seed, as_: str = JANE) -> list[Result]:
    world = _world(api, seed)
    results = []
    for example in load():
        sent = _sent(example, world)
        headers = {name: value for name, value in example.headers.items() if name.lower() != "authorization"}
        reply = api.call(example.method, "/api" + example.path, as_=as_, org="acme", headers=headers, body=sent)
        made = Result(f"{example.method} {example.path}", reply.status, example.status)
        made.problems = differences(reply.json(), example.response) if reply.status < 300 else [f"{reply.status} {reply.body[:160]}"]
        results.append(made)
        if reply.status != 200:
            continue
        entry_id = reply.json()["success"]["id"]
        read = api.call("GET", f"/api{example.path}/{entry_id}", as_=as_, org="acme")
        back = Result(f"{example.method} {example.path}, read back by GET {example.path}/{{id}}", read.status, 200)
        back.problems = _read_back(sent, read.json()["success"]) if read.status == 200 else [f"{read.status} {read.body[:160]}"]
        results.append(back)
    return results


def markdown_table(results: list[Result]) -> str:
    rows = [(f"`{result.operation}`", result.status, result.verdict) for result in results]
    matching = sum(1 for result in results if result.verdict == "matches")
    return table(("request example", "status", "verdict"), rows) + f"\n\n{matching} of {len(results)} checks match.\n"
