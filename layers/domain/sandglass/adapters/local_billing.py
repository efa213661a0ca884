"""The local payment provider for development: checkouts, subscriptions and payments recorded in
the table, and checkout URLs served by the dev server (`/api/_dev/checkout/<orgId>/<checkoutId>`)
where completing one creates the subscription and its first payment. It cannot verify a receipt's
signature: a structurally valid receipt (billing's read_receipt) is accepted as unverified."""

from __future__ import annotations

import secrets
from datetime import date

from sandglass.clock import Clock, CurrentClock
from sandglass.errors import NotFound
from sandglass.repositories.billing import LocalPaymentsRepository
from sandglass.entities.billing import ENTITLED_STATUSES
from sandglass.ports.payments import (
    BillingAccount,
    Product,
    ProviderSubscription,
    ProviderTransaction,
    ReceiptOutcome,
    UnknownSubscription,
)
from sandglass.timefmt import iso

CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def _new_id(prefix: str) -> str:
    return f"{prefix}_local_{secrets.token_hex(10)}"


def next_bill_date(start: date, plan: str) -> str:
    months = CYCLE_MONTHS.get(plan, 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    for day in (start.day, 30, 29, 28):  # the 31st of January bills next on February's last day
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _subscription(item: dict) -> ProviderSubscription:
    return ProviderSubscription(id=item["id"], plan=item["plan"], quantity=int(item["quantity"]), status=item["status"],
                                next_bill_date=item.get("nextBillDate"))


class LocalBilling:
    name = "local"
    needs_customer = False

    def __init__(self, repository: LocalPaymentsRepository | None = None, clock: Clock | None = None,
                 base_url: str = "http://127.0.0.1:3000/api"):
        self.repository = repository or LocalPaymentsRepository()
        self.clock = clock or CurrentClock()
        self.base_url = base_url.rstrip("/")

    def ensure_customer(self, account: BillingAccount) -> str:
        return account.org_id

    def create_checkout(self, account: BillingAccount, product: Product, quantity: int) -> str:
        checkout_id = _new_id("chk")
        self.repository.put_checkout(account.org_id, {
            "id": checkout_id, "product": product.id, "plan": product.plan, "quantity": quantity,
            "unitAmount": product.unit_amount, "currency": product.currency, "status": "open",
            "createdBy": account.email, "createdAt": iso(self.clock.now()),
        })
        return f"{self.base_url}/_dev/checkout/{account.org_id}/{checkout_id}"

    def checkout(self, org_id: str, checkout_id: str) -> dict:
        item = self.repository.checkout(org_id, checkout_id)
        if item is None:
            raise NotFound("Checkout not found")
        return item

    def complete_checkout(self, org_id: str, checkout_id: str) -> ProviderSubscription:
        """Pay the checkout: a new subscription for its plan and seats (replacing the running one)."""
        checkout = self.checkout(org_id, checkout_id)
        now = self.clock.now()
        subscription = {"id": _new_id("sub"), "plan": checkout["plan"], "quantity": int(checkout["quantity"]), "status": "active",
                        "nextBillDate": next_bill_date(now.date(), checkout["plan"]), "createdAt": iso(now), "checkoutId": checkout_id}
        transaction = {"id": _new_id("txn"), "amount": int(checkout["unitAmount"]) * int(checkout["quantity"]),
                       "currency": checkout["currency"], "paidAt": iso(now), "status": "paid", "subscriptionId": subscription["id"]}
        replaced = [item["id"] for item in self.repository.subscriptions(org_id) if item["status"] in ENTITLED_STATUSES]
        self.repository.complete_checkout(org_id, checkout_id, subscription, transaction, replaced, iso(now))
        return _subscription(subscription)

    def subscriptions(self, account: BillingAccount) -> list[ProviderSubscription]:
        items = sorted(self.repository.subscriptions(account.org_id), key=lambda item: item.get("createdAt", ""), reverse=True)
        return [_subscription(item) for item in items]

    def update_quantity(self, account: BillingAccount, subscription_id: str, quantity: int) -> ProviderSubscription:
        item = self.repository.update_quantity(account.org_id, subscription_id, quantity)
        if item is None:
            raise UnknownSubscription(subscription_id)
        return _subscription(item)

    def transactions(self, account: BillingAccount, limit: int) -> list[ProviderTransaction]:
        return [ProviderTransaction(id=item["id"], amount=int(item["amount"]), currency=item["currency"], paid_at=item.get("paidAt"),
                                    status=item["status"]) for item in self.repository.transactions(account.org_id, limit)]

    def submit_receipt(self, account: BillingAccount, receipt: bytes, kind: str) -> ReceiptOutcome:
        return ReceiptOutcome(ok=True, status="accepted-unverified", reference=kind)
