"""What the rules accept, the loader loads; what it cannot load, a rule refuses by name. On a real PostgreSQL.

- the cases found: a `+5` headcount (a whole number: loaded as 5), a 57 KB entity code, a CSV value over the
  CSV reader's limit, an XLSX cell and an IATI value too long: each ends accepted or rejected with its row and
  column through `gwh ingest`, never 'failed' or an internal error;
- every value the typing step accepts, of every column of every contract, COPYs into its raw table and reads
  back as the typed value (Hypothesis; the values of tests/unit/test_typing_properties.py);
- a bounded fuzz of `gwh validate` with random and mutated CSV, XLSX and IATI XML bytes, from the sample
  submissions: every file ends valid or rejected with a message, within a time limit.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from psycopg import sql

from gender_warehouse import db, loading, roles
from gender_warehouse.canonical import TypeErrors, to_canonical
from gender_warehouse.cli import main
from gender_warehouse.contracts import TABLES, Column, ColumnType, Table
from gender_warehouse.readers import read_submission
from tests.conftest import SAMPLES, query
from tests.helpers import headcount_rows, write_csv, write_xlsx
from tests.unit.test_typing_properties import ANY_TEXT, DATES, NUMBERS, STRINGS, WORDS

pytestmark = pytest.mark.integration
IATI_SAMPLE = SAMPLES / "programmes" / "malawi_peacebuilding_UN-WOMEN.xml"


def gwh(capsys: pytest.CaptureFixture, url: str, *args: str) -> tuple[int, str, str]:
    code = main(["--database-url", url, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def never_an_internal_error(code: int, out: str, err: str) -> None:
    assert code in (0, 1), (code, out, err)
    assert "gwh: internal error" not in err and "Traceback (most recent call last)" not in out + err, (out, err)
    assert not re.search(r"^failed ", err, re.MULTILINE), err  # an unexpected error in the file's own run


# --- the cases found ------------------------------------------------------------------------------------------


def test_a_plus_signed_headcount_is_a_whole_number_and_loads_as_5(
    project: Path, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Decided: a leading + is part of a whole number, as in PostgreSQL and Python; the file is accepted."""
    rows = headcount_rows()
    rows[0][-1] = "+5"
    path = write_csv(tmp_path / "hr_headcount_plus.csv", rows)
    code, out, err = gwh(capsys, database_url, "ingest", str(path), "--no-docs")
    never_an_internal_error(code, out, err)
    assert code == 0 and out.startswith("accepted"), (out, err)
    assert query(database_url, "select status from audit.submissions") == [("loaded",)]
    assert query(database_url, "select headcount from raw.hr_headcount where source_row = 2") == [(5,)]


def long_entity_code(tmp_path: Path) -> Path:
    rows = headcount_rows()
    rows[1][1] = "X" * 57_000
    return write_csv(tmp_path / "hr_headcount_long_code.csv", rows)


def csv_value_over_the_readers_limit(tmp_path: Path) -> Path:
    rows = headcount_rows()
    rows[1][3] = "P" * (20 << 20)  # longer than a block of Arrow's CSV reader
    return write_csv(tmp_path / "hr_headcount_huge_value.csv", rows)


def xlsx_cell_too_long(tmp_path: Path) -> Path:
    rows = headcount_rows()
    rows[1][1] = "X" * 57_000  # cell B3
    return write_xlsx(tmp_path / "hr_headcount_long_cell.xlsx", rows)


def iati_value_too_long(tmp_path: Path) -> Path:
    tree = etree.parse(str(IATI_SAMPLE))
    identifier = tree.find(".//iati-activity/iati-identifier")
    identifier.text = "XM-DAC-41146-" + "X" * 57_000
    path = tmp_path / "programme_long_identifier.xml"
    tree.write(str(path), encoding="utf-8", xml_declaration=True)
    return path


@pytest.mark.parametrize(
    ("make", "column", "row"),
    [
        (long_entity_code, "entity_code", 3),
        (csv_value_over_the_readers_limit, "grade", 3),
        (xlsx_cell_too_long, "entity_code", 3),
        (iati_value_too_long, "programme_id", None),
    ],
    ids=["57 KB entity code", "CSV value over the reader's limit", "XLSX cell", "IATI identifier"],
)
def test_a_value_too_long_is_rejected_with_its_row_and_column_before_copy(
    project: Path, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture, make: Any, column: str, row: Any
) -> None:
    path = make(tmp_path)
    code, out, err = gwh(capsys, database_url, "ingest", str(path), "--no-docs")
    never_an_internal_error(code, out, err)
    assert code == 1 and out.startswith("rejected"), (out, err)
    assert query(database_url, "select status from audit.submissions") == [("rejected",)]
    issues = query(database_url, "select stage, column_name, rows, message from audit.submission_issues")
    assert issues and {(stage, name) for stage, name, _, _ in issues} == {("read", column)}, issues
    if row is not None:
        assert issues[0][2] == [row]
    assert all(rows for _, _, rows, _ in issues)  # the row (or the XML line) of every refused value
    assert all(len(message) < 500 for *_, message in issues)
    for table in TABLES.values():
        assert query(database_url, f"select count(*) from {table.raw_table}") == [(0,)]


