"""What the OpenAPI document says about string fields whose format the server enforces (or
produces): ISO 4217 currencies, `HH:MM` times of day, dates and instants. Documentation only:
the validators that enforce them stay where they are (sandglass.reference, models.common), so a
refusal keeps its own message."""

from __future__ import annotations

from typing import Annotated, Any


class Documented:
    """JSON Schema keywords added to a type's schema (`Annotated[str, Documented(pattern=...)]`),
    without adding a validation rule."""

    def __init__(self, **keywords: Any):
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        target.update(self.keywords)
        return schema

    def __repr__(self) -> str:  # stable in pydantic's schema cache keys and error reprs
        return f"Documented({self.keywords!r})"


CURRENCY = Documented(pattern="^[A-Z]{3}$", description="ISO 4217 currency code", examples=["EUR"])
CLOCK_TIME = Documented(pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$", description="A time of day, HH:MM (00:00-23:59)", examples=["09:00"])
DATE = Documented(format="date", description="A date, yyyy-mm-dd")
INSTANT = Documented(format="date-time", description="An instant in UTC with milliseconds (2026-07-03T08:30:00.000Z)")

# Response fields: the stored text, documented by what it always is.
CurrencyCode = Annotated[str, CURRENCY]
DateText = Annotated[str, DATE]
InstantOut = Annotated[str, INSTANT]
