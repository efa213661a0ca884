"""Billing state kept in the table: the provider account, the seat counter, receipts, the plan.

Item shapes (all under PK ``ORG#<orgId>``):
- account:  keys.billing_account — provider, customerId (e.g. Paddle's ``ctm_...``).
- seats:    keys.seats — ``used`` (members holding a seat), ``seatLimit`` (paid quantity; absent on
            the free plan), ``plan`` (the plan last written to the organization), ``counted`` (``used`` was recounted from the member items, so it can be
            trusted), ``version``. Every invite increments ``used`` in its own transaction with the
            condition ``attribute_not_exists(seatLimit) OR used < seatLimit`` (``claim_seat``), every
            deletion decrements it (``release_seat``): two concurrent invites cannot both take the
            last seat.
- receipt:  keys.receipt — the outcome of one submitted receipt (by sha-256 of its bytes).
- the organization item's ``plan`` reflects the active subscription (``free`` without one).
"""

from __future__ import annotations

from typing import Any

from sandglass import keys
from sandglass.context import DELETED
from sandglass.errors import Conflict
from sandglass.storage import table as db
from sandglass.storage.table import Table

SEAT_LIMIT_REACHED = (
    "Every seat of the organization's paid plan is taken: raise the subscription's quantity "
    "(PUT /subscriptions/{subscriptionId}) or remove a user before inviting another"
)


class StaleSeatCount(Conflict):
    """An invite or a deletion changed the seat counter while it was being recounted."""


def claim_seat(org_id: str) -> db.Op:
    """Transaction op for an invite: one more seat used, refused (409) when the paid seats are all taken."""
    return db.update(
        keys.seats(org_id),
        "SET used = if_not_exists(used, :zero) + :one, version = if_not_exists(version, :zero) + :one",
        values={":zero": 0, ":one": 1},
        condition="attribute_not_exists(seatLimit) OR used < seatLimit",
        fail=Conflict(SEAT_LIMIT_REACHED, code="SEAT_LIMIT_REACHED"),
    )


def release_seat(org_id: str) -> db.Op:
    """Transaction op for a user's deletion: their seat is free again."""
    return db.update(
        keys.seats(org_id),
        "SET used = if_not_exists(used, :zero) - :one, version = if_not_exists(version, :zero) + :one",
        values={":zero": 0, ":one": 1},
    )


class BillingRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- provider account -------------------------------------------------------------------
    def customer_id(self, org_id: str) -> str | None:
        item = self.table.get(keys.billing_account(org_id))
        return (item or {}).get("customerId")

    def save_customer(self, org_id: str, provider: str, customer_id: str) -> None:
        self.table.update(keys.billing_account(org_id), "SET provider = :provider, customerId = :customer",
                          values={":provider": provider, ":customer": customer_id})

    # --- seats ------------------------------------------------------------------------------
    def seats(self, org_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.seats(org_id))

    def count_members(self, org_id: str) -> int:
        """Members holding a seat (every user item that is not a deletion tombstone)."""
        count = 0
        for items in self.table.query_all(key_condition="PK = :pk AND begins_with(SK, :prefix)",
                                          values={":pk": keys.org_pk(org_id), ":prefix": keys.USER_SK_PREFIX, ":deleted": DELETED},
                                          names={"#s": "status"}, filter_expression="#s <> :deleted"):
            count += len(items)
        return count

    def write_counted_seats(self, org_id: str, used: int, seat_limit: int | None, plan: str, seen_version: int | None) -> None:
        """Store a recount, unless an invite or a deletion moved the counter since `seen_version`."""
        names = {"#v": "version", "#plan": "plan"}
        values: dict[str, Any] = {":used": used, ":true": True, ":one": 1, ":zero": 0, ":plan": plan}
        expression = "SET used = :used, counted = :true, #plan = :plan, #v = if_not_exists(#v, :zero) + :one"
        if seat_limit is None:
            expression += " REMOVE seatLimit"
        else:
            expression += ", seatLimit = :limit"
            values[":limit"] = seat_limit
        if seen_version is None:
            condition = "attribute_not_exists(#v)"
        else:
            condition = "#v = :seen"
            values[":seen"] = seen_version
        self.table.update(keys.seats(org_id), expression, names, values, condition=condition,
                          fail=StaleSeatCount("The seat count changed meanwhile; retry"))

    def set_seat_limit(self, org_id: str, seat_limit: int | None, *, plan: str | None = None, require_room: bool = False) -> None:
        """Set (or, with None, remove) the paid seat limit, and remember the `plan` last applied.
        `require_room`: only if the seats in use fit."""
        names, values, assignments = {}, {}, []
        if plan is not None:
            names["#plan"], values[":plan"] = "plan", plan
            assignments.append("#plan = :plan")
        if seat_limit is None:
            expression = ("SET " + ", ".join(assignments) + " " if assignments else "") + "REMOVE seatLimit"
            self.table.update(keys.seats(org_id), expression, names or None, values or None)
            return
        values[":limit"] = seat_limit
        expression = "SET " + ", ".join(["seatLimit = :limit", *assignments])
        condition = "attribute_not_exists(used) OR used <= :limit" if require_room else None
        self.table.update(keys.seats(org_id), expression, names or None, values, condition=condition,
                          fail=Conflict(f"More users hold seats than {seat_limit}; remove users before lowering the quantity",
                                        code="SEATS_IN_USE"))

    # --- plan -------------------------------------------------------------------------------
    def record_plan(self, org_id: str, plan: str) -> bool:
        """Set the organization's `plan` (and bump its version, so its ETag changes) when it differs."""
        try:
            self.table.update(keys.organization(org_id), "SET #plan = :plan, #v = #v + :one",
                              {"#plan": "plan", "#v": "version"}, {":plan": plan, ":one": 1},
                              condition="attribute_exists(PK) AND (attribute_not_exists(#plan) OR #plan <> :plan)",
                              fail=Conflict("unchanged"))
        except Conflict:
            return False
        return True

    # --- receipts ---------------------------------------------------------------------------
    def save_receipt(self, org_id: str, digest: str, outcome: dict[str, Any]) -> None:
        self.table.put({**keys.receipt(org_id, digest), "id": digest, **outcome})

    def receipt(self, org_id: str, digest: str) -> dict[str, Any] | None:
        return self.table.get(keys.receipt(org_id, digest))


