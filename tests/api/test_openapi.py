"""The merged OpenAPI document (what /api/openapi.json serves) tells the truth: it is a valid
OpenAPI 3.1 document, every operation lists the statuses it can answer with the error schema,
Swagger UI can send the bearer token and X-Organization, and every field it documents as
nullable accepts null."""

from __future__ import annotations

import pytest

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
            assert schema == {"$ref": ERROR_REF}, (method, path, status)
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
        ("post", "/geofencing/enter"): lambda: {"latitude": 1, "longitude": 2},
        ("post", "/geofencing/exit"): lambda: {"latitude": 1, "longitude": 2},
        ("post", "/reports"): lambda: {"name": "R", "period": "thisMonth"},
        ("post", "/reports/results"): lambda: {"period": "thisMonth"},
        ("put", "/requests/{requestId}/projects/assign"): lambda: {"status": "REJECTED"},
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
    """The default an Administrator gets without from/to is stated where clients look (README too)."""
    from pathlib import Path

    description = doc["paths"]["/activities"]["get"]["description"]
    assert "without `from` and `to` gets every entry of the organization, newest first" in description
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "Administrator gets every entry of the organization **newest first**" in readme
