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

from typing import Any, Mapping

from msgspec import Struct

from sandglass import keys
from sandglass.entities.workflows import PENDING, SignInGrant, WorkflowRequest
from sandglass.errors import Conflict, NotFound
from sandglass.storage import table as db
from sandglass.storage.table import Table
from sandglass.storage.transaction import UnitOfWork
from sandglass.timefmt import iso, parse

INTERNAL = keys.KEY_ATTRIBUTES
# entity field -> item attribute, for the kinds' own fields (written when set)
_KIND_ATTRIBUTES = (("year", "year"), ("week", "week"), ("unlocked_to", "unlockedTo"), ("project_id", "projectId"),
                    ("member_id", "memberId"), ("user_id", "userId"), ("role", "role"), ("user_ids", "userIds"),
                    ("project_ids", "projectIds"), ("reason", "reason"))
_INSTANTS = frozenset({"unlocked_to"})
_LISTS = frozenset({"user_ids", "project_ids"})
_NUMBERS = frozenset({"year", "week"})


class DuplicatePending(Exception):
    """A PENDING request of the same kind for the same target exists (its marker held)."""


class RequestPage(Struct, frozen=True):
    requests: list[WorkflowRequest]
    cursor: str | None


def from_item(item: Mapping[str, Any]) -> WorkflowRequest:
    own: dict[str, Any] = {}
    for field, attribute in _KIND_ATTRIBUTES:
        value = item.get(attribute)
        if value is None:
            continue
        if field in _INSTANTS:
            value = parse(value)
        elif field in _LISTS:
            value = tuple(value)
        elif field in _NUMBERS:
            value = int(value)
        own[field] = value
    return WorkflowRequest(id=item["id"], kind=item["type"], status=item["status"], created_at=parse(item["createdAt"]),
                           created_by=item["createdBy"], resolved_at=parse(item["resolvedAt"]) if item.get("resolvedAt") else None,
                           resolved_by=item.get("resolvedBy"), target_digest=item.get("targetDigest", ""), **own)


def _kind_attributes(request: WorkflowRequest) -> dict[str, Any]:
    attributes = {}
    for field, attribute in _KIND_ATTRIBUTES:
        value = getattr(request, field)
        if value is None or (field in _LISTS and not value):
            continue
        attributes[attribute] = iso(value) if field in _INSTANTS else list(value) if field in _LISTS else value
    return attributes


def to_item(org_id: str, request: WorkflowRequest) -> dict[str, Any]:
    sort = keys.request_sort(iso(request.created_at), request.id)
    return {**keys.request(org_id, request.id), "id": request.id, "type": request.kind, "status": request.status,
            "createdAt": iso(request.created_at), "createdBy": request.created_by,
            "resolvedAt": iso(request.resolved_at) if request.resolved_at else None, "resolvedBy": request.resolved_by,
            **_kind_attributes(request), "targetDigest": request.target_digest,
            **keys.index_keys(keys.GSI_USER, keys.user_partition(org_id, request.created_by), sort),
            **keys.index_keys(keys.GSI_PROJECT, keys.request_list_partition(org_id), sort)}


def _grant_from_item(item: Mapping[str, Any]) -> SignInGrant:
    return SignInGrant(user_id=item["userId"], email=item["email"], request_id=item["requestId"], created_at=parse(item["createdAt"]),
                       valid_until=parse(item["validUntil"]))


class RequestRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    # --- reads -------------------------------------------------------------------------------
    def get(self, org_id: str, request_id: str) -> WorkflowRequest | None:
        item = self.table.get(keys.request(org_id, request_id))
        return None if item is None else from_item(item)

    def pending_id(self, org_id: str, kind: str, digest: str) -> str | None:
        item = self.table.get(keys.pending_request(org_id, kind, digest))
        return None if item is None else str(item["requestId"])

    def page(self, org_id: str, created_by: str | None, filters: Mapping[str, str], limit: int, cursor: str | None) -> RequestPage:
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
        return RequestPage([from_item(item) for item in page.items], page.cursor)

    # --- writes ------------------------------------------------------------------------------
    def stage_create(self, tx: UnitOfWork, org_id: str, request: WorkflowRequest) -> None:
        """The request and its pending marker; the commit raises DuplicatePending when the marker exists."""
        tx.put({**keys.pending_request(org_id, request.kind, request.target_digest), "requestId": request.id},
               "attribute_not_exists(PK)", fail=DuplicatePending())
        tx.put(to_item(org_id, request), "attribute_not_exists(PK)", fail=Conflict("A request with this id already exists"))

    def stage_resolve(self, tx: UnitOfWork, org_id: str, resolved: WorkflowRequest) -> None:
        """Close a PENDING request (status, resolvedAt, resolvedBy and the fields its answer set)
        and free its pending marker; fails REQUEST_ALREADY_RESOLVED when someone answered first."""
        changes = {"status": resolved.status, "resolvedAt": iso(resolved.resolved_at) if resolved.resolved_at else None,
                   "resolvedBy": resolved.resolved_by,
                   **{name: value for name, value in _kind_attributes(resolved).items() if name in ("unlockedTo", "projectIds")}}
        names, values, assignments = {"#status": "status"}, {":pending": PENDING}, []
        for position, (name, value) in enumerate(changes.items()):
            names[f"#c{position}"] = name
            values[f":c{position}"] = value
            assignments.append(f"#c{position} = :c{position}")
        tx.update(keys.request(org_id, resolved.id), "SET " + ", ".join(assignments), names, values,
                  "attribute_exists(PK) AND #status = :pending",
                  fail=Conflict("The request was resolved by someone else meanwhile", code="REQUEST_ALREADY_RESOLVED"))
        tx.delete(keys.pending_request(org_id, resolved.kind, resolved.target_digest))

    # --- sign-in grants ------------------------------------------------------------------------
    def stage_grant(self, tx: UnitOfWork, org_id: str, token_digest: str, grant: SignInGrant) -> None:
        tx.put({**keys.sign_in_grant(org_id, token_digest), "userId": grant.user_id, "email": grant.email, "requestId": grant.request_id,
                "createdAt": iso(grant.created_at), "validUntil": iso(grant.valid_until), "expiresAt": int(grant.valid_until.timestamp())},
               "attribute_not_exists(PK)", fail=Conflict("Sign-in token collision; retry"))

    def consume_grant(self, org_id: str, token_digest: str) -> SignInGrant | None:
        """Delete the grant and hand back what it held, or None when there is none (unknown or
        already used): one conditional DeleteItem, so two concurrent uses cannot both succeed."""
        try:
            old = self.table.delete(keys.sign_in_grant(org_id, token_digest), "attribute_exists(PK)", fail=NotFound("No such grant"),
                                    returning_old=True)
        except NotFound:
            return None
        return _grant_from_item(old)
