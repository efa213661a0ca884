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

from sandglass_local import template as tpl
from sandglass_local.gateway import Gateway

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
        return self.gateway.request(method, path if path.startswith("/api") else "/api" + path, headers=headers, **kwargs)

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


@pytest.fixture
def aws():
    with mock_aws():
        import boto3

        tpl.create_table(boto3.client("dynamodb"), TABLE)
        yield


@pytest.fixture
def gateway(aws):
    return Gateway(table_name=TABLE, environment={"JWT_SECRET": SECRET, "JWT_SECRET_PARAMETER": "", "CORS_ORIGINS": ""})


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
