"""Subscriptions, checkout and billing history through the local payment provider."""

from __future__ import annotations

from sandglass import keys

ADMIN = "admin@acme.test"
SAM = "sam@acme.test"
OTHER_ADMIN = "boss@globex.test"
MONTHLY, YEARLY = 123456, 123457


def test_a_new_organization_is_free_with_no_subscription_nor_history(world, api):
    assert world.subscriptions() == []
    assert api.get("/billing-history", as_=ADMIN, org="acme").json() == []
    assert world.plan() == "free"


def test_checkout_returns_a_local_link_and_records_an_open_checkout(world, api, table):
    url = world.checkout(3)
    assert url.startswith(f"http://127.0.0.1:3000/api/_dev/checkout/{world.org_id}/chk_local_")
    checkout_id = url.rsplit("/", 1)[1]
    item = table.get_item(TableName="sandglass-test", Key=keys.local_checkout(world.org_id, checkout_id))["Item"]
    assert (item["status"], item["quantity"], item["plan"], item["product"]) == ("open", 3, "monthly", MONTHLY)
    # nothing is bought until the checkout is paid
    assert world.subscriptions() == [] and world.plan() == "free"

    from sandglass_local.devstack import dev_checkout

    import json

    status, shown = dev_checkout("GET", "/api" + url.split("/api", 1)[1])
    shown = json.loads(json.dumps(shown, default=int))  # what the dev server sends
    assert status == 200 and shown["status"] == "open" and shown["quantity"] == 3 and shown["unitAmount"] == 900


def test_paying_the_checkout_creates_the_subscription_the_plan_and_the_payment(world, api):
    subscription = world.buy(3)
    assert subscription == {"id": subscription["id"], "nextBillDate": "2026-08-15", "plan": "monthly", "quantity": 3, "status": "active"}
    assert world.subscriptions() == [subscription]
    assert world.plan() == "monthly"
    history = api.get("/billing-history", as_=ADMIN, org="acme").json()
    assert len(history) == 1
    assert history[0]["id"].startswith("txn_local_")
    assert {k: history[0][k] for k in ("amount", "currency", "paidAt", "status")} == \
        {"amount": 2700, "currency": "USD", "paidAt": "2026-07-15T12:00:00.000Z", "status": "paid"}


def test_the_organization_etag_moves_when_the_plan_changes(world, api):
    before = api.get("/organization", as_=ADMIN, org="acme").header("ETag")
    world.buy(2)
    after = api.get("/organization", as_=ADMIN, org="acme")
    assert after.json()["plan"] == "monthly" and after.header("ETag") != before


def test_a_checkout_is_paid_once(world):
    url = world.checkout(2)
    assert world.pay(url)[0] == 200
    status, body = world.pay(url)
    assert status == 409 and body["error"]["code"] == "CHECKOUT_COMPLETED"
    assert len(world.subscriptions()) == 1


def test_an_unknown_dev_checkout_is_404(world):
    from sandglass_local.devstack import dev_checkout

    assert dev_checkout("POST", f"/api/_dev/checkout/{world.org_id}/chk_local_nope")[0] == 404
    assert dev_checkout("GET", "/api/_dev/checkout/just-one-part")[0] == 404


def test_a_plan_change_replaces_the_running_subscription(world, clock):
    first = world.buy(2)
    clock.advance(days=1)
    second = world.buy(4, YEARLY)
    assert second["plan"] == "yearly" and second["nextBillDate"] == "2027-07-16"
    listed = {s["id"]: s for s in world.subscriptions()}
    assert listed[first["id"]]["status"] == "canceled" and listed[second["id"]]["status"] == "active"
    assert world.plan() == "yearly"


def test_put_changes_the_quantity(world, api):
    subscription = world.buy(2)
    reply = api.put(f"/subscriptions/{subscription['id']}", as_=ADMIN, org="acme", body={"quantity": 5})
    assert reply.status == 200 and reply.json() == {}
    assert world.subscriptions()[0]["quantity"] == 5


def test_put_validation(world, api):
    subscription_id = world.buy(2)["id"]
    for body in ({"quantity": 0}, {"quantity": -1}, {"quantity": "3"}, {"quantity": 2.5}, {}, {"quantity": 2, "status": "canceled"},
                 {"quantity": 100_001}):
        reply = api.put(f"/subscriptions/{subscription_id}", as_=ADMIN, org="acme", body=body)
        assert reply.status == 422, (body, reply.body)
        assert reply.json()["error"]["details"][0]["in"] == "body"
    assert api.put(f"/subscriptions/{subscription_id}", as_=ADMIN, org="acme", body="{not json").status == 400
    assert world.subscriptions()[0]["quantity"] == 2


def test_put_an_unknown_or_another_organizations_subscription_is_404(world, api):
    world.buy(2)
    theirs = world.buy(1, as_=OTHER_ADMIN, org="globex")
    for subscription_id in (theirs["id"], "sub_nope", "x" * 100):
        reply = api.put(f"/subscriptions/{subscription_id}", as_=ADMIN, org="acme", body={"quantity": 3})
        assert reply.status == 404, reply.body
    assert world.subscriptions(as_=OTHER_ADMIN, org="globex")[0]["quantity"] == 1
    # and each organization sees only its own
    assert [s["id"] for s in world.subscriptions()] != [theirs["id"]]
    assert [s["id"] for s in world.subscriptions(as_=OTHER_ADMIN, org="globex")] == [theirs["id"]]


def test_checkout_validation(world, api):
    cases = [
        ({"product": 999, "quantity": 1}, "product"),
        ({"product": "abc", "quantity": 1}, "product"),
        ({"product": 0, "quantity": 1}, "product"),
        ({"product": MONTHLY, "quantity": 0}, "quantity"),
        ({"product": MONTHLY, "quantity": "2"}, "quantity"),
        ({"quantity": 2}, "product"),
        ({"product": MONTHLY, "quantity": 2, "coupon": "FREE"}, "coupon"),
    ]
    for body, field in cases:
        reply = api.post("/checkout", as_=ADMIN, org="acme", body=body)
        assert reply.status == 422, (body, reply.body)
        assert reply.json()["error"]["details"][0]["field"] == field, reply.body


def test_checkout_for_fewer_seats_than_members_is_409(world, api):
    reply = api.post("/checkout", as_=ADMIN, org="acme", body={"product": MONTHLY, "quantity": 1})  # admin + sam = 2 seats
    assert reply.status == 409 and reply.json()["error"]["code"] == "SEATS_IN_USE"
    assert "2 users" in reply.json()["error"]["message"]


def test_rights_users_read_subscriptions_but_manage_nothing(world, api):
    subscription = world.buy(2)
    assert world.subscriptions(as_=SAM) == [subscription]
    forbidden = [
        api.put(f"/subscriptions/{subscription['id']}", as_=SAM, org="acme", body={"quantity": 3}),
        api.post("/checkout", as_=SAM, org="acme", body={"product": MONTHLY, "quantity": 3}),
        api.get("/billing-history", as_=SAM, org="acme"),
        api.post("/receipt", as_=SAM, org="acme", body={"receiptBase64": "AAAA"}),
    ]
    assert [reply.status for reply in forbidden] == [403, 403, 403, 403]
    assert world.subscriptions()[0]["quantity"] == 2


def test_rights_strangers_and_anonymous_callers(world, api):
    assert api.get("/subscriptions", as_=OTHER_ADMIN, org="acme").status == 403  # not a member of acme
    assert api.get("/subscriptions", org="acme").status == 401
    assert api.get("/subscriptions", as_=ADMIN, org="nowhere").status == 404
