"""Hostile bodies on every route: deep nesting, invalid UTF-8, control characters in free text.
Nothing a client sends may produce a 500, and nothing undecodable or invisible may be stored."""

from __future__ import annotations

import base64
import re

import pytest

ADMIN = "admin@acme.test"
JSON = {"Content-Type": "application/json"}
SOME_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", SOME_ID, path)


def _body_routes(gateway) -> list[tuple[str, str]]:
    return sorted({(route.method, route.path) for route in gateway.routes if route.method in ("POST", "PUT", "PATCH")})


def test_deeply_nested_json_is_400_on_every_route_that_reads_a_body(api, acme, gateway):
    deep_array = "[" * 1000 + "]" * 1000
    deep_object = '{"a":' * 1000 + "1" + "}" * 1000
    answered = {}
    for method, path in _body_routes(gateway):
        for body in (deep_array, deep_object):
            reply = api.call(method, _concrete(path), as_=ADMIN, org="acme", body=body, headers=JSON)
            assert reply.status != 500, (method, path, reply.body)
            answered[(method, path)] = reply
    built = {key: reply for key, reply in answered.items() if reply.status != 501}
    assert len(built) >= 15  # every built group's POST/PUT routes
    for (method, path), reply in built.items():
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
