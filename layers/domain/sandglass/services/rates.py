"""Rate windows: validation, non-overlap, and "which rate applies at instant T".

A window covers ``from <= T < to`` (``to`` exclusive; ``to: null`` never ends). The windows of one
owner (a project member's revenue rates, a user's cost rates) never overlap: every write reads the
set with its version and commits with a condition on that version (repositories/rates.py).
The services decide on typed windows (entities/rates.py); the repository maps them to items.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Iterable

from msgspec.structs import replace
from pydantic import ValidationError

from sandglass import ids, timefmt
from sandglass.entities.rates import RateOwner, RateWindow, in_force
from sandglass.errors import Conflict, NotFound, ValidationFailed, detail, invalid_request
from sandglass.models.rates import RateCreate, RateUpdate
from sandglass.repositories import Page, UnitOfWork
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.rates import RateRepository, RateSet
from sandglass.services.rate_windows import RatesInForce

RATE_FIELDS = ("currency", "from", "to", "taxRate", "value")
# What must still hold when a window commits (its owner still exists...), staged by the owner's repository.
Guard = Callable[[UnitOfWork], None]
pick = in_force  # the window in force at an instant


# --- pure rules ---------------------------------------------------------------------------------

def overlaps(a: RateWindow, b: RateWindow) -> bool:
    return a.overlaps(b)


def check_window(rate: RateWindow) -> None:
    if rate.ends_at is not None and not rate.starts_at < rate.ends_at:
        raise ValidationFailed("A rate window's 'from' must be before its 'to'",
                               details=[detail("to", "must be after 'from' (or null for an open-ended window)")])


def check_no_overlap(rate: RateWindow, others: Iterable[RateWindow]) -> None:
    for other in others:
        if other.id != rate.id and rate.overlaps(other):
            until = timefmt.iso(other.ends_at) if other.ends_at else "open-ended"
            raise Conflict(f"The window overlaps rate {other.id} ({timefmt.iso(other.starts_at)} - {until}); rate windows of one owner must not overlap",
                           code="RATE_OVERLAP")


def _fields(window: RateWindow) -> dict[str, Any]:
    """The window's editable fields in the request's words (what a partial update merges onto)."""
    return {"currency": window.currency, "from": timefmt.iso(window.starts_at),
            "to": timefmt.iso(window.ends_at) if window.ends_at else None, "taxRate": window.tax_rate, "value": window.value}


def _with_fields(window: RateWindow, fields: dict[str, Any]) -> RateWindow:
    return replace(window, currency=str(fields["currency"]), value=Decimal(str(fields["value"])), tax_rate=Decimal(str(fields["taxRate"])),
                   starts_at=timefmt.parse(fields["from"]), ends_at=timefmt.parse(fields["to"]) if fields.get("to") else None)


# --- the windows of one owner ----------------------------------------------------------------

class RateService:
    def __init__(self, repository: RateRepository | None = None):
        self.repository = repository or RateRepository()

    # reads used by the HTTP services
    def page(self, rate_set: RateSet, limit: int, cursor: str | None) -> Page:
        """A page of windows (RateWindow items)."""
        return self.repository.page(rate_set, limit, cursor)

    def get(self, rate_set: RateSet, rate_id: str) -> RateWindow:
        window = self.repository.get(rate_set, rate_id) if ids.is_uuid(rate_id) else None
        if window is None:
            raise NotFound("Rate not found")
        return window

    # writes: one consistent Query (lock + windows) then one transaction
    def create(self, rate_set: RateSet, body: RateCreate, owner: RateOwner, guard: Guard) -> RateWindow:
        currency = body.currency or OrganizationRepository(self.repository.table).currency(rate_set.org_id)
        rate = RateWindow(id=ids.new_id(), currency=currency, value=body.value, tax_rate=body.taxRate,
                          starts_at=timefmt.parse(body.from_), ends_at=timefmt.parse(body.to) if body.to else None,
                          user_id=owner.user_id, project_id=owner.project_id, member_id=owner.member_id)
        check_window(rate)
        snapshot = self.repository.snapshot(rate_set)
        check_no_overlap(rate, snapshot.windows())
        self._commit(guard, self.repository.stage_save_window, rate_set, rate, snapshot.version)
        return rate

    def update(self, rate_set: RateSet, rate_id: str, body: RateUpdate, guard: Guard) -> RateWindow:
        if not ids.is_uuid(rate_id):
            raise NotFound("Rate not found")
        snapshot = self.repository.snapshot(rate_set)
        windows = snapshot.windows()
        stored = next((window for window in windows if window.id == rate_id), None)
        if stored is None:
            raise NotFound("Rate not found")
        patch = body.model_dump(by_alias=True, exclude_unset=True)
        merged = {**_fields(stored), **{name: patch[name] for name in RATE_FIELDS if name in patch}}
        nulls = [name for name in ("currency", "from", "taxRate", "value") if merged.get(name) is None]
        if nulls:
            raise ValidationFailed("currency, from, taxRate and value cannot be null",
                                   details=[detail(name, f"{name} cannot be null", type="null_not_allowed") for name in nulls])
        try:
            RateCreate.model_validate(merged)
        except ValidationError as error:
            raise invalid_request(error.errors(), "body") from None
        rate = _with_fields(stored, merged)
        check_window(rate)
        check_no_overlap(rate, windows)
        self._commit(guard, self.repository.stage_save_window, rate_set, rate, snapshot.version)
        return rate

    def delete(self, rate_set: RateSet, rate_id: str, guard: Guard) -> None:
        if not ids.is_uuid(rate_id):
            raise NotFound("Rate not found")
        snapshot = self.repository.snapshot(rate_set)
        if not any(window.id == rate_id for window in snapshot.windows()):
            raise NotFound("Rate not found")
        self._commit(guard, self.repository.stage_remove, rate_set, rate_id, snapshot.version)

    def _commit(self, guard: Guard, stage: Callable[..., None], *arguments) -> None:
        tx = UnitOfWork(self.repository.table)
        stage(tx, *arguments)
        guard(tx)
        tx.commit()

    # --- which rate applies ------------------------------------------------------------------
    def revenue_rates(self, org_id: str, project_id: str, user_id: str) -> list[RateWindow]:
        """Every revenue window of a user on a project, oldest first (one Query)."""
        return RatesInForce(self.repository).revenue_rates(org_id, project_id, user_id)

    def cost_rates(self, org_id: str, user_id: str) -> list[RateWindow]:
        return RatesInForce(self.repository).cost_rates(org_id, user_id)

    def revenue_rate_at(self, org_id: str, project_id: str, user_id: str, instant: datetime) -> RateWindow | None:
        return in_force(self.revenue_rates(org_id, project_id, user_id), instant)

    def cost_rate_at(self, org_id: str, user_id: str, instant: datetime) -> RateWindow | None:
        return in_force(self.cost_rates(org_id, user_id), instant)


_default: RateService | None = None


def _service() -> RateService:
    global _default
    if _default is None:
        _default = RateService()
    return _default


def revenue_rate_at(org_id: str, project_id: str, user_id: str, instant: datetime) -> RateWindow | None:
    """The revenue rate window of `user_id` on `project_id` in force at `instant`, or None."""
    return _service().revenue_rate_at(org_id, project_id, user_id, instant)


def cost_rate_at(org_id: str, user_id: str, instant: datetime) -> RateWindow | None:
    """The cost rate window of `user_id` in force at `instant`, or None."""
    return _service().cost_rate_at(org_id, user_id, instant)
