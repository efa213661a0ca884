"""Billing with the payment provider the settings name."""

from __future__ import annotations

from sandglass.adapters.local_billing import LocalBilling
from sandglass.adapters.paddle import PaddleBilling
from sandglass.composition import clock, once, table
from sandglass.ports.payments import PaymentProvider
from sandglass.repositories.billing import BillingRepository, LocalPaymentsRepository
from sandglass.services.billing import BillingService, parse_catalog
from sandglass.settings import Settings, get_settings


def payment_provider(settings: Settings) -> PaymentProvider:
    """The payment provider `BILLING_PROVIDER` names: `paddle` or `local` (development)."""
    if settings.billing_provider == "paddle":
        return PaddleBilling.from_settings(settings)
    if settings.billing_provider == "local":
        return LocalBilling(LocalPaymentsRepository(table()), clock(), base_url=settings.billing_local_base_url)
    raise RuntimeError(f"BILLING_PROVIDER must be paddle or local, not {settings.billing_provider!r}")


@once
def billing() -> BillingService:
    settings = get_settings()
    return BillingService(payment_provider(settings), BillingRepository(table()), parse_catalog(settings.billing_products), clock())
