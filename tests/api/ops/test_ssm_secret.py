"""The deployed configuration: the HS256 secret lives in SSM (JWT_SECRET_PARAMETER), not in the
environment. Every function that reads it must be allowed ssm:GetParameter, and a rotated secret
must be picked up once the cache's max_age has passed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sandglass_local import iamcheck
from sandglass_local.gateway import Gateway
from tests.conftest import TABLE

PARAMETER = "/sandglass/jwt-secret"
OLD = "old-secret-that-is-long-enough-for-hs256-xx"
NEW = "new-secret-that-is-long-enough-for-hs256-yy"
ADMIN = "admin@acme.test"


@pytest.fixture
def ssm(aws):
    import boto3

    client = boto3.client("ssm")
    client.put_parameter(Name=PARAMETER, Value=OLD, Type="SecureString")
    return client


@pytest.fixture
def gateway(ssm):
    """As deployed: no secret in the environment, each function with its own parameter cache."""
    return Gateway(table_name=TABLE, environment={"JWT_SECRET": "", "JWT_SECRET_PARAMETER": PARAMETER, "CORS_ORIGINS": ""},
                   separate_parameter_caches=True)


def test_functions_that_sign_cursors_may_read_the_secret(api, acme, seed):
    """Before: ProjectsFunction and UsersFunction signed cursors without ssm:GetParameter."""
    seed.project("acme", "One")
    seed.project("acme", "Two")
    seed.member("acme", "sam@acme.test")
    for path in ("/projects?limit=1", "/users?limit=1", "/activities?limit=1"):
        reply = api.get(path, as_=ADMIN, org="acme")
        assert reply.status == 200, (path, reply.body)
    assert api.get("/projects?limit=1", as_=ADMIN, org="acme").header("X-Next-Cursor")
    assert api.get("/users?limit=1", as_=ADMIN, org="acme").header("X-Next-Cursor")
    assert iamcheck.take_violations() == []


def test_iam_check_sees_calls_beyond_dynamodb(api, acme, seed, monkeypatch):
    """The check hooks every botocore client: drop ProjectsFunction's SSM grant and it notices."""
    seed.project("acme", "One")
    seed.project("acme", "Two")
    granted = dict(iamcheck.allowed_actions())
    granted["ProjectsFunction"] = frozenset(a for a in granted["ProjectsFunction"] if not a.startswith("ssm:"))
    monkeypatch.setattr(iamcheck, "allowed_actions", lambda: granted)
    api.get("/projects?limit=1", as_=ADMIN, org="acme")
    assert iamcheck.take_violations() == ["ProjectsFunction calls ssm:GetParameter but its policy lacks ssm:GetParameter"]


def test_required_actions_map_calls_to_iam():
    assert iamcheck.required_actions("dynamodb", "TransactWriteItems", {"TransactItems": [{"Put": {}}, {"ConditionCheck": {}}]}) == {"dynamodb:PutItem", "dynamodb:ConditionCheckItem"}
    assert iamcheck.required_actions("sqs", "SendMessageBatch", {}) == {"sqs:SendMessage"}
    assert iamcheck.required_actions("ses", "SendEmail", {}) == {"ses:SendEmail"}
    assert iamcheck.required_actions("ssm", "GetParameter", {}) == {"ssm:GetParameter"}


def test_rotated_secret_is_picked_up_after_max_age(api, acme, ssm, monkeypatch):
    """Before: an lru_cache pinned the first secret for the container's life."""
    from aws_lambda_powertools.utilities.parameters import base

    from sandglass.services.auth import issue_token
    from sandglass.settings import SECRET_MAX_AGE_SECONDS

    old_token, new_token = issue_token(ADMIN, secret=OLD), issue_token(ADMIN, secret=NEW)
    assert api.get("/organization", org="acme", token=old_token).status == 200
    ssm.put_parameter(Name=PARAMETER, Value=NEW, Type="SecureString", Overwrite=True)
    # within max_age the containers keep their copy
    assert api.get("/organization", org="acme", token=old_token).status == 200
    assert api.get("/organization", org="acme", token=new_token).status == 401

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(seconds=SECRET_MAX_AGE_SECONDS + 1)

    monkeypatch.setattr(base, "datetime", Later)
    assert api.get("/organization", org="acme", token=new_token).status == 200
    assert api.get("/organization", org="acme", token=old_token).status == 401
