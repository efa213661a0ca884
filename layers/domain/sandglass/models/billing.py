"""Billing bodies and responses, in the Sandtime reference's shapes ("Billing")."""

from typing import Optional

from pydantic import BaseModel, Field, StrictInt, StrictStr

from sandglass.models import ApiModel
from sandglass.models.formats import CurrencyCode, DateText, InstantOut

MAX_SEATS = 100_000


class Subscription(BaseModel, defer_build=True):
    id: str
    nextBillDate: Optional[DateText] = Field(None, description="yyyy-mm-dd")
    plan: str = Field(description="monthly, yearly...")
    quantity: int = Field(description="Seats")
    status: str = Field(description="active, trialing, past_due, paused, canceled")


class SubscriptionUpdate(ApiModel):
    quantity: StrictInt = Field(ge=1, le=MAX_SEATS, description="Seats")


class CheckoutRequest(ApiModel):
    product: StrictInt = Field(ge=1, le=2**53, description="A product id of the configured catalog (BILLING_PRODUCTS)")
    quantity: StrictInt = Field(1, ge=1, le=MAX_SEATS, description="Seats")


class CheckoutLink(BaseModel, defer_build=True):
    url: str


class BillingTransaction(BaseModel, defer_build=True):
    amount: int = Field(description="Minor units (cents)")
    currency: CurrencyCode
    id: str
    paidAt: Optional[InstantOut] = None
    status: str


class ReceiptUpload(ApiModel):
    # the length bound keeps a huge body out of the decoder; services/billing.py explains the rule
    receiptBase64: StrictStr = Field(min_length=1, max_length=700_000)


class ReceiptResult(BaseModel, defer_build=True):
    ok: bool
