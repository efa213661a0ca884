"""Reports: what a report counts and how it groups (a spec), a saved definition, and the
settings and reference data a result is computed with."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct, field


# the values a spec's fields take (the Sandtime dialect validates its input against the same lists)
DIMENSIONS = ("project", "user", "member", "day", "week", "month", "billable", "approved")
METRICS = ("time", "billable", "revenue", "cost", "profit", "count")
PERIODS = ("custom", "today", "yesterday", "thisWeek", "lastWeek", "thisMonth", "lastMonth", "thisYear", "lastYear")
BOOLEAN_FILTERS = ("billable", "pending", "approved")  # operator is / isNot, value a bool
ID_FILTERS = ("project", "user")  # operator in / notIn, value ids


class ReportFilter(Struct, frozen=True, kw_only=True):
    """One condition every counted activity meets: ``field`` billable/pending/approved (value a
    bool), name (a string; operator is, isNot or contains) or project/user (ids; in or notIn)."""

    field: str
    operator: str = "is"
    value: bool | str | tuple[str, ...]

    @property
    def keeps_matches(self) -> bool:
        """True: an activity must match; False: it must not (isNot, notIn)."""
        return self.operator in ("is", "contains", "in")


class ReportSpec(Struct, frozen=True, kw_only=True):
    """What a report counts and how it groups: the fields of a saved definition, or a one-off query.

    ``start``/``end`` (both inclusive) are set for a ``custom`` period only; a preset's range is
    computed when the report runs. ``selected_*`` None: no narrowing (nor is an empty tuple)."""

    name: str | None = None
    period: str = "custom"
    start: datetime | None = None
    end: datetime | None = None
    dimensions: tuple[str, ...] = ("project",)
    metrics: tuple[str, ...] = ("time",)
    filters: tuple[ReportFilter, ...] = ()
    selected_projects: tuple[str, ...] | None = None
    selected_members: tuple[str, ...] | None = None  # user ids
    hide_empty_rows: bool = False
    show_archived_projects: bool = False
    show_archived_members: bool = False
    pinned: bool = False

    @property
    def is_custom(self) -> bool:
        return self.period == "custom"

    @property
    def needs_approvals(self) -> bool:
        """Whether any activity's approval is asked for (grouped or filtered by)."""
        return "approved" in self.dimensions or any(condition.field == "approved" for condition in self.filters)


class ReportDefinition(Struct, frozen=True, kw_only=True):
    """A saved report: its spec, owned by the member who saved it (nobody else reads it)."""

    id: str
    owner_id: str
    spec: ReportSpec
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ReportSettings(Struct, frozen=True, kw_only=True):
    """The organization's settings a result depends on."""

    time_zone: str = "UTC"
    week_start: int = 0  # 0 = Monday (ISO) ... 6 = Sunday
    rounding_interval: int = 0  # milliseconds; 0: rounding off
    rounding_mode: str = "NEAREST"  # NEAREST (half up), UP, DOWN
    lock_zone: str = "UTC"  # the zone whose ISO weeks approvals are given for


class Directory(Struct, frozen=True, kw_only=True):
    """The projects and members a result names: labels, and which are archived."""

    project_names: dict[str, str] = field(default_factory=dict)
    member_names: dict[str, str] = field(default_factory=dict)
    archived_projects: frozenset[str] = frozenset()
    archived_members: frozenset[str] = frozenset()
