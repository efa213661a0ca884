"""Integer ids (docs/ids.md): minted in blocks per organization and kind, unique across containers,
stable for an entity's life, resolved in the caller's organization only, gone with the entity."""

from __future__ import annotations

import itertools
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandglass import keys
from sandglass.errors import NotFound
from sandglass.repositories.int_ids import BLOCK_SIZES, IdBlocks, IntIdRepository
from sandglass.services.int_ids import IntIdService, as_number
from sandglass.storage.table import Table
from sandglass_local.callcounter import counting

ADMIN = "admin@acme.test"
_domains = itertools.count()


def _items(table, org_id: str, prefix: str) -> list[dict]:
    found = table.query(TableName="sandglass-test", KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
                        ExpressionAttributeValues={":pk": keys.org_pk(org_id), ":p": prefix})["Items"]
    return found


def _aliases(table, org_id: str, kind: str) -> dict[int, str]:
    return {int(item["number"]): item["entityId"] for item in _items(table, org_id, f"{keys.INT_ALIAS_SK_PREFIX}{kind}#")}


def _project(api, org="acme", name="Website"):
    reply = api.post("/projects", as_=ADMIN, org=org, body={"name": name})
    assert reply.status == 200, reply.body
    return reply.json()


def _activity(api, project_id, org="acme", name="work", hour=8):
    body = {"projectId": project_id, "name": name, "startedAt": f"2026-07-01T{hour:02d}:00:00.000Z", "endedAt": f"2026-07-01T{hour:02d}:30:00.000Z"}
    reply = api.post("/activities", as_=ADMIN, org=org, body=body)
    assert reply.status == 200, reply.body
    return reply.json()


def _stored_number(org_id: str, key: dict) -> int | None:
    item = Table().get(key)
    return None if item is None or item.get("number") is None else int(item["number"])


# --- minting ---------------------------------------------------------------------------------------