class LocalPaymentsRepository:
    """The local (development) payment provider's own records: checkouts, subscriptions, transactions."""

    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def put_checkout(self, org_id: str, checkout: dict[str, Any]) -> None:
        self.table.put({**keys.local_checkout(org_id, checkout["id"]), **checkout}, "attribute_not_exists(PK)")

    def checkout(self, org_id: str, checkout_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.local_checkout(org_id, checkout_id))

    def subscriptions(self, org_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for items in self.table.query_all(key_condition="PK = :pk AND begins_with(SK, :prefix)",
                                          values={":pk": keys.org_pk(org_id), ":prefix": keys.LOCAL_SUBSCRIPTION_PREFIX}):
            found.extend(items)
        return found

    def subscription(self, org_id: str, subscription_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.local_subscription(org_id, subscription_id))

    def transactions(self, org_id: str, limit: int) -> list[dict[str, Any]]:
        page = self.table.query_page(org_id=org_id, scope="local-transactions",
                                     key_condition="PK = :pk AND begins_with(SK, :prefix)",
                                     values={":pk": keys.org_pk(org_id), ":prefix": keys.LOCAL_TRANSACTION_PREFIX},
                                     forward=False, limit=limit, consistent=True)
        return page.items

    def complete_checkout(self, org_id: str, checkout_id: str, subscription: dict[str, Any], transaction: dict[str, Any],
                          replaced: list[str], completed_at: str) -> None:
        """The checkout is paid once: its status moves from open to completed in the same
        transaction that creates the subscription and its first payment (and cancels the ones it replaces)."""
        ops = [
            db.update(keys.local_checkout(org_id, checkout_id), "SET #s = :done, completedAt = :at, subscriptionId = :sub",
                      {"#s": "status"}, {":done": "completed", ":open": "open", ":at": completed_at, ":sub": subscription["id"]},
                      condition="#s = :open", fail=Conflict("This checkout was already completed", code="CHECKOUT_COMPLETED")),
            db.put({**keys.local_subscription(org_id, subscription["id"]), **subscription}, "attribute_not_exists(PK)"),
            db.put({**keys.local_transaction(org_id, transaction["paidAt"], transaction["id"]), **transaction}, "attribute_not_exists(PK)"),
        ]
        for old_id in replaced:
            ops.append(db.update(keys.local_subscription(org_id, old_id), "SET #s = :canceled, nextBillDate = :none",
                                 {"#s": "status"}, {":canceled": "canceled", ":none": None}))
        self.table.transact(ops)

    def update_quantity(self, org_id: str, subscription_id: str, quantity: int) -> dict[str, Any] | None:
        """None when the organization has no such subscription."""
        try:
            return self.table.update(keys.local_subscription(org_id, subscription_id), "SET quantity = :q",
                                     values={":q": quantity}, condition="attribute_exists(PK)", fail=Conflict("absent"))
        except Conflict:
            return None
