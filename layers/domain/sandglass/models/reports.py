"""Saved report definitions (Sandtime's "Reports" shapes) and the query a result is computed from."""

from datetime import timedelta
from typing import Annotated, Any, Callable, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, StrictBool, ValidationError, WithJsonSchema, model_validator

from sandglass import ids, timefmt
from sandglass.entities import reports as domain
from sandglass.errors import ValidationFailed, detail
from sandglass.models import ApiModel
from sandglass.models.common import EntityId, InstantText, Omittable
from sandglass.models.formats import CurrencyCode, InstantOut

Dimension = Literal["project", "user", "member", "day", "week", "month", "billable", "approved"]
Metric = Literal["time", "billable", "revenue", "cost", "profit", "count", "breaks"]
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


class SavedFilter(BaseModel):
    """A filter of a saved report as read (ReportFilter's rules held when it was saved)."""

    model_config = ConfigDict(defer_build=True)

    field: FilterField
    operator: FilterOperator
    value: Union[bool, list[str], str]


class Report(BaseModel, defer_build=True):
    """A saved definition as read (start/end of a preset: the range it covers now)."""

    dimensions: list[str]
    end: Optional[InstantOut]
    filters: list[SavedFilter]
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
    start: Optional[InstantOut]
    userId: str


DEFINITION_FIELDS = (
    "name", "period", "start", "end", "dimensions", "metrics", "filters", "selectedProjects", "selectedProjectMembers",
    "hideEmptyRows", "showArchivedProjects", "showArchivedMembers", "pinned",
)


# --- the Sandtime wire <-> the domain's report entities ----------------------------------------------

def spec_of(body: ReportQuery) -> domain.ReportSpec:
    """The spec a validated body asks for (a preset's start/end are ignored: computed when it runs)."""
    custom = body.period == "custom"
    return domain.ReportSpec(
        name=body.name, period=body.period,
        start=timefmt.parse(body.start) if custom else None, end=timefmt.parse(body.end) if custom else None,
        dimensions=tuple(body.dimensions), metrics=tuple(body.metrics),
        filters=tuple(domain.ReportFilter(field=condition.field, operator=condition.operator,
                                          value=tuple(condition.value) if isinstance(condition.value, list) else condition.value)
                      for condition in body.filters),
        selected_projects=None if body.selectedProjects is None else tuple(body.selectedProjects),
        selected_members=None if body.selectedProjectMembers is None else tuple(body.selectedProjectMembers),
        hide_empty_rows=body.hideEmptyRows, show_archived_projects=body.showArchivedProjects,
        show_archived_members=body.showArchivedMembers, pinned=body.pinned,
    )


def spec_fields(spec: domain.ReportSpec) -> dict[str, Any]:
    """A spec as the definition's wire fields (DEFINITION_FIELDS)."""
    return {
        "name": spec.name, "period": spec.period,
        "start": timefmt.iso(spec.start) if spec.start is not None else None,
        "end": timefmt.iso(spec.end) if spec.end is not None else None,
        "dimensions": list(spec.dimensions), "metrics": list(spec.metrics),
        "filters": [{"field": condition.field, "operator": condition.operator,
                     "value": list(condition.value) if isinstance(condition.value, tuple) else condition.value} for condition in spec.filters],
        "selectedProjects": None if spec.selected_projects is None else list(spec.selected_projects),
        "selectedProjectMembers": None if spec.selected_members is None else list(spec.selected_members),
        "hideEmptyRows": spec.hide_empty_rows, "showArchivedProjects": spec.show_archived_projects,
        "showArchivedMembers": spec.show_archived_members, "pinned": spec.pinned,
    }


def report_view(definition: domain.ReportDefinition) -> dict[str, Any]:
    """A saved definition as `Report` (a preset's start/end: the range the service says it covers now)."""
    return {**spec_fields(definition.spec), "id": definition.id, "userId": definition.owner_id}


def invalid_definition(error: ValidationError) -> ValidationFailed:
    details = [detail(".".join(str(part) for part in e["loc"]) or "body", e["msg"], "body", e["type"]) for e in error.errors()]
    return ValidationFailed("The report definition is invalid", details=details)


def revision(body: ReportUpdate) -> Callable[[domain.ReportSpec], domain.ReportSpec]:
    """PUT /reports/{id}: the stored spec -> the changed one. The fields sent replace the stored
    ones; a change to a preset drops start/end unless they are sent; the merged definition must
    be valid (422 with details otherwise)."""
    changes = body.model_dump(exclude_unset=True, exclude={"id", "userId"})

    def revise(stored: domain.ReportSpec) -> domain.ReportSpec:
        merged = {**spec_fields(stored), **changes}
        if merged.get("period") != "custom" and "period" in changes and not {"start", "end"} & set(changes):
            merged["start"] = merged["end"] = None
        try:
            definition = ReportDefinition.model_validate(
                {name: value for name, value in merged.items() if value is not None or name in ("selectedProjects", "selectedProjectMembers")})
        except ValidationError as error:
            raise invalid_definition(error) from None
        return spec_of(definition)

    return revise


# --- results (response documentation: the engine builds them as dicts) -----------------------------

