"""Organization `acme` with one of everything, made through the API: an Administrator, a User (Sam)
on a project, revenue and cost rates, an activity, a geofence, a report of each, a week lock and a
paid subscription. `PopulatedOrg.ids[role]` maps each path parameter name of the OpenAPI document
to a real id that role may use, so generated requests reach the handlers' rules instead of 404.

`snapshot()` / `restore()` put the table back as it was after populating (a few milliseconds on
moto), so a harness can give every operation a fresh organization without populating again."""

from __future__ import annotations

from dataclasses import dataclass, field

ADMIN = "admin@acme.test"
USER = "sam@acme.test"
ROLES = {"Administrator": ADMIN, "User": USER}
RATE = {"currency": "EUR", "from": "2026-01-01T00:00:00Z", "value": "80.00"}


@dataclass
class PopulatedOrg:
    api: object
    table_name: str
    org_id: str
    ids: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> {path parameter: id}
    _items: list[dict] = field(default_factory=list)

    def snapshot(self) -> None:
        self._items = _scan(self.table_name)

    def restore(self) -> None:
        """Delete every item and put the snapshot back (a Scan: test tooling, never runtime code)."""
        from sandglass.storage.table import client

        dynamodb = client()
        for item in _scan(self.table_name):
            dynamodb.delete_item(TableName=self.table_name, Key={"PK": item["PK"], "SK": item["SK"]})
        for start in range(0, len(self._items), 25):
            batch = [{"PutRequest": {"Item": item}} for item in self._items[start:start + 25]]
            dynamodb.batch_write_item(RequestItems={self.table_name: batch})


def _scan(table_name: str) -> list[dict]:
    from sandglass.storage.table import client

    items, params = [], {"TableName": table_name}
    while True:
        page = client().scan(**params)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def populate(api, table_name: str) -> PopulatedOrg:
    from sandglass_local.devstack import dev_checkout

    def ok(reply) -> dict:
        assert reply.status == 200, reply.body
        return reply.json()

    admin = {"as_": ADMIN, "org": "acme"}
    user = {"as_": USER, "org": "acme"}
    org = api.signup("acme", ADMIN, "Acme Studio")
    sam = ok(api.post("/users", body={"email": USER, "name": "Sam"}, **admin))
    ok(api.get("/auth", **user))  # first sign-in: Sam becomes an active member
    project = ok(api.post("/projects", body={"name": "Website", "billable": True}, **admin))
    member = ok(api.post(f"/projects/{project['id']}/members", body={"userId": sam["id"]}, **admin))
    revenue = ok(api.post(f"/projects/{project['id']}/members/{member['id']}/rates/revenue", body=RATE, **admin))
    cost = ok(api.post(f"/users/{sam['id']}/rates/cost", body=RATE, **admin))
    activity = ok(api.post("/activities", body={"name": "Design review", "projectId": project["id"],
                                                "startedAt": "2026-07-03T09:00:00Z", "endedAt": "2026-07-03T10:30:00Z"}, **user))
    geofence = ok(api.post("/geofences", body={"name": "Office", "latitude": 52.2297, "longitude": 21.0122, "radius": 120,
                                               "enterAction": "START_TRACKING_PROJECT", "exitAction": "STOP_TRACKING",
                                               "projectId": project["id"]}, **admin))
    admin_report = ok(api.post("/reports", body={"name": "Team", "period": "thisMonth"}, **admin))
    user_report = ok(api.post("/reports", body={"name": "Mine", "period": "lastMonth"}, **user))
    lock = ok(api.post("/timesheets/lock", body={"userId": sam["id"], "year": 2020, "week": 10}, **admin))
    request = ok(api.post("/requests/timesheets/2020/10/unlock", **user))  # Sam asks to unlock his locked week
    checkout = ok(api.post("/checkout", body={"product": 123456, "quantity": 5}, **admin))["url"]
    status, subscription = dev_checkout("POST", "/api" + checkout.split("/api", 1)[1])
    assert status == 200, subscription

    shared = {"projectId": project["id"], "memberId": member["id"], "revenueId": revenue["id"], "costId": cost["id"],
              "activityId": activity["id"], "geofenceId": geofence["id"], "lockId": lock["id"], "subscriptionId": subscription["id"],
              "requestId": request["id"], "year": "2026", "week": "27"}
    world = PopulatedOrg(api, table_name, org["id"], ids={
        "Administrator": {**shared, "userId": sam["id"], "reportId": admin_report["id"]},
        "User": {**shared, "userId": sam["id"], "reportId": user_report["id"]},
    })
    world.snapshot()
    return world
