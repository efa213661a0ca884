"""Throttle-key adapters (the port: sandglass.ports.throttle).

- `ApiGatewayThrottleKeys`: an API Gateway API key per organization (its value derived from the
  organization id), added to the workspaces' usage plan (THROTTLE_USAGE_PLAN_ID, set by template.yaml).
  Idempotent: an existing key or plan membership is kept, so a retried sign-up or a backfill is safe.
- `NoThrottleKeys`: nothing to create (the dev server throttles per workspace itself; tests).

Backfill (organizations created before the keys existed), once when deploying, with the stack's
`WorkspaceUsagePlan` id and the organization ids one a line on stdin:
    python -m sandglass.adapters.throttle_keys <usage-plan-id> < org-ids.txt
"""

from __future__ import annotations

import logging

from sandglass.adapters.aws import LazyClient
from sandglass.ports.throttle import throttle_key

logger = logging.getLogger("sandglass.throttle")


class NoThrottleKeys:
    def ensure(self, org_id: str) -> None:
        return None


class ApiGatewayThrottleKeys(LazyClient):
    service = "apigateway"

    def __init__(self, usage_plan_id: str, client=None):
        self.usage_plan_id = usage_plan_id
        self._client = client

    def ensure(self, org_id: str) -> None:
        key_id = self._key_id(org_id)
        try:
            self.client().create_usage_plan_key(usagePlanId=self.usage_plan_id, keyId=key_id, keyType="API_KEY")
        except self.client().exceptions.ConflictException:
            pass  # already in the plan

    def _key_id(self, org_id: str) -> str:
        value = throttle_key(org_id)
        name = "workspace-" + org_id
        try:
            made = self.client().create_api_key(name=name, value=value, enabled=True)
            return made["id"]
        except self.client().exceptions.ConflictException:
            found = self.client().get_api_keys(nameQuery=name, includeValues=False, limit=2)["items"]
            match = [item["id"] for item in found if item["name"] == name]
            if not match:
                raise
            return match[0]


def configured(usage_plan_id: str | None):
    """The adapter the configuration names: API Gateway when a usage plan is given."""
    return ApiGatewayThrottleKeys(usage_plan_id) if usage_plan_id else NoThrottleKeys()


def backfill(usage_plan_id: str, org_ids, keys=None) -> int:
    """Ensure every organization's key (idempotent); how many organizations were handled."""
    keys = keys or ApiGatewayThrottleKeys(usage_plan_id)
    handled = 0
    for org_id in (line.strip() for line in org_ids):
        if org_id:
            keys.ensure(org_id)
            handled += 1
    return handled


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m sandglass.adapters.throttle_keys <usage-plan-id> < org-ids.txt")
    print(f"{backfill(sys.argv[1], sys.stdin)} organizations have their throttle key")
