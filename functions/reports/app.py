"""Reports routes: saved definitions and their results (summary, detailed, weekly; JSON or a file).

Thin handlers: validate (pydantic), one ReportService call, shape the response (paging headers,
file headers). The rules live in the sandglass.services.reports package.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sandglass.http.pagination import next_page_headers
from sandglass.http.resolver import create_app
from sandglass.http.tenant import tenant
from sandglass.models import Empty
from sandglass.models.reports import Report, ReportDefinition, ReportQuery, ReportResult, ReportUpdate, report_view, revision, spec_of
from sandglass.services.reports.service import DEFAULT_LIMIT, ReportOutput, ReportService

app = create_app()

# one service per container, built on the first request (not at import: cold start)
service = cache(ReportService)

ReportId = Annotated[str, Path(max_length=64, description="The report identifier (UUID)")]
View = Annotated[str, Query(max_length=16, description="summary (groups and totals), detailed (activity rows, paged) or weekly (member x weekday)")]
Format = Annotated[str, Query(max_length=8, description="json, or a file: csv, xlsx, pdf")]
Limit = Annotated[int, Query(description="detailed rows per page (1-1000)")]
Cursor = Annotated[Optional[str], Query(max_length=4096, description="X-Next-Cursor (or nextCursor) of the previous page: summary groups, detailed rows and weekly rows are paged so a JSON response stays under 6 MB")]


FILE_HEADERS = {"Content-Disposition": {"description": "attachment; filename=... (files only)", "schema": {"type": "string"}}}
RESULTS = {200: {
    "description": "The result: JSON in the view asked for, or the file of the format asked for",
    "headers": FILE_HEADERS,
    "content": {
        "application/json": {"model": ReportResult},
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    },
}}


def _output(result: ReportOutput, query: dict[str, Optional[str]]) -> Response:
    if result.file is not None:
        headers = {"Content-Disposition": result.file.disposition}
        # text (CSV) travels as text; bytes are base64-encoded for API Gateway (BinaryMediaTypes)
        content = result.file.content.decode("utf-8") if result.file.content_type.startswith("text/") else result.file.content
        return Response(status_code=200, content_type=result.file.content_type, body=content, headers=headers)
    return Response(status_code=200, content_type="application/json", body=result.body,
                    headers=next_page_headers(app.current_event.path, query, result.cursor))


@app.get("/reports", tags=["Reports"], summary="List your saved reports (ID-keyed map)")
def list_reports() -> dict[str, Report]:
    return {report.id: report_view(report) for report in service().list(tenant(app))}


@app.post("/reports", tags=["Reports"], summary="Save a report definition (it belongs to you)")
def post_report(body: ReportDefinition) -> Report:
    return report_view(service().create(tenant(app), spec_of(body), claimed_owner=body.userId))


@app.post("/reports/results", tags=["Reports"], summary="Compute a report from a definition in the body (nothing saved)", responses=RESULTS)
def post_results(body: ReportQuery, view: View = "summary", format: Format = "json", limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None):
    result = service().results(tenant(app), spec_of(body), view, format, limit, cursor)
    return _output(result, {"view": view, "format": format, "limit": str(limit)})


@app.get("/reports/<reportId>", tags=["Reports"], summary="Get a saved report definition")
def get_report(reportId: ReportId) -> Report:
    return report_view(service().get(tenant(app), reportId))


@app.put("/reports/<reportId>", tags=["Reports"], summary="Update a saved report (any subset of its fields)")
def put_report(reportId: ReportId, body: ReportUpdate) -> Report:
    return report_view(service().update(tenant(app), reportId, revision(body), claimed_id=body.id, claimed_owner=body.userId))


@app.delete("/reports/<reportId>", tags=["Reports"], summary="Delete a saved report")
def delete_report(reportId: ReportId) -> Empty:
    service().delete(tenant(app), reportId)
    return {}


@app.get("/reports/<reportId>/results", tags=["Reports"], summary="Compute a saved report (JSON, or ?format=csv|xlsx|pdf)", responses=RESULTS)
def get_results(reportId: ReportId, view: View = "summary", format: Format = "json", limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None):
    result = service().saved_results(tenant(app), reportId, view, format, limit, cursor)
    return _output(result, {"view": view, "format": format, "limit": str(limit)})


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
