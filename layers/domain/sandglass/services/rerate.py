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

import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandglass import ids, timefmt
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.errors import Conflict, ValidationFailed, detail
from sandglass.models.rates import RerateRequest
from sandglass.repositories.activities import ActivityRepository
from sandglass.repositories.reports import ReportRepository
from sandglass.services import rates as rate_rules
from sandglass.services.reports import engine

MAX_DAYS = 366
MAX_ENTRIES = 1000
HOUR_MS = Decimal(3_600_000)
CENT = Decimal("0.01")


def _amount(rate: dict[str, Any] | None, duration_ms: int) -> dict[str, str] | None:
    if not rate:
        return None
    value = Decimal(str(rate["value"]))
    return {"currency": str(rate["currency"]), "value": str(value), "amount": str((value * duration_ms / HOUR_MS).quantize(CENT, rounding=ROUND_HALF_UP))}


def _same(old: dict[str, Any] | None, new: dict[str, Any] | None) -> bool:
    if old is None or new is None:
        return old is new
    return str(old["currency"]) == str(new["currency"]) and Decimal(str(old["value"])) == Decimal(str(new["value"]))


def _add(totals: dict[str, Decimal], amount: dict[str, str] | None) -> None:
    if amount:
        totals[amount["currency"]] = totals.get(amount["currency"], Decimal(0)) + Decimal(amount["amount"])


