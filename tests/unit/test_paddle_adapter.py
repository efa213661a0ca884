"""The Paddle adapter against Paddle Billing answers replayed from tests/unit/fixtures/paddle (never the network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandglass.adapters.paddle import HttpRequest, HttpResponse, PaddleBilling, TransportError, parse_subscription
from sandglass.ports.payments import (
    BillingAccount,
    Product,
    ProviderRejected,
    ProviderSubscription,
    ProviderTransaction,
    ProviderUnavailable,
    ReceiptOutcome,
    UnknownSubscription,
)

FIXTURES = Path(__file__).parent / "fixtures" / "paddle"
KEY = "pdl_sdbx_apikey_01hv_test"
CUSTOMER = "ctm_01hv6y1jedq4p1n0yqn5ba3ky4"
ACCOUNT = BillingAccount(org_id="org-1", customer_id=CUSTOMER, email="admin@acme.test", name="acme")
PRODUCT = Product(id=123456, plan="monthly", price_id="pri_01gsz8x8sawmvhz1pv30nge1ke", unit_amount=900, currency="USD")


def recorded(name: str) -> HttpResponse:
    answer = json.loads((FIXTURES / f"{name}.json").read_text())
    return HttpResponse(answer["status"], json.dumps(answer["body"]).encode(), {"Content-Type": "application/json"})


class Replay:
    """A transport that answers each request with the next recorded answer and keeps what was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer if isinstance(answer, HttpResponse) else recorded(answer)

    def body(self, index: int = -1) -> dict:
        return json.loads(self.sent[index].body)


def paddle(*answers, environment="sandbox") -> tuple[PaddleBilling, Replay]:
    transport = Replay(*answers)
    return PaddleBilling(KEY, environment=environment, vendor_id="12345", transport=transport), transport


def test_every_request_carries_the_key_and_the_api_version():
    adapter, transport = paddle("subscriptions_list")
    adapter.subscriptions(ACCOUNT)
    headers = transport.sent[0].headers
    assert headers["Authorization"] == f"Bearer {KEY}" and headers["Paddle-Version"] == "1"
    assert transport.sent[0].url.startswith("https://sandbox-api.paddle.com/")
    production, transport = paddle("subscriptions_list", environment="production")
    production.subscriptions(ACCOUNT)
    assert transport.sent[0].url.startswith("https://api.paddle.com/subscriptions?")


def test_customer_creation_and_an_email_paddle_already_knows():
    adapter, transport = paddle("customer_created")
    assert adapter.ensure_customer(ACCOUNT) == CUSTOMER
    sent = transport.sent[0]
    assert (sent.method, sent.url) == ("POST", "https://sandbox-api.paddle.com/customers")
    assert sent.headers["Content-Type"] == "application/json"
    assert transport.body() == {"email": "admin@acme.test", "name": "acme", "custom_data": {"sandglassOrgId": "org-1"}}

    adapter, transport = paddle("customer_already_exists")
    assert adapter.ensure_customer(ACCOUNT) == "ctm_01h8441jn5pcwrfhwh78jqt8hk"
    assert len(transport.sent) == 1


def test_an_existing_customer_without_its_id_in_the_detail_is_looked_up_by_email():
    conflict = json.loads((FIXTURES / "customer_already_exists.json").read_text())["body"]
    conflict["error"]["detail"] = "customer email conflicts with an existing customer"
    found = {"data": [{"id": "ctm_01hzzfoundbyemail0000000000", "email": "admin@acme.test"}], "meta": {"request_id": "x"}}
    adapter, transport = paddle(HttpResponse(409, json.dumps(conflict).encode()), HttpResponse(200, json.dumps(found).encode()))
    assert adapter.ensure_customer(ACCOUNT) == "ctm_01hzzfoundbyemail0000000000"
    assert transport.sent[1].method == "GET" and transport.sent[1].url.endswith("/customers?email=admin%40acme.test")


def test_checkout_is_a_transaction_for_the_price_and_quantity():
    adapter, transport = paddle("transaction_checkout")
    url = adapter.create_checkout(ACCOUNT, PRODUCT, 3)
    assert url == "https://acme.example/pay?_ptxn=txn_01hv8wptq8987qeep44cyrewp9"
    assert (transport.sent[0].method, transport.sent[0].url) == ("POST", "https://sandbox-api.paddle.com/transactions")
    assert transport.body() == {
        "items": [{"price_id": "pri_01gsz8x8sawmvhz1pv30nge1ke", "quantity": 3}],
        "customer_id": CUSTOMER,
        "collection_mode": "automatic",
        "custom_data": {"sandglassOrgId": "org-1", "product": 123456},
    }


def test_a_transaction_without_a_checkout_link_is_the_providers_fault():
    answer = json.loads((FIXTURES / "transaction_checkout.json").read_text())["body"]
    answer["data"]["checkout"] = None
    adapter, _ = paddle(HttpResponse(201, json.dumps(answer).encode()))
    with pytest.raises(ProviderUnavailable, match="default payment link"):
        adapter.create_checkout(ACCOUNT, PRODUCT, 3)


