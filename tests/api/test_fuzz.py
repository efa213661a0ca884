"""schemathesis against the served OpenAPI document, every operation, as an organization
Administrator and as a User: no 5xx, every status documented, every body matching its documented
schema (and content type), and requests that violate the document refused with a 4xx.

Where it runs: in-process, through `sandglass_local.wsgi.GatewayApp` — the dev server's HTTP
surface (`GET /api/openapi.json` and every route) over the same API Gateway emulation, authorizer
and functions as `make dev`, on moto. Not the dev server in a subprocess: that would share one
embedded DynamoDB across every operation (a fuzzed `DELETE /organization` or `POST
/organization/rename` would turn every later case into a 404), cost a start-up per run, and hide
server tracebacks in another process. Here each operation starts from the same populated
organization (`tests.api.populated`, restored from a snapshot in milliseconds), on a fresh table.

Real ids: every path parameter the populated organization has an id for gets it, except in cases
whose path was generated to be invalid and in one case out of four (chosen from the generated
value, so runs stay deterministic), which keep the generated value and so reach the 404s.

Bounds: `make test` runs the examples and fuzzing phases with FUZZ_EXAMPLES (default 6) cases per
operation and role, seed FUZZ_SEED (default 1207), about a minute on two workers. `make fuzz` adds
schemathesis' coverage phase (boundary values and a negative case per constraint) and runs
FUZZ_EXAMPLES=200; with FUZZ_REPORT=file every case's status is recorded and
`python -m tests.api.fuzz_report file` prints the documented statuses seen and never seen.
"""

from __future__ import annotations

import json
import os
import zlib

import pytest
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.core.parameters import ParameterLocation

from tests.api.fuzz_schema import served_schema
from tests.api.populated import ROLES, populate
from tests.conftest import TABLE

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
SEED = int(os.environ.get("FUZZ_SEED", "1207"))
COVERAGE = os.environ.get("FUZZ_COVERAGE", "0") == "1"
REPORT = os.environ.get("FUZZ_REPORT")

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


schema = served_schema("/api/openapi.json", seed=SEED, examples=EXAMPLES, coverage=COVERAGE)
_snapshot = {}


@pytest.fixture
def world(api, gateway):
    """The populated organization: made once per worker, restored into each test's fresh table."""
    if "world" in _snapshot:
        _snapshot["world"].restore()
    else:
        _snapshot["world"] = populate(api, TABLE)
    return _snapshot["world"]


@pytest.fixture
def app(gateway):
    from sandglass_local.wsgi import GatewayApp

    return GatewayApp(gateway)


def _keeps_generated_ids(case) -> bool:
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
        return True
    generated = json.dumps(case.path_parameters or {}, sort_keys=True, default=str)
    return zlib.crc32(generated.encode()) % 4 == 0


@pytest.mark.parametrize("role", list(ROLES))
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None, database=None)
def test_fuzz(case, role, world, app, api):
    if case.path_parameters and not _keeps_generated_ids(case):
        ids = world.ids[role]
        case.path_parameters = {name: ids.get(name, value) for name, value in case.path_parameters.items()}
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {api.token(ROLES[role])}", "X-Organization": "acme"}
    response = case.call(app=app)
    if REPORT and case.method.upper() == case.operation.method.upper():  # not the coverage phase's other-method probes
        with open(REPORT, "a") as report:
            report.write(json.dumps({"operation": case.operation.label, "role": role, "status": response.status_code}) + "\n")
    case.validate_response(response, checks=CHECKS)


# --- what fuzzing found, pinned -------------------------------------------------------------------


