"""Report results through the API: hand-computed figures, rights, paging, exports, reads."""

import csv
import io

import pytest

from sandglass_local.callcounter import counting

ALL_METRICS = ["time", "billable", "revenue", "cost", "profit", "count"]


@pytest.fixture
def july(world):
    """Sam: 1.5 h on Website before the rate change (100 EUR/h), 2 h after it (120 EUR/h), 1 h on
    Internal (not billable); cost 40 EUR/h. Pia: 1 h on Website at 50 USD/h starting 00:30 local on
    the 7th (the 6th in UTC) and a timer running since 11:00 UTC (1 h at "now"); cost 30 USD/h.
    Ola: 2 h in June, outside the period."""
    w = world
    w.activity(w.sam, w.p, "2026-07-03T07:00:00.000Z", "2026-07-03T08:30:00.000Z", name="Kick-off")
    w.activity(w.sam, w.p, "2026-07-13T08:00:00.000Z", "2026-07-13T10:00:00.000Z", name="Design")
    w.activity(w.sam, w.q, "2026-07-04T07:00:00.000Z", "2026-07-04T08:00:00.000Z", name="Standup")
    w.activity(w.pia, w.p, "2026-07-06T22:30:00.000Z", "2026-07-06T23:30:00.000Z", name="Review")
    w.activity(w.pia, w.p, "2026-07-15T11:00:00.000Z", None, name="Timer")
    w.activity(w.ola, w.p, "2026-06-30T10:00:00.000Z", "2026-06-30T12:00:00.000Z", name="June")
    w.revenue_rate(w.p, w.sam, "100", "2026-01-01T00:00:00.000Z", "2026-07-10T00:00:00.000Z")
    w.revenue_rate(w.p, w.sam, "120", "2026-07-10T00:00:00.000Z")
    w.revenue_rate(w.p, w.pia, "50", "2026-01-01T00:00:00.000Z", currency="USD")
    w.cost_rate(w.sam, "40", "2026-01-01T00:00:00.000Z")
    w.cost_rate(w.pia, "30", "2026-01-01T00:00:00.000Z", currency="USD")
    return w


def groups(body):
    return {group["label"]: group for group in body["groups"]}


def test_summary_totals_by_hand(july):
    reply = july.results(july.custom(dimensions=["project", "user"], metrics=ALL_METRICS, hideEmptyRows=True))
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["totals"] == {"time": 23_400_000, "billable": 19_800_000, "count": 5, "running": 1,
                              "revenue": {"EUR": "390.00", "USD": "100.00"}, "cost": {"EUR": "180.00", "USD": "60.00"},
                              "profit": {"EUR": "210.00", "USD": "40.00"}}
    assert (body["start"], body["end"], body["timeZone"]) == ("2026-06-30T22:00:00.000Z", "2026-07-31T21:59:59.000Z", "Europe/Warsaw")
    website = groups(body)["Website"]
    assert website["key"] == july.p["id"] and website["totals"]["time"] == 19_800_000
    people = groups(website)
    assert people["Sam"]["totals"]["revenue"] == {"EUR": "390.00"} and people["Sam"]["totals"]["cost"] == {"EUR": "140.00"}
    assert people["Pia"]["totals"] == {"time": 7_200_000, "billable": 7_200_000, "count": 2, "running": 1, "revenue": {"USD": "100.00"},
                                       "cost": {"USD": "60.00"}, "profit": {"USD": "40.00"}}
    assert groups(groups(body)["Internal"])["Sam"]["totals"]["profit"] == {"EUR": "-40.00"}


def test_day_and_week_in_the_organizations_zone(july):
    body = july.results(july.custom(dimensions=["week", "day"], metrics=["time"], hideEmptyRows=True)).json()
    weeks = groups(body)
    assert list(weeks) == ["2026-W27", "2026-W28", "2026-W29"]
    assert [day["key"] for day in weeks["2026-W28"]["groups"]] == ["2026-07-07"]  # 22:30 UTC on the 6th is the 7th in Warsaw
    full = july.results(july.custom(dimensions=["day"], metrics=["time"])).json()
    assert len(full["groups"]) == 31 and full["groups"][0]["totals"]["time"] == 0


