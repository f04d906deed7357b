"""What the rules accept, the loader loads: property tests of the typing step, one per column type (no database).

For any text — unicode digits, signs, spaces, huge numbers, impossible dates, lookalike letters, values longer
than a column holds — `canonical.to_canonical` either types the value (and then exactly as an independent
reading of the contract says: `+5` is 5, `2024-02-29` is a date, ...) or refuses it with a named error that gives
the row, the column, what was found and what is expected. Nothing raises anything else. The typed value is the
one the loader copies; tests/integration/test_fuzz_readers.py copies such values into PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gender_warehouse import canonical
from gender_warehouse.canonical import FALSE_WORDS, TRUE_WORDS, WHITESPACE, TypeErrors, to_canonical
from gender_warehouse.contracts import TABLES, TEXT_MAX_LENGTH, Column, ColumnType, Table
from gender_warehouse.errors import SubmissionError
from gender_warehouse.readers import read_submission
from tests.helpers import headcount_rows, write_csv, write_xlsx

PROPERTY = settings(max_examples=200, deadline=None, database=None)
ROW = 7  # the row number the one-row tables say their value is on
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# --- the strings: what careless and hostile submitters type ---------------------------------------------------

SPACES = st.sampled_from([" ", "\t", "\u00a0", "\u2003", "\u202f", "\u3000", "\ufeff", "\u200b", "\x0b", "\r\n"])
DIGITS = st.one_of(
    st.sampled_from("0123456789"),
    st.characters(categories=["Nd"]),  # every script's decimal digits: '５', '٣', '৫', '𝟓' ...
    st.sampled_from("²½⑤Ⅴ"),  # digits and numbers that are not decimal digits
)
SIGNS = st.sampled_from(["", "", "+", "-", "−", "++", "+-", "－", "﹢"])


def padded(core: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value with, now and then, spaces of any kind before or after it."""
    pad = st.one_of(st.just(""), st.lists(SPACES, max_size=3).map("".join))
    return st.tuples(pad, core, pad).map("".join)


NUMBERS = padded(
    st.one_of(
        st.tuples(SIGNS, st.lists(DIGITS, min_size=1, max_size=12).map("".join)).map("".join),
        st.tuples(
            SIGNS,
            st.lists(DIGITS, max_size=17).map("".join),
            st.sampled_from([".", ".", ",", "·"]),
            st.lists(DIGITS, max_size=8).map("".join),
            st.sampled_from(["", "", "e3", "E-2", "%", " USD"]),
        ).map("".join),
        st.integers(min_value=-(10**25), max_value=10**25).map(str),
        st.integers(min_value=-(2**31) - 2, max_value=2**31 + 1).map(str),
        st.integers(min_value=999_999_990, max_value=1_000_000_010).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.floats().map(str),
        st.sampled_from(["+5", "-0", "+0", "00000005", "1,000", "1 000", "1_000", "0x1F", "5.", ".5", "∞", "NaN"]),
    )
)


@st.composite
def written_dates(draw: st.DrawFn) -> str:
    """Dates as people write them: every year from 0000, months and days off by one, one or two digits."""
    year = draw(st.integers(min_value=0, max_value=10_001))
    month = draw(st.integers(min_value=0, max_value=13))
    day = draw(st.integers(min_value=0, max_value=32))
    widths = draw(st.sampled_from([(4, 2, 2), (4, 2, 2), (4, 1, 1), (1, 2, 2), (5, 2, 2)]))
    sep = draw(st.sampled_from(["-", "-", "-", "/", ".", "–"]))
    return sep.join(str(part).zfill(width) for part, width in zip((year, month, day), widths, strict=True))


