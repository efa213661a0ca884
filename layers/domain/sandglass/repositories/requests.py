"""Workflow requests (unlock, approval, role change, member assignment, project assignment,
impersonation) and the one-time support sign-in grants their resolution issues.

Item shapes (all under PK ``ORG#<orgId>``):
- request: SK ``REQUEST#<id>`` (keys.request) — id, type, status (PENDING|RESOLVED|REJECTED),
  createdAt, createdBy, resolvedAt, resolvedBy, the type's own fields (year/week, projectId,
  memberId/userId/role, userIds, projectIds), targetDigest; GSI1 = (the creator's
  user_partition, ``REQUEST#<createdAt>#<id>``), GSI2 = (keys.request_list_partition,
  the same sort): a member's and everybody's requests are one Query each, newest first.
- pending marker: SK ``REQPENDING#<type>#<targetDigest>`` — requestId. Put with the request under
  attribute_not_exists and deleted with its resolution, in the same transactions: at most one
  PENDING request per kind and target, whatever the concurrency.
- sign-in grant: SK ``SIGNIN#<sha256(token)>`` — userId, email, requestId, expiresAt (epoch seconds,
  the table's TTL attribute; expired grants are also refused in code since TTL deletion lags).
  Consumed by a conditional DeleteItem, so a token signs in once.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from sandglass import keys
from sandglass.errors import Conflict, NotFound
from sandglass.storage import table as db
from sandglass.storage.table import Op, Page, Table

PENDING = "PENDING"
INTERNAL = keys.KEY_ATTRIBUTES


class DuplicatePending(Exception):
    """A PENDING request of the same kind for the same target exists (its marker held)."""


def public(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in item.items() if name not in INTERNAL}


class RequestRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads -------------------------------------------------------------------------------
    def get(self, org_id: str, request_id: str) -> dict[str, Any] | None:
        item = self.table.get(keys.request(org_id, request_id))
        return None if item is None else public(item)

    def pending_id(self, org_id: str, kind: str, digest: str) -> str | None:
        item = self.table.get(keys.pending_request(org_id, kind, digest))
        return None if item is None else str(item["requestId"])

    def page(self, org_id: str, created_by: str | None, filters: Mapping[str, str], limit: int, cursor: str | None) -> Page:
        """Requests newest first: everybody's (created_by None) or one member's; `filters`
        (status, type) narrow the page (a page may be short and still carry a cursor)."""
        if created_by is None:
            index, partition = keys.GSI_PROJECT, keys.request_list_partition(org_id)
        else:
            index, partition = keys.GSI_USER, keys.user_partition(org_id, created_by)
        names, values, clauses = {}, {":pk": partition, ":prefix": keys.REQUEST_SORT_PREFIX}, []
        for position, (name, value) in enumerate(sorted(filters.items())):
            names[f"#f{position}"] = name
            values[f":f{position}"] = value
            clauses.append(f"#f{position} = :f{position}")
        page = self.table.query_page(org_id=org_id, scope=f"requests:{created_by or '*'}:{sorted(filters.items())}",
                                     key_condition=db.key_condition(index, "prefix"), values=values, names=names or None,
                                     index=index, limit=limit, cursor=cursor, forward=False,
                                     filter_expression=" AND ".join(clauses) or None)
        return Page(items=[public(item) for item in page.items], cursor=page.cursor)

    # --- writes ------------------------------------------------------------------------------
    def create(self, org_id: str, request: Mapping[str, Any], digest: str, conditions: Iterable[Op] = ()) -> None:
        """The request and its pending marker, atomically; DuplicatePending when the marker exists.
        `conditions` are the caller's ConditionChecks (the target still exists...)."""
        sort = keys.request_sort(request["createdAt"], request["id"])
        item = {**keys.request(org_id, request["id"]), **request, "targetDigest": digest,
                **keys.index_keys(keys.GSI_USER, keys.user_partition(org_id, request["createdBy"]), sort),
                **keys.index_keys(keys.GSI_PROJECT, keys.request_list_partition(org_id), sort)}
        self.table.transact([
            db.put({**keys.pending_request(org_id, request["type"], digest), "requestId": request["id"]},
                   "attribute_not_exists(PK)", fail=DuplicatePending()),
            db.put(item, "attribute_not_exists(PK)", fail=Conflict("A request with this id already exists")),
            *conditions,
        ])

    def resolve_ops(self, org_id: str, request: Mapping[str, Any], changes: Mapping[str, Any]) -> list[Op]:
        """Close a PENDING request (status, resolvedAt, resolvedBy...) and free its pending marker:
        the first writes of a resolution's transaction, which adds the effect's writes."""
        names, values, assignments = {"#status": "status"}, {":pending": PENDING}, []
        for position, (name, value) in enumerate(changes.items()):
            names[f"#c{position}"] = name
            values[f":c{position}"] = value
            assignments.append(f"#c{position} = :c{position}")
        return [
            db.update(keys.request(org_id, request["id"]), "SET " + ", ".join(assignments), names, values,
                      "attribute_exists(PK) AND #status = :pending",
                      fail=Conflict("The request was resolved by someone else meanwhile", code="REQUEST_ALREADY_RESOLVED")),
            db.delete(keys.pending_request(org_id, request["type"], request["targetDigest"])),
        ]

    def transact(self, ops: list[Op]) -> None:
        self.table.transact(ops)

    # --- sign-in grants ------------------------------------------------------------------------
    def grant_op(self, org_id: str, token_digest: str, grant: Mapping[str, Any]) -> Op:
        return db.put({**keys.sign_in_grant(org_id, token_digest), **grant}, "attribute_not_exists(PK)",
                      fail=Conflict("Sign-in token collision; retry"))

    def consume_grant(self, org_id: str, token_digest: str) -> dict[str, Any] | None:
        """Delete the grant and hand back what it held, or None when there is none (unknown or
        already used): one conditional DeleteItem, so two concurrent uses cannot both succeed."""
        try:
            old = self.table.delete(keys.sign_in_grant(org_id, token_digest), "attribute_exists(PK)", fail=NotFound("No such grant"),
                                    returning_old=True)
        except NotFound:
            return None
        return public(old)