def test_two_containers_claiming_blocks_concurrently_never_hand_out_one_id_twice(gateway):
    """Two minting instances (each with its own in-memory blocks, as two Lambda containers), four
    threads each, small blocks so they claim often: every id handed out is distinct."""
    org_id = "7d1c8a8e-0000-4000-8000-000000000001"
    containers = [IntIdRepository(Table(), IdBlocks()), IntIdRepository(Table(), IdBlocks())]
    handed: list[int] = []
    lock = threading.Lock()
    original = dict(BLOCK_SIZES)
    BLOCK_SIZES["activity"] = 3
    try:
        def work(repository: IntIdRepository) -> None:
            mine = [repository.mint(org_id, "activity") for _ in range(40)]
            with lock:
                handed.extend(mine)

        threads = [threading.Thread(target=work, args=(containers[index % 2],)) for index in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        BLOCK_SIZES.update(original)
    assert len(handed) == 320 and len(set(handed)) == 320
    counter = Table().get(keys.int_counter(org_id, "activity"))
    assert max(handed) <= int(counter["last"])


def test_one_container_claims_one_block_per_block_size_creates(gateway):
    org_id = "7d1c8a8e-0000-4000-8000-000000000002"
    repository = IntIdRepository(Table(), IdBlocks())
    with counting() as calls:
        numbers = [repository.mint(org_id, "activity") for _ in range(BLOCK_SIZES["activity"] * 2 + 1)]
    assert numbers == list(range(1, BLOCK_SIZES["activity"] * 2 + 2))
    assert calls.calls["UpdateItem"] == 3 and calls.writes == 3 and calls.reads == 0


def test_a_warm_activity_create_touches_no_counter(api, acme, gateway):
    project = _project(api)
    _activity(api, project["id"])  # claims this container's block
    with counting() as calls:
        _activity(api, project["id"], hour=9)
    assert calls.calls.get("UpdateItem", 0) == 0  # the id came from the block in memory
    assert calls.calls["TransactWriteItems"] == 1


# --- what the surfaces create ----------------------------------------------------------------------

def test_creates_number_people_projects_groups_and_activities_and_write_their_aliases(api, acme, table, seed):
    org_id = seed.org_id("acme")
    admin = Table().get(keys.user(org_id, next(iter(api.get("/users", as_=ADMIN, org="acme").json()))))
    assert int(admin["number"]) == 1  # the organization's creator, written with it
    invited = api.post("/users", as_=ADMIN, org="acme", body={"email": "sam@acme.test"}).json()
    project = _project(api)
    group = api.post("/groups", as_=ADMIN, org="acme", body={"name": "Design"})
    assert group.status in (200, 201), group.body
    activity = _activity(api, project["id"])
    service = IntIdService(IntIdRepository(Table()))
    for kind, key, entity_id in (("person", keys.user(org_id, invited["id"]), invited["id"]),
                                 ("project", keys.project(org_id, project["id"]), project["id"]),
                                 ("group", keys.group(org_id, group.json()["id"]), group.json()["id"]),
                                 ("activity", keys.activity(org_id, activity["id"]), activity["id"])):
        number = _stored_number(org_id, key)
        assert number is not None, kind
        assert _aliases(table, org_id, kind)[number] == entity_id
        assert service.resolve(org_id, kind, number) == entity_id
        assert service.resolve(org_id, kind, str(number)) == entity_id
    assert _aliases(table, org_id, "person")[1] == admin["id"]


def test_resolve_takes_uuid_24_hex_and_integer_and_nothing_else(api, acme, seed):
    org_id = seed.org_id("acme")
    project = _project(api)
    number = _stored_number(org_id, keys.project(org_id, project["id"]))
    service = IntIdService(IntIdRepository(Table()))
    assert service.resolve(org_id, "project", project["id"].upper()) == project["id"]
    assert service.resolve(org_id, "project", project["id"].replace("-", "")[:24]) == project["id"]
    assert service.resolve(org_id, "project", number) == project["id"]
    for bad in (True, 0, -1, "0", "-1", " 1", "1.0", "", "x", None, 10 ** 18, "1" * 19, [1], {"id": 1}):
        assert service.resolve(org_id, "project", bad) is None, bad
    with pytest.raises(NotFound):
        service.require(org_id, "project", 987654)
    with pytest.raises(ValueError):
        service.resolve(org_id, "tag", 1)


def test_another_organizations_integer_id_is_not_found(api, acme, seed):
    api.signup("globex", "boss@globex.test", "Globex")
    acme_id, globex_id = seed.org_id("acme"), seed.org_id("globex")
    project = _project(api)
    number = _stored_number(acme_id, keys.project(acme_id, project["id"]))
    service = IntIdService(IntIdRepository(Table()))
    assert service.resolve(globex_id, "project", number) is None
    with pytest.raises(NotFound):
        service.require(globex_id, "project", number)
    assert service.resolve(acme_id, "project", number) == project["id"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["create", "update", "delete"]), min_size=1, max_size=12))
def test_ids_are_unique_and_stable_across_creates_updates_and_deletes(api, gateway, operations):
    domain = f"prop{next(_domains)}"
    api.signup(domain, ADMIN, "Prop")
    from sandglass.repositories.organizations import OrganizationRepository

    org_id = OrganizationRepository().org_id_for_domain(domain)
    project = _project(api, org=domain)
    service = IntIdService(IntIdRepository(Table()))
    live: dict[str, int] = {}
    ever: set[int] = set()
    for step, operation in enumerate(operations):
        if operation == "create" or not live:
            activity = _activity(api, project["id"], org=domain, hour=step % 20)
            number = _stored_number(org_id, keys.activity(org_id, activity["id"]))
            assert number is not None and number not in ever  # never two entities, never reused
            live[activity["id"]] = number
            ever.add(number)
        elif operation == "update":
            activity_id = sorted(live)[step % len(live)]
            reply = api.put(f"/activities/{activity_id}", as_=ADMIN, org=domain, body={"name": f"renamed {step}"})
            assert reply.status == 200, reply.body
        else:
            activity_id = sorted(live)[step % len(live)]
            assert api.delete(f"/activities/{activity_id}", as_=ADMIN, org=domain).status in (200, 204)
            number = live.pop(activity_id)
            assert service.resolve(org_id, "activity", number) is None
        for activity_id, number in live.items():
            assert _stored_number(org_id, keys.activity(org_id, activity_id)) == number
            assert service.resolve(org_id, "activity", number) == activity_id
    assert len(set(live.values())) == len(live)