DATES = padded(
    st.one_of(
        written_dates(),
        st.dates().map(dt.date.isoformat),
        st.datetimes().map(lambda d: d.isoformat(sep=" ")),
        st.sampled_from(["2024-02-30", "2023-02-29", "2024-02-29", "0000-01-01", "0001-01-01", "9999-12-31"]),
        st.sampled_from(["2024-1-5", "20240105", "2024-W01-1", "2024-001", "31/12/2024", "２０２４-０１-０５"]),
        st.sampled_from(["+2024-01-05", "-2024-01-05", "2024-01-05Z", "2024-01-05T00:00"]),
    )
)
WORDS = padded(
    st.one_of(
        st.sampled_from([*TRUE_WORDS, *FALSE_WORDS, "true", "False", "yEs", "n", "oui", "2", "-1", "TRUE."]).flatmap(
            lambda w: st.sampled_from([w, w.lower(), w.title()])
        ),
        st.sampled_from(["yeſ", "İ", "ı", "ＴＲＵＥ", "ｙｅｓ", "TRUE\u200b", "١", "٠", "Ｙ"]),
    )
)
ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet=st.characters(categories=["Nd", "Zs", "Cc", "Cf"]), max_size=12),
)
# Values of the type, near its edges, so that accepted values are generated as often as refused ones.
SIGN = st.sampled_from(["", "", "+", "-"])
WHOLE_NUMBERS = st.tuples(SIGN, st.integers(min_value=0, max_value=999_999_999)).map("{0[0]}{0[1]}".format)
DECIMALS = st.tuples(
    SIGN,
    st.integers(min_value=0, max_value=10**15 - 1),
    st.sampled_from(["", "."]),
    st.text(alphabet="0123456789", min_size=1, max_size=6),
).map(lambda t: f"{t[0]}{t[1]}{t[2] + t[3] if t[2] else ''}")
POINT_FIRST = st.tuples(SIGN, st.text(alphabet="0123456789", max_size=7), st.sampled_from(["", "."])).map(
    lambda t: f"{t[0]}.{t[1]}" if t[1] else f"{t[0]}5{t[2]}"
)  # '.75', '-.5', '5.'
STRINGS = {
    ColumnType.COUNT: st.one_of(padded(WHOLE_NUMBERS), NUMBERS, ANY_TEXT),
    ColumnType.DECIMAL: st.one_of(padded(DECIMALS), padded(POINT_FIRST), padded(WHOLE_NUMBERS), NUMBERS, ANY_TEXT),
    ColumnType.DATE: st.one_of(padded(st.dates().map(dt.date.isoformat)), DATES, ANY_TEXT),
    ColumnType.BOOLEAN: st.one_of(WORDS, WORDS, NUMBERS, ANY_TEXT),
}
TEXT_LIMIT = 12  # the one-column tables of the text types hold at most this many characters: the edge is hit often
LONG_TEXT = st.text(min_size=TEXT_LIMIT - 2, max_size=TEXT_LIMIT + 3)
for kind in (ColumnType.CODE, ColumnType.CODE_LIST, ColumnType.IDENTIFIER, ColumnType.TEXT):
    STRINGS[kind] = st.one_of(ANY_TEXT, padded(LONG_TEXT), NUMBERS, DATES)


# --- the contract read independently of canonical.py: what each type accepts and the value it stands for -------


def contract_value(kind: ColumnType, text: str) -> tuple[str, Any]:
    """('empty', None), ('accepted', value) or ('refused', None), by the contract's words, in plain Python."""
    s = text.strip(WHITESPACE)
    if kind is ColumnType.CODE_LIST:
        s = re.sub(r"[\t\n\f\r ]*[;,][\t\n\f\r ]*", ";", s).strip(";")
    if s == "":
        return "empty", None
    if CONTROL.search(s):
        return "refused", None
    if kind.is_text:
        return ("accepted", s) if len(s) <= TEXT_LIMIT else ("refused", None)
    if kind is ColumnType.COUNT:
        # A whole number of at most 9 digits, ASCII digits only, with an optional sign.
        return ("accepted", int(s)) if re.fullmatch(r"[+-]?[0-9]{1,9}", s) else ("refused", None)
    if kind is ColumnType.DECIMAL:
        # xsd:decimal: '.75' and '5.' are numbers too.
        ok = re.fullmatch(r"[+-]?([0-9]{1,15}(\.[0-9]{0,6})?|\.[0-9]{1,6})", s)
        return ("accepted", decimal.Decimal(s)) if ok else ("refused", None)
    if kind is ColumnType.DATE:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", s):
            return "refused", None
        try:
            return "accepted", dt.date.fromisoformat(s)  # no year 0000, no 30 February
        except ValueError:
            return "refused", None
    assert kind is ColumnType.BOOLEAN
    word = s.upper() if s.isascii() else None
    if word in TRUE_WORDS:
        return "accepted", True
    if word in FALSE_WORDS:
        return "accepted", False
    return "refused", None


def one_column(kind: ColumnType) -> Table:
    column = Column("value", kind, "the value under test", max_length=TEXT_LIMIT if kind.is_text else None)
    return Table(name=f"one_{kind.value}", kind="test", description="", columns=(column,), key=(), supersedes_by=())


