"""Report results as files: CSV (RFC 4180, UTF-8), XLSX (openpyxl: typed cells, durations as time
values, a totals row) and PDF (fpdf2). One flat table is built from a result, then rendered.
openpyxl and fpdf2 are imported only when their format is asked for (cold start)."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from msgspec import Struct

from sandglass import timefmt

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
METRIC_TITLES = {"time": "Time", "billable": "Billable time", "count": "Entries", "revenue": "Revenue", "cost": "Cost", "profit": "Profit",
                 "breaks": "Breaks"}
MONEY_METRICS = ("revenue", "cost", "profit")
DIMENSION_TITLES = {"project": "Project", "user": "Member", "member": "Project member", "day": "Day", "week": "Week",
                    "month": "Month", "billable": "Billable", "approved": "Approved"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportFile(Struct, frozen=True):
    content: bytes
    content_type: str
    disposition: str  # the Content-Disposition header


class Duration(Struct, frozen=True):
    ms: int

    def text(self) -> str:
        seconds = self.ms // 1000
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Sheet(Struct):
    title: str
    subtitle: str
    header: list[str]
    rows: list[list[Any]]
    total: list[Any]
    bold_rows: set[int]


def _currencies(body: dict[str, Any], metric: str) -> list[str]:
    found: set[str] = set()

    def visit(totals: dict[str, Any]) -> None:
        found.update((totals.get(metric) or {}).keys())

    visit(body.get("totals") or {})
    stack = list(body.get("groups") or []) + list(body.get("rows") or [])
    while stack:
        row = stack.pop()
        visit(row.get("totals") or {})
        for which in ("revenue", "cost"):
            if metric in (which, "profit") and isinstance(row.get(which), dict) and "currency" in row[which]:
                found.add(row[which]["currency"])
        stack.extend(row.get("groups") or [])
    return sorted(found)


def _metric_columns(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    columns: list[tuple[str, str | None]] = []
    for metric in body.get("metrics") or []:
        if metric in MONEY_METRICS:
            columns.extend((metric, currency) for currency in _currencies(body, metric))
        else:
            columns.append((metric, None))
    return columns


def _metric_title(metric: str, currency: str | None) -> str:
    return f"{METRIC_TITLES[metric]} ({currency})" if currency else METRIC_TITLES[metric]


def _metric_cells(totals: dict[str, Any], columns: list[tuple[str, str | None]]) -> list[Any]:
    cells: list[Any] = []
    for metric, currency in columns:
        if metric in ("time", "billable", "breaks"):
            cells.append(Duration(int(totals.get(metric, 0))))
        elif metric == "count":
            cells.append(int(totals.get("count", 0)))
        else:
            amount = (totals.get(metric) or {}).get(currency)
            cells.append(Decimal(amount) if amount is not None else Decimal("0.00"))
    return cells


def _local(text: str | None, zone: ZoneInfo) -> datetime | None:
    if not text:
        return None
    return timefmt.parse(text).astimezone(zone).replace(tzinfo=None)


def local_dates(body: dict[str, Any]) -> tuple[str, str]:
    """The report's first and last local day (the organization's time zone)."""
    zone = ZoneInfo(body.get("timeZone") or "UTC")
    return tuple(timefmt.parse(body[bound]).astimezone(zone).date().isoformat() for bound in ("start", "end"))


def build_sheet(body: dict[str, Any], name: str) -> Sheet:
    zone = ZoneInfo(body.get("timeZone") or "UTC")
    first, last = local_dates(body)
    subtitle = f"{first} - {last} ({body.get('timeZone')}), generated {body.get('generatedAt')}"
    if body.get("view") == "detailed":
        return _detailed_sheet(body, name, subtitle, zone)
    if body.get("view") == "weekly":
        return _weekly_sheet(body, name, subtitle)
    return _summary_sheet(body, name, subtitle)


def _summary_sheet(body: dict[str, Any], name: str, subtitle: str) -> Sheet:
    dimensions = body.get("dimensions") or []
    columns = _metric_columns(body)
    header = [DIMENSION_TITLES[d] for d in dimensions] + [_metric_title(*column) for column in columns]
    rows: list[list[Any]] = []
    bold: set[int] = set()

    def walk(groups: list[dict[str, Any]], depth: int) -> None:
        for group in groups:
            labels = [""] * len(dimensions)
            labels[depth] = str(group.get("label"))
            if group.get("groups") is not None:
                bold.add(len(rows))
            rows.append(labels + _metric_cells(group["totals"], columns))
            walk(group.get("groups") or [], depth + 1)

    walk(body.get("groups") or [], 0)
    total_labels = ["Total"] + [""] * (len(dimensions) - 1) if dimensions else []
    total = total_labels + _metric_cells(body.get("totals") or {}, columns)
    if not dimensions:
        header = ["", *header]
        total = ["Total", *total]
    return Sheet(name, subtitle, header, rows, total, bold)


def _detailed_sheet(body: dict[str, Any], name: str, subtitle: str, zone: ZoneInfo) -> Sheet:
    metrics = set(body.get("metrics") or [])
    money = [metric for metric in ("revenue", "cost") if metrics & {metric, "profit"}]
    currencies = {metric: _currencies(body, metric) for metric in money}
    header = ["Start", "End", "Project", "Member", "Description", "Billable", "Running", "Duration"]
    header += [f"{METRIC_TITLES[metric]} ({currency})" for metric in money for currency in currencies[metric]]
    rows = []
    for row in body.get("rows") or []:
        cells: list[Any] = [_local(row["startedAt"], zone), _local(row.get("endedAt"), zone), row["project"], row["user"], row["name"],
                            bool(row["billable"]), bool(row["running"]), Duration(int(row["duration"]))]
        for metric in money:
            for currency in currencies[metric]:
                value = row.get(metric)
                cells.append(Decimal(value["amount"]) if value and value["currency"] == currency else None)
        rows.append(cells)
    totals = body.get("totals") or {}
    total: list[Any] = ["Total", None, None, None, f"{totals.get('count', len(rows))} entries", None, None, Duration(int(totals.get("time", 0)))]
    for metric in money:
        for currency in currencies[metric]:
            total.append(Decimal((totals.get(metric) or {}).get(currency, "0")) if metric in totals else None)
    return Sheet(name, subtitle, header, rows, total, set())


def _weekly_sheet(body: dict[str, Any], name: str, subtitle: str) -> Sheet:
    header = ["Member", *[day.title() for day in body.get("weekdays") or []], "Total"]
    rows = [[row["label"], *[Duration(int(ms)) for ms in row["days"]], Duration(int(row["totals"].get("time", sum(row["days"]))))]
            for row in body.get("rows") or []]
    total = ["Total", *[Duration(int(ms)) for ms in body.get("days") or []], Duration(int((body.get("totals") or {}).get("time", 0)))]
    return Sheet(name, subtitle, header, rows, total, set())


# --- renderers ---------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Duration):
        return value.text()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _safe_text(value: Any) -> str:
    """A spreadsheet never runs a label as a formula (CSV injection)."""
    text = _text(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(sheet: Sheet) -> bytes:
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow([_safe_text(cell) for cell in row])
    writer.writerow([_safe_text(cell) for cell in sheet.total])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = _sheet_title(sheet.title)
    bold = Font(bold=True)
    worksheet.append([sheet.title])
    worksheet["A1"].font = Font(bold=True, size=13)
    worksheet.append([sheet.subtitle])
    worksheet.append(sheet.header)
    for cell in worksheet[3]:
        cell.font = bold
    for index, row in enumerate(sheet.rows):
        _xlsx_row(worksheet, row, bold if index in sheet.bold_rows else None)
    _xlsx_row(worksheet, sheet.total, bold)
    worksheet.freeze_panes = "A4"
    for column, title in enumerate(sheet.header, start=1):
        worksheet.column_dimensions[worksheet.cell(row=3, column=column).column_letter].width = max(12, min(40, len(title) + 4))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_row(worksheet, row: list[Any], font) -> None:
    worksheet.append([None] * len(row))
    line = worksheet.max_row
    for column, value in enumerate(row, start=1):
        cell = worksheet.cell(row=line, column=column)
        if isinstance(value, Duration):
            cell.value = timedelta(milliseconds=value.ms)
            cell.number_format = "[h]:mm:ss"
        elif isinstance(value, Decimal):
            cell.value = value
            cell.number_format = "#,##0.00"
        elif isinstance(value, datetime):
            cell.value = value
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(value, str):
            cell.value = value
            cell.data_type = "s"  # never a formula, even when it starts with "="
        else:
            cell.value = value
        if font is not None:
            cell.font = font


def _sheet_title(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", name).strip() or "Report"
    return cleaned[:31]


# letters that Unicode does not decompose into a base letter and an accent
_FOLD = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "Œ": "OE", "œ": "oe", "ı": "i",
                       "Ø": "O", "ø": "o", "ß": "ss", "Æ": "AE", "æ": "ae", "Þ": "Th", "þ": "th", "–": "-", "—": "-",
                       "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


def _fold(ch: str, limit: int) -> str:
    """One character within code points < limit: itself, a folded spelling, its base letter, or '?'."""
    if ord(ch) < limit:
        return ch
    folded = ch.translate(_FOLD)
    if folded != ch and all(ord(c) < limit for c in folded):
        return folded
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base and all(ord(c) < limit for c in base) else "?"


def _latin1(text: str) -> str:
    """The PDF's built-in fonts cover Latin-1 only: other letters lose their accents or become '?'."""
    return "".join(_fold(ch, 256) for ch in text)


