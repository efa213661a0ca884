"""The billing routes with BILLING_PROVIDER=paddle, Paddle's answers replayed (no network): the
customer is stored once, the plan and seats follow Paddle's subscriptions, ownership is Paddle's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandglass import keys

ADMIN = "admin@acme.test"
FIXTURES = Path(__file__).parents[2] / "unit" / "fixtures" / "paddle"
CATALOG = {"123456": {"plan": "monthly", "priceId": "pri_01gsz8x8sawmvhz1pv30nge1ke", "unitAmount": 900, "currency": "USD"},
           "123457": {"plan": "yearly", "unitAmount": 9000, "currency": "USD"}}  # no Paddle price: not sellable


class Replay:
    def __init__(self):
        self.answers: list[str] = []
        self.sent = []

    def __call__(self, request):
        from sandglass.adapters.paddle import HttpResponse

        self.sent.append(request)
        answer = json.loads((FIXTURES / f"{self.answers.pop(0)}.json").read_text())
        return HttpResponse(answer["status"], json.dumps(answer["body"]).encode())


@pytest.fixture
def paddle(world, gateway, monkeypatch):
    from sandglass.adapters.paddle import PaddleBilling
    from sandglass.composition import billing as billing_composition
    from sandglass.settings import reset_settings

    transport = Replay()
    monkeypatch.setenv("BILLING_PROVIDER", "paddle")
    monkeypatch.setenv("BILLING_PRODUCTS", json.dumps(CATALOG))
    reset_settings()
    monkeypatch.setattr(billing_composition, "payment_provider", lambda settings: PaddleBilling("pdl_test_key", transport=transport))
    yield transport
    reset_settings()


def test_checkout_creates_the_paddle_customer_once(world, api, paddle, table):
    paddle.answers = ["customer_created", "transaction_checkout"]
    reply = api.post("/checkout", as_=ADMIN, org="acme", body={"product": 123456, "quantity": 3})
    assert reply.status == 200 and reply.json() == {"url": "https://acme.example/pay?_ptxn=txn_01hv8wptq8987qeep44cyrewp9"}
    account = table.get_item(TableName="sandglass-test", Key=keys.billing_account(world.org_id))["Item"]
    assert (account["provider"], account["customerId"]) == ("paddle", "ctm_01hv6y1jedq4p1n0yqn5ba3ky4")
    paddle.answers = ["transaction_checkout"]
    assert api.post("/checkout", as_=ADMIN, org="acme", body={"product": 123456, "quantity": 4}).status == 200
    assert [r.url.rsplit("/", 1)[1] for r in paddle.sent] == ["customers", "transactions", "transactions"]


def test_a_product_without_a_paddle_price_is_422(world, api, paddle):
    reply = api.post("/checkout", as_=ADMIN, org="acme", body={"product": 123457, "quantity": 3})
    assert reply.status == 422 and reply.json()["error"]["details"][0]["field"] == "product"
    assert paddle.sent == []


def test_plan_seats_and_quantity_follow_paddle(world, api, paddle, table):
    table.put_item(TableName="sandglass-test", Item={**keys.billing_account(world.org_id), "provider": "paddle",
                                                     "customerId": "ctm_01hv6y1jedq4p1n0yqn5ba3ky4"})
    paddle.answers = ["subscriptions_list"]
    listed = api.get("/subscriptions", as_=ADMIN, org="acme").json()
    assert listed == [{"id": "sub_01hv8x29kz0t586xy6zn1a62ny", "nextBillDate": "2026-08-15", "plan": "monthly", "quantity": 3, "status": "active"}]
    assert api.get("/organization", as_=ADMIN, org="acme").json()["plan"] == "monthly"
    assert api.post("/users", as_=ADMIN, org="acme", body={"email": "ana@acme.test", "role": "User"}).status == 200
    assert api.post("/users", as_=ADMIN, org="acme", body={"email": "bob@acme.test", "role": "User"}).status == 409

    paddle.answers = ["subscriptions_list", "subscription", "subscription_patched"]
    reply = api.put("/subscriptions/sub_01hv8x29kz0t586xy6zn1a62ny", as_=ADMIN, org="acme", body={"quantity": 5})
    assert reply.status == 200 and reply.json() == {}
    assert json.loads(paddle.sent[-1].body)["proration_billing_mode"] == "prorated_immediately"
    assert api.post("/users", as_=ADMIN, org="acme", body={"email": "bob@acme.test", "role": "User"}).status == 200

    paddle.answers = ["subscriptions_list"]
    assert api.put("/subscriptions/sub_someone_elses", as_=ADMIN, org="acme", body={"quantity": 5}).status == 404

    paddle.answers = ["transactions_list"]
    history = api.get("/billing-history", as_=ADMIN, org="acme").json()
    assert [t["status"] for t in history] == ["paid", "past_due"]


def test_paddle_failures_are_502_or_422_never_500(world, api, paddle, table):
    table.put_item(TableName="sandglass-test", Item={**keys.billing_account(world.org_id), "provider": "paddle",
                                                     "customerId": "ctm_01hv6y1jedq4p1n0yqn5ba3ky4"})
    paddle.answers = ["error_rate_limited"]
    reply = api.get("/subscriptions", as_=ADMIN, org="acme")
    assert reply.status == 502 and reply.json()["error"]["code"] == "PAYMENT_PROVIDER_UNAVAILABLE"
    paddle.answers = ["subscriptions_list", "subscription", "error_bad_request"]
    reply = api.put("/subscriptions/sub_01hv8x29kz0t586xy6zn1a62ny", as_=ADMIN, org="acme", body={"quantity": 2})
    assert reply.status == 422 and reply.json()["error"]["code"] == "PAYMENT_PROVIDER_REJECTED"


def test_receipts_are_unsupported_by_paddle_and_say_so(world, api, paddle):
    import base64

    body = bytes.fromhex("06092a864886f70d010702") + b"\x00" * 100
    receipt = base64.b64encode(b"\x30\x81" + bytes([len(body)]) + body).decode()
    reply = api.post("/receipt", as_=ADMIN, org="acme", body={"receiptBase64": receipt})
    assert reply.status == 200 and reply.json() == {"ok": False}
