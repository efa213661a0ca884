"""Paddle Billing (API version 1) behind the payment-provider port.

Requests (https://developer.paddle.com/api-reference):
- a customer per organization: ``POST /customers`` (an email Paddle already knows answers 409
  ``customer_already_exists`` naming the existing ``ctm_`` id, which is then used; failing that,
  ``GET /customers?email=``);
- checkout: ``POST /transactions`` with the product's price and quantity, the customer and
  ``custom_data.sandglassOrgId``; the answer's ``checkout.url`` is the payment link;
- subscriptions: ``GET /subscriptions?customer_id=...``; a quantity change reads
  ``GET /subscriptions/{id}`` (its items' prices, its customer) and sends
  ``PATCH /subscriptions/{id}`` with every item and ``proration_billing_mode: prorated_immediately``;
- history: ``GET /transactions?customer_id=...&order_by=billed_at[DESC]``.

Headers: ``Authorization: Bearer <API key>`` and ``Paddle-Version: 1``. The API key comes from
``PADDLE_API_KEY`` or the SSM SecureString ``PADDLE_API_KEY_PARAMETER``, read on first use.
Paddle Billing does not handle App Store receipts: a receipt is answered ``ok: false`` (unsupported).
HTTP goes through an injectable transport (standard library urllib by default), so tests replay
recorded answers and never reach the network.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from msgspec import Struct, field

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
from sandglass.timefmt import iso, parse

logger = logging.getLogger("sandglass.paddle")

BASE_URLS = {"production": "https://api.paddle.com", "sandbox": "https://sandbox-api.paddle.com"}
API_VERSION = "1"
TIMEOUT_SECONDS = 5
LISTED_SUBSCRIPTION_STATUSES = "active,trialing,past_due,paused"
HISTORY_STATUSES = "billed,paid,completed,past_due,canceled"
PLAN_NAMES = {("month", 1): "monthly", ("month", 3): "quarterly", ("year", 1): "yearly", ("week", 1): "weekly", ("day", 1): "daily"}
TRANSACTION_STATUSES = {"completed": "paid", "paid": "paid"}
EXISTING_CUSTOMER = re.compile(r"\b(ctm_[a-z0-9]+)\b")
ORG_FIELD = "sandglassOrgId"


class HttpRequest(Struct, frozen=True):
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None


class HttpResponse(Struct, frozen=True):
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


Transport = Callable[[HttpRequest], HttpResponse]


class TransportError(Exception):
    """The request never got an HTTP answer (DNS, connection, timeout)."""


def urllib_transport(request: HttpRequest) -> HttpResponse:
    import urllib.error
    import urllib.request

    outgoing = urllib.request.Request(request.url, data=request.body, headers=request.headers, method=request.method)
    try:
        with urllib.request.urlopen(outgoing, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (https only: BASE_URLS)
            return HttpResponse(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return HttpResponse(error.code, error.read() or b"", dict(error.headers or {}))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise TransportError(str(error)) from None


class PaddleError(Exception):
    def __init__(self, status: int, code: str, detail: str):
        super().__init__(f"{status} {code}: {detail}")
        self.status, self.code, self.detail = status, code, detail


class PaddleBilling:
    name = "paddle"
    needs_customer = True

    def __init__(self, api_key: str | Callable[[], str | None] | None, *, environment: str = "sandbox", vendor_id: str | None = None,
                 transport: Transport | None = None):
        if environment not in BASE_URLS:
            raise ValueError(f"PADDLE_ENVIRONMENT must be one of {', '.join(BASE_URLS)}")
        self._api_key = api_key
        self.base_url = BASE_URLS[environment]
        self.vendor_id = vendor_id  # the seller account, for operators; Billing API calls are scoped by the key
        self.transport = transport or urllib_transport

    @classmethod
    def from_settings(cls, settings) -> "PaddleBilling":
        return cls(lambda: settings.paddle_api_key, environment=settings.paddle_environment, vendor_id=settings.paddle_vendor_id)

    # --- HTTP -------------------------------------------------------------------------------
    def _key(self) -> str:
        key = self._api_key() if callable(self._api_key) else self._api_key
        if not key:
            raise ProviderUnavailable("The payment provider is not configured (PADDLE_API_KEY / PADDLE_API_KEY_PARAMETER)")
        return key

    def request(self, method: str, path: str, *, query: dict[str, str] | None = None, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One API call: the decoded JSON answer, or PaddleError for an error answer."""
        url = self.base_url + path + (f"?{urlencode(query, safe=',[]')}" if query else "")
        headers = {"Authorization": f"Bearer {self._key()}", "Paddle-Version": API_VERSION, "Accept": "application/json"}
        payload = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body, separators=(",", ":")).encode()
        try:
            response = self.transport(HttpRequest(method, url, headers, payload))
        except TransportError as error:
            logger.warning("Paddle unreachable: %s %s: %s", method, path, error)
            raise ProviderUnavailable("The payment provider cannot be reached; retry later") from None
        try:
            decoded = json.loads(response.body) if response.body else {}
        except ValueError:
            decoded = None
        if not isinstance(decoded, dict):
            logger.warning("Paddle answered %s %s with %s and no JSON object", method, path, response.status)
            raise ProviderUnavailable("The payment provider gave an unexpected answer; retry later")
        if 200 <= response.status < 300:
            return decoded
        error = decoded.get("error") if isinstance(decoded.get("error"), dict) else {}
        raise PaddleError(response.status, str(error.get("code", "unknown")), str(error.get("detail", "")))

    def _call(self, method: str, path: str, **kwargs) -> dict[str, Any]:
        """`request`, with every error the port does not name turned into the domain's."""
        try:
            return self.request(method, path, **kwargs)
        except PaddleError as error:
            raise _domain_error(method, path, error) from None

    @staticmethod
    def _data(answer: dict[str, Any], many: bool = False) -> Any:
        if "data" not in answer or (many and not isinstance(answer["data"], list)):
            raise ProviderUnavailable("The payment provider gave an unexpected answer; retry later")
        return answer["data"]

    # --- the port ---------------------------------------------------------------------------
    def ensure_customer(self, account: BillingAccount) -> str:
        body = {"email": account.email, "name": account.name, "custom_data": {ORG_FIELD: account.org_id}}
        try:
            data = self._data(self.request("POST", "/customers", body=body))
        except PaddleError as error:
            if error.code != "customer_already_exists":
                raise _domain_error("POST", "/customers", error) from None
            found = EXISTING_CUSTOMER.search(error.detail)
            if found:
                return found.group(1)
            # the detail did not name it: look the email up
            data = next(iter(self._data(self._call("GET", "/customers", query={"email": account.email}), many=True)), None)
        if not isinstance(data, dict) or not data.get("id"):
            raise ProviderUnavailable("The payment provider gave an unexpected customer")
        return str(data["id"])

    def create_checkout(self, account: BillingAccount, product: Product, quantity: int) -> str:
        body = {
            "items": [{"price_id": product.price_id, "quantity": quantity}],
            "customer_id": account.customer_id,
            "collection_mode": "automatic",
            "custom_data": {ORG_FIELD: account.org_id, "product": product.id},
        }
        data = self._data(self._call("POST", "/transactions", body=body))
        checkout = data.get("checkout") if isinstance(data, dict) else None
        url = checkout.get("url") if isinstance(checkout, dict) else None
        if not url:
            raise ProviderUnavailable("The payment provider returned no checkout link (is a default payment link set in Paddle?)")
        return str(url)

    def subscriptions(self, account: BillingAccount) -> list[ProviderSubscription]:
        query = {"customer_id": account.customer_id or "", "status": LISTED_SUBSCRIPTION_STATUSES, "per_page": "50"}
        return [parse_subscription(item) for item in self._data(self._call("GET", "/subscriptions", query=query), many=True)]

    def update_quantity(self, account: BillingAccount, subscription_id: str, quantity: int) -> ProviderSubscription:
        path = f"/subscriptions/{quote(subscription_id, safe='')}"
        try:
            current = self._data(self.request("GET", path))
        except PaddleError as error:
            if error.status == 404:
                raise UnknownSubscription(subscription_id) from None
            raise _domain_error("GET", path, error) from None
        if not isinstance(current, dict) or current.get("customer_id") != account.customer_id:
            raise UnknownSubscription(subscription_id)
        body = {"items": quantity_items(current, quantity), "proration_billing_mode": "prorated_immediately"}
        return parse_subscription(self._data(self._call("PATCH", path, body=body)))

    def transactions(self, account: BillingAccount, limit: int) -> list[ProviderTransaction]:
        query = {"customer_id": account.customer_id or "", "status": HISTORY_STATUSES, "order_by": "billed_at[DESC]", "per_page": str(limit)}
        return [parse_transaction(item) for item in self._data(self._call("GET", "/transactions", query=query), many=True)]

    def submit_receipt(self, account: BillingAccount, receipt: bytes, kind: str) -> ReceiptOutcome:
        return ReceiptOutcome(ok=False, status="unsupported", reference="Paddle does not verify App Store receipts")


