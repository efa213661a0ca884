"""Reports: saved definitions and their results (summary, detailed, weekly), as JSON or files.

- service.py: ReportService — definitions (owned by their member) and results: read, narrow,
  price and group, shape the view asked for, page it;
- engine.py: the arithmetic (durations, rounding, rates in force, totals, groups, pages), pure;
- periods.py: the presets (today ... lastYear) as instants in the organization's calendar;
- export.py: a result as CSV, XLSX or PDF.

The rules are told in service.py's docstring.
"""

from __future__ import annotations

from sandglass.services.reports.export import ExportFile
from sandglass.services.reports.service import DEFAULT_LIMIT, MAX_LIMIT, ReportOutput, ReportService

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "ExportFile", "ReportOutput", "ReportService"]
