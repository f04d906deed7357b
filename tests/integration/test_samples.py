"""The sample submissions: every good file is accepted, every file with a mistake is rejected for it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gender_warehouse import pipeline
from tests.conftest import SAMPLES, query

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 27)

# Each sample mistake, and what the message must say about it.
MISTAKES = {
    "hr_events_period_reversed.csv": ["period_end is on or after period_start", "2024-01-01 / 2024-12-31"],
    "hr_events_promotion_down.csv": ["a promotion goes up the grade ladder", "row 6", "P-4 / P-3"],
    "hr_headcount_bad_sex_code.csv": ["column 'sex'", "rows 2, 5", "'FEMALE', 'W'"],
    "hr_headcount_duplicate_rows.csv": ["appears once", "rows 5, 10"],
    "hr_headcount_future_date.csv": ["snapshot_date is not in the future", "2031-12-31"],
    "hr_headcount_grade_not_in_category.csv": ["grade belongs to the staff_category", "PROFESSIONAL_AND_HIGHER / G-5"],
    "hr_headcount_impossible_date.csv": ["not a date written YYYY-MM-DD", "2023-02-30"],
    "hr_headcount_latin1.csv": ["not UTF-8", "row "],
    "hr_headcount_missing_column.csv": ["missing required column(s) appointment_type", "row 1"],
    "hr_headcount_not_a_number.csv": ["column 'headcount'", "'twelve'"],
    "hr_headcount_p6_outside_paho.csv": ["grade P-6 is used only by PAHO, WHO"],
    "hr_headcount_unknown_entity.csv": ["entity_code must be an entity code", "'UNXYZ'"],
    "swap_ratings_comprehensive_missing_indicator.csv": [
        "a comprehensive report rates every indicator of its framework",
        "reporting_unit TUN, reporting_year 2022, unrated_indicator 4.3",
    ],
}


def test_every_sample_mistake_has_an_expected_message() -> None:
    assert {p.name for p in (SAMPLES / "rejected").iterdir()} == set(MISTAKES)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_sample_mistake_is_rejected_with_its_message(project: Path, database_url: str, name: str) -> None:
    result = pipeline.ingest_file(SAMPLES / "rejected" / name, database_url, today=TODAY)
    assert result.status == "rejected"
    text = "\n".join(str(i) for i in result.errors)
    for fragment in MISTAKES[name]:
        assert fragment in text, text
    assert query(database_url, "select count(*) from raw.hr_headcount") == [(0,)]
    assert query(database_url, "select count(*) from raw.hr_events") == [(0,)]
    assert query(database_url, "select count(*) from raw.swap_ratings") == [(0,)]


def test_the_good_samples_and_the_correction_are_accepted(project: Path, database_url: str) -> None:
    files = sorted((SAMPLES / "hr").iterdir()) + sorted((SAMPLES / "corrections").iterdir())
    results = [pipeline.ingest_file(f, database_url, today=TODAY) for f in files]
    assert [r.path.name for r in results if r.status != "accepted"] == []
    assert not [w for r in results for w in r.warnings]
    # The WIPO correction superseded exactly WIPO's 2024 rows.
    [(superseded_dates,)] = query(
        database_url,
        "select array_agg(distinct snapshot_date) from raw.hr_headcount where superseded_by is not null",
    )
    assert superseded_dates == [dt.date(2024, 12, 31)]
    assert query(
        database_url,
        "select distinct entity_code from raw.hr_headcount where superseded_by is not null",
    ) == [("WIPO",)]
    # Every raw row belongs to a loaded submission (raw has no foreign key, for speed; the loader keeps this).
    assert query(
        database_url,
        "select count(*) from raw.hr_headcount r left join audit.submissions s using (submission_id)"
        " where s.status is distinct from 'loaded' and s.status is distinct from 'superseded'",
    ) == [(0,)]


def test_the_rating_samples_are_accepted_and_each_unit_year_is_one_slice(project: Path, database_url: str) -> None:
    """Entities' UN-SWAP reports and country teams' Scorecards load without a warning; each unit's year is a
    slice of its own (a later file for the same unit and year would replace it)."""
    files = sorted((SAMPLES / "accountability").iterdir())
    results = [pipeline.ingest_file(f, database_url, today=TODAY) for f in files]
    assert [r.path.name for r in results if r.status != "accepted"] == []
    assert not [w for r in results for w in r.warnings]
    [(units, slices, priorities)] = query(
        database_url,
        "select count(distinct reporting_unit), count(distinct (reporting_unit, reporting_year)),"
        " count(*) filter (where is_priority) from raw.swap_ratings",
    )
    assert (units, priorities) == (7, 8)
    assert query(database_url, "select count(*) from audit.raw_slices where table_name = 'swap_ratings'") == [(slices,)]
