"""Hostile input on every route: deep nesting, invalid UTF-8, control characters in free text,
and (below) malformed JSON, wrong types, unknown enum values, oversized strings, invalid dates and
path ids that are not ids. Nothing a client sends may produce a 500, and nothing refused, undecodable
or invisible may be stored."""

from __future__ import annotations

import base64
import json
import re

import pytest

from tests.api.populated import ROLES, populate
from tests.conftest import TABLE

ADMIN = "admin@acme.test"
JSON = {"Content-Type": "application/json"}
SOME_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


# MCP answers bad JSON with JSON-RPC's own error shape (-32700 parse error), not {"error": {...}}.
JSON_RPC_ROUTES = {("POST", "/mcp")}


def _concrete(path: str) -> str:
    path = path.replace("{year}", "2026").replace("{week}", "27")
    return re.sub(r"\{[^}]+\}", SOME_ID, path)


def _body_routes(gateway) -> list[tuple[str, str]]:
    """The routes that read a JSON body (their OpenAPI operation documents one)."""
    from sandglass_local.openapi import merged_schema

    paths = merged_schema(gateway)["paths"]
    return sorted({(route.method, route.path) for route in gateway.routes if route.method in ("POST", "PUT", "PATCH")
                   and "requestBody" in paths.get(route.path, {}).get(route.method.lower(), {})})


def test_deeply_nested_json_is_400_on_every_route_that_reads_a_body(api, acme, gateway):
    deep_array = "[" * 1000 + "]" * 1000
    deep_object = '{"a":' * 1000 + "1" + "}" * 1000
    answered = {}
    for method, path in _body_routes(gateway):
        for body in (deep_array, deep_object):
            reply = api.call(method, _concrete(path), as_=ADMIN, org="acme", body=body, headers=JSON)
            assert reply.status != 500, (method, path, reply.body)
            answered[(method, path)] = reply
    assert len(answered) >= 15  # every POST/PUT route that reads a body
    for (method, path), reply in answered.items():
        assert reply.status == 400, (method, path, reply.body)
        error = reply.json()["error"]
        assert error["code"] == "JSON_TOO_DEEP" and "32 levels" in error["message"], (method, path, error)


def test_reasonable_nesting_is_still_read(api, acme):
    # 32 levels are fine (the limit), and brackets inside strings do not count
    reply = api.put("/organization", as_=ADMIN, org="acme", body={"notes": "[[[[" * 100 + "{{{{" * 100})
    assert reply.status == 200, reply.body
    nested = '{"notes": "x", "coreHours": ' + "[" * 30 + "]" * 30 + "}"
    reply = api.call("PUT", "/organization", as_=ADMIN, org="acme", body=nested, headers=JSON)
    assert reply.status == 422  # a list is not core hours: a field error, not a body refusal


def test_malformed_json_says_where(api, acme):
    reply = api.call("PUT", "/organization", as_=ADMIN, org="acme", body='{"notes": ', headers=JSON)
    assert reply.status == 400
    error = reply.json()["error"]
    assert error["code"] == "MALFORMED_JSON" and error["details"][0]["in"] == "body"


def test_invalid_utf8_is_400_and_nothing_is_stored(api, acme, gateway):
    # API Gateway hands a text body over with U+FFFD where undecodable bytes were (the dev server too)
    mangled = b'{"notes": "caf\xe9"}'.decode("utf-8", errors="replace")
    reply = api.call("PUT", "/organization", as_=ADMIN, org="acme", body=mangled, headers=JSON)
    assert reply.status == 400 and reply.json()["error"]["code"] == "INVALID_UTF8"
    assert api.get("/organization", as_=ADMIN, org="acme").json()["notes"] == ""
    # U+FFFD sent on purpose as its escape is a character like any other
    reply = api.call("PUT", "/organization", as_=ADMIN, org="acme", body='{"notes": "\\ufffd"}', headers=JSON)
    assert reply.status == 200 and reply.json()["notes"] == "\ufffd"