# --- every value the typing step accepts loads ---------------------------------------------------------------

TEMPLATE_FILES = {
    "hr_headcount": SAMPLES / "hr" / "hr_headcount_IAEA.csv",
    "hr_events": SAMPLES / "hr" / "hr_events_IAEA_2024.csv",
    "programme_register": SAMPLES / "programmes" / "joint_programmes_1_programme_register.csv",
    "programme_beneficiaries": SAMPLES / "programmes" / "joint_programmes_2_programme_beneficiaries.csv",
    "programme_funding": SAMPLES / "programmes" / "joint_programmes_3_programme_funding.csv",
    "swap_ratings": SAMPLES / "accountability" / "swap_ratings_KAZ.csv",
}
TARGETS_BY_TYPE = {
    kind: [(table, column) for table in TABLES.values() for column in table.columns if column.type is kind]
    for kind in ColumnType
}


def template_rows() -> dict[str, dict[str, str | None]]:
    """A valid first row of each table, from the samples, as text."""
    out = {}
    for name, path in TEMPLATE_FILES.items():
        _fmt, [source] = read_submission(path)
        first = source.read().slice(0, 1).to_pylist()[0]
        out[name] = {c: first[c] for c in TABLES[name].column_names}
    return out


def near_the_limit(column: Column) -> st.SearchStrategy[str]:
    """A value of the column's maximum length, one less or one more, of a character of 1 to 4 UTF-8 bytes."""
    assert column.max_length is not None
    return st.tuples(
        st.sampled_from(["x", "é", "€", "😀", "\\", '"']),
        st.integers(min_value=column.max_length - 1, max_value=column.max_length + 1),
    ).map(lambda t: t[0] * t[1])


@pytest.mark.parametrize("kind", list(ColumnType), ids=str)
def test_every_value_the_typing_accepts_copies_into_postgresql(database_url: str, kind: ColumnType) -> None:
    """Whatever the rules accept converts: COPY takes it, and it reads back as the typed value."""
    templates = template_rows()
    with db.connect(database_url, role=roles.LOADER) as conn:

        @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.sampled_from(TARGETS_BY_TYPE[kind]), st.data())
        def copies(target: tuple[Table, Column], data: Any) -> None:
            table, column = target
            values = STRINGS[column.type]
            if column.max_length:
                values = st.one_of(values, near_the_limit(column), st.sampled_from(["a\n\\.\nb", "\\.", '"\r\n"']))
            text = data.draw(values, label=column.name)
            row = {**templates[table.name], column.name: text}
            arrow = pa.table(
                {"source_row": pa.array([2], pa.int64()), **{k: pa.array([v], pa.string()) for k, v in row.items()}}
            )
            try:
                typed = to_canonical(arrow, table, None)
            except TypeErrors as exc:
                assert [e.column for e in exc.errors] == [column.name]
                event(f"{column.type.value}: refused")
                return
            event(f"{column.type.value}: loaded")
            with conn.transaction(force_rollback=True):
                loading.copy_rows(conn, typed, 1)
                loaded = conn.execute(
                    sql.SQL("select {} from {} where submission_id = 1").format(
                        sql.Identifier(column.name), sql.SQL(table.raw_table)
                    )
                ).fetchall()
            assert loaded == [(typed.rows.column(column.name)[0].as_py(),)], text

        copies()


TEXT_FOR_COPY = st.one_of(
    st.none(),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),  # text a file can hold
    st.sampled_from(["", " ", '"', "a,b", "\\.", "\\N", "NULL", "line\nbreak", "cr\rlf", "\t"]),
)


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(TEXT_FOR_COPY, st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1))), max_size=40))
def test_what_the_loader_writes_for_copy_reads_back_as_the_same_values(database_url: str, rows: list) -> None:
    """Text unquoted when no value needs quotes, every text quoted otherwise: nulls stay null, empty text stays
    empty, quotes, delimiters and line breaks stay as they were, in the order written."""
    batch = pa.record_batch(
        {"t": pa.array([t for t, _ in rows], pa.string()), "n": pa.array([n for _, n in rows], pa.int32())}
    )
    with db.connect(database_url) as conn, conn.transaction(force_rollback=True):
        conn.execute("create temporary table copied (i serial, t text, n integer)")
        with conn.cursor() as cur, cur.copy("copy copied (t, n) from stdin (format csv)") as copy:
            copy.write(loading.csv_for_copy(batch))
        assert conn.execute("select t, n from copied order by i").fetchall() == rows


