"""Money on the wire: a currency code, an amount in (Decimal, at most two decimals), an amount out
(a JSON number), a percentage."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Union

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer

from sandglass import reference
from sandglass.models.formats import CURRENCY

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
