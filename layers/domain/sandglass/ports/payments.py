"""The payments port: what billing needs from a payment provider (Paddle, or the local one).

Adapters: `sandglass.adapters.paddle`, `sandglass.adapters.local_billing`.
"""

from __future__ import annotations

from typing import Protocol

from msgspec import Struct

from sandglass.entities.billing import Payment, Subscription
from sandglass.errors import DomainError

# the provider's view of a subscription and of a payment is the entity itself
ProviderSubscription = Subscription
ProviderTransaction = Payment


class Product(Struct, frozen=True):
    id: int
    plan: str
    price_id: str | None
    unit_amount: int
    currency: str


class BillingAccount(Struct, frozen=True):
    """Who is paying, as the provider needs it."""

    org_id: str
    customer_id: str | None
    email: str
    name: str


class ReceiptOutcome(Struct, frozen=True):
    ok: bool
    status: str
    reference: str | None = None


class UnknownSubscription(Exception):
    """The provider has no such subscription for this account."""


class ProviderUnavailable(DomainError, status=502, code="PAYMENT_PROVIDER_UNAVAILABLE"):
    pass


class ProviderRejected(DomainError, status=422, code="PAYMENT_PROVIDER_REJECTED"):
    pass


class PaymentProvider(Protocol):
    name: str
    needs_customer: bool

    def ensure_customer(self, account: BillingAccount) -> str: ...

    def create_checkout(self, account: BillingAccount, product: Product, quantity: int) -> str: ...

    def subscriptions(self, account: BillingAccount) -> list[ProviderSubscription]: ...

    def update_quantity(self, account: BillingAccount, subscription_id: str, quantity: int) -> ProviderSubscription: ...

    def transactions(self, account: BillingAccount, limit: int) -> list[ProviderTransaction]: ...

    def submit_receipt(self, account: BillingAccount, receipt: bytes, kind: str) -> ReceiptOutcome: ...
