"""Workflow requests as the Sandtime surface shows them (models/requests.WorkflowRequest)."""

from __future__ import annotations

from typing import Any

from sandglass.entities.workflows import WorkflowRequest
from sandglass.services.requests.kinds import KINDS
from sandglass.timefmt import iso


def view(request: WorkflowRequest) -> dict[str, Any]:
    """The common fields and the kind's own (KINDS[kind].wire_fields)."""
    own = {"year": request.year, "week": request.week, "unlockedTo": iso(request.unlocked_to) if request.unlocked_to else None,
           "projectId": request.project_id, "memberId": request.member_id, "userId": request.user_id, "role": request.role,
           "userIds": list(request.user_ids), "projectIds": list(request.project_ids), "reason": request.reason or ""}
    return {"createdAt": iso(request.created_at), "createdBy": request.created_by, "id": request.id,
            "resolvedAt": iso(request.resolved_at) if request.resolved_at else None, "resolvedBy": request.resolved_by,
            "status": request.status, "type": request.kind, **{name: own[name] for name in KINDS[request.kind].wire_fields}}
