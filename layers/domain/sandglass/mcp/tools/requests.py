"""The MCP workflow tools: ask for an unlock or an approval, list and resolve requests."""

from __future__ import annotations

from functools import cache

from sandglass.adapters.notifications import ConfiguredNotifier
from sandglass.clock import CurrentClock

from sandglass.mcp import models as m
from sandglass.mcp.tools.common import Call, iso_week
from sandglass.models.requests import request_view
from sandglass.repositories.requests import RequestRepository
from sandglass.services.requests import RequestService


@cache
def requests():
    return RequestService(RequestRepository(), CurrentClock(), ConfiguredNotifier())  # notices as the REST requests send them



def request_unlock(call: Call, args: m.WeekRequestInput) -> m.RequestOutput:
    year, week = iso_week(call, args.week)
    made = requests().request_unlock(call.tenant, year, week)
    return m.RequestOutput(request=request_view(made), message=f"Unlock of week {year}-W{week:02d} requested; an Administrator resolves it (resolve_request).")


def request_approval(call: Call, args: m.WeekRequestInput) -> m.RequestOutput:
    year, week = iso_week(call, args.week)
    made = requests().request_approval(call.tenant, year, week)
    return m.RequestOutput(request=request_view(made), message=f"Week {year}-W{week:02d} submitted for approval.")


def list_requests(call: Call, args: m.ListRequestsInput) -> m.ListRequestsOutput:
    found, cursor = requests().list(call.tenant, args.status, args.type, call.tenant.user_id if args.mine else None, args.limit, None)
    return m.ListRequestsOutput(requests=[request_view(request) for request in found], more=cursor is not None)


def resolve_request(call: Call, args: m.ResolveRequestInput) -> m.RequestOutput:
    service = requests()
    kind = service.get(call.tenant, args.request_id).kind
    status = "RESOLVED" if args.decision == "approve" else "REJECTED"
    resolved = service.resolve(call.tenant, args.request_id, kind, status, args.project_ids)
    return m.RequestOutput(request=request_view(resolved), message=f"Request {'approved' if status == 'RESOLVED' else 'rejected'}.")
