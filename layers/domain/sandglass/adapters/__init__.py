"""Adapters to the world outside the table (payment providers...), chosen from settings."""

from __future__ import annotations


def billing_provider():
    """The payment provider `BILLING_PROVIDER` names: `paddle` or `local` (development)."""
    from sandglass.settings import get_settings

    settings = get_settings()
    if settings.billing_provider == "paddle":
        from sandglass.adapters.paddle import PaddleBilling

        return PaddleBilling.from_settings(settings)
    if settings.billing_provider == "local":
        from sandglass.adapters.local_billing import LocalBilling

        return LocalBilling(base_url=settings.billing_local_base_url)
    raise RuntimeError(f"BILLING_PROVIDER must be paddle or local, not {settings.billing_provider!r}")
