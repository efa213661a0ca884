"""An organization's subscriptions and payments, as the payment provider reports them."""

from __future__ import annotations

from msgspec import Struct

FREE_PLAN = "free"
# Subscription states that carry a plan and its seats (Paddle's names; past_due still runs).
ENTITLED_STATUSES = frozenset({"active", "trialing", "past_due"})


class Subscription(Struct, frozen=True, kw_only=True):
    id: str
    plan: str
    quantity: int  # seats
    status: str
    next_bill_date: str | None = None  # ISO date

    @property
    def entitled(self) -> bool:
        """Whether it carries its plan and seats."""
        return self.status in ENTITLED_STATUSES


class Payment(Struct, frozen=True, kw_only=True):
    id: str
    amount: int  # in the currency's minor unit
    currency: str
    paid_at: str | None
    status: str