def test_month_billable_approved_member(july):
    body = july.results(july.custom(dimensions=["month", "billable", "approved"], metrics=["time", "count"], hideEmptyRows=True)).json()
    month = body["groups"][0]
    assert month["key"] == "2026-07" and month["totals"]["count"] == 5
    assert [(g["label"], g["totals"]["time"]) for g in month["groups"]] == [("Billable", 19_800_000), ("Non-billable", 3_600_000)]
    assert month["groups"][0]["groups"][0]["label"] == "Not approved"
    body = july.results(july.custom(dimensions=["member"], metrics=["time"])).json()
    assert {g["label"]: g["totals"]["time"] for g in body["groups"]} == {"Pia (Website)": 7_200_000, "Sam (Internal)": 3_600_000, "Sam (Website)": 12_600_000}


def test_rounding_applies_to_durations_not_to_the_stored_times(july):
    july.settings(rounding={"enabled": True, "interval": 3_600_000, "mode": "UP"})
    july.activity(july.sam, july.q, "2026-07-20T08:00:00.000Z", "2026-07-20T08:05:00.000Z")  # 5 min -> 1 h
    body = july.results(july.custom(dimensions=[], metrics=["time", "cost"]), view="detailed").json()
    assert body["rounding"] == {"interval": 3_600_000, "mode": "UP"}
    short = next(row for row in body["rows"] if row["startedAt"] == "2026-07-20T08:00:00.000Z")
    assert (short["rawDuration"], short["duration"], short["endedAt"]) == (300_000, 3_600_000, "2026-07-20T08:05:00.000Z")
    assert short["cost"] == {"currency": "EUR", "amount": "40.00"}
    # 1.5 h -> 2 h; 2 h, 1 h, 1 h, running 1 h stay; + the new 1 h
    assert body["totals"]["time"] == 8 * 3_600_000


def test_detailed_rows_are_paged(july):
    first = july.results(july.custom(metrics=["time", "revenue"]), view="detailed", limit=2)
    assert first.status == 200
    body = first.json()
    assert [row["name"] for row in body["rows"]] == ["Kick-off", "Standup"]
    assert body["rows"][0]["revenue"] == {"currency": "EUR", "amount": "150.00"} and body["rows"][1]["revenue"] is None
    assert body["totals"]["count"] if "count" in body["totals"] else body["totals"]["time"] == 23_400_000
    cursor = first.header("X-Next-Cursor")
    assert cursor and 'rel="next"' in first.header("Link")
    second = july.results(july.custom(metrics=["time", "revenue"]), view="detailed", limit=2, cursor=cursor).json()
    assert [row["name"] for row in second["rows"]] == ["Review", "Design"]
    third = july.results(july.custom(metrics=["time", "revenue"]), view="detailed", limit=2,
                         cursor=july.results(july.custom(metrics=["time", "revenue"]), view="detailed", limit=2, cursor=cursor).header("X-Next-Cursor"))
    rows = third.json()["rows"]
    assert [row["name"] for row in rows] == ["Timer"] and rows[0]["running"] is True and rows[0]["duration"] == 3_600_000
    assert third.header("X-Next-Cursor") is None
    # a cursor of another definition is refused
    assert july.results(july.custom(metrics=["count"]), view="detailed", limit=2, cursor=cursor).status == 400


def test_weekly_grid(july):
    body = july.results(july.custom(), view="weekly").json()
    rows = {row["label"]: row["days"] for row in body["rows"]}
    assert rows == {"Pia": [0, 3_600_000, 3_600_000, 0, 0, 0, 0], "Sam": [7_200_000, 0, 0, 0, 5_400_000, 3_600_000, 0]}
    assert body["days"] == [7_200_000, 3_600_000, 3_600_000, 0, 5_400_000, 3_600_000, 0] and body["totals"]["time"] == 23_400_000


