"""Offline test harness: moto in-process, the table built from template.yaml, and every request
going through the same API Gateway emulation as the dev server (authorizer included)."""

from __future__ import annotations

import os

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("DYNAMODB_ENDPOINT", None)

import pytest
from moto import mock_aws

from sandglass_local import iamcheck, motolock, txconflicts
from sandglass_local import template as tpl
from sandglass_local.gateway import Gateway

motolock.install()

TABLE = "sandglass-test"
SECRET = "test-secret-that-is-long-enough-for-hs256"


class Api:
    """A client for tests: signs in as an email and talks to one organization."""

    def __init__(self, gateway: Gateway):
        self.gateway = gateway

    def token(self, email: str, **kwargs) -> str:
        from sandglass.services.auth import issue_token

        return issue_token(email, **kwargs)

    def call(self, method: str, path: str, *, as_: str | None = None, org: str | None = None, token: str | None = None, headers=None, **kwargs):
        headers = dict(headers or {})
        if token is None and as_:
            token = self.token(as_)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if org:
            headers["X-Organization"] = org
        return self.gateway.request(method, path if path.startswith("/api/") else "/api" + path, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def put(self, path, **kw):
        return self.call("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def signup(self, domain: str, email: str, name: str | None = None, **extra) -> dict:
        reply = self.post("/organizations", as_=email, body={"name": name or domain.title(), "domain": domain, **extra})
        assert reply.status == 200, reply.body
        return reply.json()


def fixed_clock(now):
    """Set the domain's clock to `now` for one test (use it as `yield from fixed_clock(NOW)`)."""
    from sandglass.clock import FixedClock, SystemClock, set_clock

    fixed = FixedClock(now)
    set_clock(fixed)
    yield fixed
    set_clock(SystemClock())


@pytest.fixture(autouse=True)
def function_policies_cover_their_calls():
    """Every test doubles as an IAM check: a DynamoDB call a function's template policy does not
    allow fails the test that made it (moto itself never evaluates IAM)."""
    iamcheck.take_violations()
    yield
    assert iamcheck.take_violations() == []


@pytest.fixture
def aws():
    with mock_aws():
        import boto3

        iamcheck.install()
        txconflicts.install()
        txconflicts.reset()
        tpl.create_table(boto3.client("dynamodb"), TABLE)
        from sandglass.repositories.int_ids import CONTAINER_BLOCKS

        CONTAINER_BLOCKS.forget()  # a fresh table: this process's blocks of integer ids belong to the last one
        yield


@pytest.fixture
def gateway(aws):
    gateway = Gateway(table_name=TABLE, environment={"JWT_SECRET": SECRET, "JWT_SECRET_PARAMETER": "", "CORS_ORIGINS": ""})
    # probes go faster than the Clockify surface's 50 requests a second per workspace: the throttle
    # has its own test (tests/api/clockify/test_clockify_throttle.py), which sets the real rate back
    gateway.throttle.rate = 1_000_000
    return gateway


@pytest.fixture
def api(gateway) -> Api:
    return Api(gateway)


@pytest.fixture
def table(gateway):
    from sandglass.storage.table import client

    return client()


@pytest.fixture
def acme(api) -> dict:
    """Organization `acme` with Administrator admin@acme.test."""
    return api.signup("acme", "admin@acme.test", "Acme Studio")


class Seed:
    """Write entities straight to the table (for tests of one route group that need another's data)."""

    def __init__(self, gateway: Gateway):
        self.gateway = gateway

    def org_id(self, domain: str) -> str:
        from sandglass.repositories.organizations import OrganizationRepository

        return OrganizationRepository().org_id_for_domain(domain)

    def member(self, domain: str, email: str, role: str = "User", **profile) -> dict:
        """An active member of the organization (what POST /users + first sign-in produce)."""
        from sandglass import keys
        from sandglass.repositories.members import member_to_item, membership_item
        from sandglass.services.members import new_member
        from sandglass.storage.table import Table

        org_id = self.org_id(domain)
        from datetime import datetime, timezone

        item = member_to_item(new_member(org_id, email, name=profile.pop("name", email.split("@")[0]), role=role,
                                         now=datetime(2026, 1, 1, tzinfo=timezone.utc), status="ACTIVE",
                                         **{field: profile[field] for field in ("avatar", "phone", "title") if field in profile}))
        table = Table()
        table.put({**keys.user(org_id, item["id"]), **item})
        table.put(membership_item(item["email"], org_id, item["id"]))
        if role == "Administrator":  # keep the organization's active-Administrator counter right
            table.update(keys.organization(org_id), "SET adminCount = if_not_exists(adminCount, :zero) + :one", values={":zero": 0, ":one": 1})
        return item

    def project(self, domain: str, name: str = "Website refresh", *, billable: bool = True, archived: bool = False, members: dict[str, str] | None = None) -> dict:
        """A project with members {userId: projectRole}, stored in the repositories' own item shapes."""
        from sandglass import ids
        from sandglass.repositories.projects import member_item, project_item
        from sandglass.storage.table import Table

        org_id = self.org_id(domain)
        project_id = ids.new_id()
        table = Table()
        project = {"id": project_id, "name": name, "notes": "", "billable": billable, "archived": archived, "avatar": None, "version": 1}
        table.put(project_item(org_id, project))
        for user_id, role in (members or {}).items():
            table.put(member_item(org_id, {"id": ids.project_member_id(project_id, user_id), "projectId": project_id, "userId": user_id,
                                           "role": role, "archived": False, "assignedBy": user_id, "title": None, "notes": None,
                                           "tags": [], "version": 1}))
        return project


@pytest.fixture
def outbox(gateway, tmp_path):
    """The local outbox as the notifier; call it to read what was sent (a list of dicts)."""
    import json

    path = tmp_path / "outbox.jsonl"
    gateway.environment.update({"NOTIFIER": "outbox", "OUTBOX_PATH": str(path)})
    gateway.apply_environment()

    def read() -> list[dict]:
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    return read


@pytest.fixture
def seed(gateway) -> Seed:
    return Seed(gateway)
