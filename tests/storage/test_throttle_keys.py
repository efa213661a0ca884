"""Each organization's edge throttle key (sandglass.adapters.throttle_keys, moto's API Gateway): made
once with the value the authorizer names, in the workspaces' usage plan; made before the
organization is stored."""

from __future__ import annotations

from datetime import datetime, timezone

import boto3
import pytest
from moto import mock_aws

from sandglass.adapters.throttle_keys import ApiGatewayThrottleKeys, NoThrottleKeys, backfill, configured
from sandglass.clock import FixedClock
from sandglass.context import Caller
from sandglass.models.organization import OrganizationCreate
from sandglass.ports.throttle import ACCOUNT_THROTTLE_KEY, throttle_key
from sandglass.services.organizations import OrganizationService

ORG = "7b0c5f0e-9a41-4c1e-8d2a-3f5e6a7b8c9d"


@pytest.fixture
def apigateway(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        client = boto3.client("apigateway", region_name="eu-west-1")
        plan = client.create_usage_plan(name="workspaces", throttle={"rateLimit": 50.0, "burstLimit": 50})
        yield client, plan["id"]


def test_an_organization_gets_its_key_in_the_workspaces_plan_once(apigateway):
    client, plan = apigateway
    keys = ApiGatewayThrottleKeys(plan, client)
    keys.ensure(ORG)
    keys.ensure(ORG)  # a retried sign-up or a backfill
    [member] = client.get_usage_plan_keys(usagePlanId=plan)["items"]
    assert member["value"] == throttle_key(ORG) == "sandglass-workspace-" + ORG
    assert [key["name"] for key in client.get_api_keys()["items"]] == ["workspace-" + ORG]
    ApiGatewayThrottleKeys(plan, client).ensure("another-organization-id-000000000000")
    assert len(client.get_usage_plan_keys(usagePlanId=plan)["items"]) == 2


def test_backfill_gives_existing_organizations_their_keys(apigateway):
    client, plan = apigateway
    ApiGatewayThrottleKeys(plan, client).ensure(ORG)  # one already has its key
    others = ["0f1e2d3c-4b5a-4968-8776-655443322110", "1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d"]
    assert backfill(plan, [ORG + "\n", "\n", *(org + "\n" for org in others)], ApiGatewayThrottleKeys(plan, client)) == 3
    assert sorted(key["value"] for key in client.get_usage_plan_keys(usagePlanId=plan)["items"]) == sorted(throttle_key(org) for org in [ORG, *others])


def test_key_values_fit_api_gateway_and_name_no_organization_for_account_routes():
    assert 20 <= len(throttle_key(ORG)) <= 128
    assert throttle_key(None) == throttle_key("") == ACCOUNT_THROTTLE_KEY and 20 <= len(ACCOUNT_THROTTLE_KEY) <= 128
    assert isinstance(configured(None), NoThrottleKeys) and isinstance(configured("abc123"), ApiGatewayThrottleKeys)


class _Repository:
    def __init__(self):
        self.created = []

    def create(self, organization, admin):
        self.created.append(organization.id)


class _Keys:
    def __init__(self, repository, fail=False):
        self.repository, self.fail, self.ensured = repository, fail, []

    def ensure(self, org_id):
        assert self.repository.created == []  # before the organization is stored
        if self.fail:
            raise RuntimeError("API Gateway is unavailable")
        self.ensured.append(org_id)


def _create(keys, repository):
    service = OrganizationService(repository, FixedClock(datetime(2026, 7, 1, tzinfo=timezone.utc)), throttle_keys=keys)
    return service.create(Caller(email="admin@acme.test", subject="admin@acme.test"), OrganizationCreate(name="Acme", domain="acme"))


def test_a_new_organization_has_its_key_before_it_is_stored():
    repository = _Repository()
    keys = _Keys(repository)
    _create(keys, repository)
    assert keys.ensured == repository.created and len(keys.ensured) == 1


def test_no_key_no_organization():
    """A workspace without its key would be refused at the edge: the sign-up fails instead (and may be retried)."""
    repository = _Repository()
    with pytest.raises(RuntimeError):
        _create(_Keys(repository, fail=True), repository)
    assert repository.created == []
