"""The ingestion path on a real PostgreSQL: load, repeat, supersede, reject, crash and retry."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import psycopg
import pytest

from gender_warehouse import audit, db, landing, loading, pipeline, register
from tests.conftest import REAL_DATA, query
from tests.helpers import HEADCOUNT_HEADER, headcount_rows, write_csv

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 27)


def ingest(path: Path, url: str, **kwargs):  # type: ignore[no-untyped-def]
    return pipeline.ingest_file(path, url, today=TODAY, **kwargs)


@pytest.fixture(params=["typed whole", "typed in parts while copied"])
def typing_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a table reaches raw: typed whole then copied, or (a large table) typed in parts, each copied
    while the next is typed. Parts of 3 rows here, so that the small files of these tests take the second."""
    if request.param != "typed whole":
        monkeypatch.setattr(pipeline, "STREAM_FROM_ROWS", 1)
        monkeypatch.setattr(pipeline, "STREAM_ROWS", 3)
    return request.param


def raw_rows(url: str) -> list[tuple]:
    return query(
        url,
        "select submission_id, source_row, entity_code, grade, sex, headcount, superseded_by"
        " from raw.hr_headcount order by submission_id, source_row",
    )


@pytest.mark.usefixtures("typing_path")
def test_a_good_file_loads_with_its_audit_rows(project: Path, database_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "iaea_hr_headcount_2024.csv", headcount_rows())
    result = ingest(path, database_url)
    assert result.status == "accepted", result.issues
    assert result.rows == {"hr_headcount": 4}
    rows = raw_rows(database_url)
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [
        (2, "P-4", "F", 47),
        (3, "P-4", "M", 53),
        (4, "G-5", "F", 30),
        (5, "G-5", "U", 2),
    ]
    [(status, sha, rows_count, loaded_at)] = query(
        database_url, "select status, sha256, row_count, loaded_at from audit.submissions"
    )
    assert (status, sha, rows_count) == ("loaded", register.sha256_of(path), 4)
    assert loaded_at is not None
    assert query(database_url, "select table_name, rows_loaded, rows_superseded from audit.loads") == [
        ("hr_headcount", 4, 0)
    ]
    # What it was sent for is what it holds: IAEA's snapshot of 31 December 2024.
    slices = "select table_name, slice from audit.{} order by 1, 2"
    expected = [("hr_headcount", '["IAEA", "2024-12-31"]')]
    assert query(database_url, slices.format("claimed_slices")) == query(database_url, slices.format("raw_slices"))
    assert query(database_url, slices.format("claimed_slices")) == expected
    # A warehouse made before the claims gets them from what its submissions hold, once.
    with psycopg.connect(database_url, autocommit=True) as conn:  # as the warehouse was before: no claims
        conn.execute("delete from audit.claimed_slices")
        conn.execute("comment on schema audit is 'gender_warehouse an earlier version'")
    db.ensure_schema(database_url)
    assert query(database_url, slices.format("claimed_slices")) == expected
    [(success, suite_sha)] = query(database_url, "select success, suite_sha256 from audit.validation_runs")
    assert success and len(suite_sha) == 64
    # The original bytes are archived under their hash, read-only.
    archived = register.archive_path(register.sha256_of(path), ".csv")
    assert archived.read_bytes() == path.read_bytes()
    assert not archived.stat().st_mode & 0o222