def to_pdf(sheet: Sheet) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L" if len(sheet.header) > 6 else "P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_title(_latin1(sheet.title))
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(sheet.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 6, _latin1(sheet.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 8)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(headings_style=bold, line_height=5, first_row_as_headings=True) as table:
        table.row([_latin1(title) for title in sheet.header])
        for index, row in enumerate(sheet.rows):
            table.row([_latin1(_text(cell)) for cell in row], style=bold if index in sheet.bold_rows else None)
        table.row([_latin1(_text(cell)) for cell in sheet.total], style=bold)
    return bytes(pdf.output())


# --- the file -----------------------------------------------------------------------------------

def filename(name: str, body: dict[str, Any], extension: str) -> tuple[str, str]:
    """(ASCII filename, RFC 5987-encoded UTF-8 filename) for Content-Disposition."""
    first, last = local_dates(body)
    base = f"{name}-{first}-{last}"
    ascii_name = "".join(_fold(ch, 128) for ch in base)
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-") or "report"
    return f"{ascii_name}.{extension}", quote(f"{base}.{extension}", safe="")


def export(body: dict[str, Any], format: str, name: str) -> ExportFile:
    sheet = build_sheet(body, name)
    render = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}[format]
    plain, encoded = filename(name, body, format)
    return ExportFile(render(sheet), CONTENT_TYPES[format], f"attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}")