def test_rights_users_see_their_own_time_project_administrators_their_projects(july):
    every = july.custom(dimensions=["user"], metrics=["time", "count"])
    sam = july.results(every, as_="sam@acme.test").json()
    assert sam["totals"] == {"time": 16_200_000, "count": 3, "running": 0} and list(groups(sam)) == ["Sam"]
    pia = july.results(every, as_="pia@acme.test").json()  # her own and everything on Website, not Sam's Internal hour
    assert pia["totals"] == {"time": 19_800_000, "count": 4, "running": 1}
    assert july.results(every, as_="ola@acme.test").json()["totals"]["count"] == 0
    # naming someone else narrows, never widens
    assert july.results({**every, "selectedProjectMembers": [july.pia["id"]]}, as_="sam@acme.test").json()["totals"]["count"] == 0
    assert july.results({**every, "selectedProjects": [july.q["id"]]}, as_="pia@acme.test").json()["totals"]["count"] == 0
    assert july.results({**every, "selectedProjects": [july.q["id"]]}).json()["totals"]["count"] == 1


def test_selections_and_filters(july):
    admin = july.results(july.custom(dimensions=["project"], selectedProjects=[july.p["id"]], metrics=["count"])).json()
    assert admin["totals"]["count"] == 4
    assert july.results(july.custom(selectedProjectMembers=[july.sam["id"]], metrics=["count"])).json()["totals"]["count"] == 3
    both = july.custom(selectedProjects=[july.p["id"]], selectedProjectMembers=[july.pia["id"]], metrics=["count"])
    assert july.results(both).json()["totals"]["count"] == 2
    filtered = july.custom(metrics=["count"], filters=[{"field": "billable", "operator": "is", "value": False}])
    assert july.results(filtered).json()["totals"]["count"] == 1
    filtered = july.custom(metrics=["count"], filters=[{"field": "pending", "value": True}])
    assert july.results(filtered).json()["totals"]["count"] == 1
    filtered = july.custom(metrics=["count"], filters=[{"field": "name", "operator": "contains", "value": "kick"}])
    assert july.results(filtered).json()["totals"]["count"] == 1
    filtered = july.custom(metrics=["count"], filters=[{"field": "user", "operator": "notIn", "value": [july.sam["id"]]}])
    assert july.results(filtered).json()["totals"]["count"] == 2
    # hideEmptyRows off shows a selected project without time
    body = july.results(july.custom(dimensions=["project"], selectedProjects=[july.q["id"], july.p["id"]], metrics=["time"],
                                    filters=[{"field": "billable", "value": True}])).json()
    assert {g["label"]: g["totals"]["time"] for g in body["groups"]} == {"Internal": 0, "Website": 19_800_000}


def test_archived_projects_and_members_are_left_out_unless_asked(july, seed):
    old = seed.project("acme", "Old", archived=True, members={july.sam["id"]: "User"})
    july.activity(july.sam, old, "2026-07-21T08:00:00.000Z", "2026-07-21T09:00:00.000Z")
    assert july.results(july.custom(metrics=["count"])).json()["totals"]["count"] == 5
    assert july.results(july.custom(metrics=["count"], showArchivedProjects=True)).json()["totals"]["count"] == 6
    reply = july.api.put(f"/users/{july.pia['id']}", as_=july.admin, org="acme", body={"archived": True})
    assert reply.status == 200, reply.body
    assert july.results(july.custom(metrics=["count"])).json()["totals"]["count"] == 3
    assert july.results(july.custom(metrics=["count"], showArchivedMembers=True)).json()["totals"]["count"] == 5


