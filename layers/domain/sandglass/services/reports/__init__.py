"""Reports: saved definitions and their results (summary, detailed, weekly), as JSON or files.

- service.py: ReportService — definitions (owned by their member) and results: read, narrow,
  compute and shape, page;
- selection.py: which partitions are read and which activities count (visibility, selections,
  filters, archives, approvals), pure;
- engine.py: the arithmetic on typed values (durations, rounding, overlaps, rates in force,
  totals, group trees, the weekly grid), pure;
- views.py: a result's body in its view (summary, detailed, weekly) and its byte-bounded pages, pure;
- periods.py: the presets (today ... lastYear) as instants in the organization's calendar;
- export.py: a result as CSV, XLSX or PDF.

The rules are told in service.py's docstring; docs/reports.md maps the package. Import the module
you need (services.reports.service for ReportService): the package itself loads nothing, so
the change-stream's rollups load engine and selection without the report service.
"""
