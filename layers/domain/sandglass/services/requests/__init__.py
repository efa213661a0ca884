"""Workflow requests: a member asks, an Administrator resolves, the effect lands with the answer.

Kinds (``type``) and who may ask
--------------------------------
- TIMESHEET_UNLOCK (POST /requests/timesheets/{year}/{week}/unlock): any member, for their own ISO
  week, which must be locked for them now (else 409 WEEK_NOT_LOCKED).
- TIMESHEET_APPROVAL (.../approvals): any member, for their own week once it has started; an
  approved week cannot be submitted again (409 WEEK_ALREADY_APPROVED).
- PROJECT_MEMBER_ROLE (POST /requests/projects/{projectId}/members/{memberId}/role): a member of the
  project (or an organization Administrator) asks for a member's role to become ``role``.
- PROJECT_MEMBERS (POST /requests/projects/{projectId}/members): a member of the project (or an
  organization Administrator) proposes active users to add to it.
- PROJECT_ASSIGNMENT (POST /requests/projects/request-assignment): any member asks to join
  ``projectIds`` (optional: the resolver may choose).
- IMPERSONATION (POST /requests/impersonation, an addition: the reference only resolves them):
  a member lets support sign in as themselves; an Administrator may ask it for any member.

New requests are PENDING. A PENDING request of the same kind for the same target (member and week;
membership and role; project and users; requester and projects; impersonated member) is returned
instead of a second one: a marker item written with the request under attribute_not_exists
(repositories/requests.py) keeps that true under concurrency.

Layout: kinds.py holds one class per kind (its fields and checks, who resolves it, its effect)
and the registry KINDS; service.py the lifecycle common to all (create, read, resolve, the
support sign-in). The service answers entities (entities/workflows.py); the Sandtime shape of
a request is models/requests.request_view.

Resolution (PUT /requests/{id}/..., body status RESOLVED or REJECTED)
----------------------------------------------------------------------
- Organization Administrators resolve every kind; a project's Administrators resolve role changes
  and member assignments of their project, and project assignments whose projects they all
  administer. Nobody resolves their own request unless they are the organization's only active
  Administrator. Others get 403 on their own requests and 404 on anybody else's.
- Resolving a request that is no longer PENDING is 409 REQUEST_ALREADY_RESOLVED; the route must
  match the kind (409 WRONG_REQUEST_TYPE names the right one).
- RESOLVED applies the effect in the same transaction as the status change (conditioned on the
  request still being PENDING, so two resolvers cannot both apply it):
  unlock: an unlock window on the member's week until now + ``unlockWindowHours`` (organization
  setting, default 48), withdrawing the week's approval if it had one; approval: the week marked
  approved and locked for the member; role: the membership's role set; members: the users who are
  still active and not yet members added as project Users; assignment: the requester added to
  ``projectIds`` (the body's, else the requested ones); impersonation: a one-time sign-in grant for
  the member, valid 15 minutes, whose token goes to the support address (SUPPORT_EMAIL) through the
  notifier and never into a response. A change racing the resolution (locks, memberships) makes it
  re-read and retry. REJECTED changes nothing but the request.
- Administrators hear of new requests, requesters of the answer (the notifier port); delivery
  happens after the commit and never fails the request.

Reading: GET /requests lists newest first, filtered by status, type and createdBy; Administrators
see every request, other members their own. GET /requests/{id}: Administrators, the requester, and
for project requests the project's Administrators.
"""

from sandglass.entities.workflows import PENDING, REJECTED, RESOLVED
from sandglass.services.requests.kinds import APPROVAL, ASSIGNMENT, IMPERSONATION, KINDS, MEMBERS, ROLE, UNLOCK, RequestKind
from sandglass.services.requests.service import RequestService

__all__ = ["APPROVAL", "ASSIGNMENT", "IMPERSONATION", "KINDS", "MEMBERS", "PENDING", "REJECTED", "RESOLVED", "ROLE", "UNLOCK",
           "RequestKind", "RequestService"]
