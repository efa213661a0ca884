"""Exports parsed back: CSV (csv module), XLSX (openpyxl), PDF (pypdf text extraction)."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

from sandglass.services.reports.export import CONTENT_TYPES, export

HEADER = {"period": "custom", "start": "2026-06-30T22:00:00.000Z", "end": "2026-07-31T21:59:59.000Z", "timeZone": "Europe/Warsaw",
          "weekStart": "MONDAY", "generatedAt": "2026-07-15T12:00:00.000Z"}
SUMMARY = {**HEADER, "view": "summary", "dimensions": ["project", "user"], "metrics": ["time", "revenue", "count"],
           "groups": [
               {"dimension": "project", "key": "p", "label": "=Website, \"new\"", "totals": {"time": 19_800_000, "revenue": {"EUR": "390.00", "USD": "100.00"}, "count": 4, "running": 1},
                "groups": [{"dimension": "user", "key": "s", "label": "Zoë Łukasz", "totals": {"time": 12_600_000, "revenue": {"EUR": "390.00"}, "count": 2, "running": 0}}]},
           ],
           "totals": {"time": 19_800_000, "revenue": {"EUR": "390.00", "USD": "100.00"}, "count": 4, "running": 1}}
DETAILED = {**HEADER, "view": "detailed", "dimensions": [], "metrics": ["time", "revenue"],
            "rows": [{"id": "a", "name": "Kick-off", "projectId": "p", "project": "Website", "userId": "s", "user": "Sam", "billable": True,
                      "approved": False, "startedAt": "2026-07-03T07:00:00.000Z", "endedAt": "2026-07-03T08:30:00.000Z", "running": False,
                      "rawDuration": 5_400_000, "duration": 5_400_000, "revenue": {"currency": "EUR", "amount": "150.00"}, "cost": None},
                     {"id": "b", "name": "Timer", "projectId": "p", "project": "Website", "userId": "s", "user": "Sam", "billable": True,
                      "approved": False, "startedAt": "2026-07-15T11:00:00.000Z", "endedAt": None, "running": True,
                      "rawDuration": 3_600_000, "duration": 3_600_000, "revenue": None, "cost": None}],
            "totals": {"time": 9_000_000, "revenue": {"EUR": "150.00"}, "running": 1, "count": 2}}
WEEKLY = {**HEADER, "view": "weekly", "dimensions": [], "metrics": ["time"],
          "weekdays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"],
          "rows": [{"userId": "s", "label": "Sam", "days": [7_200_000, 0, 0, 0, 5_400_000, 0, 0], "totals": {"time": 12_600_000, "running": 0}}],
          "days": [7_200_000, 0, 0, 0, 5_400_000, 0, 0], "totals": {"time": 12_600_000, "running": 0}}


def test_csv_summary_rfc4180_utf8():
    file = export(SUMMARY, "csv", "July")
    assert file.content_type == CONTENT_TYPES["csv"]
    text = file.content.decode("utf-8")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["Project", "Member", "Time", "Revenue (EUR)", "Revenue (USD)", "Entries"]
    assert rows[1] == ["'=Website, \"new\"", "", "5:30:00", "390.00", "100.00", "4"]  # a label never becomes a formula
    assert rows[2] == ["", "Zoë Łukasz", "3:30:00", "390.00", "0.00", "2"]
    assert rows[-1] == ["Total", "", "5:30:00", "390.00", "100.00", "4"]


def test_content_disposition_names_the_local_dates():
    file = export(SUMMARY, "csv", "Juli Łódź")
    assert file.disposition == "attachment; filename=\"Juli-Lodz-2026-07-01-2026-07-31.csv\"; filename*=UTF-8''Juli%20%C5%81%C3%B3d%C5%BA-2026-07-01-2026-07-31.csv"


def test_xlsx_typed_cells_and_totals_row():
    from openpyxl import load_workbook

    file = export(DETAILED, "xlsx", "July")
    sheet = load_workbook(io.BytesIO(file.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "July"
    assert rows[2] == ("Start", "End", "Project", "Member", "Description", "Billable", "Running", "Duration", "Revenue (EUR)")
    first = rows[3]
    assert first[0].isoformat() == "2026-07-03T09:00:00"  # local time (Warsaw)
    assert first[5] is True and first[6] is False
    assert first[7] == timedelta(hours=1, minutes=30)
    assert sheet.cell(row=4, column=8).number_format == "[h]:mm:ss"
    assert first[8] == 150
    assert rows[4][1] is None and rows[4][6] is True  # running: no end yet
    assert rows[-1][0] == "Total" and rows[-1][7] == timedelta(hours=2, minutes=30) and rows[-1][8] == 150
    assert sheet.cell(row=sheet.max_row, column=1).font.bold


def test_xlsx_never_stores_a_label_as_formula():
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export(SUMMARY, "xlsx", "x").content)).active
    assert sheet.cell(row=4, column=1).data_type == "s" and sheet.cell(row=4, column=1).value.startswith("=Website")
    assert sheet.cell(row=4, column=4).value == Decimal("390") or sheet.cell(row=4, column=4).value == 390


def test_pdf_text_extracts(tmp_path):
    from pypdf import PdfReader

    file = export(SUMMARY, "pdf", "July report")
    assert file.content.startswith(b"%PDF") and file.content_type == "application/pdf"
    text = PdfReader(io.BytesIO(file.content)).pages[0].extract_text()
    assert "July report" in text and "2026-07-01 - 2026-07-31" in text
    assert "Website" in text and "5:30:00" in text and "390.00" in text and "Total" in text
    assert "Zoë Lukasz" in text  # outside Latin-1: folded, never a 500


def test_weekly_exports():
    rows = list(csv.reader(io.StringIO(export(WEEKLY, "csv", "w").content.decode(), newline="")))
    assert rows[0] == ["Member", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Total"]
    assert rows[1] == ["Sam", "2:00:00", "0:00:00", "0:00:00", "0:00:00", "1:30:00", "0:00:00", "0:00:00", "3:30:00"]
    assert rows[2][0] == "Total" and rows[2][-1] == "3:30:00"
