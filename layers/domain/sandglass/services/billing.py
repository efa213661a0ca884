"""Billing rules: subscriptions, checkout, billing history, receipts, the plan and its seats.

The payment provider sits behind the `PaymentProvider` port (sandglass.ports.payments; adapters:
`sandglass.adapters.paddle`, `sandglass.adapters.local_billing`, chosen by `BILLING_PROVIDER` in the
composition root).

- Every member may read the subscriptions (the plan is no secret); checkout, quantity changes,
  the billing history and receipts are for Administrators (403).
- A subscription of another organization is 404, like any other id.
- Products are a configured catalog (`BILLING_PRODUCTS`, JSON: product id -> plan, provider price,
  unit amount, currency); an unknown product is 422.
- The organization's `plan` is the plan of its active subscription (`free` without one) and the
  quantity of its active subscriptions is its seat count. Both are refreshed from the provider
  whenever the billing routes read or change subscriptions.
- Seats: every member who is not deleted holds one (archived members too). On a paid plan an
  invite past the seats is refused with 409 SEAT_LIMIT_REACHED, race-free (repositories/billing.py).
  Lowering the quantity below the seats in use is 409 SEATS_IN_USE; so is buying fewer seats.
- Receipts: see `read_receipt` for what counts as a plausible receipt; anything else is 422.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from sandglass.clock import Clock, CurrentClock
from sandglass.context import TenantContext
from sandglass.entities.billing import ENTITLED_STATUSES, FREE_PLAN
from sandglass.errors import Conflict, NotFound, ValidationFailed
from sandglass.models.billing import BillingTransaction, Subscription
from sandglass.ports.payments import BillingAccount, PaymentProvider, Product, ProviderSubscription, ProviderTransaction, UnknownSubscription
from sandglass.repositories.billing import BillingRepository, StaleSeatCount
from sandglass.timefmt import iso

HISTORY_LIMIT = 50
RECOUNT_ATTEMPTS = 5

# Receipt rule (POST /receipt): strict standard base64 (A-Z a-z 0-9 + /, '=' padding, no
# whitespace), 64 bytes to 512 KiB decoded, and one of two recognizable structures:
# - an App Store receipt: a DER PKCS#7 SignedData (SEQUENCE whose length covers exactly the data,
#   first element the OID 1.2.840.113549.1.7.2);
# - a StoreKit 2 signed transaction: a compact JWS (three base64url parts) whose header is a JSON
#   object naming its `alg`.
MIN_RECEIPT_BYTES = 64
MAX_RECEIPT_BYTES = 512 * 1024
MAX_RECEIPT_TEXT = (MAX_RECEIPT_BYTES + 2) // 3 * 4
PKCS7_SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")
RECEIPT_PKCS7 = "app-store-pkcs7"
RECEIPT_JWS = "storekit-jws"


# --- pure rules -------------------------------------------------------------------------------

def parse_catalog(text: str) -> dict[int, Product]:
    """`BILLING_PRODUCTS`: {"123456": {"plan": "monthly", "priceId": "pri_...", "unitAmount": 900, "currency": "USD"}}."""
    if not text.strip():
        return {}
    catalog = {}
    for product_id, entry in json.loads(text).items():
        catalog[int(product_id)] = Product(id=int(product_id), plan=str(entry["plan"]), price_id=entry.get("priceId") or None,
                                           unit_amount=int(entry.get("unitAmount", 0)), currency=str(entry.get("currency", "USD")))
    return catalog


def plan_and_seats(subscriptions: list[ProviderSubscription]) -> tuple[str, int | None]:
    """The plan of the first entitled subscription and the seats of all of them; free has no seat limit."""
    entitled = [s for s in subscriptions if s.status in ENTITLED_STATUSES]
    if not entitled:
        return FREE_PLAN, None
    return entitled[0].plan, sum(s.quantity for s in entitled)


def _der_length(data: bytes, at: int) -> tuple[int, int] | None:
    """(length, offset of the content) of the DER element whose length octets start at `at`."""
    if at >= len(data):
        return None
    first = data[at]
    if first < 0x80:
        return first, at + 1
    octets = first & 0x7F
    if octets == 0 or octets > 4 or at + 1 + octets > len(data):
        return None
    return int.from_bytes(data[at + 1:at + 1 + octets], "big"), at + 1 + octets


def _is_pkcs7_signed_data(data: bytes) -> bool:
    if data[:1] != b"\x30":
        return False
    header = _der_length(data, 1)
    if header is None:
        return False
    length, content = header
    return content + length == len(data) and data[content:content + len(PKCS7_SIGNED_DATA_OID)] == PKCS7_SIGNED_DATA_OID


def _b64url(part: bytes) -> bytes:
    return base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4))


def _is_jws(data: bytes) -> bool:
    parts = data.split(b".")
    if len(parts) != 3 or not all(parts):
        return False
    alphabet = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    if any(set(part) - alphabet for part in parts):
        return False
    try:
        header = json.loads(_b64url(parts[0]))
    except (ValueError, binascii.Error):
        return False
    return isinstance(header, dict) and isinstance(header.get("alg"), str)


def read_receipt(text: str) -> tuple[bytes, str]:
    """The receipt's bytes and kind, or 422 explaining what a plausible receipt is."""
    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed.field("receiptBase64", message)

    if len(text) > MAX_RECEIPT_TEXT:
        raise refuse(f"The receipt is larger than {MAX_RECEIPT_BYTES // 1024} KiB")
    if len(text) % 4 or not text.isascii():
        raise refuse("Expected standard base64 (A-Z, a-z, 0-9, +, / with = padding, no whitespace)")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise refuse("Expected standard base64 (A-Z, a-z, 0-9, +, / with = padding, no whitespace)") from None
    if len(data) < MIN_RECEIPT_BYTES:
        raise refuse(f"The receipt is too short to be one (at least {MIN_RECEIPT_BYTES} bytes)")
    if _is_pkcs7_signed_data(data):
        return data, RECEIPT_PKCS7
    if _is_jws(data):
        return data, RECEIPT_JWS
    raise refuse("Not a recognizable receipt: expected an App Store receipt (PKCS#7 signed data) or a StoreKit 2 signed transaction (JWS)")