DECIMAL_AMOUNT = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}
Amounts = Annotated[dict[str, str], WithJsonSchema({
    "type": "object", "propertyNames": {"pattern": "^[A-Z]{3}$"}, "additionalProperties": DECIMAL_AMOUNT,
    "description": 'Per ISO 4217 currency, never summed across currencies: {"EUR": "390.00"}'})]


class ReportTotals(BaseModel):
    """The metrics the report asked for (each present only when asked), and `running`."""

    model_config = ConfigDict(defer_build=True)

    time: Omittable[int] = Field(None, description="Milliseconds (organization rounding per activity)")
    billable: Omittable[int] = Field(None, description="Billable milliseconds")
    count: Omittable[int] = Field(None, description="Activities (breaks included)")
    breaks: Omittable[int] = Field(None, description="Milliseconds of BREAK activities (never in time, billable or money)")
    revenue: Omittable[Amounts] = None
    cost: Omittable[Amounts] = None
    profit: Omittable[Amounts] = None
    running: int = Field(description="Running timers counted (up to now)")


class ReportGroup(BaseModel):
    """One group of a summary: a value of its dimension, its totals and, below the last dimension,
    its groups by the next one."""

    model_config = ConfigDict(defer_build=True)

    dimension: Dimension
    key: Union[str, bool, None] = Field(description="The id (project, user, member), the period (yyyy-mm-dd, yyyy-Www, yyyy-mm) or "
                                                    "true/false; null: the activities without a project (label \"(no project)\")")
    label: str
    projectId: Omittable[str] = Field(None, description="member groups only")
    userId: Omittable[str] = Field(None, description="member groups only")
    totals: ReportTotals
    groups: Omittable[list["ReportGroup"]] = Field(None, description="Groups by the next dimension (absent on the last one)")
    continued: Omittable[bool] = Field(None, description="true: this group already began on an earlier page; it comes again (totals whole) "
                                                         "to hold its groups on this page")


class ReportRounding(BaseModel):
    model_config = ConfigDict(defer_build=True)

    interval: int = Field(description="Milliseconds")
    mode: Literal["NEAREST", "UP", "DOWN"]


class _ReportResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    period: Period
    start: InstantOut
    end: InstantOut
    timeZone: str
    weekStart: Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
    dimensions: list[Dimension]
    metrics: list[Metric]
    generatedAt: InstantOut
    rounding: Optional[ReportRounding] = Field(description="The organization's rounding (null when off)")
    totals: ReportTotals = Field(description="Everything the report counts, whatever page this is")
    truncated: bool = Field(False, description="true when more groups or rows follow on the next page (nextCursor)")
    nextCursor: Optional[str] = Field(None, description="Pass as ?cursor= for the next page (also the X-Next-Cursor header); "
                                                        "null on the last page")


class SummaryReport(_ReportResult):
    """Groups in the dimensions' order, depth first, paged so that a response stays under Lambda's
    6 MB: a page holds as many groups as fit in about 4.5 MB; `truncated` and `nextCursor` (and the
    X-Next-Cursor / Link headers) say more follow. `totals` are always the whole report's."""

    view: Literal["summary"]
    groups: list[ReportGroup]


class MoneyAmount(BaseModel):
    model_config = ConfigDict(defer_build=True)

    currency: CurrencyCode
    amount: str = Field(json_schema_extra={"pattern": DECIMAL_AMOUNT["pattern"]})


class DetailedReportRow(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    name: str
    projectId: Optional[str] = Field(description="null: no project (project is \"(no project)\")")
    project: str
    userId: str
    user: str
    billable: bool
    type: Literal["REGULAR", "BREAK"] = Field(description="BREAK: counted in the totals' breaks, never in time or money")
    approved: bool
    startedAt: InstantOut
    endedAt: Optional[InstantOut]
    running: bool
    rawDuration: int = Field(description="Milliseconds as recorded")
    duration: int = Field(description="Milliseconds after rounding")
    revenue: Optional[MoneyAmount] = Field(description="With the revenue or profit metric and a rate in force (else null)")
    cost: Optional[MoneyAmount] = Field(description="With the cost or profit metric and a rate in force (else null)")


class DetailedReport(_ReportResult):
    """Activity rows in start order, paged by `limit` (and at most about 4.5 MB a page) and the
    `X-Next-Cursor` cursor; `totals` cover every page."""

    view: Literal["detailed"]
    rows: list[DetailedReportRow]


class WeeklyReportRow(BaseModel):
    model_config = ConfigDict(defer_build=True)

    userId: str
    label: str
    days: list[int] = Field(min_length=7, max_length=7, description="Milliseconds per weekday, from weekStart")
    totals: ReportTotals


class WeeklyReport(_ReportResult):
    """Member rows paged like the summary's groups (about 4.5 MB a page); `days` and `totals` cover every page."""

    view: Literal["weekly"]
    weekdays: list[str] = Field(min_length=7, max_length=7)
    rows: list[WeeklyReportRow]
    days: list[int] = Field(min_length=7, max_length=7, description="Milliseconds per weekday, every member")


class ReportResult(RootModel):
    """A report's result in the view asked for (`view`: summary, detailed or weekly)."""

    model_config = ConfigDict(defer_build=True)

    root: Annotated[Union[SummaryReport, DetailedReport, WeeklyReport], Field(discriminator="view")]
