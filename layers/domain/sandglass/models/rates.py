"""Rate windows (project members' revenue rates, users' cost rates), in the Sandtime reference's shapes.

Money is Decimal end to end: `value` is >= 0 with at most two decimals, `taxRate` a percentage
0-100 with at most two decimals. `from` / `to` accept ISO-8601 with any offset and come back as
UTC with milliseconds and `Z`; `to: null` is an open-ended window. A window covers
`from <= instant < to` (the end is exclusive, so back-to-back windows may touch).
"""

from decimal import Decimal
from typing import Optional

from pydantic import BaseModel, Field

from sandglass import timefmt
from sandglass.entities.rates import RateWindow
from sandglass.models import ApiModel
from sandglass.models.common import InstantText as Instant
from sandglass.models.common import Omittable
from sandglass.models.formats import CurrencyCode, InstantOut
from sandglass.models.money import AmountOut, Currency, Money, Percent


class RateCreate(ApiModel):
    currency: Optional[Currency] = Field(None, description="ISO 4217; the organization's currency when left out")
    from_: Instant = Field(alias="from")
    to: Optional[Instant] = None
    taxRate: Percent = Decimal(0)
    value: Money


class RateUpdate(ApiModel):
    """PUT: any subset; missing fields keep their stored value (`to: null` opens the window)."""

    currency: Omittable[Currency] = None
    from_: Omittable[Instant] = Field(None, alias="from")
    to: Optional[Instant] = None
    taxRate: Omittable[Percent] = None
    value: Omittable[Money] = None


class RevenueRate(BaseModel, defer_build=True):
    currency: CurrencyCode
    from_: InstantOut = Field(alias="from", serialization_alias="from")
    id: str
    memberId: str
    projectId: str
    taxRate: AmountOut
    to: Optional[InstantOut] = None
    value: AmountOut

    model_config = {"populate_by_name": True}


class CostRate(BaseModel, defer_build=True):
    currency: CurrencyCode
    from_: InstantOut = Field(alias="from", serialization_alias="from")
    id: str
    taxRate: AmountOut
    to: Optional[InstantOut] = None
    userId: str
    value: AmountOut

    model_config = {"populate_by_name": True}


def _to(window: RateWindow) -> str | None:
    return timefmt.iso(window.ends_at) if window.ends_at else None


def revenue_rate_view(window: RateWindow) -> RevenueRate:
    return RevenueRate(currency=window.currency, from_=timefmt.iso(window.starts_at), id=window.id, memberId=window.member_id,
                       projectId=window.project_id, taxRate=window.tax_rate, to=_to(window), value=window.value)


def cost_rate_view(window: RateWindow) -> CostRate:
    return CostRate(currency=window.currency, from_=timefmt.iso(window.starts_at), id=window.id, taxRate=window.tax_rate,
                    to=_to(window), userId=window.user_id, value=window.value)