def test_saved_report_results_and_presets(july):
    api = july.api
    saved = api.post("/reports", as_="sam@acme.test", org="acme", body={"name": "Mine", "period": "thisMonth", "metrics": ["time", "revenue"]}).json()
    body = api.get(f"/reports/{saved['id']}/results", as_="sam@acme.test", org="acme").json()
    assert body["period"] == "thisMonth" and body["totals"]["time"] == 16_200_000 and body["totals"]["revenue"] == {"EUR": "390.00"}
    today = july.results({"period": "today", "metrics": ["time"], "dimensions": []}).json()
    assert today["totals"] == {"time": 3_600_000, "running": 1}  # only Pia's timer started today
    june = july.results({"period": "lastMonth", "metrics": ["count"], "dimensions": []}).json()
    assert june["totals"]["count"] == 1  # Ola's June entry


def test_bad_query_parameters_are_422(july):
    assert july.results(july.custom(), view="chart").status == 422
    assert july.results(july.custom(), format="docx").status == 422
    assert july.results(july.custom(), view="detailed", limit=0).status == 422
    assert july.results(july.custom(), view="detailed", cursor="garbage").status == 400


def test_reports_read_partitions_never_scan_never_per_activity(july):
    with counting() as calls:
        assert july.results(july.custom(dimensions=["project", "user"], metrics=ALL_METRICS)).status == 200
    assert calls.scans == 0
    # July in Warsaw starts on June 30th in UTC: 2 month partitions; then 1 revenue Query per
    # project and 1 cost Query per member, whatever the number of activities
    assert calls.calls["Query"] == 2 + 2 + 2
    assert calls.calls["BatchGetItem"] == 2  # projects, members
    for _ in range(20):
        july.activity(july.sam, july.p, "2026-07-22T08:00:00.000Z", "2026-07-22T09:00:00.000Z")
    with counting() as more:
        assert july.results(july.custom(dimensions=["project", "user"], metrics=ALL_METRICS)).status == 200
    assert more.calls == calls.calls


# --- exports ------------------------------------------------------------------------------------

def test_csv_export(july):
    reply = july.results(july.custom(dimensions=["project", "user"], metrics=["time", "revenue"], hideEmptyRows=True), format="csv")
    assert reply.status == 200
    assert reply.header("Content-Type") == "text/csv; charset=utf-8"
    assert reply.header("Content-Disposition").startswith('attachment; filename="report-2026-07-01-2026-07-31.csv"')
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8"), newline="")))
    assert rows[0] == ["Project", "Member", "Time", "Revenue (EUR)", "Revenue (USD)"]
    assert ["Website", "", "5:30:00", "390.00", "100.00"] in rows
    assert ["", "Pia", "2:00:00", "0.00", "100.00"] in rows
    assert rows[-1] == ["Total", "", "6:30:00", "390.00", "100.00"]


def test_xlsx_export_of_a_saved_report(july):
    from datetime import timedelta

    from openpyxl import load_workbook

    saved = july.api.post("/reports", as_=july.admin, org="acme", body=july.custom(name="July", metrics=["time", "cost"])).json()
    reply = july.api.get(f"/reports/{saved['id']}/results?view=detailed&format=xlsx", as_=july.admin, org="acme")
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="July-2026-07-01-2026-07-31.xlsx"' in reply.header("Content-Disposition")
    sheet = load_workbook(io.BytesIO(reply.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:8] == ("Start", "End", "Project", "Member", "Description", "Billable", "Running", "Duration")
    assert rows[3][7] == timedelta(hours=1, minutes=30) and rows[3][0].isoformat() == "2026-07-03T09:00:00"
    assert rows[-1][0] == "Total" and rows[-1][7] == timedelta(hours=6, minutes=30)
    assert len(rows) == 3 + 5 + 1  # title, period, header, every row (exports are not paged), totals


def test_pdf_export(july):
    from pypdf import PdfReader

    reply = july.results(july.custom(name="Ignored", dimensions=["user"], metrics=["time", "profit"]), format="pdf")
    assert reply.status == 200 and reply.header("Content-Type") == "application/pdf"
    assert reply.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(reply.content)).pages)
    assert "Sam" in text and "Pia" in text and "4:30:00" in text and "Total" in text and "210.00" in text
