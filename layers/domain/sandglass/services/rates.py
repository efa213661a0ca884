"""Rate windows: validation, non-overlap, and "which rate applies at instant T".

A window covers ``from <= T < to`` (``to`` exclusive; ``to: null`` never ends). The windows of one
owner (a project member's revenue rates, a user's cost rates) never overlap: every write reads the
set with its version and commits with a condition on that version (repositories/rates.py).
Reports use `revenue_rate_at` / `cost_rate_at` (or `revenue_rates` / `cost_rates` + `pick` to
price many activities with one read).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from sandglass import ids, timefmt
from sandglass.errors import Conflict, NotFound, ValidationFailed, detail, invalid_request
from sandglass.models.rates import RateCreate, RateUpdate
from sandglass.repositories import Page, UnitOfWork
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.rates import RateRepository, RateSet, cost_set, revenue_set
from sandglass.services.rate_windows import applies, bounds, oldest_first, pick, snapshot_entry, snapshot_of  # noqa: F401 (pick, snapshot_*: re-exported)

RATE_FIELDS = ("currency", "from", "to", "taxRate", "value")
# What must still hold when a window commits (its owner still exists...), staged by the owner's repository.
Guard = Callable[[UnitOfWork], None]


# --- pure rules (the window in force at an instant: rate_windows.py) ----------------------------

def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    a_start, a_end = bounds(a)
    b_start, b_end = bounds(b)
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def check_window(rate: dict[str, Any]) -> None:
    start, end = bounds(rate)
    if end is not None and not start < end:
        raise ValidationFailed("A rate window's 'from' must be before its 'to'",
                               details=[detail("to", "must be after 'from' (or null for an open-ended window)")])


def check_no_overlap(rate: dict[str, Any], others: Iterable[dict[str, Any]]) -> None:
    for other in others:
        if other["id"] != rate["id"] and overlaps(rate, other):
            until = other.get("to") or "open-ended"
            raise Conflict(f"The window overlaps rate {other['id']} ({other['from']} - {until}); rate windows of one owner must not overlap",
                           code="RATE_OVERLAP")


def _stored_fields(model) -> dict[str, Any]:
    data = model.model_dump(by_alias=True, exclude_unset=True)
    return {name: data[name] for name in RATE_FIELDS if name in data}


# --- the windows of one owner ----------------------------------------------------------------

class RateService:
    def __init__(self, repository: RateRepository | None = None):
        self.repository = repository or RateRepository()

    # reads used by the HTTP services
    def page(self, rate_set: RateSet, limit: int, cursor: str | None) -> Page:
        return self.repository.page(rate_set, limit, cursor)

    def get(self, rate_set: RateSet, rate_id: str) -> dict[str, Any]:
        item = self.repository.get(rate_set, rate_id) if ids.is_uuid(rate_id) else None
        if item is None:
            raise NotFound("Rate not found")
        return item

    # writes: one consistent Query (lock + windows) then one transaction
    def create(self, rate_set: RateSet, body: RateCreate, owner: dict[str, str], guard: Guard) -> dict[str, Any]:
        rate = {"id": ids.new_id(), **owner, **_stored_fields(body)}
        if not rate.get("currency"):
            rate["currency"] = OrganizationRepository(self.repository.table).currency(rate_set.org_id)
        rate.setdefault("to", None)
        rate.setdefault("taxRate", Decimal(0))
        check_window(rate)
        snapshot = self.repository.snapshot(rate_set)
        check_no_overlap(rate, snapshot.rates)
        self._commit(guard, self.repository.stage_save, rate_set, rate, snapshot.version)
        return rate

    def update(self, rate_set: RateSet, rate_id: str, body: RateUpdate, guard: Guard) -> dict[str, Any]:
        if not ids.is_uuid(rate_id):
            raise NotFound("Rate not found")
        snapshot = self.repository.snapshot(rate_set)
        stored = next((rate for rate in snapshot.rates if rate["id"] == rate_id), None)
        if stored is None:
            raise NotFound("Rate not found")
        patch = body.model_dump(by_alias=True, exclude_unset=True)
        current = {name: stored.get(name) for name in RATE_FIELDS}
        merged = {**current, **{name: patch[name] for name in RATE_FIELDS if name in patch}}
        nulls = [name for name in ("currency", "from", "taxRate", "value") if merged.get(name) is None]
        if nulls:
            raise ValidationFailed("currency, from, taxRate and value cannot be null",
                                   details=[detail(name, f"{name} cannot be null", type="null_not_allowed") for name in nulls])
        try:
            RateCreate.model_validate(merged)
        except ValidationError as error:
            raise invalid_request(error.errors(), "body") from None
        rate = {**stored, **merged}
        check_window(rate)
        check_no_overlap(rate, snapshot.rates)
        self._commit(guard, self.repository.stage_save, rate_set, rate, snapshot.version)
        return rate

    def delete(self, rate_set: RateSet, rate_id: str, guard: Guard) -> None:
        if not ids.is_uuid(rate_id):
            raise NotFound("Rate not found")
        snapshot = self.repository.snapshot(rate_set)
        if not any(rate["id"] == rate_id for rate in snapshot.rates):
            raise NotFound("Rate not found")
        self._commit(guard, self.repository.stage_remove, rate_set, rate_id, snapshot.version)

    def _commit(self, guard: Guard, stage: Callable[..., None], *arguments) -> None:
        tx = UnitOfWork(self.repository.table)
        stage(tx, *arguments)
        guard(tx)
        tx.commit()

    # --- which rate applies (Reports) ------------------------------------------------------
    def revenue_rates(self, org_id: str, project_id: str, user_id: str) -> list[dict[str, Any]]:
        """Every revenue window of a user on a project, oldest first (one Query)."""
        member_id = ids.project_member_id(project_id, user_id)
        return oldest_first(self.repository.snapshot(revenue_set(org_id, project_id, member_id, user_id)).rates)

    def cost_rates(self, org_id: str, user_id: str) -> list[dict[str, Any]]:
        return oldest_first(self.repository.snapshot(cost_set(org_id, user_id)).rates)

    def revenue_rate_at(self, org_id: str, project_id: str, user_id: str, instant: datetime) -> dict[str, Any] | None:
        return pick(self.revenue_rates(org_id, project_id, user_id), instant)

    def cost_rate_at(self, org_id: str, user_id: str, instant: datetime) -> dict[str, Any] | None:
        return pick(self.cost_rates(org_id, user_id), instant)


_default: RateService | None = None


def _service() -> RateService:
    global _default
    if _default is None:
        _default = RateService()
    return _default


def revenue_rate_at(org_id: str, project_id: str, user_id: str, instant: datetime) -> dict[str, Any] | None:
    """The revenue rate window of `user_id` on `project_id` in force at `instant`, or None."""
    return _service().revenue_rate_at(org_id, project_id, user_id, instant)


def cost_rate_at(org_id: str, user_id: str, instant: datetime) -> dict[str, Any] | None:
    """The cost rate window of `user_id` in force at `instant`, or None."""
    return _service().cost_rate_at(org_id, user_id, instant)
