"""The MCP report tool: totals for a period as a compact table."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sandglass.errors import ValidationFailed
from sandglass.mcp import models as m
from sandglass.mcp.tools.common import Call, resolve_member, resolve_project
from sandglass.models.reports import ReportQuery, spec_of
from sandglass.services.reports.service import ReportService


@cache
def reports():
    return ReportService()



def _rows(groups: list[dict[str, Any]], prefix: list[str], rows: list[m.ReportRow], cap: int) -> bool:
    for group in groups:
        labels = prefix + [str(group.get("label", group.get("key")))]
        if group.get("groups"):
            if _rows(group["groups"], labels, rows, cap):
                return True
        else:
            if len(rows) >= cap:
                return True
            rows.append(m.ReportRow(group=labels, values=group["totals"]))
    return False


def run_report(call: Call, args: m.RunReportInput) -> m.RunReportOutput:
    filters: list[dict[str, Any]] = []
    if args.billable is not None:
        filters.append({"field": "billable", "operator": "is", "value": args.billable})
    if args.description_contains:
        filters.append({"field": "name", "operator": "contains", "value": args.description_contains})
    definition: dict[str, Any] = {"period": args.period, "dimensions": args.group_by, "metrics": args.metrics, "filters": filters}
    if args.period == "custom":
        if not (args.start and args.end):
            raise ValidationFailed("A custom period needs start and end dates (yyyy-mm-dd)")
        try:
            first, last = date.fromisoformat(args.start), date.fromisoformat(args.end)
        except ValueError:
            raise ValidationFailed("start and end are dates: yyyy-mm-dd") from None
        definition["start"] = datetime.combine(first, datetime.min.time(), tzinfo=call.zone).isoformat()
        definition["end"] = (datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=call.zone) - timedelta(milliseconds=1)).isoformat()
    if args.projects:
        definition["selectedProjects"] = [resolve_project(call, name)["id"] for name in args.projects]
    if args.members:
        definition["selectedProjectMembers"] = [resolve_member(call, name)["id"] for name in args.members]
    try:
        query = ReportQuery.model_validate(definition)
    except ValueError as error:
        raise ValidationFailed(f"The report is invalid: {error}") from None
    body = reports().results(call.tenant, spec_of(query), "summary").body
    rows: list[m.ReportRow] = []
    truncated = _rows(body.get("groups") or [], [], rows, 200)
    return m.RunReportOutput(period={"period": body["period"], "start": body["start"], "end": body["end"], "timeZone": body["timeZone"]},
                             groupBy=list(body["dimensions"]), metrics=list(body["metrics"]), totals=body["totals"], rows=rows, truncated=truncated)
