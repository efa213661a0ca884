"""Idempotency-Key records (the resolver's begin / finish around a POST)."""

from __future__ import annotations

from sandglass.composition import clock, once, table
from sandglass.repositories.idempotency import IdempotencyRepository
from sandglass.services.idempotency import IdempotencyService


@once
def idempotency() -> IdempotencyService:
    return IdempotencyService(IdempotencyRepository(table()), clock())
