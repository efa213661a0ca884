"""Billing rules without DynamoDB: the receipt rule, plan and seats, the catalog, the service with fakes."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from sandglass.adapters.local_billing import next_bill_date
from sandglass.context import TenantContext
from sandglass.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sandglass.ports.payments import Product, ProviderSubscription, ProviderUnavailable, ReceiptOutcome, UnknownSubscription
from sandglass.services.billing import MAX_RECEIPT_BYTES, RECEIPT_JWS, RECEIPT_PKCS7, BillingService, parse_catalog, plan_and_seats, read_receipt

ADMIN = TenantContext(org_id="org-1", domain="acme", user_id="u-admin", email="admin@acme.test", role="Administrator")
USER = TenantContext(org_id="org-1", domain="acme", user_id="u-sam", email="sam@acme.test", role="User")
CATALOG = {1: Product(id=1, plan="monthly", price_id="pri_1", unit_amount=900, currency="USD")}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def der_signed_data(length: int) -> bytes:
    body = bytes.fromhex("06092a864886f70d010702") + b"\x00" * (length - 11)
    return b"\x30\x82" + len(body).to_bytes(2, "big") + body


# --- receipts -------------------------------------------------------------------------------

def test_pkcs7_and_jws_receipts_are_recognized():
    data, kind = read_receipt(b64(der_signed_data(100)))
    assert kind == RECEIPT_PKCS7 and data[:2] == b"\x30\x82"
    jws = b"eyJhbGciOiJFUzI1NiJ9." + b"eyJ0cmFuc2FjdGlvbklkIjoiMSJ9." + b"c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl"
    assert read_receipt(b64(jws))[1] == RECEIPT_JWS


@pytest.mark.parametrize("text", [
    "",
    "abc",                                        # not a multiple of 4
    "abc$" * 30,                                  # outside the alphabet
    b64(b"\x30\x10" + b"\x00" * 100),             # a SEQUENCE whose length does not cover the data
    b64(b"\x30\x81\x64" + b"\x00" * 100),         # the right length, not signedData
    b64(b"\x30\x85" + b"\x00" * 100),             # 5 length octets
    b64(b"\x31" + der_signed_data(100)[1:]),      # a SET, not a SEQUENCE
    b64(b"x" * 63),                               # short
    b64(b"a.b"),
    b64(b"!!!.???.***" + b"a" * 64),              # JWS-like with characters outside base64url
    b64(b"WyJhbGciXQ.e30.c2ln" + b"A" * 50),      # header is JSON but not an object
])
def test_implausible_receipts_are_refused(text):
    with pytest.raises(ValidationFailed) as refused:
        read_receipt(text)
    assert refused.value.details[0]["field"] == "receiptBase64"


def test_the_size_limit():
    with pytest.raises(ValidationFailed, match="larger"):
        read_receipt("A" * ((MAX_RECEIPT_BYTES + 2) // 3 * 4 + 4))


# --- plan, seats, catalog, dates ----------------------------------------------------------

def sub(id_, status="active", quantity=3, plan="monthly"):
    return ProviderSubscription(id=id_, plan=plan, quantity=quantity, status=status, next_bill_date=None)


def test_plan_and_seats():
    assert plan_and_seats([]) == ("free", None)
    assert plan_and_seats([sub("a", "canceled"), sub("b", "paused")]) == ("free", None)
    assert plan_and_seats([sub("a", "past_due", 2, "yearly"), sub("b", "active", 3)]) == ("yearly", 5)


def test_catalog():
    catalog = parse_catalog('{"7": {"plan": "monthly", "priceId": "pri_7", "unitAmount": 900, "currency": "EUR"}, "8": {"plan": "yearly"}}')
    assert catalog[7] == Product(id=7, plan="monthly", price_id="pri_7", unit_amount=900, currency="EUR")
    assert catalog[8].price_id is None and catalog[8].currency == "USD"
    assert parse_catalog("  ") == {}


def test_next_bill_dates_clamp_to_the_month():
    assert next_bill_date(date(2026, 1, 31), "monthly") == "2026-02-28"
    assert next_bill_date(date(2028, 1, 31), "monthly") == "2028-02-29"
    assert next_bill_date(date(2026, 12, 15), "monthly") == "2027-01-15"
    assert next_bill_date(date(2028, 2, 29), "yearly") == "2029-02-28"


# --- the service, with in-memory fakes ------------------------------------------------------

class FakeRepository:
    def __init__(self, members=2):
        self.members = members
        self.customer = None
        self.state = None
        self.plan = "free"
        self.receipts = {}
        self.plan_writes = 0

    def customer_id(self, org_id):
        return self.customer

    def save_customer(self, org_id, provider, customer_id):
        self.customer = customer_id

    def seats(self, org_id):
        return dict(self.state) if self.state else None

    def count_members(self, org_id):
        return self.members

    def write_counted_seats(self, org_id, used, seat_limit, plan, seen_version):
        self.state = {"used": used, "seatLimit": seat_limit, "plan": plan, "counted": True, "version": (seen_version or 0) + 1}

    def set_seat_limit(self, org_id, seat_limit, *, plan=None, require_room=False):
        if require_room and seat_limit is not None and self.state["used"] > seat_limit:
            raise Conflict("seats in use", code="SEATS_IN_USE")
        self.state["seatLimit"] = seat_limit
        if plan is not None:
            self.state["plan"] = plan

    def record_plan(self, org_id, plan):
        self.plan = plan
        self.plan_writes += 1

    def save_receipt(self, org_id, digest, outcome):
        self.receipts[digest] = outcome


class FakeProvider:
    name = "fake"
    needs_customer = True

    def __init__(self):
        self.subs = {}
        self.fail_update = None
        self.receipt_ok = True

    def ensure_customer(self, account):
        return "ctm_fake"

    def create_checkout(self, account, product, quantity):
        assert account.customer_id == "ctm_fake"
        return f"https://pay.example/{product.id}/{quantity}"

    def subscriptions(self, account):
        return list(self.subs.values())

    def update_quantity(self, account, subscription_id, quantity):
        if self.fail_update:
            raise self.fail_update
        if subscription_id not in self.subs:
            raise UnknownSubscription(subscription_id)
        self.subs[subscription_id] = sub(subscription_id, quantity=quantity)
        return self.subs[subscription_id]

    def transactions(self, account, limit):
        return []

    def submit_receipt(self, account, receipt, kind):
        return ReceiptOutcome(ok=self.receipt_ok, status="verified" if self.receipt_ok else "rejected")


def service(members=2):
    repository, provider = FakeRepository(members), FakeProvider()
    return BillingService(provider, repository, CATALOG), repository, provider


def test_checkout_creates_the_customer_once_and_returns_the_link():
    billing, repository, _ = service()
    assert billing.checkout(ADMIN, 1, 3) == "https://pay.example/1/3"
    assert repository.customer == "ctm_fake"
    with pytest.raises(ValidationFailed):
        billing.checkout(ADMIN, 2, 3)
    with pytest.raises(Conflict):
        billing.checkout(ADMIN, 1, 1)  # two members
    with pytest.raises(Forbidden):
        billing.checkout(USER, 1, 3)


def test_reading_subscriptions_sets_plan_and_seats():
    billing, repository, provider = service()
    repository.customer = "ctm_fake"
    provider.subs["s1"] = sub("s1", quantity=4)
    assert [s.quantity for s in billing.list_subscriptions(USER)] == [4]
    assert repository.plan == "monthly" and repository.state["seatLimit"] == 4 and repository.state["used"] == 2
    billing.list_subscriptions(USER)
    assert repository.plan_writes == 1  # unchanged: not written again


def test_before_any_checkout_nothing_is_asked_of_the_provider():
    billing, repository, provider = service()
    provider.subscriptions = None  # would fail if called
    assert billing.list_subscriptions(ADMIN) == []
    assert billing.history(ADMIN) == []
    assert repository.plan == "free" and repository.state["seatLimit"] is None


def test_lowering_restores_the_limit_when_the_provider_fails():
    billing, repository, provider = service()
    repository.customer = "ctm_fake"
    provider.subs["s1"] = sub("s1", quantity=4)
    billing.list_subscriptions(ADMIN)
    provider.fail_update = ProviderUnavailable("down")
    with pytest.raises(ProviderUnavailable):
        billing.update_subscription(ADMIN, "s1", 3)
    assert repository.state["seatLimit"] == 4
    with pytest.raises(Conflict):
        billing.update_subscription(ADMIN, "s1", 1)
    with pytest.raises(NotFound):
        billing.update_subscription(ADMIN, "s2", 3)


def test_receipt_outcomes_are_stored_either_way():
    billing, repository, provider = service()
    assert billing.submit_receipt(ADMIN, b64(der_signed_data(100))) is True
    provider.receipt_ok = False
    assert billing.submit_receipt(ADMIN, b64(der_signed_data(120))) is False
    assert sorted(o["status"] for o in repository.receipts.values()) == ["rejected", "verified"]
