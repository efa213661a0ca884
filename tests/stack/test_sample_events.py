"""Every sample event in events/ runs as shipped, both ways docs/local.md documents, on a fresh demo
state (`make dev ARGS=--reset`), and answers the status sandglass_local.events documents:

- as `sam local invoke <Function> -e events/<file>.json --env-vars events/env.json` does: the event
  straight into the function that owns it, with the environment of events/env.json (the sample
  secret; the authorizer context of the event names the demo organization and member);
- as `python -m sandglass_local invoke <function> -e events/<file>.json` does: API events through
  the authorizer, with the sample token re-signed by the local stack's own secret.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sandglass_local import devstack, events
from sandglass_local.gateway import Gateway
from tests.conftest import TABLE

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {sample.file: sample for sample in events.samples()}


def test_the_committed_events_are_what_the_generator_writes():
    assert events.main(["--check"]) == 0, "run `python -m sandglass_local.events`"
    assert {path.name for path in (ROOT / "events").glob("*.json")} == set(SAMPLES) | set(events.ENV_FILES)
    environment = json.loads((ROOT / "events" / "env.json").read_text())["Parameters"]
    assert environment["DYNAMODB_ENDPOINT"] == "http://host.docker.internal:8765" and environment["JWT_SECRET"] == events.SAMPLE_JWT_SECRET


def test_env_json_only_sets_variables_the_template_declares():
    """SAM ignores `--env-vars` entries a function does not declare: every one must be in Globals."""
    from sandglass_local import template as tpl

    declared = tpl.load()["Globals"]["Function"]["Environment"]["Variables"]
    for name in events.ENV_FILES:
        assert set(json.loads((ROOT / "events" / name).read_text())["Parameters"]) <= set(declared), name
    assert declared["DYNAMODB_ENDPOINT"] == "" and declared["JWT_SECRET"] == ""  # a deployment: AWS's endpoint, the secret from SSM


def test_the_local_docs_document_every_sample_and_its_status():
    # the main table, and the same rows in the topic pages under docs/ for their own routes and functions
    document = "\n".join(path.read_text() for path in sorted((ROOT / "docs").glob("*.md")))
    rows = dict(re.findall(r"^\| `events/([\w.]+)` \| `?\w+`? \| `?([\w ]+?)`? \|", document, re.M))
    assert rows == {file: str(sample.status) for file, sample in SAMPLES.items()}


@pytest.fixture
def demo(aws):
    """A fresh demo state, with the functions' environment as events/env.json sets it."""
    environment = {**json.loads((ROOT / "events" / "env.json").read_text())["Parameters"], "DYNAMODB_ENDPOINT": "", "TABLE_NAME": TABLE}
    gateway = Gateway(table_name=TABLE, environment=environment)
    assert devstack.Stack.seed_demo() is True
    return gateway


def _outcome(answer) -> int | str:
    if "statusCode" in answer:
        return int(answer["statusCode"])
    if "policyDocument" in answer:
        return answer["policyDocument"]["Statement"][0]["Effect"]
    if "batchItemFailures" in answer:  # a stream batch: OK when no record failed
        return "OK" if answer["batchItemFailures"] == [] else f"FAILED {answer['batchItemFailures']}"
    if "sweep" in answer:  # the purge sweep: OK when no job failed
        return "OK" if answer["sweep"]["failed"] == 0 else f"FAILED {answer['sweep']}"
    return answer["status"]  # the scheduled runners report their status


@pytest.mark.parametrize("file", sorted(SAMPLES))
def test_sample_as_sam_local_invoke_runs_it(demo, file):
    sample = SAMPLES[file]
    event = json.loads((ROOT / "events" / file).read_text())
    answer = demo.invoke(sample.function, event)
    assert _outcome(answer) == sample.status, answer


@pytest.mark.parametrize("file", sorted(SAMPLES))
def test_sample_as_the_cli_runs_it(demo, file, monkeypatch):
    sample = SAMPLES[file]
    demo.environment["JWT_SECRET"] = "the-local-stacks-own-secret-not-the-samples"
    demo.apply_environment()
    stack = object.__new__(devstack.Stack)
    stack.gateway = demo
    event = json.loads((ROOT / "events" / file).read_text())
    answer = stack.invoke(sample.function, event)
    assert _outcome(answer) == sample.status, answer


@pytest.mark.parametrize("function, file", [
    ("AutoLockFunction", "users_list.json"),
    ("ActivitiesFunction", "auto_lock_tick.json"),
    ("UsersFunction", "authorizer_request.json"),
    ("WorkspaceFunction", "purge_job_record.json"),
    ("PurgeFunction", "reminders_tick.json"),
])
def test_the_cli_refuses_an_event_another_function_owns(demo, function, file):
    stack = object.__new__(devstack.Stack)
    stack.gateway = demo
    with pytest.raises(devstack.UnknownFunction, match=f"not {function}"):
        stack.invoke(function, json.loads((ROOT / "events" / file).read_text()))


@pytest.mark.parametrize("event, message", [
    ({"hello": "world"}, "the event is none of"),
    ({"httpMethod": "GET", "path": "/api/nowhere"}, "no route GET /api/nowhere"),
    ({"httpMethod": "GET", "path": ["/api/activities"]}, "must be strings"),
    ({"httpMethod": "GET", "path": "/api/activities", "headers": ["Authorization"]}, "headers must be an object"),
])
def test_the_cli_refuses_an_event_of_no_kind(demo, event, message):
    stack = object.__new__(devstack.Stack)
    stack.gateway = demo
    with pytest.raises(devstack.UnknownFunction, match=message):
        stack.invoke("ActivitiesFunction", event)


def test_the_empty_declared_variables_change_nothing_in_a_deployment(monkeypatch):
    """DYNAMODB_ENDPOINT and JWT_SECRET are declared empty in Globals: a deployment still uses AWS's
    endpoint and reads the secret from the SSM parameter."""
    from sandglass.settings import get_settings, reset_settings

    monkeypatch.setenv("DYNAMODB_ENDPOINT", "")
    monkeypatch.setenv("JWT_SECRET", "")
    monkeypatch.setenv("JWT_SECRET_PARAMETER", "/sandglass/jwt-secret")
    reset_settings()
    try:
        settings = get_settings()
        assert settings.dynamodb_endpoint is None and settings.jwt_secret_value is None
        assert settings.jwt_secret_parameter == "/sandglass/jwt-secret"
    finally:
        reset_settings()