def test_subscriptions_are_listed_for_the_customer_and_parsed():
    adapter, transport = paddle("subscriptions_list_two")
    subscriptions = adapter.subscriptions(ACCOUNT)
    assert transport.sent[0].method == "GET"
    assert transport.sent[0].url == ("https://sandbox-api.paddle.com/subscriptions?customer_id=" + CUSTOMER
                                     + "&status=active,trialing,past_due,paused&per_page=50")
    assert subscriptions == [
        ProviderSubscription(id="sub_01hv8x29kz0t586xy6zn1a62ny", plan="monthly", quantity=3, status="active", next_bill_date="2026-08-15"),
        ProviderSubscription(id="sub_01hvyearly0000000000000000", plan="yearly", quantity=10, status="trialing", next_bill_date="2027-01-01"),
    ]


def test_a_quantity_change_reads_the_items_and_patches_them_all_with_proration():
    adapter, transport = paddle("subscription", "subscription_patched")
    updated = adapter.update_quantity(ACCOUNT, "sub_01hv8x29kz0t586xy6zn1a62ny", 5)
    assert [(r.method, r.url) for r in transport.sent] == [
        ("GET", "https://sandbox-api.paddle.com/subscriptions/sub_01hv8x29kz0t586xy6zn1a62ny"),
        ("PATCH", "https://sandbox-api.paddle.com/subscriptions/sub_01hv8x29kz0t586xy6zn1a62ny"),
    ]
    assert transport.body() == {
        "items": [{"price_id": "pri_01gsz8x8sawmvhz1pv30nge1ke", "quantity": 5}, {"price_id": "pri_01h1vjfevh5etwq3rb416a23h2", "quantity": 1}],
        "proration_billing_mode": "prorated_immediately",
    }
    assert updated.quantity == 5 and updated.plan == "monthly"


def test_another_customers_or_an_unknown_subscription_is_unknown():
    adapter, transport = paddle("subscription")
    stranger = BillingAccount(org_id="org-2", customer_id="ctm_01hvsomebodyelse0000000000", email="x@y.test", name="y")
    with pytest.raises(UnknownSubscription):
        adapter.update_quantity(stranger, "sub_01hv8x29kz0t586xy6zn1a62ny", 5)
    assert len(transport.sent) == 1  # never patched
    adapter, _ = paddle("error_not_found")
    with pytest.raises(UnknownSubscription):
        adapter.update_quantity(ACCOUNT, "sub_01hvnotfound000000000000000", 5)


def test_an_id_cannot_escape_its_path():
    adapter, transport = paddle("error_not_found")
    with pytest.raises(UnknownSubscription):
        adapter.update_quantity(ACCOUNT, "../customers?x=1", 2)
    assert transport.sent[0].url == "https://sandbox-api.paddle.com/subscriptions/..%2Fcustomers%3Fx%3D1"


def test_billing_history_newest_first_with_amounts_in_minor_units():
    adapter, transport = paddle("transactions_list")
    history = adapter.transactions(ACCOUNT, 50)
    assert transport.sent[0].url == ("https://sandbox-api.paddle.com/transactions?customer_id=" + CUSTOMER
                                     + "&status=billed,paid,completed,past_due,canceled&order_by=billed_at[DESC]&per_page=50")
    assert history == [
        ProviderTransaction(id="txn_01hv8xxw3yaftykh4mfwsvkzmm", amount=4600, currency="USD", paid_at="2026-07-01T08:10:00.000Z", status="paid"),
        ProviderTransaction(id="txn_01hv7zz0pastdue000000000000", amount=5474, currency="EUR", paid_at=None, status="past_due"),
    ]


@pytest.mark.parametrize(("answer", "error"), [
    ("error_forbidden", ProviderUnavailable),
    ("error_rate_limited", ProviderUnavailable),
    ("error_bad_request", ProviderRejected),
    (HttpResponse(502, b"<html>Bad gateway</html>"), ProviderUnavailable),
    (HttpResponse(200, b"[]"), ProviderUnavailable),
    (HttpResponse(200, b'{"data": {"not": "a list"}}'), ProviderUnavailable),
    (HttpResponse(200, b'{"data": [{"id": "sub_x"}]}'), ProviderUnavailable),
    (TransportError("timed out"), ProviderUnavailable),
])
def test_provider_failures_become_domain_errors(answer, error):
    adapter, _ = paddle(answer)
    with pytest.raises(error):
        adapter.subscriptions(ACCOUNT)


def test_a_missing_api_key_is_a_configuration_error_not_a_crash():
    adapter = PaddleBilling(lambda: None, transport=Replay())
    with pytest.raises(ProviderUnavailable, match="not configured"):
        adapter.subscriptions(ACCOUNT)


def test_receipts_are_not_paddles():
    adapter, transport = paddle()
    assert adapter.submit_receipt(ACCOUNT, b"\x30" * 100, "app-store-pkcs7") == \
        ReceiptOutcome(ok=False, status="unsupported", reference="Paddle does not verify App Store receipts")
    assert transport.sent == []


def test_plans_from_billing_cycles():
    base = json.loads((FIXTURES / "subscription.json").read_text())["body"]["data"]
    for cycle, plan in [({"interval": "year", "frequency": 1}, "yearly"), ({"interval": "month", "frequency": 3}, "quarterly"),
                        ({"interval": "month", "frequency": 6}, "every-6-month")]:
        base["items"][0]["price"]["billing_cycle"] = cycle
        assert parse_subscription(base).plan == plan
