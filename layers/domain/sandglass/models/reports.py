"""Saved report definitions (Sandtime's "Reports" shapes) and the query a result is computed from."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal, Optional, Union

from pydantic import BaseModel, Field, StrictBool, model_validator

from sandglass import ids, timefmt
from sandglass.models import ApiModel
from sandglass.models.common import EntityId, InstantText, Omittable

Dimension = Literal["project", "user", "member", "day", "week", "month", "billable", "approved"]
Metric = Literal["time", "billable", "revenue", "cost", "profit", "count"]
Period = Literal["custom", "today", "yesterday", "thisWeek", "lastWeek", "thisMonth", "lastMonth", "thisYear", "lastYear"]
FilterField = Literal["billable", "pending", "approved", "name", "project", "user"]
FilterOperator = Literal["is", "isNot", "contains", "in", "notIn"]

MAX_DIMENSIONS = 3
MAX_RANGE = timedelta(days=366)
BOOLEAN_FIELDS = ("billable", "pending", "approved")
ID_FIELDS = ("project", "user")


class ReportFilter(ApiModel):
    """One condition every counted activity must meet:
    - ``billable`` / ``pending`` / ``approved``: operator ``is`` or ``isNot``, value true or false;
    - ``name``: operator ``contains`` (case-insensitive), ``is`` or ``isNot``, value a string;
    - ``project`` / ``user``: operator ``in`` or ``notIn``, value a list of ids."""

    field: FilterField
    operator: FilterOperator = "is"
    value: Union[StrictBool, list[str], str]

    @model_validator(mode="after")
    def _consistent(self):
        if self.field in BOOLEAN_FIELDS:
            if self.operator not in ("is", "isNot") or not isinstance(self.value, bool):
                raise ValueError(f"a '{self.field}' filter takes operator is/isNot and a boolean value")
        elif self.field == "name":
            if self.operator not in ("is", "isNot", "contains") or not isinstance(self.value, str) or not 1 <= len(self.value) <= 200:
                raise ValueError("a 'name' filter takes operator is/isNot/contains and a string of 1 to 200 characters")
        else:
            if self.operator not in ("in", "notIn") or not isinstance(self.value, list) or not 1 <= len(self.value) <= 100:
                raise ValueError(f"a '{self.field}' filter takes operator in/notIn and a list of 1 to 100 ids")
            canonical = [ids.canonical_id(value) for value in self.value]
            if None in canonical:
                raise ValueError(f"a '{self.field}' filter's values must be UUIDs")
            self.value = canonical
        return self


def _unique(values: list, what: str) -> None:
    if len(set(values)) != len(values):
        raise ValueError(f"{what} must not repeat a value")


class ReportQuery(ApiModel):
    """What a result is computed from: a saved definition, or the body of POST /reports/results.

    ``period`` ``custom`` needs ``start`` and ``end`` (both inclusive, at most 366 days apart);
    the presets ignore them and are computed in the organization's time zone when the report runs.
    ``selectedProjects`` / ``selectedProjectMembers`` (user ids): null counts everybody's time
    that the caller may see. ``userId`` and ``id`` may be sent back as read (round trip) but
    never change the owner or the id."""

    name: Optional[str] = Field(None, min_length=1, max_length=200)
    period: Period = "custom"
    start: Optional[InstantText] = None
    end: Optional[InstantText] = None
    dimensions: list[Dimension] = Field(default_factory=lambda: ["project"], max_length=MAX_DIMENSIONS)
    metrics: list[Metric] = Field(default_factory=lambda: ["time"], min_length=1, max_length=6)
    filters: list[ReportFilter] = Field(default_factory=list, max_length=20)
    selectedProjects: Optional[list[EntityId]] = Field(None, max_length=100)
    selectedProjectMembers: Optional[list[EntityId]] = Field(None, max_length=100)
    hideEmptyRows: StrictBool = False
    showArchivedProjects: StrictBool = False
    showArchivedMembers: StrictBool = False
    pinned: StrictBool = False
    userId: Optional[EntityId] = None
    id: Optional[EntityId] = None

    @model_validator(mode="after")
    def _coherent(self):
        _unique(self.dimensions, "dimensions")
        _unique(self.metrics, "metrics")
        if self.period == "custom":
            if self.start is None or self.end is None:
                raise ValueError("a custom period needs both start and end")
            start, end = timefmt.parse(self.start), timefmt.parse(self.end)
            if end < start:
                raise ValueError("end must not be before start")
            if end - start > MAX_RANGE:
                raise ValueError("a report spans at most 366 days")
        return self


class ReportDefinition(ReportQuery):
    """POST /reports: a definition to save (a name is required)."""

    name: str = Field(min_length=1, max_length=200)


class ReportUpdate(ApiModel):
    """PUT /reports/{id}: any subset of the definition's fields; the merged result must be valid.
    start/end and the selections may be null; the other fields may be left out, not nulled."""

    @model_validator(mode="after")
    def _no_nulls(self):
        nulls = [name for name in NOT_NULL if name in self.model_fields_set and getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null")
        return self

    name: Omittable[str] = Field(None, min_length=1, max_length=200)
    period: Omittable[Period] = None
    start: Optional[InstantText] = None
    end: Optional[InstantText] = None
    dimensions: Omittable[list[Dimension]] = Field(None, max_length=MAX_DIMENSIONS)
    metrics: Omittable[list[Metric]] = Field(None, min_length=1, max_length=6)
    filters: Omittable[list[ReportFilter]] = Field(None, max_length=20)
    selectedProjects: Optional[list[EntityId]] = Field(None, max_length=100)
    selectedProjectMembers: Optional[list[EntityId]] = Field(None, max_length=100)
    hideEmptyRows: Omittable[StrictBool] = None
    showArchivedProjects: Omittable[StrictBool] = None
    showArchivedMembers: Omittable[StrictBool] = None
    pinned: Omittable[StrictBool] = None
    userId: Optional[EntityId] = None
    id: Optional[EntityId] = None


NOT_NULL = ("name", "period", "dimensions", "metrics", "filters", "hideEmptyRows", "showArchivedProjects", "showArchivedMembers", "pinned")


class Report(BaseModel):
    """A saved definition as read (start/end of a preset: the range it covers now)."""

    dimensions: list[str]
    end: Optional[str]
    filters: list[dict]
    hideEmptyRows: bool
    id: str
    metrics: list[str]
    name: str
    period: str
    pinned: bool
    selectedProjectMembers: Optional[list[str]]
    selectedProjects: Optional[list[str]]
    showArchivedMembers: bool
    showArchivedProjects: bool
    start: Optional[str]
    userId: str


DEFINITION_FIELDS = (
    "name", "period", "start", "end", "dimensions", "metrics", "filters", "selectedProjects", "selectedProjectMembers",
    "hideEmptyRows", "showArchivedProjects", "showArchivedMembers", "pinned",
)