def _domain_error(method: str, path: str, error: PaddleError) -> Exception:
    logger.warning("Paddle refused %s %s: %s", method, path, error)
    if error.status in (401, 403):
        return ProviderUnavailable("The payment provider refused our credentials; the operator must fix the Paddle API key")
    if error.status == 429 or error.status >= 500:
        return ProviderUnavailable("The payment provider is unavailable; retry later")
    return ProviderRejected(f"The payment provider refused the request: {error.detail or error.code}")


# --- parsing Paddle's entities ----------------------------------------------------------------

def _instant(value: Any) -> str | None:
    if not value:
        return None
    try:
        return iso(parse(str(value)))
    except ValueError:
        return None


def _seat_item(subscription: dict[str, Any]) -> dict[str, Any]:
    items = subscription.get("items") or []
    recurring = [item for item in items if item.get("recurring", True)]
    if not recurring:
        raise ProviderUnavailable("The payment provider returned a subscription without items")
    return recurring[0]


def parse_subscription(data: dict[str, Any]) -> ProviderSubscription:
    try:
        seat = _seat_item(data)
        cycle = (seat.get("price") or {}).get("billing_cycle") or data.get("billing_cycle") or {}
        interval, frequency = str(cycle.get("interval", "month")), int(cycle.get("frequency", 1))
        plan = PLAN_NAMES.get((interval, frequency), f"every-{frequency}-{interval}")
        next_billed = _instant(data.get("next_billed_at"))
        return ProviderSubscription(id=str(data["id"]), plan=plan, quantity=int(seat["quantity"]), status=str(data["status"]),
                                    next_bill_date=next_billed[:10] if next_billed else None)
    except (AttributeError, KeyError, TypeError, ValueError):
        raise ProviderUnavailable("The payment provider gave an unexpected subscription") from None


