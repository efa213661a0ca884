"""The 4me Timesheets contract replay: every request example of the reference (seeds/003) is sent,
as written, to the local stack (the gateway emulation with its authorizer, Bearer token and
`account: pro-product` header), with the reference's ids 44 (an organization: a Sandglass group) and 77
(a person) replaced by the test world's, and its answer compared with the documented one: the status,
then every field of the example body (recursively) with its JSON type; `"..."` placeholders stand for
more of the same. Day totals are strings of minutes keyed by yyyy-mm-dd.

Then the error answers this dialect documents (docs/fourme.md): each in 4me's `{"message": ...}` shape."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandglass import ids
from sandglass_local.template import gateway_responses
from tests.contract import fourme_operations
from tests.contract.dialects import markdown_table as table, verdict
from tests.contract.shapes import field_differences, json_type

ADMIN = "admin@pro-product.test"
ACCOUNT = "pro-product"
DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
MINUTES = re.compile(r"^\d+$")
PLACEHOLDER = "..."


def differences(ours: Any, reference: Any, where: str = "$") -> list[str]:
    if json_type(ours) != json_type(reference):
        return [f"{where}: {json_type(ours)}, the reference has {json_type(reference)}"]
    if isinstance(reference, list):
        examples = [item for item in reference if item != PLACEHOLDER]
        return [line for item in ours for line in differences(item, examples[0], f"{where}[]")] if examples else []
    if isinstance(reference, dict) and PLACEHOLDER in reference:  # a map: day -> minutes as a string
        found = [f"{where}.{day}: {minutes!r} is not minutes of a yyyy-mm-dd day as a string" for day, minutes in ours.items()
                 if not (DAY.match(day) and isinstance(minutes, str) and MINUTES.match(minutes))]
        # the world books the example's own figures (480 minutes on the 15th, 25 on the 16th): a day both have agrees
        return found + [f"{where}.{day}: {ours[day]!r}, the reference {minutes!r}" for day, minutes in reference.items()
                        if day in ours and ours[day] != minutes]
    return field_differences(ours, reference, where, differences) if isinstance(reference, dict) else []


@dataclass
class Result:
    summary: str
    method: str
    request: str
    status: int | None
    expected: int | None
    problems: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return verdict(self.status, self.expected, self.problems)


def world(api, seed) -> dict[str, str]:
    """The account `pro-product` (founded 2016-01-01) with Luis Thomas (invited through the API, so he
    has an integer id) in group "Support" (managed by the Administrator) from January 2016, and two of his
    February 2016 activities: the example's 480 minutes on the 15th and 25 on the 16th. Answers the
    reference's ids -> the world's integer ids (44: the group, 77: Luis)."""
    from sandglass import keys
    from sandglass.repositories.activities import _stored
    from sandglass.storage.table import Table

    org = api.signup(ACCOUNT, ADMIN, "Pro Product", timeZone="UTC")
    table = Table()
    table.update(keys.organization(org["id"]), "SET createdAt = :at", values={":at": "2016-01-01T00:00:00.000Z"})
    admin = {"as_": ADMIN, "org": ACCOUNT}
    invited = api.post("/users", body={"email": "luis.thomas@widget.com", "name": "Luis Thomas"}, **admin)
    assert invited.status in (200, 201), invited.body
    luis = invited.json()["id"]
    table.update(keys.user(org["id"], luis), "SET createdAt = :at", values={":at": "2016-01-01T00:00:00.000Z"})
    project = seed.project(ACCOUNT, "Service desk", members={luis: "User"})
    group = api.post("/groups", body={"name": "Support", "managerId": ids.member_id(org["id"], ADMIN)}, **admin).json()["id"]
    assert api.put(f"/groups/{group}/members/{luis}", body={"from": "2016-01-04"}, **admin).status == 200
    for start, end in (("2016-02-15T08:00:00.000Z", "2016-02-15T16:00:00.000Z"), ("2016-02-16T09:00:00.000Z", "2016-02-16T09:25:00.000Z")):
        table.put(_stored(org["id"], {"id": ids.new_id(), "name": "Work", "projectId": project["id"], "userId": luis, "billable": True,
                                      "startedAt": start, "endedAt": end, "version": 1, "createdAt": start, "createdBy": luis}))
    numbers = {"44": table.get(keys.group(org["id"], group))["number"], "77": table.get(keys.user(org["id"], luis))["number"]}
    return {reference: str(number) for reference, number in numbers.items()}


def _send(api, method: str, path: str, query: dict[str, str], *, token: bool = True, account: str = ACCOUNT):
    return api.call(method, "/api" + path, as_=ADMIN if token else None, headers={"account": account}, query=query)


def run(api, seed) -> list[Result]:
    ours = world(api, seed)
    results = []
    for example in fourme_operations.load():
        query = {name: ours.get(value, value) if name in ("organization_id", "person_id") else value for name, value in example.query.items()}
        request = f"{example.method} {example.path}?" + "&".join(f"{k}={v}" for k, v in example.query.items())
        reply = _send(api, example.method, example.path, query)
        result = Result(example.section, example.method, request, reply.status, example.status)
        if reply.status >= 300:
            result.problems = [f"{reply.status} {reply.body[:160]}"]
        elif example.response is not None:
            result.problems = differences(reply.json(), example.response)
        elif reply.body:
            result.problems = ["a body where the reference has none"]
        results.append(result)
    results += errors(api, ours)
    return results


# the error answers docs/fourme.md documents: (summary, method, path, query with the world's ids, status, who)
ERRORS = (
    ("No Bearer token", "GET", "/v1/timesheets", {"organization_id": "44", "month_of": "2016-02-15"}, 401, "none"),
    ("Not a member of the account", "GET", "/v1/timesheets", {"organization_id": "44", "month_of": "2016-02-15"}, 403, "stranger"),
    ("A person id of no one", "GET", "/v1/timesheets", {"person_id": "9999", "month_of": "2016-02-15"}, 404, "admin"),
    ("An organization id of no group", "GET", "/v1/timesheets", {"organization_id": "9999", "month_of": "2016-02-15"}, 404, "admin"),
    ("Another person's timesheet, read by a member", "GET", "/v1/timesheets", {"person_id": "1", "month_of": "2016-02-15"}, 404, "luis"),
    ("month_of missing", "GET", "/v1/timesheets", {"organization_id": "44"}, 422, "admin"),
    ("A date that does not exist", "GET", "/v1/timesheets/day_totals", {"person_id": "77", "date": "2016-02-30"}, 422, "admin"),
    ("per_page above 100", "GET", "/v1/timesheets", {"organization_id": "44", "month_of": "2016-02-15", "per_page": "101"}, 422, "admin"),
    ("An unknown field in ?fields=", "GET", "/v1/timesheets/incomplete", {"week_of": "2016-02-15", "fields": "salary"}, 422, "admin"),
    ("Two periods at once", "POST", "/v1/timesheets/lock", {"person_id": "77", "date": "2016-02-15", "week_of": "2016-02-15"}, 422, "admin"),
    ("A lock by a member who is not an Administrator", "POST", "/v1/timesheets/lock", {"person_id": "77", "date": "2016-02-15"}, 403, "luis"),
)


# API Gateway answers a refused credential itself, with one template for every surface (no VTL in
# gateway responses): 4me's `message` is there, beside the other surfaces' fields.
GATEWAY_BODIES = {response.body for response in gateway_responses().values()}
GATEWAY_ANSWER = "API Gateway's own answer: 4me's `message` beside the other surfaces' fields (docs/fourme.md, Errors)"


def errors(api, ours: dict[str, str]) -> list[Result]:
    api.signup("elsewhere", "eve@elsewhere.test", "Elsewhere")
    results = []
    for summary, method, path, query, status, who in ERRORS:
        sent = {name: ours.get(value, value) for name, value in query.items()}
        token = {"admin": ADMIN, "stranger": "eve@elsewhere.test", "luis": "luis.thomas@widget.com", "none": None}[who]
        reply = api.call(method, "/api" + path, as_=token, headers={"account": ACCOUNT}, query=sent)
        request = f"{method} {path}?" + "&".join(f"{k}={v}" for k, v in query.items())
        result = Result(f"error: {summary}", method, request, reply.status, status)
        body = reply.json() if reply.body else None
        if reply.body in GATEWAY_BODIES and isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"]:
            result.problems = [GATEWAY_ANSWER]
        elif not (isinstance(body, dict) and set(body) == {"message"} and isinstance(body["message"], str) and body["message"]):
            result.problems = [f"not 4me's {{\"message\"}} shape: {reply.body[:120]}"]
        results.append(result)
    return results


def markdown_table(results: list[Result]) -> str:
    rows = [(result.summary, f"`{result.request}`", result.status, result.verdict) for result in results]
    matching = sum(1 for result in results if result.verdict == "matches")
    return table(("operation", "request (reference ids)", "status", "verdict"), rows) + f"\n\n{matching} of {len(results)} requests match.\n"
