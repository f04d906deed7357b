"""Events of a period are counted once: a later file whose period covers earlier ones replaces them; any other
overlap of one entity's periods is refused, saying which file holds the other period and what to send."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gender_warehouse import pipeline
from gender_warehouse.contracts import HR_EVENTS
from tests.conftest import query
from tests.helpers import write_csv

pytestmark = pytest.mark.integration

HOUR = dt.timedelta(hours=1)
START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def events_file(folder: Path, name: str, start: str, end: str, women: int, men: int) -> Path:
    row = [start, end, "UNSSC", "APPOINTMENT", "PROFESSIONAL_AND_HIGHER", "", "P-3"]
    rows = [[*row, "F", "HQ", "FALSE", str(women)], [*row, "M", "HQ", "FALSE", str(men)]]
    return write_csv(folder / name, rows, header=list(HR_EVENTS.column_names))


def ingest(path: Path, url: str, hours: int) -> pipeline.IngestResult:
    return pipeline.ingest_file(path, url, submitted_at=START + hours * HOUR)


def current_events(url: str) -> list[tuple]:
    return query(
        url,
        "select period_start::text, period_end::text, sex, count from raw.hr_events where superseded_by is null"
        " order by 1, 2, 3",
    )


def test_a_quarter_after_its_year_is_refused_not_added(project: Path, database_url: str, tmp_path: Path) -> None:
    """The annual file and a Q1 file both loaded used to count Q1's appointments twice (4 women, not 3)."""
    year = ingest(events_file(tmp_path, "hr_events_UNSSC_2016.csv", "2016-01-01", "2016-12-31", 3, 3), database_url, 1)
    assert year.status == "accepted"
    quarter = ingest(
        events_file(tmp_path, "hr_events_UNSSC_2016Q1.csv", "2016-01-01", "2016-03-31", 1, 0), database_url, 2
    )
    assert quarter.status == "rejected"
    [error] = [str(e) for e in quarter.errors]
    assert "UNSSC 2016-01-01/2016-03-31 overlaps 2016-01-01/2016-12-31, loaded from hr_events_UNSSC_2016.csv" in error
    assert "counted twice" in error and "column 'period_start'" in error and "rows 2, 3" in error
    assert current_events(database_url) == [("2016-01-01", "2016-12-31", "F", 3), ("2016-01-01", "2016-12-31", "M", 3)]


def test_a_later_year_replaces_the_quarters_it_covers(project: Path, database_url: str, tmp_path: Path) -> None:
    q1 = ingest(events_file(tmp_path / "a", "hr_events_q1.csv", "2016-01-01", "2016-03-31", 1, 0), database_url, 1)
    q2 = ingest(events_file(tmp_path / "b", "hr_events_q2.csv", "2016-04-01", "2016-06-30", 1, 1), database_url, 2)
    year = ingest(events_file(tmp_path / "c", "hr_events_2016.csv", "2016-01-01", "2016-12-31", 3, 3), database_url, 3)
    assert (q1.status, q2.status, year.status) == ("accepted", "accepted", "accepted")
    assert current_events(database_url) == [("2016-01-01", "2016-12-31", "F", 3), ("2016-01-01", "2016-12-31", "M", 3)]
    statuses = query(database_url, "select file_name, status from audit.submissions order by submission_id")
    assert statuses == [
        ("hr_events_q1.csv", "superseded"),
        ("hr_events_q2.csv", "superseded"),
        ("hr_events_2016.csv", "loaded"),
    ]
    assert query(
        database_url, "select rows_superseded from audit.loads where submission_id = %s", (year.submission_id,)
    ) == [(4,)]


def test_a_year_submitted_before_its_quarter_but_loaded_after_it_is_superseded_where_covered_or_refused(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    """Order by submission, not by loading: a late quarter inside a year submitted later gives way to it; a late
    year that covers a quarter submitted after it cannot replace that quarter, and is refused."""
    year = events_file(tmp_path / "a", "hr_events_2016.csv", "2016-01-01", "2016-12-31", 3, 3)
    late_quarter = events_file(tmp_path / "b", "hr_events_q1.csv", "2016-01-01", "2016-03-31", 1, 0)
    assert ingest(year, database_url, 5).status == "accepted"
    assert ingest(late_quarter, database_url, 1).status == "superseded"
    assert len(current_events(database_url)) == 2
    # A year sent before a quarter that is already loaded.
    other = events_file(tmp_path / "c", "hr_events_2017q1.csv", "2017-01-01", "2017-03-31", 2, 2)
    late_year = events_file(tmp_path / "d", "hr_events_2017.csv", "2017-01-01", "2017-12-31", 5, 5)
    assert ingest(other, database_url, 9).status == "accepted"
    assert ingest(late_year, database_url, 8).status == "rejected"


def test_periods_that_cross_are_refused_and_the_same_period_supersedes(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    first = events_file(tmp_path / "a", "hr_events_h1.csv", "2016-01-01", "2016-06-30", 2, 2)
    crossing = events_file(tmp_path / "b", "hr_events_q2q3.csv", "2016-04-01", "2016-09-30", 1, 1)
    corrected = events_file(tmp_path / "c", "hr_events_h1.csv", "2016-01-01", "2016-06-30", 2, 3)
    assert ingest(first, database_url, 1).status == "accepted"
    assert ingest(crossing, database_url, 2).status == "rejected"
    assert ingest(corrected, database_url, 3).status == "accepted"
    assert current_events(database_url) == [("2016-01-01", "2016-06-30", "F", 2), ("2016-01-01", "2016-06-30", "M", 3)]
    # Another entity's periods are its own.
    assert query(database_url, "select count(distinct entity_code) from raw.hr_events") == [(1,)]