class RerateService:
    def __init__(self, activities: ActivityRepository | None = None, clock: Clock | None = None):
        self.activities = activities or ActivityRepository()
        self.reads = ReportRepository(self.activities.table)
        self._clock = clock

    @property
    def clock(self) -> Clock:
        return self._clock or get_clock()

    def preview(self, tenant: TenantContext, request: RerateRequest) -> dict[str, Any]:
        tenant.require_admin()
        plan = self._plan(tenant, request)
        return plan["view"]

    def apply(self, tenant: TenantContext, request: RerateRequest) -> dict[str, Any]:
        tenant.require_admin()
        plan = self._plan(tenant, request)
        view = plan["view"]
        frozen = [row for row in view["entries"] if row["locked"] or row["approved"]]
        if frozen and not request.force:
            raise Conflict(f"{len(frozen)} of the entries lie in locked or approved periods; an Administrator may apply with force: true",
                           code="PERIOD_LOCKED",
                           details=[{"field": "activityId", "in": "body", "message": "In a locked or approved period", "type": "locked",
                                     "activityId": row["activityId"]} for row in frozen[:100]])
        if len(view["entries"]) > MAX_ENTRIES:
            raise ValidationFailed(f"At most {MAX_ENTRIES} entries per re-rate; narrow the range or the members",
                                   details=[detail("to", f"{len(view['entries'])} entries would change")])
        now = timefmt.iso(self.clock.now())
        rerate_id = ids.new_id()
        for row, snapshot in zip(view["entries"], plan["snapshots"]):
            self.activities.set_rate_snapshot(tenant.org_id, row["activityId"], row["version"], snapshot, at=now, by=tenant.user_id, rerate_id=rerate_id)
        record = {"id": rerate_id, "appliedAt": now, "appliedBy": tenant.user_id, "forced": bool(request.force and frozen),
                  "from": view["from"], "to": view["to"], "userIds": request.userIds, "projectIds": request.projectIds,
                  "activityIds": [row["activityId"] for row in view["entries"]], "totals": view["totals"]}
        self.activities.record_rerate(tenant.org_id, record)
        return {**view, "id": rerate_id, "appliedAt": now, "forced": record["forced"]}

    # --- the selection ----------------------------------------------------------------------------
    def _plan(self, tenant: TenantContext, request: RerateRequest) -> dict[str, Any]:
        lower, upper = timefmt.parse(request.from_), timefmt.parse(request.to)
        if not lower < upper:
            raise ValidationFailed("'to' must be after 'from'", details=[detail("to", "must be after 'from'")])
        if upper - lower > timedelta(days=MAX_DAYS):
            raise ValidationFailed(f"A re-rate covers at most {MAX_DAYS} days", details=[detail("to", f"at most {MAX_DAYS} days after 'from'")])
        for name, values in (("userIds", request.userIds), ("projectIds", request.projectIds)):
            for value in values or ():
                if ids.canonical_id(value) is None:
                    raise ValidationFailed.field(name, "Expected UUIDs")
        org_id = tenant.org_id
        organization = self.reads.organization(org_id)
        users, projects = set(request.userIds or ()), set(request.projectIds or ())
        items = [item for items in self.reads.org_activities(org_id, timefmt.iso(lower), timefmt.iso(upper)) for item in items
                 if item.get("endedAt") and (not users or item["userId"] in users) and (not projects or item["projectId"] in projects)]
        # the full items (version, locked flag): the report projection leaves them out
        stored = {item["id"]: item for item in self.activities.get_many(org_id, [item["id"] for item in items])}
        revenue: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for project_id in sorted({item["projectId"] for item in items}):
            for window in self.reads.revenue_windows_of_project(org_id, project_id):
                revenue.setdefault((project_id, window["userId"]), []).append(window)
        cost = {user_id: self.reads.cost_windows_of_user(org_id, user_id) for user_id in sorted({item["userId"] for item in items})}
        marks = self._marks(organization, items)
        rounding = organization.get("rounding") or {}
        interval = int(rounding.get("interval") or 0) if rounding.get("enabled") else 0
        mode = str(rounding.get("mode") or "NEAREST")
        from sandglass.schedule import local_date
        from sandglass.services.locks import lock_zone

        zone = lock_zone(organization)
        rows, snapshots = [], []
        totals = {"revenue": ({}, {}), "cost": ({}, {})}
        for item in sorted(items, key=lambda item: (item["startedAt"], item["id"])):
            full = stored.get(item["id"])
            if full is None:
                continue
            instant = timefmt.parse(item["startedAt"])
            new = rate_rules.snapshot_of(rate_rules.pick(revenue.get((item["projectId"], item["userId"]), []), instant),
                                         rate_rules.pick(cost.get(item["userId"], []), instant))
            old = full.get("rateSnapshot")
            if old is not None and _same(old.get("revenue"), new.get("revenue")) and _same(old.get("cost"), new.get("cost")):
                continue
            raw = engine.to_ms(item["endedAt"]) - engine.to_ms(item["startedAt"])
            duration = engine.round_duration(raw, interval, mode) if interval else raw
            billable_ms = duration if item.get("billable") is True else 0
            # without a snapshot the entry was priced by the windows as they are: its amounts stay
            was = old if old is not None else new
            day = local_date(instant, zone)
            locked_days, approved_days = marks.get(item["userId"], (set(), set()))
            row = {
                "activityId": item["id"], "userId": item["userId"], "projectId": item["projectId"], "startedAt": item["startedAt"],
                "endedAt": item["endedAt"], "billable": item.get("billable") is True, "duration": duration,
                "locked": day in locked_days or bool(full.get("locked")), "approved": day in approved_days,
                "revenue": {"old": _amount(was.get("revenue"), billable_ms), "new": _amount(new.get("revenue"), billable_ms)},
                "cost": {"old": _amount(was.get("cost"), duration), "new": _amount(new.get("cost"), duration)},
                "version": int(full.get("version", 1)),
            }
            for kind in ("revenue", "cost"):
                _add(totals[kind][0], row[kind]["old"])
                _add(totals[kind][1], row[kind]["new"])
            rows.append(row)
            snapshots.append(new)
        view = {
            "from": timefmt.iso(lower), "to": timefmt.iso(upper), "entries": rows,
            "totals": {kind: {"old": engine.money(old), "new": engine.money(new)} for kind, (old, new) in totals.items()},
            "lockedEntries": sum(1 for row in rows if row["locked"] or row["approved"]),
        }
        return {"view": view, "snapshots": snapshots}

    def _marks(self, organization: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, tuple[set[date], set[date]]]:
        if not items:
            return {}
        from sandglass.repositories.locks import LockRepository
        from sandglass.schedule import local_date
        from sandglass.services.locks import LockService, lock_zone

        zone = lock_zone(organization)
        days = [local_date(timefmt.parse(item["startedAt"]), zone) for item in items]
        service = LockService(LockRepository(self.activities.table), clock=self._clock)
        return service.day_marks(organization, sorted({item["userId"] for item in items}), min(days), max(days))
