"""Hypothesis strategies the report property tests share (test_reports_property.py,
test_report_rollups.py): activities and rate windows as the table stores them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st


def text(instant: datetime) -> str:
    """An instant as stored: UTC, milliseconds, Z."""
    return instant.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


rate = st.tuples(st.sampled_from(["EUR", "USD"]), st.decimals(min_value=0, max_value=500, places=2))


@st.composite
def windows(draw, begin: datetime, hours: int, most: int, *, closed_last: bool = False):
    """Consecutive rate windows (from <= T < to) over the `hours` after `begin`, at most `most` of
    them; the last one open-ended, or with `closed_last` open-ended or not."""
    cuts = sorted(draw(st.sets(st.integers(0, hours), max_size=most)))
    found = []
    for index, hour in enumerate(cuts):
        end = cuts[index + 1] if index + 1 < len(cuts) else (None if not closed_last or draw(st.booleans()) else hours + 1)
        currency, value = draw(rate)
        found.append({"currency": currency, "value": value, "from": text(begin + timedelta(hours=hour)),
                      "to": None if end is None else text(begin + timedelta(hours=end))})
    return found


@st.composite
def activity(draw, number: int, *, begin: datetime, days: int, projects: Sequence[str | None], users: Sequence[str],
             running: st.SearchStrategy[bool], minutes: st.SearchStrategy[int], priced: st.SearchStrategy[bool],
             breaks: st.SearchStrategy[bool] = st.just(False)):
    """Activity `number` as stored, starting in the `days` after `begin`: still running when
    `running` draws True, else lasting what `minutes` draws; a BREAK when `breaks` draws True; with
    the rates kept at its start when `priced` draws True (either kind may be absent: no rate then)."""
    start = begin + timedelta(minutes=draw(st.integers(0, days * 24 * 60 - 1)), seconds=draw(st.sampled_from([0, 0, 30])))
    end = None if draw(running) else start + timedelta(minutes=draw(minutes))
    item = {"id": f"a{number:03d}", "name": f"n{number}", "projectId": draw(st.sampled_from(projects)), "userId": draw(st.sampled_from(users)),
            "billable": draw(st.booleans()), "startedAt": text(start), "endedAt": None if end is None else text(end)}
    if draw(breaks):
        item["type"] = "BREAK"
    if draw(priced):
        snapshot = {}
        for kind in ("revenue", "cost"):
            if draw(st.booleans()):
                currency, value = draw(rate)
                snapshot[kind] = {"currency": currency, "value": value, "rateId": "r"}
        item["rateSnapshot"] = snapshot
    return item


def one_in(n: int) -> st.SearchStrategy[bool]:
    """True about once in `n` draws."""
    return st.integers(0, n - 1).map(lambda drawn: drawn == 0)
