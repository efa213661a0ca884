"""The merged OpenAPI document (what /api/openapi.json serves) tells the truth: it is a valid
OpenAPI 3.1 document, every operation lists the statuses it can answer with the error schema,
Swagger UI can send the bearer token and X-Organization, and every field it documents as
nullable accepts null."""

from __future__ import annotations

import json

import pytest

from sandglass.dialects.fourme import errors as fourme_errors

ADMIN = "admin@acme.test"
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def doc(gateway):
    from sandglass_local.openapi import merged_schema

    return merged_schema(gateway)


def _operations(doc, public=False):
    """Every operation behind the authorizer (or, with public=True, every one)."""
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "delete", "patch") and (public or operation.get("security") != []):
                yield path, method, operation


def test_document_is_valid_openapi_31(doc):
    from openapi_spec_validator import validate

    validate(doc)


def test_every_operation_documents_its_error_statuses(doc):
    for path, method, operation in _operations(doc):
        responses = operation["responses"]
        expected = {"401", "403", "404", "429", "500"}
        if method in ("post", "put", "patch", "delete"):
            expected |= {"409"}
        if operation.get("requestBody") or any("$ref" not in p for p in operation.get("parameters", [])):
            expected |= {"400", "422"}
        if operation.get("requestBody"):
            expected |= {"415"}
        if any(p.get("name", "").lower() == "if-match" for p in operation.get("parameters", [])):
            expected |= {"412"}
        assert expected <= set(responses), (method, path, sorted(set(responses)))
        for status in expected:
            schema = responses[status]["content"]["application/json"]["schema"]
            # a wire dialect's paths document its own error body (4me: {"message"})
            expected_ref = "#/components/schemas/FourmeError" if fourme_errors.serves(path) else ERROR_REF
            assert schema == {"$ref": expected_ref}, (method, path, status)
            assert responses[status]["description"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_error_schema_is_the_shape_the_api_answers(doc, api, acme):
    from jsonschema import Draft202012Validator

    schema = {**doc["components"]["schemas"]["Error"], "components": doc["components"]}
    validator = Draft202012Validator(schema)
    samples = [
        api.get("/organization", org="acme"),  # 401
        api.get("/organization", as_="stranger@x.test", org="acme"),  # 403
        api.get("/projects/3fa85f64-5717-4562-b3fc-2c963f66afa6", as_=ADMIN, org="acme"),  # 404
        api.put("/organization", as_=ADMIN, org="acme", body={"maxActivityHours": 0}),  # 422
        api.call("PUT", "/organization", as_=ADMIN, org="acme", body="{", headers={"Content-Type": "application/json"}),  # 400
        api.call("PUT", "/organization", as_=ADMIN, org="acme", body="<notes/>", headers={"Content-Type": "application/xml"}),  # 415
    ]
    assert [reply.status for reply in samples] == [401, 403, 404, 422, 400, 415]
    for reply in samples:
        errors = list(validator.iter_errors(reply.json()))
        assert not errors, (reply.status, reply.body, errors)


def test_security_scheme_and_organization_header_are_declared(doc):
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert doc["security"] == [{"bearerAuth": []}]
    header = doc["components"]["parameters"]["XOrganization"]
    assert header["in"] == "header" and header["name"] == "X-Organization" and header["required"] is False
    for path, method, operation in _operations(doc):
        refs = [p.get("$ref") for p in operation.get("parameters", [])]
        assert "#/components/parameters/XOrganization" in refs, (method, path)
    # Swagger UI "Try it out" sends these as headers: the names must be the real header names
    for path, method, operation in _operations(doc):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "header" and "$ref" not in parameter:
                assert parameter["name"] in ("If-Match", "Idempotency-Key"), parameter


def test_standard_json_schema_keywords_only(doc):
    nonstandard = {"ge", "le", "gt", "lt", "max_digits", "decimal_places", "multiple_of"}
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in nonstandard and where[-1:] != ["properties"]:
                    found.append((".".join(where), key))
                walk(value, where + [key])
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    walk(doc, [])
    assert found == []
    value = doc["components"]["schemas"]["RateCreate"]["properties"]["value"]
    assert {"type": "number", "minimum": 0} in value["anyOf"]


def _nullable(schema) -> bool:
    return any(option.get("type") == "null" for option in schema.get("anyOf", []))


def _resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _nullable_paths(doc, schema, prefix=()):
    """Every (nested) property documented as accepting null, as a key path."""
    schema = _resolve(doc, schema)
    for name, prop in (schema.get("properties") or {}).items():
        if _nullable(prop):
            yield prefix + (name,)
        for option in [prop, *prop.get("anyOf", [])]:
            target = _resolve(doc, option)
            if target.get("type") == "object" and target.get("properties"):
                yield from _nullable_paths(doc, target, prefix + (name,))


def _with_null(base: dict, path: tuple) -> dict:
    body = dict(base)
    node = body
    for key in path[:-1]:
        node[key] = dict(node.get(key) or {})
        node = node[key]
    node[path[-1]] = None
    return body


def test_fields_documented_nullable_accept_null(doc, api, acme, seed):
    admin = {"as_": ADMIN, "org": "acme"}
    sam = seed.member("acme", "sam@acme.test")
    project = api.post("/projects", body={"name": "Website"}, **admin).json()
    member = api.post(f"/projects/{project['id']}/members", body={"userId": sam["id"]}, **admin).json()
    rate = {"currency": "EUR", "from": "2026-01-01T00:00:00Z", "value": 10}
    revenue = api.post(f"/projects/{project['id']}/members/{member['id']}/rates/revenue", body=rate, **admin).json()
    cost = api.post(f"/users/{sam['id']}/rates/cost", body=rate, **admin).json()
    activity = api.post("/activities", body={"projectId": project["id"], "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:00:00Z"}, **admin).json()
    ids = {"projectId": project["id"], "memberId": member["id"], "revenueId": revenue["id"], "userId": sam["id"], "costId": cost["id"], "activityId": activity["id"]}
    ids["tagId"] = api.post("/tags", body={"name": "Tag"}, **admin).json()["id"]
    ids["clientId"] = api.post("/clients", body={"name": "Client"}, **admin).json()["id"]
    ids["taskId"] = api.post(f"/projects/{project['id']}/tasks", body={"name": "Task"}, **admin).json()["id"]
    task_rates = {"hourlyRate": {"value": 1}, "costRate": {"value": 2}}
    fresh = iter(range(1000))
    bases = {
        ("post", "/activities"): lambda day: {"projectId": project["id"], "startedAt": f"2026-05-{day:02d}T09:00:00Z", "endedAt": f"2026-05-{day:02d}T09:30:00Z"},
        ("post", "/users"): lambda: {"email": f"new{next(fresh)}@acme.test"},
        ("post", "/projects/{projectId}/members"): lambda: {"userId": seed.member("acme", f"m{next(fresh)}@acme.test")["id"]},
        ("post", "/projects/{projectId}/members/{memberId}/rates/revenue"): lambda: {**rate, "from": f"{2030 + next(fresh)}-01-01T00:00:00Z", "to": None},
        ("post", "/users/{userId}/rates/cost"): lambda: {**rate, "from": f"{2030 + next(fresh)}-01-01T00:00:00Z", "to": None},
        ("post", "/projects"): lambda: {"name": f"P{next(fresh)}"},
        ("post", "/organizations"): lambda: {"name": "X", "domain": f"org-{next(fresh)}"},
        ("post", "/geofences"): lambda: {"name": "G", "latitude": 1, "longitude": 2, "radius": 100, "enterAction": "NONE", "exitAction": "NONE"},
        ("post", "/groups"): lambda: {"name": f"G{next(fresh)}"},
        ("post", "/geofencing/enter"): lambda: {"latitude": 1, "longitude": 2},
        ("post", "/geofencing/exit"): lambda: {"latitude": 1, "longitude": 2},
        ("post", "/reports"): lambda: {"name": "R", "period": "thisMonth"},
        ("post", "/reports/results"): lambda: {"period": "thisMonth"},
        ("post", "/activities/rerate/preview"): lambda: {"from": "2026-05-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"},
        ("post", "/activities/rerate/apply"): lambda: {"from": "2026-05-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"},
        ("put", "/requests/{requestId}/projects/assign"): lambda: {"status": "REJECTED"},
        ("post", "/api-keys"): lambda: {"name": f"key {next(fresh)}"},
        ("post", "/tags"): lambda: {"name": f"tag {next(fresh)}"},
        ("post", "/clients"): lambda: {"name": f"client {next(fresh)}"},
        ("post", "/projects/{projectId}/tasks"): lambda: {"name": f"task {next(fresh)}", **task_rates},
        ("put", "/projects/{projectId}/tasks/{taskId}"): lambda: dict(task_rates),
    }
    ids["requestId"] = api.post("/requests/projects/request-assignment", as_="sam@acme.test", org="acme").json()["id"]
    ids["reportId"] = api.post("/reports", body={"name": "R", "period": "thisMonth"}, **admin).json()["id"]
    ids["geofenceId"] = api.post("/geofences", body=bases[("post", "/geofences")](), **admin).json()["id"]
    refused = []
    checked = 0
    for path, method, operation in _operations(doc, public=True):
        body_schema = (operation.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
        if not body_schema:
            continue
        concrete = path
        for name, value in ids.items():
            concrete = concrete.replace("{" + name + "}", value)
        for null_path in _nullable_paths(doc, body_schema):
            if (method, path) == ("post", "/activities"):
                # startedAt/endedAt may be null on a running timer (pending: true) only
                base = {"projectId": project["id"], "pending": True, "userId": sam["id"] if null_path == ("endedAt",) else None}
                if null_path not in (("startedAt",), ("endedAt",)):
                    base = bases[(method, path)](next(fresh) % 28 + 1)
            else:
                base = bases.get((method, path), dict)()
            body = _with_null(base, null_path)
            who = {"as_": "founder@x.test"} if path == "/organizations" else admin
            reply = api.call(method.upper(), concrete, body=body, **who)
            checked += 1
            if reply.status == 422:
                refused.append((method, path, ".".join(null_path), reply.json()["error"].get("details")))
    assert checked > 30
    assert refused == []


def test_activity_list_documents_its_default_window(doc):
    """The default an Administrator gets without from/to is stated where clients look (docs/api.md too)."""
    from pathlib import Path

    description = doc["paths"]["/activities"]["get"]["description"]
    assert "without `from` and `to` gets every entry of the organization, newest first" in description
    conventions = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    assert "Administrator gets every entry of the organization **newest first**" in conventions


# --- the deployed document: built at build time, shipped as a file ------------------------------


def test_the_shipped_document_is_the_one_built_from_the_code(gateway):
    """functions/openapi/openapi.json is what GET /api/openapi.json answers deployed: it must be the
    document the code builds now (`make openapi` rewrites it)."""
    from sandglass_local.openapi import SHIPPED, merged_schema, render

    built = render(merged_schema(gateway))
    assert SHIPPED.read_text(encoding="utf-8") == built, "functions/openapi/openapi.json is stale: run `make openapi`"


def test_the_shipped_clockify_document_is_the_one_built_from_the_code(gateway):
    """functions/openapi/clockify.json is what GET /api/openapi/clockify.json answers deployed."""
    from sandglass_local.openapi import CLOCKIFY_SHIPPED, clockify_schema, render

    built = render(clockify_schema(gateway))
    assert CLOCKIFY_SHIPPED.read_text(encoding="utf-8") == built, "functions/openapi/clockify.json is stale: run `make openapi`"


def test_the_deployed_route_serves_the_shipped_file_without_credentials(api):
    from sandglass_local.callcounter import counting
    from sandglass_local.openapi import SHIPPED

    with counting() as calls:
        reply = api.get("/openapi.json")
    assert sum(calls.calls.values()) == 0
    assert reply.status == 200 and reply.header("Content-Type") == "application/json"
    assert reply.body == SHIPPED.read_text(encoding="utf-8")
    assert reply.json()["openapi"].startswith("3.1")
    assert api.get("/openapi.json", token="not-a-token").status == 200  # the authorizer is not called


def test_serving_the_document_imports_no_route_group():
    """The function that answers it loads no powertools, no pydantic, no sandglass: a cold start
    costs reading one file."""
    import subprocess
    import sys

    from sandglass_local.openapi import SHIPPED

    probe = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('openapi_function', {str(SHIPPED.parent / 'app.py')!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "reply = module.lambda_handler({'httpMethod': 'GET', 'path': '/api/openapi.json', 'headers': {}}, None)\n"
        "heavy = sorted(name for name in sys.modules if name.split('.')[0] in ('sandglass', 'aws_lambda_powertools', 'pydantic', 'boto3', 'botocore'))\n"
        "print(json.dumps({'status': reply['statusCode'], 'openapi': json.loads(reply['body'])['openapi'], 'heavy': heavy}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(done.stdout) == {"status": 200, "openapi": "3.1.0", "heavy": []}


def test_the_document_answers_cors_for_allowed_origins_only(monkeypatch):
    import importlib.util

    from sandglass_local.openapi import SHIPPED

    monkeypatch.setenv("CORS_ORIGINS", "http://localhost:5173, https://docs.example.com")
    spec = importlib.util.spec_from_file_location("openapi_function_cors", SHIPPED.parent / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    allowed = module.lambda_handler({"headers": {"origin": "https://docs.example.com"}}, None)
    assert allowed["headers"]["Access-Control-Allow-Origin"] == "https://docs.example.com"
    other = module.lambda_handler({"headers": {"Origin": "https://evil.example"}}, None)
    assert "Access-Control-Allow-Origin" not in other["headers"]


def test_operation_ids_are_the_sandtime_references(doc):
    """Every Sandtime operation has the reference's operationId (generated clients name their
    functions after it: `get_auth`, not `get_auth_auth_get`), and every other route a kebab-case id
    by the same rule."""
    import re

    from tests.contract import sandtime_operations

    ours = {(method.upper(), path): operation["operationId"] for path, method, operation in _operations(doc, public=True)}
    reference = {(operation["method"], operation["path"]): operation["operationId"] for operation in sandtime_operations.load()}
    assert len(reference) == 70
    assert {route: ours.get(route) for route in reference} == reference
    assert len(set(ours.values())) == len(ours)
    for route, operation_id in ours.items():
        assert re.fullmatch(r"(get|post|put|delete)(-[A-Za-z0-9]+)+", operation_id), (route, operation_id)
    assert ours[("GET", "/timesheets/dayTotals")] == "get-timesheets-dayTotals"
    assert ours[("GET", "/openapi.json")] == "get-openapi-json"


# --- the document tells the truth about every answer ----------------------------------------------


# MCP's JSON-RPC endpoint: its messages are the MCP specification's (tests/api/test_mcp.py), not REST.
NOT_IN_THE_DOCUMENT = {"POST /mcp"}


def _answer_problems(doc, method: str, path: str, reply) -> list[str]:
    """What in a real reply the document does not say: an undocumented status or content type, a
    body its schema refuses, a declared ETag missing or an undeclared paging/ETag header sent."""
    from jsonschema import Draft202012Validator

    operation = doc["paths"][path][method.lower()]
    response = operation["responses"].get(str(reply.status))
    if response is None:
        return [f"{method} {path}: status {reply.status} is not documented"]
    problems = []
    declared = set(response.get("headers") or {})
    for name in ("ETag", "X-Next-Cursor", "Link"):
        if reply.header(name) is not None and name not in declared:
            problems.append(f"{method} {path} {reply.status}: sends {name}, not declared")
    if reply.status == 200 and "ETag" in declared and reply.header("ETag") is None:
        problems.append(f"{method} {path}: declares ETag, sent none")
    if reply.status == 204:
        return problems
    content_type = (reply.header("Content-Type") or "").split(";")[0]
    media = (response.get("content") or {}).get(content_type)
    if media is None:
        return problems + [f"{method} {path} {reply.status}: Content-Type {content_type!r} is not documented"]
    if content_type == "application/json":
        validator = Draft202012Validator({**media["schema"], "components": doc["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER)
        problems += [f"{method} {path} {reply.status}: {'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
                     for error in validator.iter_errors(reply.json())]
    return problems


def test_every_operation_answers_what_the_document_says(gateway, doc):
    """The realistic call of every route (sandglass_local.operations, as the DynamoDB bench runs
    them): status, content type, body schema (typed results, formats) and headers as documented."""
    from sandglass_local import operations
    from sandglass_local.openapi import CLOCKIFY_PREFIX, clockify_schema

    problems = []
    seen = []
    clockify = clockify_schema(gateway)  # the Clockify surface answers what its own document says

    def check(operation: str, reply) -> None:
        method, path = operation.split(" ", 1)
        seen.append(operation)
        if operation in NOT_IN_THE_DOCUMENT:
            return
        problems.extend(_answer_problems(clockify if path.startswith((CLOCKIFY_PREFIX + "user", CLOCKIFY_PREFIX + "workspaces")) else doc, method, path, reply))

    operations.measure(gateway, on_reply=check)
    assert len(seen) == len(gateway.routes)
    assert problems == []


def test_report_results_timesheets_and_pages_answer_what_the_document_says(api, doc, gateway):
    from tests.api.populated import ADMIN, USER, populate
    from tests.conftest import TABLE

    world = populate(api, TABLE)
    admin = {"as_": ADMIN, "org": "acme"}
    sam = world.ids["User"]["userId"]
    query = {"period": "custom", "start": "2026-07-01T00:00:00+02:00", "end": "2026-07-31T23:59:59+02:00",
             "dimensions": ["project", "member", "billable"], "metrics": ["time", "billable", "revenue", "cost", "profit", "count"]}
    api.put("/organization", body={"rounding": {"enabled": True, "interval": 900000, "mode": "UP"}}, **admin)
    second = {"name": "Planning", "projectId": world.ids["Administrator"]["projectId"], "startedAt": "2026-07-06T09:00:00Z", "endedAt": "2026-07-06T09:40:00Z"}
    assert api.post("/activities", body=second, **admin).status == 200  # two rows: a detailed page of one has a next page
    calls = [("POST", "/reports/results", f"/reports/results?view={view}&format={format}&limit=1", query)
             for view in ("summary", "detailed", "weekly") for format in ("json", "csv", "xlsx", "pdf")]
    calls += [("POST", "/reports/results", "/reports/results?view=summary", {**query, "dimensions": ["week", "day", "approved"]}),
              ("GET", "/timesheets", "/timesheets?monthOf=2026-07-01", None),
              ("GET", "/timesheets", f"/timesheets?monthOf=2026-07-01&userId={sam}&fields=user,lockedDays", None),
              ("GET", "/timesheets/incomplete", "/timesheets/incomplete?weekOf=2026-06-29", None),
              ("GET", "/timesheets/dayTotals", f"/timesheets/dayTotals?userId={sam}&monthOf=2026-07-01", None),
              ("GET", "/users", "/users?limit=1", None),
              ("POST", "/timesheets/reminder", "/timesheets/reminder", None)]
    problems, cursors = [], 0
    for method, path, target, body in calls:
        reply = api.call(method, target, body=body, **admin)
        assert reply.status == 200, (target, reply.status, reply.body[:300])
        cursors += reply.header("X-Next-Cursor") is not None
        problems += _answer_problems(doc, method, path, reply)
    assert problems == []
    assert cursors == 2  # the detailed JSON page of one row and the page of one user have a next page (files are whole)
    own = api.get(f"/timesheets?monthOf=2026-07-01&userId={sam}", as_=USER, org="acme")
    assert own.status == 200 and _answer_problems(doc, "GET", "/timesheets", own) == []


def test_a_throttled_request_says_when_to_retry(api, acme, monkeypatch, doc):
    """A 429 (DynamoDB throttling that outlasted the retries) carries Retry-After, as documented,
    and API Gateway's own throttling answer is declared with it in the template."""
    from sandglass.errors import Throttled
    from sandglass.services.organizations import OrganizationService
    from sandglass_local import template as tpl

    def busy(*_args, **_kwargs):
        raise Throttled("The service is busy; retry with backoff")

    monkeypatch.setattr(OrganizationService, "get", busy)
    reply = api.get("/organization", as_="admin@acme.test", org="acme")
    assert reply.status == 429 and reply.header("Retry-After") == "1"
    assert _answer_problems(doc, "GET", "/organization", reply) == []
    assert "Retry-After" in doc["paths"]["/organization"]["get"]["responses"]["429"]["headers"]
    throttled = tpl.load()["Resources"]["Api"]["Properties"]["GatewayResponses"]["THROTTLED"]
    assert throttled["ResponseParameters"]["Headers"]["Retry-After"] == "'1'"


def test_formats_the_server_enforces_are_documented(doc):
    schemas = doc["components"]["schemas"]
    currency = {"pattern": "^[A-Z]{3}$"}
    clock = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
    assert currency.items() <= schemas["Organization"]["properties"]["currency"].items()
    optional_currency = schemas["RateCreate"]["properties"]["currency"]["anyOf"]  # left out: the organization's
    assert any(currency.items() <= option.items() for option in optional_currency)
    assert currency.items() <= schemas["RevenueRate"]["properties"]["currency"].items()
    assert schemas["CoreHours"]["properties"]["start"]["pattern"] == clock
    assert schemas["Reminders"]["properties"]["time"]["pattern"] == clock
    assert schemas["Activity"]["properties"]["startedAt"]["format"] == "date-time"
    assert schemas["RateCreate"]["properties"]["from"]["format"] == "date-time"
    assert schemas["Holidays"]["properties"]["excluded"]["items"]["format"] == "date"
    assert schemas["Locks"]["properties"]["organizationDays"]["items"]["format"] == "date"
    day_totals = doc["paths"]["/timesheets/dayTotals"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert day_totals["propertyNames"] == {"format": "date"} and day_totals["additionalProperties"] == {"type": "integer"}


def test_no_success_answer_is_an_untyped_object(doc):
    """Every 2xx JSON answer has a schema, and no object in it (however deep) is free-form (`{}`, or
    an object of anything): the client generated from the document gets real types."""
    untyped = []

    def free_form(schema) -> bool:
        if schema in ({}, {"type": "object"}) or schema.get("additionalProperties") is True:
            return True
        return any(free_form(option) for option in schema.get("anyOf", []) + schema.get("oneOf", []))

    def walk(schema, where: str, seen: set) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(doc["components"]["schemas"][name], name, seen)
            return
        if free_form(schema):
            untyped.append((where, schema))
        for name, prop in (schema.get("properties") or {}).items():
            walk(prop, f"{where}.{name}", seen)
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                walk(schema[key], f"{where}.{key}", seen)
        for option in schema.get("anyOf", []) + schema.get("oneOf", []):
            walk(option, where, seen)

    for path, method, operation in _operations(doc, public=True):
        if path in ("/openapi.json", "/openapi/clockify.json"):  # an OpenAPI document: objects of any shape by nature
            continue
        for status, response in operation["responses"].items():
            if not status.startswith("2") or status == "204":
                continue
            content = response.get("content") or {}
            if content and "application/json" not in content:  # text (SKILL.md, the /mcp pointer) or a file
                continue
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                untyped.append((f"{method} {path} {status}", None))
            else:
                walk(schema, f"{method} {path} {status}", set())
    assert untyped == []