def test_a_coordinate_too_small_for_dynamodb_is_kept_to_9_decimal_places(api, acme):
    """POST /geofences with longitude -5.6e-274 was a 500: DynamoDB stores no number below 1e-130."""
    admin = {"as_": "admin@acme.test", "org": "acme"}
    body = {"name": "Meridian", "latitude": 62.27468969654774, "longitude": -5.59817155367339e-274, "radius": 180.0,
            "enterAction": "START_TRACKING", "exitAction": "STOP_TRACKING"}
    reply = api.post("/geofences", body=body, **admin)
    assert reply.status == 200, reply.body
    created = reply.json()
    assert (created["latitude"], created["longitude"]) == (62.274689697, 0.0)
    assert api.get(f"/geofences/{created['id']}", **admin).json() == created
    reply = api.put(f"/geofences/{created['id']}", body={"latitude": 1e-200}, **admin)
    assert reply.status == 200 and reply.json()["latitude"] == 0.0
    entered = api.post("/geofencing/enter", body={"latitude": 1e-300, "longitude": 0.0}, **admin)
    assert entered.status == 409 and entered.json()["error"]["code"] == "NO_PROJECT"  # the geofence was found: no project to track
    reply = api.post("/geofences", body={**body, "latitude": 52.2297, "longitude": 21.0122}, **admin)
    assert (reply.json()["latitude"], reply.json()["longitude"]) == (52.2297, 21.0122)  # ordinary coordinates untouched


def test_no_content_is_documented_as_no_content(gateway, api, acme):
    """DELETE /timesheets/lock answered 204 with no body where the document promised JSON, and
    POST /timesheets/lock answered 200 with a week lock that was not documented at all."""
    from sandglass_local.openapi import merged_schema

    document = merged_schema(gateway)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "content" not in operation["responses"].get("204", {}), (method, path)
    lock = document["paths"]["/timesheets/lock"]["post"]["responses"]
    assert lock["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/WeekLock"}
    reply = api.delete("/timesheets/lock?weekOf=2026-07-06", as_="admin@acme.test", org="acme")
    assert reply.status == 204 and reply.body == ""


# --- every media type on every operation that takes a body -------------------------------------------

MEDIA_TYPES: dict[str, bytes] = {  # a body of each type (and below, a JSON body under each)
    "application/xml": b"<activity><name>x</name></activity>",
    "text/xml": b'<?xml version="1.0"?><a/>',
    "text/csv": b"name,startedAt\nx,2026-07-01T08:00:00Z\n",
    "text/plain; charset=utf-8": b"name: x",
    "application/octet-stream": bytes(range(256)),
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
    "application/x-www-form-urlencoded": b"name=x&projectId=y",
    "multipart/form-data; boundary=XyZ": b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nx\r\n--XyZ--\r\n',
    "application/pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
    "application/json; charset=utf-16": '{"name": "x"}'.encode("utf-16"),
}
JSON_MEDIA_TYPES = ["application/json", "application/json; charset=utf-8", "application/vnd.api+json", "application/merge-patch+json"]


def test_every_media_type_on_every_operation_that_takes_a_body(world, app, api):
    """Through the dev server's HTTP surface: a body that is not JSON is 415 in the error shape on
    every operation that takes one, JSON under its variants is read (never 415), nothing is a 5xx."""
    import re

    from werkzeug.test import Client

    client, document = Client(app), json.loads(app.openapi())
    headers = {"Authorization": f"Bearer {api.token(ROLES['Administrator'])}", "X-Organization": "acme"}
    ids = {"year": "2026", "week": "27", **world.ids["Administrator"]}
    probes, failures = 0, []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "requestBody" not in operation:
                continue
            url = ("" if path.startswith("/api/") else "/api") + re.sub(r"\{(\w+)\}", lambda m: ids.get(m[1], "3fa85f64-5717-4562-b3fc-2c963f66afa6"), path)
            sent = [(kind, body, 415) for kind, body in MEDIA_TYPES.items()]
            sent += [(kind, b'{"name": "x"}', 415) for kind in MEDIA_TYPES if kind != "application/x-www-form-urlencoded"]
            sent += [(kind, b"{}", None) for kind in JSON_MEDIA_TYPES]
            for kind, body, expected in sent:
                response = client.open(url, method=method.upper(), data=body, headers={**headers, "Content-Type": kind})
                probes += 1
                where = f"{method.upper()} {path} as {kind} ({body[:30]!r})"
                if response.status_code >= 500 or (expected and response.status_code != expected) or (not expected and response.status_code == 415):
                    failures.append(f"{where}: {response.status_code} {response.get_data(as_text=True)[:200]}")
                elif expected == 415 and response.get_json()["error"]["code"] != "UNSUPPORTED_MEDIA_TYPE":
                    failures.append(f"{where}: {response.get_data(as_text=True)[:200]}")
    assert probes >= 30 * len(MEDIA_TYPES), probes
    assert not failures, f"{len(failures)} of {probes}:\n" + "\n".join(failures)