# --- fuzz: random and mutated files through `gwh validate` -----------------------------------------------------

TIME_LIMIT = 30.0  # seconds for one file, read, typed, loaded and validated (most take well under one)
LONG_VALUES = ["X" * 57_000, "9" * 40, "P" * 140_000]
HOSTILE = st.one_of(
    NUMBERS,
    DATES,
    WORDS,
    ANY_TEXT,
    st.sampled_from(["+5", "-1", "５", "٣", "2024-02-30", "0000-01-01", "", " ", '"', "\n", "a,b", "a;b", "=1+1"]),
    st.sampled_from(['<img src=x onerror="alert(1)">', "\\.", "NaN", "TRUE", "1e309", *LONG_VALUES]),
)
TOKENS = [
    b"+5",
    "５".encode(),
    "٣".encode(),
    b'"',
    b"\n",
    b"\r\n",
    b",",
    b";",
    b"\t",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"2024-02-30",
    b"0000-01-01",
    b"99999999999",
    b"<",
    b"&",
    b"]]>",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"&a;",
    b"X" * 70_000,
]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """The bytes with one to four changes: bits flipped, bytes inserted, deleted, repeated, cut, tokens put in."""
    out = bytearray(data)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=max(len(out) - 1, 0)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "cut", "token", "token"]))
        if op == "flip" and out:
            out[at] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif op == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del out[at : at + draw(st.integers(min_value=1, max_value=64))]
        elif op == "repeat":
            out[at:at] = out[at : at + draw(st.integers(min_value=1, max_value=256))]
        elif op == "cut":
            del out[at:]
        else:
            out[at:at] = draw(st.sampled_from(TOKENS))
    return bytes(out)


def xml_safe(text: str) -> str:
    """What lxml lets into a text or attribute value (no control characters, no lone surrogates)."""
    return re.sub(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "", text)


CSV_SAMPLES = sorted(
    p
    for folder in ("hr", "programmes", "rejected", "corrections", "accountability")
    for p in (SAMPLES / folder).glob("*.csv")
    if p.stat().st_size < 40_000
)
XLSX_SAMPLES = sorted(SAMPLES.rglob("*.xlsx"))


# An OCHA humanitarian needs export (read by its own reader), as the samples have none.
HPC_NEEDS = (
    b"Admin 1 Name,Admin 1 PCode,Admin 2 Name,Admin 2 PCode,Description,Cluster,Category,Population,In Need,"
    b"Targeted,Reached\n"
    b"Kabul,AF01,Kabul,AF0101,General Protection,PRO,,5000,1200,800,300\n"
    b"Kabul,AF01,Kabul,AF0101,General Protection,PRO,Adult - Female,2000,500,300,100\n"
    b"Kabul,AF01,Kabul,AF0101,General Protection,PRO,Children - Male,1500,400,250,90\n"
    b"Kabul,AF01,Kabul,AF0101,General Protection,PRO,IDP,700,200,100,50\n"
)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    sample = draw(st.sampled_from([*CSV_SAMPLES, None]))
    data = sample.read_bytes() if sample else HPC_NEEDS
    sample = sample or Path("afg_needs_2024.csv")
    how = draw(st.sampled_from(["cells", "cells", "bytes", "random"]))
    if how == "random":
        return sample.name, draw(st.binary(max_size=2_000))
    if how == "bytes":
        return sample.name, draw(mutated(data))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"))))
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        r = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        if rows[r]:
            rows[r][draw(st.integers(min_value=0, max_value=len(rows[r]) - 1))] = draw(HOSTILE)
    out = io.StringIO()
    csv.writer(out, delimiter=draw(st.sampled_from([",", ",", ";", "\t"])), lineterminator="\n").writerows(rows)
    return sample.name, out.getvalue().encode("utf-8", errors="surrogatepass")


