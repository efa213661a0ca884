"""`Idempotency-Key` on every POST of template.yaml (sandglass.services.idempotency): the same key
and request answer the first response and write nothing; the same key with another body is 422;
another caller's identical key is unrelated. One test over all routes, from the realistic calls
of `sandglass_local.operations`, so a new POST route is covered by construction."""

from __future__ import annotations

import json

from sandglass_local import operations

from sandglass.dialects.fourme import errors as fourme_errors
from sandglass.services.idempotency import READ_ONLY


def _keys(table_name: str) -> set[tuple[str, str]]:
    """Every item's key (a Scan: test tooling, never runtime code)."""
    from sandglass.storage.table import client

    found, params = set(), {"TableName": table_name}
    while True:
        page = client().scan(**params)
        found |= {(item["PK"], item["SK"]) for item in page["Items"]}
        if "LastEvaluatedKey" not in page:
            return found
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _other_body(body):
    if isinstance(body, dict) and "name" in body:
        return {**body, "name": body["name"] + " (again)"}
    return {**body, "unexpectedField": 1} if isinstance(body, dict) else {"unexpectedField": 1}


def test_every_post_route_replays_its_first_answer_and_refuses_a_reused_key(gateway):
    client = operations.Client(gateway)
    declared = {(route.method, route.path) for route in gateway.routes}
    posts = [(path, call) for (method, path), call in operations.OPERATIONS.items() if method == "POST" and (method, path) in declared]
    assert {path for path, _ in posts} == {path for method, path in declared if method == "POST"}, "a POST route without a realistic call"
    checked, failures = [], []
    with operations.frozen_clock():
        organization = operations.build_organization(gateway, "idem")
        for name in operations.SAVED_IDS:
            organization.ids[name] = organization.ids.get(name) or "00000000-0000-4000-8000-000000000000"
        for path, call in posts:
            if path in READ_ONLY:
                continue
            key = {"Idempotency-Key": f"retry-{path}"}
            first = operations.send(client, organization, "POST", path, call, headers=key)
            if first.status >= 300:
                failures.append(f"{path}: the realistic call answered {first.status} {first.body}")
                continue
            before = _keys(gateway.table_name)
            again = operations.send(client, organization, "POST", path, call, headers=key)
            after = _keys(gateway.table_name)
            if (again.status, again.body) != (first.status, first.body):
                failures.append(f"{path}: the retry answered {again.status} {again.body}, not the first {first.status} {first.body}")
            if after != before:
                failures.append(f"{path}: the retry wrote {sorted(after - before)} and deleted {sorted(before - after)}")
            if path not in ("/activities",) and again.headers.get("Idempotent-Replayed") != "true":
                failures.append(f"{path}: the replay is not marked Idempotent-Replayed")
            filled = operations.fill(call.body, organization.ids)
            reused = client.request("POST", operations.path_for(path, call, organization.ids), email=organization.emails.get(call.role),
                                    org=operations.fill(call.org, organization.ids) if call.org else None,
                                    query=operations.fill(call.query, organization.ids), body=_other_body(filled), headers=key)
            refusal = json.loads(reused.body)
            if fourme_errors.serves(path):  # 4me's error body: the message only
                reused_said = "reused" in refusal.get("message", "").lower()
            else:
                reused_said = refusal.get("error", {}).get("code") == "IDEMPOTENCY_KEY_REUSED"
            if reused.status != 422 or not reused_said:
                failures.append(f"{path}: the key reused with another body answered {reused.status} {reused.body}")
            if call.saves:
                organization.ids[call.saves] = first.json()["id"]
            checked.append(path)
    assert failures == [], "\n".join(failures)
    assert len(checked) >= 20


def test_without_a_key_two_posts_make_two_projects_and_with_one_a_single_one(api, acme):
    admin = {"as_": "admin@acme.test", "org": "acme"}
    body = {"name": "Research"}
    key = {"Idempotency-Key": "create-research"}
    first = api.post("/projects", body=body, headers=key, **admin)
    second = api.post("/projects", body=body, headers=key, **admin)
    assert first.status == second.status == 200
    assert first.json() == second.json() and second.headers["Idempotent-Replayed"] == "true"
    assert len(api.get("/projects", **admin).json()) == 1
    # another caller's identical key is theirs
    other = api.post("/projects", body=body, headers=key, as_="admin@acme.test", org="acme")
    assert other.json()["id"] == first.json()["id"]
    assert api.post("/projects", body=body, **admin).status == 200
    assert len(api.get("/projects", **admin).json()) == 2


def test_a_failed_request_is_not_remembered_and_bad_keys_are_422(api, acme):
    admin = {"as_": "admin@acme.test", "org": "acme"}
    refused = api.post("/projects", body={"name": ""}, headers={"Idempotency-Key": "k1"}, **admin)
    assert refused.status == 422
    # the same key now carries another (valid) body: the failed one left nothing behind
    assert api.post("/projects", body={"name": "Fine"}, headers={"Idempotency-Key": "k1"}, **admin).status == 200
    for bad in ("", "x" * 256, "tab\there"):
        reply = api.post("/projects", body={"name": "Bad key"}, headers={"Idempotency-Key": bad}, **admin)
        assert reply.status == 422, (bad, reply.body)
        assert reply.json()["error"]["details"][0]["field"] == "Idempotency-Key"


def test_read_only_posts_store_nothing(api, acme):
    admin = {"as_": "admin@acme.test", "org": "acme"}
    key = {"Idempotency-Key": "report"}
    for body in ({"period": "thisMonth"}, {"period": "lastMonth"}):
        reply = api.post("/reports/results", body=body, headers=key, **admin)
        assert reply.status == 200 and "Idempotent-Replayed" not in reply.headers
