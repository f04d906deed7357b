"""Readers: headers against the contract, formats, and unsafe workbooks — no database needed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from gender_warehouse.contracts import HR_EVENTS, HR_HEADCOUNT, kind_in_file_name, normalize_name
from gender_warehouse.errors import SubmissionError, describe_rows
from gender_warehouse.readers import map_header, read_submission
from gender_warehouse.readers.xlsx_reader import cell_text
from tests.helpers import HEADCOUNT_HEADER, headcount_rows, write_csv


def test_names_are_matched_however_people_spell_them() -> None:
    assert normalize_name(" HR Headcount ") == "hr_headcount"
    assert kind_in_file_name("UNODC_hr-headcount_2024.csv") is HR_HEADCOUNT
    assert kind_in_file_name("hr_events_IAEA_2021.xlsx") is HR_EVENTS
    assert kind_in_file_name("staff_2024.csv") is None


def test_the_header_may_differ_in_case_spacing_and_order() -> None:
    names = ["Headcount", "Snapshot Date", "entity-code", *HEADCOUNT_HEADER[2:8]]
    assert map_header(names, HR_HEADCOUNT)[:3] == ["headcount", "snapshot_date", "entity_code"]


def test_a_header_names_what_is_missing_and_what_is_unknown() -> None:
    names = [n for n in HEADCOUNT_HEADER if n != "appointment_type"] + ["notes"]
    with pytest.raises(SubmissionError) as caught:
        map_header(names, HR_HEADCOUNT)
    message = str(caught.value)
    assert "row 1" in message and "appointment_type" in message and "'notes'" in message
    assert "duty_station_country optional" in message


def test_a_repeated_column_is_refused() -> None:
    with pytest.raises(SubmissionError, match="appears twice"):
        map_header([*HEADCOUNT_HEADER, "Sex"], HR_HEADCOUNT)


def test_the_optional_column_may_be_left_out() -> None:
    names = [n for n in HEADCOUNT_HEADER if n != "duty_station_country"]
    assert "duty_station_country" not in map_header(names, HR_HEADCOUNT)


def test_semicolon_files_and_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    path = tmp_path / "hr_headcount.csv"
    lines = [";".join(HEADCOUNT_HEADER), *(";".join(r) for r in headcount_rows())]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    _fmt, [source] = read_submission(path)
    assert source.columns == HEADCOUNT_HEADER
    assert source.read().column("grade").to_pylist() == ["P-4", "P-4", "G-5", "G-5"]


def test_the_kind_comes_from_the_header_when_the_name_does_not_say(tmp_path: Path) -> None:
    _fmt, [source] = read_submission(write_csv(tmp_path / "staff_2024.csv", headcount_rows()))
    assert source.table is HR_HEADCOUNT


def test_unknown_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    for name, data, expected in [
        ("empty.csv", b"", "empty"),
        ("old.xls", b"\xd0\xcf\x11\xe0rest", "old binary Excel"),
        ("data.json", b"{}", "unsupported file type"),
        ("fake.xlsx", b"a,b\n", "not an Excel workbook"),
        ("latin_header.csv", "snapshot_daté\n".encode("latin-1"), "not UTF-8"),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(SubmissionError, match=expected):
            read_submission(path)


def test_blank_lines_are_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hr_headcount.csv", headcount_rows())
    path.write_bytes(path.read_bytes() + b"\n\r\n")
    _fmt, [source] = read_submission(path)
    rows = source.read()
    assert rows.column("source_row").to_pylist() == [2, 3, 4, 5]
    assert rows.column("sex").to_pylist() == ["F", "M", "F", "U"]


def test_cells_become_the_text_a_csv_would_hold() -> None:
    import datetime as dt

    assert cell_text(dt.datetime(2024, 12, 31)) == "2024-12-31"
    assert cell_text(12.0) == "12"
    assert cell_text(12.5) == "12.5"
    assert cell_text(True) == "TRUE"
    assert cell_text(None) == ""


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
    with pytest.raises(SubmissionError, match="zip bomb"):
        read_submission(path)


def test_a_workbook_names_its_sheets_after_tables(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.create_sheet("Notes")
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    with pytest.raises(SubmissionError, match=r"no sheet holds a known table.*'Sheet1', 'Notes'"):
        read_submission(path)


def test_a_value_outside_the_header_is_reported(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "hr_headcount"
    sheet.append(HEADCOUNT_HEADER)
    sheet.append([*headcount_rows()[0], None, "stray"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    _fmt, [source] = read_submission(path)
    with pytest.raises(SubmissionError) as caught:
        source.read()
    assert "row 2" in str(caught.value) and "column 11" in str(caught.value)


def test_rows_are_described_briefly() -> None:
    assert describe_rows([4]) == "row 4"
    assert describe_rows([2, 3, 5, 8, 9, 10], total=40) == "rows 2, 3, 5, 8, 9 and 35 more"


def test_two_sheets_for_one_table_are_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "hr_headcount"
    workbook.create_sheet("HR Headcount")
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    with pytest.raises(SubmissionError, match="two sheets hold hr_headcount"):
        read_submission(path)


def test_a_place_names_its_rows_once() -> None:
    from gender_warehouse.errors import located

    assert located("the row has 6 values", sheet=None, rows=[6], column=None) == "row 6: the row has 6 values"
    assert (
        located("2 bad (rows 2, 5)", sheet="s", rows=[2, 5], column="sex")
        == "sheet 's', column 'sex': 2 bad (rows 2, 5)"
    )