def typed(kind: ColumnType, text: str) -> tuple[str, Any]:
    """What the typing step makes of one value: ('accepted', value), ('empty', None) or ('refused', error)."""
    rows = pa.table({"source_row": pa.array([ROW], pa.int64()), "value": pa.array([text], pa.string())})
    try:
        result = to_canonical(rows, one_column(kind), sheet=None)
    except TypeErrors as exc:
        [error] = exc.errors
        return "refused", error
    if result.row_count == 0:
        return "empty", None
    return "accepted", result.rows.column("value")[0].as_py()


def check(kind: ColumnType, text: str) -> None:
    outcome, got = typed(kind, text)
    expected_outcome, expected = contract_value(kind, text)
    assert outcome == expected_outcome, (text, got)
    if outcome == "refused":
        # A named error: the row, the column, what was found, what is expected; short whatever the value.
        assert isinstance(got, SubmissionError)
        assert got.column == "value" and got.rows == [ROW]
        message = str(got)
        assert f"row {ROW}" in message and "column 'value'" in message and "found" in message
        assert len(message) < 600
        if not kind.is_text and not CONTROL.search(text):
            assert kind.expected in message
    elif outcome == "accepted":
        if kind in (ColumnType.CODE, ColumnType.CODE_LIST):  # codes are upper-cased
            assert got == pc.utf8_upper(pa.scalar(expected)).as_py()
        else:
            assert got == expected, text
            assert type(got) is type(expected)


# --- one property per column type ------------------------------------------------------------------------------


@PROPERTY
@given(STRINGS[ColumnType.COUNT])
@example("+5")
@example("-5")
@example("５")
@example("٣")
@example("999999999")
@example("1000000000")
@example(str(2**31))
@example(" 42\u00a0")
def test_a_whole_number_is_typed_as_the_rule_says(text: str) -> None:
    check(ColumnType.COUNT, text)


@PROPERTY
@given(STRINGS[ColumnType.DECIMAL])
@example("+5.5")
@example("-0.000001")
@example("123456789012345.123456")
@example("1234567890123456")
@example("0.1234567")
@example("1e3")
@example("٣.٥")
@example(".75")
@example("-.5")
@example("5.")
@example(".")
def test_a_decimal_is_typed_as_the_rule_says(text: str) -> None:
    check(ColumnType.DECIMAL, text)


@PROPERTY
@given(STRINGS[ColumnType.DATE])
@example("2024-02-30")
@example("2023-02-29")
@example("0000-01-01")
@example("0001-01-01")
@example("2024-1-5")
@example("٢٠٢٤-٠١-٠٥")
@example("+2024-01-05")
def test_a_date_is_typed_as_the_rule_says(text: str) -> None:
    check(ColumnType.DATE, text)


@PROPERTY
@given(STRINGS[ColumnType.BOOLEAN])
@example("yes")
@example("yeſ")
@example("İ")
@example("١")
def test_a_boolean_is_typed_as_the_rule_says(text: str) -> None:
    check(ColumnType.BOOLEAN, text)


TEXT_KINDS = [ColumnType.CODE, ColumnType.CODE_LIST, ColumnType.IDENTIFIER, ColumnType.TEXT]


@pytest.mark.parametrize("kind", TEXT_KINDS, ids=str)
@PROPERTY
@given(data=st.data())
def test_text_is_kept_unless_it_is_too_long_or_binary(kind: ColumnType, data: st.DataObject) -> None:
    check(kind, data.draw(STRINGS[kind]))


@pytest.mark.parametrize("kind", TEXT_KINDS, ids=str)
@pytest.mark.parametrize(
    "text", ["X" * TEXT_LIMIT, "é" * (TEXT_LIMIT + 1), " x\n\\.\ny ", "\x00", "a\x7fb", " \u00a0", "vnm, bgd ;"]
)
def test_text_at_its_edges(kind: ColumnType, text: str) -> None:
    check(kind, text)


def test_every_parse_gives_the_loaders_type_and_keeps_nulls() -> None:
    values = ["+5", "５", "2024-02-30", "yes", "1e3", "", None, "0000-01-01", "-0", "1.5"]
    column = pa.chunked_array([pa.array(values, pa.string())])
    for kind in ColumnType:
        parsed = canonical.parse_column(column, kind)
        assert parsed.type == canonical.ARROW_TYPES[kind] and len(parsed) == len(values)
        assert parsed[values.index(None)].as_py() is None


def test_a_cast_that_refuses_a_value_after_all_refuses_that_value_alone() -> None:
    """The safety net under the shape checks: a cast error nulls the one value (reported), never the column."""
    values = pa.chunked_array([pa.array(["5", "+5", "x", None], pa.string())])
    assert canonical.cast_or_null(values, pa.int32()).to_pylist() == [5, None, None, None]