def test_invalid_utf8_in_a_base64_body_is_400(gateway, api, acme):
    token = api.token(ADMIN)
    event = {
        "resource": "/organization", "path": "/api/organization", "httpMethod": "PUT",
        "headers": {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
        "requestContext": {"resourcePath": "/organization", "httpMethod": "PUT", "path": "/api/organization", "stage": "api",
                           "requestId": "r", "authorizer": {"orgId": "x"}},
        "body": base64.b64encode(b'{"notes": "caf\xe9"}').decode(), "isBase64Encoded": True,
    }
    result = gateway.invoke("WorkspaceFunction", event)
    assert result["statusCode"] == 400 and "INVALID_UTF8" in result["body"]


# --- media types -------------------------------------------------------------------------------
# Bodies are JSON. Every other media type is 415 UNSUPPORTED_MEDIA_TYPE on every route that takes a
# body, whatever the body holds; JSON with a UTF-8 charset, the structured `application/*+json` types,
# no Content-Type at all and curl's default form type with a JSON body are read as JSON.

PNG = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
NOT_JSON = {  # content type -> a body of that type
    "application/xml": "<organization><notes>x</notes></organization>",
    "text/xml; charset=utf-8": "<?xml version=\"1.0\"?><notes>x</notes>",
    "text/csv": "name,notes\nx,y\n",
    "text/plain": "notes=x",
    "text/html": "<p>x</p>",
    "application/octet-stream": "\x00\x01\x02\xff",
    "image/png": PNG,
    "application/pdf": "%PDF-1.7",
    "application/x-www-form-urlencoded": "notes=x&name=y",
    "multipart/form-data; boundary=XyZ": '--XyZ\r\nContent-Disposition: form-data; name="notes"\r\n\r\nx\r\n--XyZ--\r\n',
    "application/json; charset=iso-8859-1": '{"notes": "x"}',
    "application/jsonx": '{"notes": "x"}',
    "text/json-ish": '{"notes": "x"}',
    "application": '{"notes": "x"}',
    "application/xml; x=application/json": '{"notes": "x"}',
}
# the JSON body itself under a type that is not JSON: still 415 (form-encoding excepted, below)
JSON_UNDER_ANOTHER_TYPE = ["application/xml", "text/csv", "text/plain", "application/octet-stream", "image/png", "multipart/form-data; boundary=XyZ"]
READ_AS_JSON = [None, "application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", 'application/json; charset="utf-8"',
                "APPLICATION/JSON", "application/vnd.api+json", "application/merge-patch+json", "application/problem+json; charset=utf-8",
                "application/x-www-form-urlencoded"]


def _unsupported(reply, where) -> None:
    assert reply.status == 415, (where, reply.status, reply.body[:300])
    error = reply.json()["error"]
    assert error["code"] == "UNSUPPORTED_MEDIA_TYPE" and "application/json" in error["message"], (where, error)
    assert error["details"] == [{"field": "Content-Type", "in": "header", "type": "unsupported_media_type",
                                 "message": "Send the body as JSON with Content-Type: application/json"}], (where, error)


def test_a_body_that_is_not_json_is_415_on_every_route_that_takes_one(api, acme, gateway):
    stored = _stored()
    routes = _body_routes(gateway)
    assert len(routes) >= 30
    for method, path in routes:
        for content_type, body in [*NOT_JSON.items(), *((kind, '{"notes": "x"}') for kind in JSON_UNDER_ANOTHER_TYPE)]:
            reply = api.call(method, _concrete(path), as_=ADMIN, org="acme", body=body, headers={"Content-Type": content_type})
            _unsupported(reply, (method, path, content_type))
    assert _stored() == stored


@pytest.mark.parametrize("content_type", READ_AS_JSON)
def test_json_and_its_variants_are_read_as_json(api, acme, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    reply = api.call("PUT", "/organization", as_=ADMIN, org="acme", body=json.dumps({"notes": f"sent as {content_type}"}), headers=headers)
    assert reply.status == 200, reply.body
    assert api.get("/organization", as_=ADMIN, org="acme").json()["notes"] == f"sent as {content_type}"
    malformed = api.call("PUT", "/organization", as_=ADMIN, org="acme", body='{"notes": ', headers=headers)
    assert malformed.status == 400 and malformed.json()["error"]["code"] == "MALFORMED_JSON"


def test_the_media_type_of_no_body_does_not_matter(api, acme):
    # a route whose body is optional, sent none (clients often set a Content-Type anyway)
    for content_type in ("application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        reply = api.call("POST", "/requests/impersonation", as_=ADMIN, org="acme", body="", headers={"Content-Type": content_type})
        assert reply.status != 415 and reply.status < 500, (content_type, reply.body)
    # a route that reads no body ignores what is sent
    reply = api.call("GET", "/organization", as_=ADMIN, org="acme", body="<x/>", headers={"Content-Type": "application/xml"})
    assert reply.status == 200


def test_a_form_encoded_body_is_not_read_as_fields(api, acme):
    """powertools would read `name=Website` as the body's fields (a misleading 422 for the others)."""
    reply = api.call("POST", "/projects", as_=ADMIN, org="acme", body="name=Website&billable=true",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    _unsupported(reply, "form")
    assert api.get("/projects", as_=ADMIN, org="acme").json() == {}


# --- control characters ------------------------------------------------------------------------

NUL, ESC, CR, C1 = "\x00", "\x1b", "\r", "\x85"


@pytest.fixture
def project(api, acme):
    reply = api.post("/projects", as_=ADMIN, org="acme", body={"name": "Website"})
    assert reply.status == 200, reply.body
    return reply.json()


@pytest.fixture
def sam(api, acme):
    reply = api.post("/users", as_=ADMIN, org="acme", body={"email": "sam@acme.test", "name": "Sam"})
    assert reply.status == 200, reply.body
    return reply.json()


def _refused(reply, field: str) -> None:
    assert reply.status == 422, reply.body
    details = reply.json()["error"]["details"]
    assert any(d["field"].startswith(field) and d["type"] == "control_character" for d in details), details


def test_single_line_fields_refuse_every_control_character(api, acme, project, sam):
    admin = {"as_": ADMIN, "org": "acme"}
    for char in (NUL, ESC, CR, "\n", "\t", C1, "\x7f"):
        bad = f"a{char}b"
        _refused(api.put("/organization", body={"name": bad}, **admin), "name")
        _refused(api.post("/organizations", as_="new@x.test", body={"name": bad, "domain": "fresh-org"}), "name")
        _refused(api.post("/projects", body={"name": bad}, **admin), "name")
        _refused(api.put(f"/projects/{project['id']}", body={"name": bad}, **admin), "name")
        _refused(api.post("/users", body={"email": "ola@acme.test", "name": bad}, **admin), "name")
        _refused(api.put(f"/users/{sam['id']}", body={"title": bad}, **admin), "title")
        _refused(api.put(f"/users/{sam['id']}", body={"phone": bad}, **admin), "phone")
        _refused(api.post(f"/projects/{project['id']}/members", body={"userId": sam["id"], "tags": [bad]}, **admin), "tags")
        _refused(api.post(f"/projects/{project['id']}/members", body={"userId": sam["id"], "title": bad}, **admin), "title")
        _refused(api.post("/activities", body={"name": bad, "projectId": project["id"], "startedAt": "2026-07-03T09:00:00Z",
                                                "endedAt": "2026-07-03T10:00:00Z"}, **admin), "name")
    reply = api.post("/users", body={"email": "o\x85la@acme.test"}, **admin)
    assert reply.status == 422
    assert api.get("/organization", **admin).json()["name"] == "Acme Studio"


def test_notes_allow_line_feed_and_tab_only(api, acme, project):
    admin = {"as_": ADMIN, "org": "acme"}
    for char in (NUL, ESC, CR, C1):
        _refused(api.put("/organization", body={"notes": f"a{char}b"}, **admin), "notes")
        _refused(api.put(f"/projects/{project['id']}", body={"notes": f"a{char}b"}, **admin), "notes")
    reply = api.put("/organization", body={"notes": "line one\n\tindented"}, **admin)
    assert reply.status == 200 and reply.json()["notes"] == "line one\n\tindented"
    reply = api.put(f"/projects/{project['id']}", body={"notes": "a\nb"}, **admin)
    assert reply.status == 200 and reply.json()["notes"] == "a\nb"


def test_control_character_error_names_the_character(api, acme):
    reply = api.put("/organization", as_=ADMIN, org="acme", body={"name": "Acme\x00"})
    detail = reply.json()["error"]["details"][0]
    assert detail == {"field": "name", "in": "body", "type": "control_character",
                      "message": "Control character U+0000 at position 4 is not allowed (single-line text)"}


def test_an_identity_providers_name_claim_is_cleaned_not_stored_raw(api):
    """The sign-up's display name comes from the token's `name` claim (signed, so not refusable by
    the client's fault): control characters become spaces."""
    token = api.token("founder@new.test", name="Ada\x00\x1b[31m Love\nlace\x85")
    reply = api.post("/organizations", token=token, body={"name": "New", "domain": "new-org"})
    assert reply.status == 200, reply.body
    users = api.get("/users", token=token, org="new-org").json()
    assert [user["name"] for user in users.values()] == ["Ada [31m Love lace"]


def test_single_line_cleaning_rule():
    from sandglass.text import single_line

    assert single_line("a\x00\x00b\t c\r\n") == "a b c"
    assert single_line("x" * 300, 200) == "x" * 200


def test_a_json_array_is_not_the_object_a_route_takes(api, acme):
    """powertools would read `[{...}]` as its first element; an array where an object is documented is 422."""
    admin = {"as_": ADMIN, "org": "acme"}
    for body in ('[{"notes": "from an array"}]', "[null]", '[{"notes": "a"}, 5]'):
        reply = api.call("PUT", "/organization", body=body, headers=JSON, **admin)
        assert reply.status == 422, reply.body
        assert reply.json()["error"]["details"][0]["field"] == "body"
    assert api.call("PUT", "/timesheets/auto-lock", body="[null, null]", headers=JSON, **admin).status == 422
    assert api.call("POST", "/projects", body='[{"name": "P"}]', headers=JSON, **admin).status == 422
    assert api.get("/organization", **admin).json()["notes"] == ""
    assert api.get("/projects", **admin).json() == {}


# --- every route, every kind of bad input -------------------------------------------------------
# Routes come from the template (the gateway's route table) and their inputs from the served
# OpenAPI document, so a new route or field is probed by construction. Each probe is sent as the
# Administrator of an organization with one of everything (real ids in the path unless the path is
# what is probed) and must answer a 4xx in the house error shape and leave the table unchanged.

OVERSIZED = "x" * (10 * 1024 + 1)
UNKNOWN_ENUM = "NOT_A_VALUE"
BAD_DATES = ["2026-13-45", "2026-02-30T10:00:00Z", "2026-07-03T25:61:00Z", "yesterday"]
# dates the document types as plain strings (InstantText, yyyy-mm-dd query parameters)
DATE_FIELDS = {"from", "to", "start", "end", "startedAt", "endedAt", "unlockedTo", "date", "weekOf", "monthOf", "excluded"}
NOT_IDS = ["not-an-id", "ORG%23x", "..", "x" * 100, "%00", "'%20OR%20'1'='1", SOME_ID + "-extra", "3fa85f64571745620000000000000000zz"]
MALFORMED = ['{"name": ', '{"a": 1,}', "{'a': 1}", "nul", '{"a": 1} trailing']
WRONG_BODIES = ['[{}]', '"text"', "42", "true"]


class Probes:
    """Sends probes, checks each answer and the table, and counts probes per kind and routes."""

    def __init__(self, api, gateway, world):
        from sandglass_local.openapi import merged_schema

        self.api, self.world = api, world
        self.document = merged_schema(gateway)
        # the Clockify surface is another wire dialect ({message, code} errors, lenient input): tests/api/clockify
        self.routes = sorted({(route.method, route.path) for route in gateway.routes if not route.path.startswith(("/v1/user", "/v1/workspaces"))})
        self.sent: dict[str, int] = {}
        self.covered: dict[str, set] = {}
        self.token = api.token(ROLES["Administrator"])
        self.stored = _stored()  # every probe must leave the table exactly so

    def operation(self, method: str, path: str) -> dict | None:
        return self.document["paths"].get(path, {}).get(method.lower())

    def concrete(self, path: str, **override: str) -> str:
        ids = self.world.ids["Administrator"]
        return re.sub(r"\{(\w+)\}", lambda m: override.get(m.group(1), ids.get(m.group(1), SOME_ID)), path)

    def send(self, kind: str, route: tuple[str, str], path: str, *, body=None, query: str = "", field: str | None = None) -> None:
        method = route[0]
        reply = self.api.call(method, path + (f"?{query}" if query else ""), token=self.token, org="acme", body=body, headers=JSON)
        where = f"{kind}: {method} {path[:120]}?{query[:80]} body={str(body)[:120]!r}"
        assert 400 <= reply.status < 500 and reply.status not in (401, 403), (where, reply.status, reply.body[:300])
        if path.startswith(("/v1/timesheets", "/api/v1/timesheets")):  # the 4me dialect: {"message": "<parameter>: <why>"}
            self._fourme(where, reply, field)
        else:
            self._house(where, reply, field)
        assert _stored() == self.stored, f"{where} changed the table"
        self.sent[kind] = self.sent.get(kind, 0) + 1
        self.covered.setdefault(kind, set()).add(route)

    @staticmethod
    def _fourme(where: str, reply, field: str | None) -> None:
        body = reply.json()
        assert set(body) == {"message"} and isinstance(body["message"], str) and body["message"], (where, body)
        if field is not None:
            assert reply.status in (400, 422), (where, reply.body[:300])
            named = body["message"].split(":", 1)[0]
            assert named == field or named.startswith(field + "."), (where, field, body)

    @staticmethod
    def _house(where: str, reply, field: str | None) -> None:
        error = reply.json()["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str) and set(error) <= {"code", "message", "details"}, where
        for detail in error.get("details", []):
            assert set(detail) == {"field", "in", "message", "type"}, (where, detail)
        if field is not None:
            assert reply.status in (400, 422), (where, reply.body[:300])
            named = [detail["field"] for detail in error.get("details", [])]
            assert any(name == field or name.startswith(field + ".") for name in named), (where, field, named)

    # --- the document's inputs ------------------------------------------------------------------
    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def options(self, schema: dict) -> list[dict]:
        schema = self.resolve(schema)
        found = [self.resolve(option) for option in schema.get("anyOf", [schema])]
        return [option for option in found if option.get("type") != "null"]

    def body_fields(self, operation: dict):
        """(dotted name, nested dict builder, field schema options) for every body property, one level into objects."""
        content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
        if not content:
            return
        root = self.resolve(content["schema"])
        for name, schema in root.get("properties", {}).items():
            options = self.options(schema)
            yield name, (lambda value, name=name: {name: value}), options
            for option in options:
                for child, child_schema in option.get("properties", {}).items():
                    yield f"{name}.{child}", (lambda value, name=name, child=child: {name: {child: value}}), self.options(child_schema)

    def query_parameters(self, operation: dict):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query":
                yield parameter["name"], self.options(parameter.get("schema", {}))


def _stored() -> list[str]:
    """Every item of the test table, read from moto's memory: a Scan through boto3 spends ~35 ms
    serializing its response, and the table is read after every probe."""
    import json
    import os

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]].get_table(TABLE)
    return sorted(json.dumps(item.to_json(), sort_keys=True, default=str) for item in table.all_items())


def _types(options: list[dict]) -> set[str]:
    return {option.get("type", "object" if "properties" in option else "any") for option in options}


def _wrong_value(options: list[dict]):
    types = _types(options)
    if "any" in types:
        return None
    for value, kind in (({"wrong": "type"}, "object"), (["wrong"], "array"), (12345, "number"), ("wrong", "string"), (True, "boolean")):
        if kind not in types and not (kind == "number" and "integer" in types):
            return value
    return None


def _is_date(name: str, options: list[dict]) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    formats = {option.get("format") for option in options} | {(option.get("items") or {}).get("format") for option in options}
    return bool(formats & {"date", "date-time"}) or leaf in DATE_FIELDS


@pytest.fixture
def probes(api, gateway):
    return Probes(api, gateway, populate(api, TABLE))


def _report(probes: Probes, kind: str, at_least: int) -> None:
    print(f"\n{kind}: {probes.sent.get(kind, 0)} probes on {len(probes.covered.get(kind, ()))} routes")
    assert probes.sent.get(kind, 0) >= at_least, probes.sent


def test_every_route_refuses_malformed_json(probes):
    for route in probes.routes:
        method, path = route
        if method not in ("POST", "PUT", "PATCH"):
            continue
        operation = probes.operation(*route)
        if operation is not None and "requestBody" not in operation:
            continue  # a route that reads no body (4me lock styles read the query)
        if route in JSON_RPC_ROUTES:
            continue  # another wire dialect: JSON-RPC errors (tests/api/test_mcp.py)
        for body in MALFORMED:
            probes.send("malformed JSON", route, probes.concrete(path), body=body)
    _report(probes, "malformed JSON", 100)


def test_every_route_refuses_wrong_types(probes):
    for route in probes.routes:
        operation = probes.operation(*route)
        if operation is None:
            if route not in JSON_RPC_ROUTES:
                probes.send("wrong types", route, probes.concrete(route[1]), body="42")
            continue
        path = probes.concrete(route[1])
        if "requestBody" in operation:
            for body in WRONG_BODIES:
                probes.send("wrong types", route, path, body=body)
        for name, build, options in probes.body_fields(operation):
            value = _wrong_value(options)
            if value is not None:
                probes.send("wrong types", route, path, body=build(value), field=name)
        for name, options in probes.query_parameters(operation):
            if _types(options) & {"integer", "number", "boolean"}:
                probes.send("wrong types", route, path, query=f"{name}=not-a-number", field=name)
    _report(probes, "wrong types", 200)


def test_every_route_refuses_unknown_enum_values(probes):
    for route in probes.routes:
        operation = probes.operation(*route)
        if operation is None:
            continue
        path = probes.concrete(route[1])
        for name, build, options in probes.body_fields(operation):
            for option in options:
                if "enum" in option:
                    probes.send("unknown enum values", route, path, body=build(UNKNOWN_ENUM), field=name)
                elif "enum" in (option.get("items") or {}):
                    probes.send("unknown enum values", route, path, body=build([UNKNOWN_ENUM]), field=name)
        for name, options in probes.query_parameters(operation):
            if any("enum" in option for option in options):
                probes.send("unknown enum values", route, path, query=f"{name}={UNKNOWN_ENUM}", field=name)
    _report(probes, "unknown enum values", 20)


def test_every_route_refuses_strings_over_10_kb(probes):
    for route in probes.routes:
        operation = probes.operation(*route)
        if operation is None:
            continue
        path = probes.concrete(route[1])
        for name, build, options in probes.body_fields(operation):
            types = _types(options)
            if "string" in types:
                probes.send("oversized strings", route, path, body=build(OVERSIZED), field=name)
            elif "array" in types and any((option.get("items") or {}).get("type") == "string" for option in options):
                probes.send("oversized strings", route, path, body=build([OVERSIZED]), field=name)
        for name, options in probes.query_parameters(operation):
            if "string" in _types(options):
                probes.send("oversized strings", route, path, query=f"{name}={OVERSIZED}", field=name)
    _report(probes, "oversized strings", 100)


def test_every_route_refuses_invalid_dates(probes):
    for route in probes.routes:
        operation = probes.operation(*route)
        if operation is None:
            continue
        path = probes.concrete(route[1])
        for name, build, options in probes.body_fields(operation):
            if _is_date(name, options):
                is_list = "array" in _types(options)
                for bad in BAD_DATES:
                    probes.send("invalid dates", route, path, body=build([bad] if is_list else bad), field=name)
        for name, options in probes.query_parameters(operation):
            if _is_date(name, options):
                for bad in BAD_DATES:
                    probes.send("invalid dates", route, path, query=f"{name}={bad}", field=name)
    _report(probes, "invalid dates", 60)


def test_every_route_refuses_path_ids_that_are_not_ids(probes):
    for route in probes.routes:
        method, path = route
        for parameter in re.findall(r"\{(\w+)\}", path):
            for bad in NOT_IDS:
                probes.send("path ids that are not ids", route, probes.concrete(path, **{parameter: bad}))
    _report(probes, "path ids that are not ids", 200)


def test_an_unknown_query_parameter_is_422_and_names_it(api, acme):
    """A misspelt filter never silently widens a listing: `?userid=` (for `userId`) is refused."""
    reply = api.get("/activities?userid=someone", as_=ADMIN, org="acme")
    assert reply.status == 422, reply.body
    error = reply.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert any(d.get("field") == "userid" and d.get("in") == "query" for d in error["details"]), error


def test_every_get_route_refuses_an_unknown_query_parameter(api, acme, gateway):
    answered = 0
    for route in gateway.routes:
        if route.method != "GET" or route.path in ("/openapi.json", "/health") or not route.path.startswith("/"):
            continue
        reply = api.get(_concrete(route.path) + "?surely_not_a_parameter=1", as_=ADMIN, org="acme")
        assert reply.status != 500, (route.path, reply.body)
        if reply.status == 422:
            answered += 1
            assert "surely_not_a_parameter" in reply.body, (route.path, reply.body)
    assert answered >= 20