def test_the_same_file_twice_changes_nothing(project: Path, database_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hr_headcount.csv", headcount_rows())
    assert ingest(path, database_url).status == "accepted"
    before = (raw_rows(database_url), query(database_url, "select * from audit.submissions"))
    again = ingest(path, database_url)
    assert again.status == "unchanged" and again.previous_status == "loaded"
    assert (raw_rows(database_url), query(database_url, "select * from audit.submissions")) == before
    assert query(database_url, "select count(*) from audit.loads") == [(1,)]


def test_slices_are_kept_whatever_the_date_style_and_found_again_in_a_warehouse_made_before_them(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    """Which submission holds which slice (audit.raw_slices) is written in one form whatever the session's
    DateStyle, and a warehouse made before the table gets its slices from raw once: a later version then
    supersedes the earlier rows as ever."""
    from gender_warehouse import db

    first = ingest(write_csv(tmp_path / "a" / "hr_headcount.csv", headcount_rows(women=40)), database_url)
    assert query(database_url, "select slice from audit.raw_slices") == [('["IAEA", "2024-12-31"]',)]
    with psycopg.connect(database_url, autocommit=True) as conn:  # as the warehouse was before: no slices kept
        conn.execute("delete from audit.raw_slices")
        conn.execute("comment on schema audit is 'gender_warehouse an earlier version'")
    db.ensure_schema(database_url)
    assert query(database_url, "select slice, submission_id from audit.raw_slices") == [
        ('["IAEA", "2024-12-31"]', first.submission_id)
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PGDATESTYLE", "SQL, DMY")  # libpq sets the loader's session DateStyle from it
        revised = ingest(write_csv(tmp_path / "b" / "hr_headcount.csv", headcount_rows(women=45)), database_url)
    assert revised.status == "accepted"
    assert query(database_url, "select count(*) from audit.raw_slices") == [(2,)]
    assert query(
        database_url,
        "select distinct superseded_by from raw.hr_headcount where submission_id = %s",
        (first.submission_id,),
    ) == [(revised.submission_id,)]


@pytest.mark.usefixtures("typing_path")
def test_a_resubmission_supersedes_the_earlier_rows(project: Path, database_url: str, tmp_path: Path) -> None:
    first = ingest(write_csv(tmp_path / "a" / "hr_headcount.csv", headcount_rows(women=40)), database_url)
    other_year = ingest(write_csv(tmp_path / "b" / "hr_headcount.csv", headcount_rows(date="2023-12-31")), database_url)
    revised = ingest(write_csv(tmp_path / "c" / "hr_headcount.csv", headcount_rows(women=45)), database_url)
    assert revised.status == "accepted"
    current = query(
        database_url,
        "select submission_id, sum(headcount) from raw.hr_headcount where superseded_by is null group by 1 order by 1",
    )
    assert current == [(other_year.submission_id, 132), (revised.submission_id, 130)]
    assert query(
        database_url,
        "select distinct superseded_by from raw.hr_headcount where submission_id = %s",
        (first.submission_id,),
    ) == [(revised.submission_id,)]
    statuses = dict(query(database_url, "select submission_id, status from audit.submissions"))
    assert statuses == {
        first.submission_id: "superseded",
        other_year.submission_id: "loaded",
        revised.submission_id: "loaded",
    }
    assert query(
        database_url, "select rows_superseded from audit.loads where submission_id = %s", (revised.submission_id,)
    ) == [(4,)]


@pytest.mark.usefixtures("typing_path")
def test_a_rejected_file_loads_nothing_and_says_where(project: Path, database_url: str, tmp_path: Path) -> None:
    rows = headcount_rows()
    rows[1][4] = "Female"  # row 3 of the file
    rows[2][3] = "P-3"  # a P grade under GENERAL_SERVICE, row 4
    path = write_csv(tmp_path / "hr_headcount.csv", rows)
    result = ingest(path, database_url)
    assert result.status == "rejected"
    messages = [str(i) for i in result.errors]
    assert any("column 'sex'" in m and "row 3" in m and "'FEMALE'" in m for m in messages), messages
    assert any("staff_category, grade" in m and "row 4" in m for m in messages), messages
    assert raw_rows(database_url) == []
    assert query(database_url, "select status, error_count from audit.submissions") == [("rejected", 2)]
    assert query(database_url, "select count(*) from audit.submission_issues where severity = 'error'") == [(2,)]
    assert query(database_url, "select count(*) from audit.loads") == [(0,)]
    assert register.archive_path(register.sha256_of(path), ".csv").exists()
    # Nothing loaded, but what it was sent for is known: the reporting status says "rejected", not "missing".
    assert query(database_url, "select count(*) from audit.raw_slices") == [(0,)]
    assert query(database_url, "select table_name, slice from audit.claimed_slices") == [
        ("hr_headcount", '["IAEA", "2024-12-31"]')
    ]


@pytest.mark.usefixtures("typing_path")
def test_values_that_do_not_parse_are_named_by_row_and_column(project: Path, database_url: str, tmp_path: Path) -> None:
    rows = headcount_rows()
    rows[0][0] = "2024-02-30"
    rows[3][8] = "twelve"
    result = ingest(write_csv(tmp_path / "hr_headcount.csv", rows), database_url)
    assert result.status == "rejected"
    by_column = {i.column: i for i in result.errors}
    assert by_column["snapshot_date"].rows == [2] and "2024-02-30" in by_column["snapshot_date"].message
    assert by_column["headcount"].rows == [5] and "whole number" in by_column["headcount"].message
    assert all(i.stage == "read" for i in result.errors)
    assert raw_rows(database_url) == []
    # A row whose date does not parse names no slice; the others still say what the file was for.
    assert query(database_url, "select slice from audit.claimed_slices") == [('["IAEA", "2024-12-31"]',)]


def test_a_ragged_row_is_reported_with_its_line(project: Path, database_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hr_headcount.csv", headcount_rows())
    path.write_text(path.read_text() + "2024-12-31,IAEA,GENERAL_SERVICE,G-4,F,HQ\n")
    result = ingest(path, database_url)
    assert result.status == "rejected"
    [issue] = result.errors
    assert issue.rows == [6] and "6 values; the header has 9 columns" in issue.message


def test_a_file_in_another_encoding_is_rejected_clearly(project: Path, database_url: str, tmp_path: Path) -> None:
    rows = headcount_rows()
    rows[3][7] = "TEMPORAIRE é"
    path = write_csv(tmp_path / "hr_headcount.csv", rows, encoding="latin-1")
    result = ingest(path, database_url)
    assert result.status == "rejected"
    assert "UTF-8" in result.errors[0].message and result.errors[0].rows == [5]


def test_a_crash_during_the_load_leaves_nothing_and_a_retry_completes_it(
    project: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "hr_headcount.csv", headcount_rows())

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("worker killed")

    with monkeypatch.context() as patched:
        patched.setattr(loading, "supersede", crash)
        result = ingest(path, database_url)
    # Not the file's fault: the submission says it failed, and why, instead of waiting as 'received' for ever.
    assert (result.status, result.failure) == ("failed", "RuntimeError: worker killed")
    assert raw_rows(database_url) == []
    assert query(database_url, "select status, failure, failed_at is not null from audit.submissions") == [
        ("failed", "RuntimeError: worker killed", True)
    ]
    assert query(database_url, "select count(*) from audit.validation_runs") == [(0,)]
    # Validation ran, but nothing committed: no result file is left behind.
    assert not list((project / "reports").rglob("*.json"))
    assert ingest(path, database_url).status == "accepted"
    assert len(raw_rows(database_url)) == 4
    assert query(database_url, "select status, failure from audit.submissions") == [("loaded", None)]


def test_a_process_killed_after_validation_leaves_no_result_files(
    project: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "hr_headcount.csv", headcount_rows())

    def killed(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # what a kill looks like from inside: nothing after it runs

    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(audit, "mark_loaded", killed)
        ingest(path, database_url)
    assert query(database_url, "select status from audit.submissions") == [("received",)]
    assert not list((project / "reports").rglob("*.json"))
    assert ingest(path, database_url).status == "accepted"
    [stored] = list((project / "reports" / "validations").rglob("*.json"))
    assert query(database_url, "select result_path from audit.validation_runs") == [(str(stored.relative_to(project)),)]


def test_audit_times_come_from_the_clock_at_each_step(project: Path, database_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hr_headcount.csv", headcount_rows())
    assert ingest(path, database_url).status == "accepted"
    [(received, validated, loaded, started, finished, load_time)] = query(
        database_url,
        "select s.received_at, s.validated_at, s.loaded_at, v.started_at, v.finished_at, l.loaded_at"
        " from audit.submissions as s join audit.validation_runs as v using (submission_id)"
        " join audit.loads as l using (submission_id)",
    )
    # validated_at is when validation finished, not when the transaction began; the load comes after it.
    assert validated == finished
    assert received <= started <= finished <= load_time <= loaded


def test_xlsx_and_csv_of_the_same_data_load_the_same_rows(project: Path, database_url: str, tmp_path: Path) -> None:
    rows = headcount_rows()
    csv_result = ingest(write_csv(tmp_path / "hr_headcount.csv", rows), database_url)
    workbook = openpyxl.Workbook()
    workbook.active.title = "Instructions"
    workbook.active.append(["Fill one sheet per table."])
    sheet = workbook.create_sheet("HR Headcount")
    sheet.append(HEADCOUNT_HEADER)
    for r in rows:
        # Excel stores dates and numbers as such, not as text.
        sheet.append([dt.date.fromisoformat(r[0]), *r[1:8], int(r[8])])
    sheet.append([None] * 9)  # a blank row the focal point left behind
    xlsx = tmp_path / "submission.xlsx"
    workbook.save(xlsx)
    xlsx_result = ingest(xlsx, database_url)
    assert xlsx_result.status == "accepted", xlsx_result.issues
    columns = "snapshot_date, entity_code, staff_category, grade, sex, location_type, duty_station_country, appointment_type, headcount, source_row"
    by_submission = {
        sid: query(
            database_url, f"select {columns} from raw.hr_headcount where submission_id = %s order by source_row", (sid,)
        )
        for sid in (csv_result.submission_id, xlsx_result.submission_id)
    }
    assert by_submission[csv_result.submission_id] == by_submission[xlsx_result.submission_id]
    assert query(
        database_url,
        "select distinct source_sheet from raw.hr_headcount where submission_id = %s",
        (xlsx_result.submission_id,),
    ) == [("HR Headcount",)]


def test_validate_only_records_nothing(project: Path, database_url: str, tmp_path: Path) -> None:
    result = pipeline.validate_file(
        write_csv(tmp_path / "hr_headcount.csv", headcount_rows()), database_url, today=TODAY
    )
    assert result.status == "accepted"
    assert query(database_url, "select count(*) from audit.submissions") == [(0,)]
    assert raw_rows(database_url) == []


def test_a_headcount_swing_is_a_warning_not_an_error(project: Path, database_url: str, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "a" / "hr_headcount.csv", headcount_rows(date="2023-12-31")), database_url)
    result = ingest(write_csv(tmp_path / "b" / "hr_headcount.csv", headcount_rows(women=200, men=200)), database_url)
    assert result.status == "accepted"
    [warning] = result.warnings
    assert "30%" in warning.message and "IAEA" in warning.message
    assert query(
        database_url, "select warning_count from audit.submissions where submission_id = %s", (result.submission_id,)
    ) == [(1,)]


@pytest.mark.parametrize("name", ["ceb_hr_organization_2019.csv", "ceb_hr_duty_station_2019.csv"])
def test_the_real_ceb_files_are_rejected_with_a_clear_message(project: Path, database_url: str, name: str) -> None:
    path = REAL_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    result = ingest(path, database_url)
    assert result.status == "rejected"
    [issue] = result.errors
    assert issue.rows == [1]
    assert "UN CEB HR statistics extract" in issue.message and "no sex, grade" in issue.message
    assert raw_rows(database_url) == []


def test_the_latest_submitted_version_wins_whatever_the_loading_order(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    older = write_csv(tmp_path / "old" / "hr_headcount.csv", headcount_rows(women=40))
    newer = write_csv(tmp_path / "new" / "hr_headcount.csv", headcount_rows(women=45))
    os.utime(older, (1_700_000_000, 1_700_000_000))
    os.utime(newer, (1_700_000_100, 1_700_000_100))
    # The newer file happens to be loaded first (say, two files landed in one Airflow run, loaded in parallel).
    first = ingest(newer, database_url, submitted_at=landing.submitted_at(newer))
    late = ingest(older, database_url, submitted_at=landing.submitted_at(older))
    # The older file, finishing last, loaded but is current nowhere, and says so.
    assert (first.status, late.status, late.superseded_by) == ("accepted", "superseded", [first.submission_id])
    current = query(database_url, "select distinct submission_id from raw.hr_headcount where superseded_by is null")
    assert current == [(first.submission_id,)]
    statuses = dict(query(database_url, "select submission_id, status from audit.submissions"))
    assert statuses == {first.submission_id: "loaded", late.submission_id: "superseded"}


def test_binary_bytes_in_a_text_file_are_refused_not_a_crash(project: Path, database_url: str, tmp_path: Path) -> None:
    rows = headcount_rows()
    rows[2][1] = "IA\x00EA"
    result = ingest(write_csv(tmp_path / "hr_headcount.csv", rows), database_url)
    assert result.status == "rejected"
    [issue] = result.errors
    assert issue.column == "entity_code" and issue.rows == [4] and "control characters" in issue.message


@pytest.mark.usefixtures("typing_path")
def test_every_problem_of_a_file_is_told_in_one_run(project: Path, database_url: str, tmp_path: Path) -> None:
    """A count that is not a number (typing) and an entity code that is not known (a rule) are both told by the
    first run, not one after the other; the column that did not type is not reported again by its own rules."""
    rows = headcount_rows()
    rows[0][8] = "forty"
    rows[2][1] = "NOT-AN-ENTITY"
    result = ingest(write_csv(tmp_path / "hr_headcount.csv", rows), database_url)
    assert result.status == "rejected" and not result.rows
    messages = [str(i) for i in result.errors]
    assert any("'forty'" in m and "headcount" in m for m in messages), messages
    assert any("NOT-AN-ENTITY" in m for m in messages), messages
    assert sum("headcount" in m for m in messages) == 1, messages
    assert query(database_url, "select count(*) from raw.hr_headcount") == [(0,)]


def test_a_resent_identical_file_is_taken_again_and_recorded_unchanged(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    """The landing folder takes a file once; the same bytes sent again (a new time in the folder, any name) are
    taken again and recorded as an arrival that changed nothing, never dropped unseen."""
    folder = tmp_path / "landing"
    folder.mkdir()
    path = write_csv(folder / "hr_headcount_IAEA.csv", headcount_rows())

    def run_the_folder() -> list[str]:
        taken = landing.pending_files(database_url, folder)
        return [ingest(Path(p), database_url, submitted_at=landing.submitted_at(Path(p))).status for p in taken]

    assert run_the_folder() == ["accepted"]
    assert run_the_folder() == []  # lying there since it was taken: not taken again
    sent_again = path.read_bytes()
    path.unlink()
    path.write_bytes(sent_again)
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 60))
    (folder / "hr_headcount_IAEA_copy.csv").write_bytes(sent_again)
    assert run_the_folder() == ["unchanged", "unchanged"]
    assert run_the_folder() == []
    receipts = query(database_url, "select outcome, file_name from audit.file_receipts order by 1, 2")
    assert receipts == [
        ("taken", "hr_headcount_IAEA.csv"),
        ("unchanged", "hr_headcount_IAEA.csv"),
        ("unchanged", "hr_headcount_IAEA_copy.csv"),
    ]
    assert query(database_url, "select count(*), min(status) from audit.submissions") == [(1, "loaded")]