def subscription_view(subscription: ProviderSubscription) -> Subscription:
    return Subscription(id=subscription.id, nextBillDate=subscription.next_bill_date, plan=subscription.plan,
                        quantity=subscription.quantity, status=subscription.status)


def transaction_view(transaction: ProviderTransaction) -> BillingTransaction:
    return BillingTransaction(amount=transaction.amount, currency=transaction.currency, id=transaction.id,
                              paidAt=transaction.paid_at, status=transaction.status)


# --- the service ------------------------------------------------------------------------------

class BillingService:
    def __init__(self, provider: PaymentProvider, repository: BillingRepository | None = None,
                 catalog: dict[int, Product] | None = None, clock: Clock | None = None):
        self.provider = provider
        self.repository = repository or BillingRepository()
        self.catalog = catalog or {}
        self.clock = clock or CurrentClock()

    def _account(self, tenant: TenantContext) -> BillingAccount:
        customer = self.repository.customer_id(tenant.org_id) if self.provider.needs_customer else None
        return BillingAccount(org_id=tenant.org_id, customer_id=customer, email=tenant.email, name=tenant.domain)

    def _subscriptions(self, account: BillingAccount) -> list[ProviderSubscription]:
        if self.provider.needs_customer and account.customer_id is None:
            return []  # never checked out: nothing at the provider yet
        return self.provider.subscriptions(account)

    # --- plan and seats ---------------------------------------------------------------------
    def apply(self, org_id: str, subscriptions: list[ProviderSubscription]) -> None:
        """Make the organization's plan and seat limit what the provider says."""
        plan, seats = plan_and_seats(subscriptions)
        self._sync_seats(org_id, seats, plan)

    def _sync_seats(self, org_id: str, seat_limit: int | None, plan: str) -> None:
        """Writes only what changed: reading the subscriptions again costs one GetItem here."""
        for _ in range(RECOUNT_ATTEMPTS):
            state = self.repository.seats(org_id)
            if (state or {}).get("plan", FREE_PLAN) != plan:
                self.repository.record_plan(org_id, plan)
            if state and state.get("counted"):
                if state.get("seatLimit") != seat_limit or state.get("plan") != plan:
                    self.repository.set_seat_limit(org_id, seat_limit, plan=plan)
                return
            # the counter was never trusted: recount the members; an invite or a deletion landing
            # meanwhile moves the counter's version, and the write then retries with a fresh count
            used = self.repository.count_members(org_id)
            try:
                self.repository.write_counted_seats(org_id, used, seat_limit, plan, state.get("version") if state else None)
                return
            except StaleSeatCount:
                continue
        raise Conflict("Members are being invited or removed right now; retry", code="SEATS_BUSY")

    def _seats_in_use(self, org_id: str) -> int:
        state = self.repository.seats(org_id)
        if state and state.get("counted"):
            return int(state.get("used", 0))
        return self.repository.count_members(org_id)

    # --- routes -----------------------------------------------------------------------------
    def list_subscriptions(self, tenant: TenantContext) -> list[Subscription]:
        subscriptions = self._subscriptions(self._account(tenant))
        self.apply(tenant.org_id, subscriptions)
        return [subscription_view(s) for s in subscriptions]

    def update_subscription(self, tenant: TenantContext, subscription_id: str, quantity: int) -> None:
        tenant.require_admin()
        account = self._account(tenant)
        subscriptions = self._subscriptions(account)
        target = next((s for s in subscriptions if s.id == subscription_id), None)
        if target is None:
            raise NotFound("Subscription not found")
        plan, seats = plan_and_seats(subscriptions)
        entitled = target.status in ENTITLED_STATUSES
        lowering = entitled and quantity < target.quantity
        if lowering:
            self._sync_seats(tenant.org_id, seats, plan)  # a trusted seat count before comparing with it
            # the smaller limit first, conditioned on the seats in use, so no invite slips past it
            self.repository.set_seat_limit(tenant.org_id, (seats or 0) - target.quantity + quantity, require_room=True)
        try:
            updated = self.provider.update_quantity(account, subscription_id, quantity)
        except UnknownSubscription:
            raise NotFound("Subscription not found") from None
        except Exception:
            if lowering:
                self.repository.set_seat_limit(tenant.org_id, seats, plan=plan)
            raise
        self.apply(tenant.org_id, [updated if s.id == subscription_id else s for s in subscriptions])

    def checkout(self, tenant: TenantContext, product_id: int, quantity: int) -> str:
        tenant.require_admin()
        product = self.catalog.get(product_id)
        if product is None or (self.provider.name == "paddle" and not product.price_id):
            available = ", ".join(str(p) for p in sorted(self.catalog)) or "none configured"
            raise ValidationFailed.field("product", f"Unknown product {product_id} (available: {available})")
        in_use = self._seats_in_use(tenant.org_id)
        if quantity < in_use:
            raise Conflict(f"{in_use} users hold seats in this organization; buy at least {in_use} seats or remove users first",
                           code="SEATS_IN_USE")
        account = self._account(tenant)
        if self.provider.needs_customer and account.customer_id is None:
            customer = self.provider.ensure_customer(account)
            self.repository.save_customer(tenant.org_id, self.provider.name, customer)
            account = BillingAccount(org_id=account.org_id, customer_id=customer, email=account.email, name=account.name)
        return self.provider.create_checkout(account, product, quantity)

    def history(self, tenant: TenantContext) -> list[BillingTransaction]:
        tenant.require_reads_all()
        account = self._account(tenant)
        if self.provider.needs_customer and account.customer_id is None:
            return []
        return [transaction_view(t) for t in self.provider.transactions(account, HISTORY_LIMIT)]

    def submit_receipt(self, tenant: TenantContext, receipt_base64: str) -> bool:
        tenant.require_admin()
        data, kind = read_receipt(receipt_base64)
        account = self._account(tenant)
        outcome = self.provider.submit_receipt(account, data, kind)
        digest = hashlib.sha256(data).hexdigest()
        self.repository.save_receipt(tenant.org_id, digest, {
            "kind": kind, "size": len(data), "provider": self.provider.name, "ok": outcome.ok, "status": outcome.status,
            "reference": outcome.reference, "submittedBy": tenant.user_id, "submittedAt": iso(self.clock.now()),
        })
        if outcome.ok:
            self.apply(tenant.org_id, self._subscriptions(account))
        return outcome.ok

    # --- development ------------------------------------------------------------------------
    def complete_dev_checkout(self, org_id: str, checkout_id: str) -> Subscription:
        """Pay a local checkout (the dev server's /api/_dev/checkout page). Local provider only."""
        complete = getattr(self.provider, "complete_checkout", None)
        if complete is None:
            raise NotFound("Checkouts are completed by the payment provider")
        subscription = complete(org_id, checkout_id)
        self.apply(org_id, self.provider.subscriptions(BillingAccount(org_id=org_id, customer_id=None, email="", name="")))
        return subscription_view(subscription)