# --- every text column of every contract has its limit, checked before anything is loaded ----------------------


def test_every_text_column_of_the_contracts_has_a_maximum_length() -> None:
    for table in TABLES.values():
        for column in table.columns:
            if column.type.is_text:
                assert column.max_length and 0 < column.max_length <= max(TEXT_MAX_LENGTH.values()), column
                # PostgreSQL indexes a key of at most about 2,700 bytes; a character takes up to 4.
                if column.name in table.supersedes_by:
                    assert column.max_length * 4 < 2_700
            else:
                assert column.max_length is None


@pytest.mark.parametrize(
    ("table", "column"),
    [(t, c) for t in TABLES.values() for c in t.columns if c.type.is_text],
    ids=lambda x: getattr(x, "name", None),
)
def test_a_value_one_character_over_its_column_limit_is_refused_by_name(table: Table, column: Column) -> None:
    assert column.max_length is not None
    text = pa.table(
        {
            "source_row": pa.array([2, 3], pa.int64()),
            **{c.name: pa.array([None, None], pa.string()) for c in table.columns},
        }
    )
    index = text.schema.get_field_index(column.name)
    text = text.set_column(index, column.name, pa.array(["é" * column.max_length, "é" * (column.max_length + 1)]))
    with pytest.raises(TypeErrors) as caught:
        to_canonical(text, table, sheet="Sheet")
    [error] = caught.value.errors
    assert (error.column, error.rows, error.sheet) == (column.name, [3], "Sheet")
    assert f"longer than the {column.max_length:,} characters {column.name} may hold" in error.message
    assert f"({column.max_length + 1:,} characters)" in error.message


@settings(PROPERTY, max_examples=100)
@given(st.sampled_from(sorted(TABLES)), st.data())
def test_any_row_of_any_table_is_typed_or_refused_with_named_errors(name: str, data: Any) -> None:
    """Whole rows of random text through a real contract: typed, or one named error per column, nothing else."""
    table = TABLES[name]
    values = {c.name: data.draw(st.one_of(st.none(), STRINGS[c.type]), label=c.name) for c in table.columns}
    text = pa.table(
        {"source_row": pa.array([2], pa.int64()), **{k: pa.array([v], pa.string()) for k, v in values.items()}}
    )
    try:
        result = to_canonical(text, table, sheet=None)
    except TypeErrors as exc:
        assert exc.errors and {e.column for e in exc.errors} <= set(table.column_names)
        assert all(e.rows == [2] for e in exc.errors)
        return
    assert result.row_count <= 1


@settings(PROPERTY, max_examples=100)
@given(st.sampled_from(sorted(TABLES)), st.data())
def test_typing_by_distinct_values_is_typing_every_value(name: str, data: Any) -> None:
    """A large column is checked on its distinct values and the results spread over the rows (canonical.Checked):
    rows of random text, repeated, type to the same values, or fail with the same errors and rows, either way."""
    table = TABLES[name]
    rows = data.draw(
        st.lists(
            st.fixed_dictionaries({c.name: st.one_of(st.none(), STRINGS[c.type]) for c in table.columns}),
            min_size=1,
            max_size=4,
        )
    )
    repeated = [rows[i % len(rows)] for i in range(40)]
    text = pa.table(
        {
            "source_row": pa.array(range(2, 42), pa.int64()),
            **{c.name: pa.array([r[c.name] for r in repeated], pa.string()) for c in table.columns},
        }
    )

    def outcome(distinct_from: int) -> Any:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(canonical, "DISTINCT_FROM_ROWS", distinct_from)
            try:
                return to_canonical(text, table, sheet=None).rows
            except TypeErrors as exc:
                return [(e.column, e.rows, e.message) for e in exc.errors]

    assert outcome(1) == outcome(10**9)


# --- long values from each reader: a located SubmissionError, never an internal error ------------------------


def test_a_csv_value_over_the_readers_block_size_is_located(tmp_path: Path) -> None:
    rows = headcount_rows()
    rows[1][3] = "P" * (20 << 20)  # longer than Arrow's block: the reader itself cannot take the row
    path = write_csv(tmp_path / "hr_headcount.csv", rows)
    _, [source] = read_submission(path)
    with pytest.raises(SubmissionError) as caught:
        source.read()
    error = caught.value
    assert (error.rows, error.column) == ([3], "grade")
    assert "20,971,520 characters" in str(error) and len(str(error)) < 400


