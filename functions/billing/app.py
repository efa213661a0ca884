"""Billing routes: subscriptions, checkout links, billing history, receipts.

Thin handlers: validate (pydantic), one BillingService call. The rules live in
sandglass.services.billing; the payment provider (Paddle or the local one) comes from settings.
Collections here are JSON arrays, as the Sandtime reference's Billing section shows them.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from sandglass.composition.billing import billing
from sandglass.http.resolver import create_app
from sandglass.http.tenant import tenant
from sandglass.models import Empty
from sandglass.models.billing import (
    BillingTransaction,
    CheckoutLink,
    CheckoutRequest,
    ReceiptResult,
    ReceiptUpload,
    Subscription,
    SubscriptionUpdate,
)

app = create_app()


# one service per container, built on the first request (not at import: cold start)
service = billing


SubscriptionId = Annotated[str, Path(max_length=100, description="The external subscription identifier")]


@app.get("/subscriptions", tags=["Billing"], summary="List the organization's subscriptions")
def list_subscriptions() -> list[Subscription]:
    return service().list_subscriptions(tenant(app))


@app.put("/subscriptions/<subscriptionId>", tags=["Billing"], summary="Change a subscription's quantity (seats; Administrators)")
def put_subscription(subscriptionId: SubscriptionId, body: SubscriptionUpdate) -> Empty:
    service().update_subscription(tenant(app), subscriptionId, body.quantity)
    return {}


@app.post("/checkout", tags=["Billing"], summary="Create a checkout link for a product and quantity (Administrators)")
def post_checkout(body: CheckoutRequest) -> CheckoutLink:
    return CheckoutLink(url=service().checkout(tenant(app), body.product, body.quantity))


@app.get("/billing-history", tags=["Billing"], summary="The organization's payments, newest first (Administrators)")
def billing_history() -> list[BillingTransaction]:
    return service().history(tenant(app))


@app.post("/receipt", tags=["Billing"], summary="Submit a base64 App Store receipt or StoreKit 2 signed transaction (Administrators)")
def post_receipt(body: ReceiptUpload) -> ReceiptResult:
    return ReceiptResult(ok=service().submit_receipt(tenant(app), body.receiptBase64))


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