@st.composite
def xlsx_files(draw: st.DrawFn) -> tuple[str, bytes]:
    sample = draw(st.sampled_from(XLSX_SAMPLES))
    data = sample.read_bytes()
    how = draw(st.sampled_from(["cells", "cells", "member", "bytes", "random"]))
    if how == "random":
        return sample.name, b"PK\x03\x04" + draw(st.binary(max_size=2_000))
    if how == "bytes":
        return sample.name, draw(mutated(data))
    if how == "member":  # a valid zip whose one part (a sheet, the shared strings, ...) is damaged
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            names = src.namelist()
            victim = draw(st.sampled_from(names))
            for name in names:
                part = src.read(name)
                dst.writestr(name, draw(mutated(part)) if name == victim else part)
        return sample.name, out.getvalue()
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        sheet = workbook.worksheets[draw(st.integers(min_value=0, max_value=len(workbook.worksheets) - 1))]
        cell = sheet.cell(
            row=draw(st.integers(min_value=1, max_value=max(sheet.max_row, 1) + 1)),
            column=draw(st.integers(min_value=1, max_value=max(sheet.max_column, 1) + 1)),
        )
        cell.value = draw(
            st.one_of(
                HOSTILE.map(xml_safe),
                st.integers(min_value=-(10**12), max_value=10**12),
                st.floats(allow_nan=False, allow_infinity=False),
                st.booleans(),
                st.dates(min_value=dt.date(1900, 3, 1)),
            )
        )
    out = io.BytesIO()
    workbook.save(out)
    return sample.name, out.getvalue()


IATI_VALUE_ATTRIBUTES = ("iso-date", "value-date", "value", "code", "ref", "currency", "significance", "year", "role")


@st.composite
def iati_files(draw: st.DrawFn) -> tuple[str, bytes]:
    data = IATI_SAMPLE.read_bytes()
    how = draw(st.sampled_from(["values", "values", "bytes", "random"]))
    if how == "random":
        return IATI_SAMPLE.name, b"<" + draw(st.binary(max_size=2_000))
    if how == "bytes":
        return IATI_SAMPLE.name, draw(mutated(data))
    root = etree.fromstring(data)
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        element = draw(st.sampled_from(elements))
        names = [a for a in IATI_VALUE_ATTRIBUTES if a in element.attrib]
        value = xml_safe(draw(HOSTILE))
        change = draw(st.sampled_from(["attribute", "text", "text", "remove", "repeat"]))
        parent = element.getparent()
        if change == "attribute" and names:
            element.set(draw(st.sampled_from(names)), value)
        elif change == "text" and element.text is not None and element.text.strip():
            element.text = value
        elif change == "remove" and parent is not None:
            parent.remove(element)
        elif change == "repeat" and parent is not None:
            parent.insert(parent.index(element), copy.deepcopy(element))
    return IATI_SAMPLE.name, etree.tostring(root, xml_declaration=True, encoding="utf-8")


FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def validate_ends_accepted_or_rejected(
    url: str, folder: Path, capsys: pytest.CaptureFixture, name: str, data: bytes
) -> None:
    folder = Path(folder) / f"case{len(list(Path(folder).iterdir()))}"
    folder.mkdir()
    path = folder / name
    path.write_bytes(data)
    started = time.monotonic()
    code, out, err = gwh(capsys, url, "validate", str(path), "--no-docs")
    took = time.monotonic() - started
    never_an_internal_error(code, out, err)
    assert took < TIME_LIMIT, f"{name}: {took:.1f} s"
    event("valid" if code == 0 else "rejected")
    if code == 0:
        assert out.startswith("valid"), (out, err)
    else:  # rejected, with what to fix: the issues listed, or the reason the file could not be read
        said = out + err
        assert said.startswith("rejected"), (out, err)
        assert re.search(r"^\s+- \S", out, re.MULTILINE) or re.search(r"rejected .*: \S", err, re.DOTALL), said


@pytest.mark.slow
@settings(FUZZ, max_examples=25)
@given(file=csv_files())
def test_fuzzed_csv_files_end_valid_or_rejected(
    project: Path, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture, file: tuple[str, bytes]
) -> None:
    validate_ends_accepted_or_rejected(database_url, tmp_path, capsys, *file)


@pytest.mark.slow
@settings(FUZZ, max_examples=15)
@given(file=xlsx_files())
def test_fuzzed_xlsx_files_end_valid_or_rejected(
    project: Path, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture, file: tuple[str, bytes]
) -> None:
    validate_ends_accepted_or_rejected(database_url, tmp_path, capsys, *file)


@pytest.mark.slow
@settings(FUZZ, max_examples=20)
@given(file=iati_files())
def test_fuzzed_iati_files_end_valid_or_rejected(
    project: Path, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture, file: tuple[str, bytes]
) -> None:
    validate_ends_accepted_or_rejected(database_url, tmp_path, capsys, *file)