def quantity_items(subscription: dict[str, Any], quantity: int) -> list[dict[str, Any]]:
    """Every item of the subscription (Paddle replaces the list), the seat item at the new quantity."""
    seat = _seat_item(subscription)
    items = []
    for item in subscription.get("items") or []:
        price_id = (item.get("price") or {}).get("id") or item.get("price_id")
        items.append({"price_id": price_id, "quantity": quantity if item is seat else int(item.get("quantity", 1))})
    return items


def parse_transaction(data: dict[str, Any]) -> ProviderTransaction:
    try:
        status = str(data["status"])
        totals = (data.get("details") or {}).get("totals") or {}
        captured = [p.get("captured_at") for p in data.get("payments") or [] if p.get("status") == "captured" and p.get("captured_at")]
        paid_at = _instant(captured[0]) if captured else (_instant(data.get("billed_at")) if status in TRANSACTION_STATUSES else None)
        return ProviderTransaction(id=str(data["id"]), amount=int(str(totals.get("grand_total", "0"))), currency=str(data["currency_code"]),
                                   paid_at=paid_at, status=TRANSACTION_STATUSES.get(status, status))
    except (AttributeError, KeyError, TypeError, ValueError):
        raise ProviderUnavailable("The payment provider gave an unexpected transaction") from None
