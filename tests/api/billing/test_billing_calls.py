"""DynamoDB call budgets of the billing routes (local provider) and of an invite on a paid plan."""

from __future__ import annotations

from sandglass_local.callcounter import counting

ADMIN = "admin@acme.test"


def test_call_budgets(world, api):
    world.buy(3)
    world.subscriptions()  # steady state: plan and seats already applied
    with counting() as calls:
        world.subscriptions()
    # authorizer 2 GetItem; the provider's subscriptions 1 Query; the seat counter 1 GetItem; no write
    assert dict(calls.calls) == {"GetItem": 3, "Query": 1}

    subscription_id = world.subscriptions()[0]["id"]
    with counting() as calls:
        assert api.put(f"/subscriptions/{subscription_id}", as_=ADMIN, org="acme", body={"quantity": 4}).status == 200
    # authorizer 2 GetItem, subscriptions 1 Query, the quantity 1 UpdateItem, seat counter 1 GetItem + 1 UpdateItem
    assert dict(calls.calls) == {"GetItem": 3, "Query": 1, "UpdateItem": 2}

    with counting() as calls:
        assert world.invite("ana@acme.test").status == 200
    # the invite stays one transaction: the seat claim is one more item in it (the organization's
    # first invitation also records its onboarding step: one UpdateItem; the container's first new member
    # claims a block of integer ids: one UpdateItem per 10 invites, docs/ids.md)
    assert calls.writes <= 3 and calls.calls["TransactWriteItems"] == 1
    assert calls.scans == 0
