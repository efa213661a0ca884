"""Rate windows (project members' revenue rates, users' cost rates), in the Sandtime reference's shapes.

Money is Decimal end to end: `value` is >= 0 with at most two decimals, `taxRate` a percentage
0-100 with at most two decimals. `from` / `to` accept ISO-8601 with any offset and come back as
UTC with milliseconds and `Z`; `to: null` is an open-ended window. A window covers
`from <= instant < to` (the end is exclusive, so back-to-back windows may touch).
"""

from decimal import Decimal
from typing import Annotated, Optional, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, PlainSerializer

from sandglass import reference, timefmt
from sandglass.entities.rates import RateWindow
from sandglass.models import ApiModel
from sandglass.models.common import InstantText as Instant
from sandglass.models.common import Omittable
from sandglass.models.formats import CURRENCY, CurrencyCode, InstantOut

Currency = Annotated[str, AfterValidator(reference.check_currency), CURRENCY]


def _no_float_noise(value):
    # JSON numbers arrive as float: go through their shortest repr, never the binary expansion.
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, bool):
        raise ValueError("must be a number")
    return value


def _number(value: Decimal) -> int | float:
    """Out as a JSON number: exact, since stored values have at most 14 digits and 2 decimals."""
    return int(value) if value == value.to_integral_value() else float(value)


AmountOut = Annotated[Decimal, PlainSerializer(_number, return_type=Union[int, float])]

# Constraints before the validator: pydantic then documents them as JSON Schema (minimum, maximum).
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), BeforeValidator(_no_float_noise)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2), BeforeValidator(_no_float_noise)]


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


class RerateRequest(ApiModel):
    """POST /activities/rerate/preview and /apply: the activities starting in [from, to) (at most
    366 days), optionally only some members' or projects', priced again by the rate windows in force
    at their start. `force` (apply only) re-rates entries in locked or approved periods too."""

    from_: Instant = Field(alias="from")
    to: Instant
    userIds: Optional[list[Annotated[str, Field(max_length=36)]]] = Field(None, max_length=100)
    projectIds: Optional[list[Annotated[str, Field(max_length=36)]]] = Field(None, max_length=100)
    force: bool = False


class RerateAmount(BaseModel, defer_build=True):
    """An entry's amount at one rate: the rate's currency and hourly value, and the amount for
    the entry's (rounded; for revenue, billable) duration, as decimal strings."""

    currency: str
    value: str
    amount: str


class RerateChange(BaseModel, defer_build=True):
    old: Optional[RerateAmount] = None
    new: Optional[RerateAmount] = None


class RerateEntry(BaseModel, defer_build=True):
    activityId: str
    userId: str
    projectId: str
    startedAt: InstantOut
    endedAt: InstantOut
    billable: bool
    duration: int = Field(description="Milliseconds, rounded by the organization's rounding")
    locked: bool
    approved: bool
    revenue: RerateChange
    cost: RerateChange
    version: int


class MoneyChange(BaseModel, defer_build=True):
    old: dict[str, str] = Field(description="Amount per currency (decimal strings) before")
    new: dict[str, str] = Field(description="Amount per currency (decimal strings) after")


class RerateTotals(BaseModel, defer_build=True):
    revenue: MoneyChange
    cost: MoneyChange


class RerateView(BaseModel):
    """What a re-rate changes: every entry whose kept rates differ from the windows in force."""

    from_: InstantOut = Field(alias="from", serialization_alias="from")
    to: InstantOut
    entries: list[RerateEntry]
    totals: RerateTotals
    lockedEntries: int = Field(description="Entries in locked or approved periods (apply needs force: true)")

    model_config = {"populate_by_name": True, "defer_build": True}


class RerateApplied(RerateView):
    """The applied re-rate: its change record's id, when, and whether locked periods were forced."""

    id: str
    appliedAt: InstantOut
    forced: bool