def test_a_csv_value_over_pythons_csv_limit_is_located(tmp_path: Path) -> None:
    """A ragged row after a 200 KB value: the locator reads past the value Python's csv module would refuse."""
    rows = headcount_rows()
    rows[0][7] = "FIXED_TERM" + " " * 200_000 + "x"
    rows[2].append("extra")
    path = write_csv(tmp_path / "hr_headcount.csv", rows)
    _, [source] = read_submission(path)
    with pytest.raises(SubmissionError) as caught:
        source.read()
    assert (caught.value.rows, caught.value.column) == ([2], "appointment_type")


def test_an_hpc_needs_value_over_pythons_csv_limit_is_located(tmp_path: Path) -> None:
    header = ["Admin 1 PCode", "Admin 2 PCode", "Description", "Cluster", "Category", "In Need", "Targeted", "Reached"]
    path = write_csv(
        tmp_path / "afg_needs_2024.csv",
        [["AF01", "AF0101", "General Protection", "PRO", "", "10", "5", "2"], ["AF01", "AF0101", "D" * 200_000]],
        header=header,
    )
    with pytest.raises(SubmissionError) as caught:
        read_submission(path)
    assert (caught.value.rows, caught.value.column) == ([3], "description")


def test_an_xlsx_cell_too_long_is_refused_with_sheet_row_and_column(tmp_path: Path) -> None:
    rows = headcount_rows()
    rows[2][1] = "U" * 57_000  # cell B4
    write_xlsx(tmp_path / "hr.xlsx", rows)
    _, [source] = read_submission(tmp_path / "hr.xlsx")
    with pytest.raises(TypeErrors) as caught:
        to_canonical(source.read(), source.table, source.sheet)
    [error] = caught.value.errors
    assert (error.sheet, error.rows, error.column) == ("hr_headcount", [4], "entity_code")


def test_a_damaged_sheet_is_a_submission_error(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "good.xlsx", headcount_rows())
    damaged = tmp_path / "hr_headcount.xlsx"
    with zipfile.ZipFile(tmp_path / "good.xlsx") as src, zipfile.ZipFile(damaged, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # the sheet's XML cut off half way
            out.writestr(item, data)
    with pytest.raises(SubmissionError) as caught:
        _, sources = read_submission(damaged)
        for source in sources:
            source.read()
    assert caught.value.sheet == "hr_headcount" and "damaged" in str(caught.value)


def test_an_iati_value_too_long_is_refused_with_its_line_and_column(tmp_path: Path) -> None:
    sample = (
        Path(__file__).resolve().parents[2] / "include/sample_submissions/programmes/malawi_peacebuilding_UN-WOMEN.xml"
    )
    text = sample.read_text(encoding="utf-8")
    title = re.search(r"<title>\s*<narrative[^>]*>([^<]+)</narrative>", text)
    assert title is not None
    long_title = text.replace(title.group(1), "T" * 57_000, 1)
    path = tmp_path / "programme.xml"
    path.write_text(long_title, encoding="utf-8")
    _, sources = read_submission(path)
    errors = []
    for source in sources:
        try:
            to_canonical(source.read(), source.table, source.sheet, source.row_noun)
        except TypeErrors as exc:
            errors += exc.errors
    assert errors and all(e.column == "title" and e.row_noun == "line" and e.rows for e in errors)
    assert "2,000 characters title may hold" in errors[0].message


@settings(PROPERTY, max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(["A", "B", "a", ""])),
            st.one_of(st.none(), st.integers(min_value=-2, max_value=2)),
            st.one_of(st.none(), st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2024, 1, 3))),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_a_compound_key_is_one_integer_equal_exactly_when_the_values_are(rows: list[tuple[Any, ...]]) -> None:
    """validation.key_codes, behind the unique-key rule: two rows get the same code exactly when their values of
    the key columns are the same, a null being equal to a null (as the text key the rule falls back to has it)."""
    from gender_warehouse import validation

    table = pa.table(
        {
            "a": pa.array([r[0] for r in rows], pa.string()),
            "b": pa.array([r[1] for r in rows], pa.int32()),
            "c": pa.array([r[2] for r in rows], pa.date32()),
        }
    )
    codes = validation.key_codes(table, ["a", "b", "c"])
    assert codes is not None
    values = codes.to_pylist()
    for i in range(len(rows)):
        for j in range(len(rows)):
            assert (values[i] == values[j]) == (rows[i] == rows[j]), (rows[i], rows[j])
