"""Re-rating: price activities again by the rate windows as they are now, explicitly.

Activities keep the revenue and cost rates in force at their start when written
(``rateSnapshot``, services/activities), so editing a rate window never reprices history. To apply
changed windows to past entries an organization Administrator re-rates a range:

- preview (``POST /activities/rerate/preview``): every stopped activity of the range whose kept
  rates differ from the windows in force at its start (or that keeps none yet), with its old and
  new revenue and cost (duration with the organization's rounding; revenue only when billable),
  whether its day is locked or approved, and the totals per currency. Nothing is written.
- apply (``POST /activities/rerate/apply``): the same selection, written: each activity's snapshot
  replaced (conditioned on its version), then one change record (``RERATE#…``: who, when, the
  scope, forced or not, entry ids, old and new totals). Entries on locked or approved days (or
  locked activities) refuse the whole apply with 409 ``PERIOD_LOCKED`` naming them, unless
  ``force: true``. At most MAX_ENTRIES entries per apply (422: narrow the range).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

from msgspec import Struct

from sandglass import amounts, ids, timefmt
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.errors import Conflict, ValidationFailed, detail
from sandglass.models.rerates import RerateRequest
from sandglass.entities.activities import BREAK, Activity, RateRef, RateSnapshot
from sandglass.entities.organizations import Organization, OrganizationSettings
from sandglass.entities.rates import RateWindow, in_force
from sandglass.entities.rates import snapshot as rate_snapshot
from sandglass.entities.rerates import Amount, AmountChange, CurrencyChange, EntryRerate, Rerate, RerateOutcome, RerateTotals
from sandglass.repositories.activities import ActivityRepository, ActivityRow, TimeWindow
from sandglass.repositories.locks import LockRepository
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.rates import RateRepository
from sandglass.repositories.rerates import RerateRepository
from sandglass.schedule import local_date
from sandglass.services.lock_rules import lock_zone
from sandglass.services.locks import LockService

MAX_DAYS = 366
MAX_ENTRIES = 1000
HOUR_MS = Decimal(3_600_000)
CENT = Decimal("0.01")


def _amount(rate: RateRef | None, duration_ms: int) -> Amount | None:
    if rate is None:
        return None
    return Amount(currency=rate.currency, value=rate.value, amount=(rate.value * duration_ms / HOUR_MS).quantize(CENT, rounding=ROUND_HALF_UP))


def _same(old: RateRef | None, new: RateRef | None) -> bool:
    if old is None or new is None:
        return old is new
    return old.currency == new.currency and old.value == new.value


def _add(totals: dict[str, Decimal], amount: Amount | None) -> None:
    if amount is not None:
        totals[amount.currency] = totals.get(amount.currency, Decimal(0)) + amount.amount


def _cents(totals: dict[str, Decimal]) -> dict[str, Decimal]:
    """Totals per currency as shown: by currency, rounded half up to cents."""
    return {currency: amount.quantize(CENT, rounding=ROUND_HALF_UP) for currency, amount in sorted(totals.items())}


class RerateService:
    def __init__(self, activities: ActivityRepository | None = None, clock: Clock | None = None):
        self.activities = activities or ActivityRepository()
        self.organizations = OrganizationRepository(self.activities.table)
        self.rates = RateRepository(self.activities.table)
        self.rerates = RerateRepository(self.activities.table)
        self._clock = clock

    @property
    def clock(self) -> Clock:
        return self._clock or get_clock()

    def preview(self, tenant: TenantContext, request: RerateRequest) -> RerateOutcome:
        tenant.require_admin()
        return self._plan(tenant, request)

    def apply(self, tenant: TenantContext, request: RerateRequest) -> Rerate:
        tenant.require_admin()
        outcome = self._plan(tenant, request)
        check_apply(outcome, force=request.force)
        now = self.clock.now()
        at = timefmt.iso(now)
        rerate = Rerate(id=ids.new_id(), applied_at=now, applied_by=tenant.user_id, forced=bool(request.force and outcome.locked_entries),
                        user_ids=_scope(request.userIds), project_ids=_scope(request.projectIds), outcome=outcome)
        for entry in outcome.entries:
            self.activities.set_rate_snapshot(tenant.org_id, entry.activity_id, entry.version, entry.snapshot, at=at, by=tenant.user_id,
                                              rerate_id=rerate.id)
        self.rerates.record(tenant.org_id, rerate)
        return rerate

    # --- the selection: parse -> read -> decide (plan, pure) -------------------------------------
    def _plan(self, tenant: TenantContext, request: RerateRequest) -> RerateOutcome:
        selection = parse_selection(request)
        org_id = tenant.org_id
        organization = self.organizations.require(org_id)
        rows = [row for rows in self.activities.in_range(org_id, TimeWindow(timefmt.iso(selection.lower), timefmt.iso(selection.upper)), lean=True)
                for row in rows if selection.takes(row)]
        # the full activities (version, locked flag): the lean rows leave them out
        stored = {activity.id: activity for activity in self.activities.get_many(org_id, [row["id"] for row in rows])}
        return plan(selection, organization.settings, rows, stored, self._windows(org_id, rows), self._marks(organization, rows))

    def _windows(self, org_id: str, rows: list[ActivityRow]) -> Windows:
        """Every rate window the rows may need: one Query per project (revenue), one per member (cost)."""
        revenue: dict[tuple[str, str], list[RateWindow]] = {}
        for project_id in sorted({row["projectId"] for row in rows if row.get("projectId")}):
            for window in self.rates.revenue_windows_of_project(org_id, project_id):
                revenue.setdefault((project_id, window.user_id), []).append(window)
        return Windows(revenue, {user_id: self.rates.cost_windows_of_user(org_id, user_id) for user_id in sorted({row["userId"] for row in rows})})

    def _marks(self, organization: Organization, rows: list[ActivityRow]) -> dict[str, DayMarks]:
        if not rows:
            return {}
        zone = lock_zone(organization.settings)
        days = [local_date(timefmt.parse(row["startedAt"]), zone) for row in rows]
        service = LockService(LockRepository(self.activities.table), clock=self._clock)
        return service.day_marks(organization, sorted({row["userId"] for row in rows}), min(days), max(days))


# --- the pure part of a re-rate ------------------------------------------------------------------------

class Selection(Struct, frozen=True):
    """What a re-rate request selects: stopped entries starting in [lower, upper), of some members and projects."""

    lower: datetime
    upper: datetime
    users: frozenset[str]
    projects: frozenset[str]

    def takes(self, row: ActivityRow) -> bool:
        """Stopped entries (breaks are never priced) of the selected members and projects."""
        return (bool(row.get("endedAt")) and row.get("type") != BREAK and (not self.users or row["userId"] in self.users)
                and (not self.projects or row.get("projectId") in self.projects))


class Windows(Struct, frozen=True):
    revenue: dict[tuple[str, str], list[RateWindow]]  # by (project, member)
    cost: dict[str, list[RateWindow]]  # by member


# A member's (locked days, approved days) (LockService.day_marks).
DayMarks = tuple[set[date], set[date]]


def _scope(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def parse_selection(request: RerateRequest) -> Selection:
    lower, upper = timefmt.parse(request.from_), timefmt.parse(request.to)
    if not lower < upper:
        raise ValidationFailed("'to' must be after 'from'", details=[detail("to", "must be after 'from'")])
    if upper - lower > timedelta(days=MAX_DAYS):
        raise ValidationFailed(f"A re-rate covers at most {MAX_DAYS} days", details=[detail("to", f"at most {MAX_DAYS} days after 'from'")])
    for name, values in (("userIds", request.userIds), ("projectIds", request.projectIds)):
        for value in values or ():
            if ids.canonical_id(value) is None:
                raise ValidationFailed.field(name, "Expected UUIDs")
    return Selection(lower, upper, frozenset(request.userIds or ()), frozenset(request.projectIds or ()))


def check_apply(outcome: RerateOutcome, *, force: bool) -> None:
    """Entries in locked or approved periods need force (409 PERIOD_LOCKED naming them); at most MAX_ENTRIES (422)."""
    frozen = [entry for entry in outcome.entries if entry.frozen]
    if frozen and not force:
        raise Conflict(f"{len(frozen)} of the entries lie in locked or approved periods; an Administrator may apply with force: true",
                       code="PERIOD_LOCKED",
                       details=[{"field": "activityId", "in": "body", "message": "In a locked or approved period", "type": "locked",
                                 "activityId": entry.activity_id} for entry in frozen[:100]])
    if len(outcome.entries) > MAX_ENTRIES:
        raise ValidationFailed(f"At most {MAX_ENTRIES} entries per re-rate; narrow the range or the members",
                               details=[detail("to", f"{len(outcome.entries)} entries would change")])


def plan(selection: Selection, settings: OrganizationSettings, rows: list[ActivityRow], stored: Mapping[str, Activity],
         windows: Windows, marks: Mapping[str, DayMarks]) -> RerateOutcome:
    """Every selected entry whose kept rates differ from the windows in force at its start, with its
    old and new amounts, and the totals per currency."""
    rounding = settings.rounding
    interval = rounding.interval // timedelta(milliseconds=1) if rounding.enabled else 0
    mode, zone = rounding.mode, lock_zone(settings)
    entries = []
    totals: dict[str, tuple[dict[str, Decimal], dict[str, Decimal]]] = {"revenue": ({}, {}), "cost": ({}, {})}
    for row in sorted(rows, key=lambda row: (row["startedAt"], row["id"])):
        full = stored.get(row["id"])
        instant = timefmt.parse(row["startedAt"])
        new = rate_snapshot(in_force(windows.revenue.get((row.get("projectId"), row["userId"]), []), instant),
                            in_force(windows.cost.get(row["userId"], []), instant))
        old = full.rate_snapshot if full is not None else None
        if full is None or (old is not None and _same(old.revenue, new.revenue) and _same(old.cost, new.cost)):
            continue
        entry = entry_rerate(row, full, old, new, duration(row, interval, mode), marks.get(row["userId"], (set(), set())), local_date(instant, zone))
        for kind, change in (("revenue", entry.revenue), ("cost", entry.cost)):
            _add(totals[kind][0], change.old)
            _add(totals[kind][1], change.new)
        entries.append(entry)
    (revenue_old, revenue_new), (cost_old, cost_new) = totals["revenue"], totals["cost"]
    return RerateOutcome(starts_at=selection.lower, ends_at=selection.upper, entries=tuple(entries),
                         totals=RerateTotals(revenue=CurrencyChange(old=_cents(revenue_old), new=_cents(revenue_new)),
                                             cost=CurrencyChange(old=_cents(cost_old), new=_cents(cost_new))))


def duration(row: ActivityRow, interval: int, mode: str) -> int:
    """The entry's duration in ms, with the organization's rounding (interval 0: none)."""
    raw = amounts.to_ms(row["endedAt"]) - amounts.to_ms(row["startedAt"])
    return amounts.round_duration(raw, interval, mode) if interval else raw


def entry_rerate(row: ActivityRow, full: Activity, old: RateSnapshot | None, new: RateSnapshot, duration_ms: int,
                 marks: DayMarks, day: date) -> EntryRerate:
    """One entry of the preview: its old and new revenue (billable only) and cost."""
    billable_ms = duration_ms if row.get("billable") is True else 0
    was = old if old is not None else new  # without a snapshot the entry was priced by the windows as they are: its amounts stay
    locked_days, approved_days = marks
    return EntryRerate(
        activity_id=row["id"], user_id=row["userId"], project_id=row.get("projectId"), started_at=timefmt.parse(row["startedAt"]),
        ended_at=timefmt.parse(row["endedAt"]), billable=row.get("billable") is True, duration_ms=duration_ms,
        locked=day in locked_days or full.locked, approved=day in approved_days,
        revenue=AmountChange(old=_amount(was.revenue, billable_ms), new=_amount(new.revenue, billable_ms)),
        cost=AmountChange(old=_amount(was.cost, duration_ms), new=_amount(new.cost, duration_ms)),
        version=full.version, snapshot=new,
    )