def test_as_number_reads_only_plain_positive_integers():
    assert as_number(7) == 7 and as_number("42") == 42 and as_number("007") == 7
    assert as_number("٣") is None and as_number("1_000") is None and as_number(1.0) is None


# --- gone with the entity --------------------------------------------------------------------------

def test_deletes_and_purges_remove_the_aliases(api, acme, seed, gateway, table):
    org_id = seed.org_id("acme")
    sam = api.post("/users", as_=ADMIN, org="acme", body={"email": "sam@acme.test", "role": "Administrator"}).json()
    kept = _project(api, name="Kept")
    doomed = _project(api, name="Doomed")
    entries = [_activity(api, doomed["id"], hour=hour) for hour in (8, 9)]
    kept_entry = _activity(api, kept["id"], hour=10)
    group = api.post("/groups", as_=ADMIN, org="acme", body={"name": "Design"}).json()
    assert api.delete(f"/groups/{group['id']}", as_=ADMIN, org="acme").status in (200, 204)
    assert _aliases(table, org_id, "group") == {}
    assert api.delete(f"/activities/{kept_entry['id']}", as_=ADMIN, org="acme").status in (200, 204)
    assert kept_entry["id"] not in _aliases(table, org_id, "activity").values()
    assert api.delete(f"/projects/{doomed['id']}?cascade=true", as_=ADMIN, org="acme").status in (200, 204)
    assert doomed["id"] not in _aliases(table, org_id, "project").values()
    assert api.delete(f"/users/{sam['id']}", as_=ADMIN, org="acme").status == 200
    gateway.run_jobs()
    assert {entry["id"] for entry in entries}.isdisjoint(_aliases(table, org_id, "activity").values())
    assert sam["id"] not in _aliases(table, org_id, "person").values()
    assert kept["id"] in _aliases(table, org_id, "project").values()
    # the organization's purge takes counters and aliases with the rest of its partition
    assert api.delete("/organization", as_=ADMIN, org="acme").status == 200
    gateway.run_jobs()
    assert _items(table, org_id, "INT") == []


def test_alias_and_counter_items_are_not_change_log_entities():
    org = "7d1c8a8e-0000-4000-8000-000000000003"
    for kind in keys.INT_ID_KINDS:
        assert keys.classify_change(keys.org_pk(org), keys.int_alias(org, kind, 12)[keys.SK]) is None
        assert keys.classify_change(keys.org_pk(org), keys.int_counter(org, kind)[keys.SK]) is None


# --- entities created before integer ids -----------------------------------------------------------

def test_backfill_numbers_old_entities_once_without_scan(api, acme, seed, table):
    org_id = seed.org_id("acme")
    sam = seed.member("acme", "sam@acme.test")
    old = seed.project("acme", name="Old", members={sam["id"]: "User"})
    new = _project(api, name="New")
    assert _stored_number(org_id, keys.project(org_id, old["id"])) is None
    service = IntIdService(IntIdRepository(Table()))
    with counting() as calls:
        result = service.backfill(org_id)
    assert calls.calls.get("Scan", 0) == 0
    assert result.assigned["project"] == 1 and result.assigned["person"] == 1 and result.skipped == 0
    number = _stored_number(org_id, keys.project(org_id, old["id"]))
    assert number is not None and number != _stored_number(org_id, keys.project(org_id, new["id"]))
    assert service.resolve(org_id, "project", number) == old["id"]
    assert service.resolve(org_id, "person", _stored_number(org_id, keys.user(org_id, sam["id"]))) == sam["id"]
    assert Table().get(keys.project(org_id, old["id"]))["version"] == 2  # a writer that read version 1 fails, keeping the number
    again = service.backfill(org_id)
    assert sum(again.assigned.values()) == 0
    assert _stored_number(org_id, keys.project(org_id, old["id"])) == number
    # the project membership item (PROJECT#<id>#MEMBER#...) got no number of its own
    members = [item for item in _items(table, org_id, keys.PROJECT_SK_PREFIX) if "#MEMBER#" in item["SK"]]
    assert members and all("number" not in item for item in members)
