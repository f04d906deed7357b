"""The SQL validator gives Great Expectations' own verdicts.

Each file is staged and typed in PostgreSQL (then rolled back); the suite runs once through the SQL validator
and once through GX's pandas engine on the same typed rows. Every expectation must agree on success and on the
number of unexpected rows. (unexpected_rows_expectation is SQL-only in GX and is tested on its own.)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from gender_warehouse import canonical, db, loading, validation
from gender_warehouse.contracts import PROGRAMME_BENEFICIARIES, PROGRAMME_FUNDING, PROGRAMME_REGISTER, SWAP_RATINGS
from gender_warehouse.readers import read_submission
from tests.conftest import SAMPLES
from tests.helpers import headcount_rows, write_csv

pytestmark = [pytest.mark.integration, pytest.mark.slow]
TODAY = dt.date(2026, 11, 27)


def both_verdicts(path: Path, url: str) -> list[tuple[str, str, bool, bool, int | None, int | None]]:
    _fmt, sources = read_submission(path)
    out = []
    with db.connect(url) as conn, conn.transaction(force_rollback=True):
        for source in sources:
            rows = canonical.to_canonical(source.read(), source.table, source.sheet)
            loading.copy_rows(conn, rows, 1)
            batch = loading.batch_view(conn, source.table, 1)
            ours = validation.validate(rows, conn, batch, batch_id="b", run_name="r", today=TODAY)
            frame = rows.rows.drop_columns(["source_row"]).to_pandas(types_mapper=None).astype(object)
            for c in source.table.columns:
                frame[c.name] = frame[c.name].where(frame[c.name].notna(), None)
                if c.type.value == "date":  # ISO text compares like dates, and like GX's string parameters
                    frame[c.name] = frame[c.name].map(lambda d: d.isoformat() if d is not None else None)
            theirs = validation.validate_with_gx(frame, source.table, TODAY)
            gx_by_id = {r["expectation_config"]["id"]: r for r in theirs["results"]}
            for outcome in ours.outcomes:
                if outcome.config["type"] == "unexpected_rows_expectation":
                    continue
                gx = gx_by_id[outcome.config["id"]]
                if raised(gx) and is_date_range(outcome.config, source.table):
                    gx = with_datetimes(frame, outcome.config, source.table)
                if raised(gx) and outcome.config["kwargs"].get("row_condition"):
                    gx = without_row_condition(frame, outcome.config, source.table)
                assert not raised(gx), (
                    outcome.config["type"],
                    outcome.config["kwargs"].get("column"),
                    str(gx["exception_info"])[-600:],
                )
                out.append(
                    (
                        outcome.config["type"],
                        str(outcome.config["kwargs"].get("column", outcome.config["kwargs"].get("column_A"))),
                        outcome.success,
                        gx["success"],
                        outcome.result.get("unexpected_count"),
                        gx["result"].get("unexpected_count"),
                    )
                )
    return out


def raised(result: dict) -> bool:
    """Whether GX failed to evaluate the expectation (its exception_info is keyed by metric when a metric failed)."""
    info = result["exception_info"]
    return bool(info.get("raised_exception")) if "raised_exception" in info else bool(info)


def is_date_range(config: dict, table) -> bool:  # type: ignore[no-untyped-def]
    column = config["kwargs"].get("column")
    return (
        config["type"] == "expect_column_values_to_be_between"
        and column in table.column_names
        and (table.column(column).type.value == "date")
    )


def with_datetimes(frame: pd.DataFrame, config: dict, table) -> dict:  # type: ignore[no-untyped-def]
    """GX 1.24 compares a values-between rule's bounds with the values by type: with a date parameter ("today")
    it wants datetimes, not the ISO text the other rules are given. The same rule on datetimes."""
    column = config["kwargs"]["column"]
    as_datetimes = frame.copy()
    as_datetimes[column] = pd.to_datetime(as_datetimes[column]).astype(object).where(as_datetimes[column].notna(), None)
    bounds = {
        k: pd.Timestamp(TODAY.isoformat() if isinstance(v, dict) else v)
        for k, v in config["kwargs"].items()
        if k in ("min_value", "max_value") and v is not None
    }
    plain = {**config, "kwargs": {**config["kwargs"], **bounds}}
    [result] = validation.validate_with_gx(as_datetimes, table, TODAY, expectations=[plain])["results"]
    return result


def without_row_condition(frame: pd.DataFrame, config: dict, table) -> dict:  # type: ignore[no-untyped-def]
    """GX 1.24's pandas engine fails column-pair rules that have a row_condition (it counts unexpected values
    on every row but the denominator on the chosen ones, then refuses the percentage it computed). The same rule
    on the chosen rows alone is what the condition means."""
    condition = config["kwargs"]["row_condition"]
    assert condition["type"] == "comparison" and condition["operator"] == "==", condition
    chosen = frame[frame[condition["column"]["name"]] == condition["parameter"]].reset_index(drop=True)
    plain = {**config, "kwargs": {k: v for k, v in config["kwargs"].items() if k != "row_condition"}}
    [result] = validation.validate_with_gx(chosen, table, TODAY, expectations=[plain])["results"]
    return result


def files_to_compare(tmp_path: Path) -> list[Path]:
    rows = headcount_rows()
    bad = [list(r) for r in rows]
    bad[0][4] = "Q"
    bad[1][3] = "G-4"
    bad[2][6] = "XXX"
    bad[3][8] = "-3"
    bad.append(list(bad[0]))  # a duplicate key
    bad.append(["2031-12-31", "UNXYZ", "PROFESSIONAL_AND_HIGHER", "P-6", "F", "HQ", "", "TEMPORARY", "1"])
    files = [
        write_csv(tmp_path / "good" / "hr_headcount.csv", rows),
        write_csv(tmp_path / "bad" / "hr_headcount.csv", bad),
    ]
    files += sorted((SAMPLES / "rejected").glob("hr_events_*.csv"))
    files += sorted((SAMPLES / "hr").glob("hr_events_*.csv"))[:2]
    files += sorted((SAMPLES / "programmes").iterdir())
    files += [SAMPLES / "accountability" / "swap_ratings_TUN.csv", *sorted((SAMPLES / "rejected").glob("swap_*"))]
    return files + bad_programme_files(tmp_path) + [bad_ratings_file(tmp_path)]


def bad_ratings_file(tmp_path: Path) -> Path:
    """Ratings that break each row rule: an unknown version, a country where an entity reports, a rating off the
    scale, a priority without its lead, an unknown lead entity, a year before the frameworks."""
    rows = [
        ["UN-SWAP", "2", "UNDP", "2024", "ANNUAL_PROGRESS", "PI1", "MEETS", "", "", ""],
        ["UN-SWAP", "2.0", "TUN", "2024", "ANNUAL_PROGRESS", "PI2", "MEETS", "", "", ""],
        ["UNCT-SWAP", "2018", "TUN", "2024", "ANNUAL_PROGRESS", "4.3", "GOOD", "TRUE", "", ""],
        ["UNCT-SWAP", "2018", "UNDP", "2024", "ANNUAL_PROGRESS", "1.1", "MEETS", "TRUE", "UNWOMEN;UNDP", ""],
        ["UNCT-SWAP", "2018", "ALB", "1999", "FINAL", "1.1", "MEETS", "", "", ""],
        ["UNCT-SWAP", "2018", "ALB", "1999", "FINAL", "1.1", "MEETS", "", "", ""],
    ]
    return write_csv(tmp_path / "bad" / "swap_ratings.csv", rows, list(SWAP_RATINGS.column_names))


def bad_programme_files(tmp_path: Path) -> list[Path]:
    """Programme rows that break most row rules at once: list codes, decimals, conditional nulls, duplicates."""
    repeated = ["XM-DAC-41146-P1", "TRANSACTION", "5", "2030-01-01", "", "7", "EUR", "2024-01-01", "A", "00004"]
    repeated += ["", "B", "", "", ""]
    funding = [
        ["P-1", "BUDGET", "2", "2024-01-01", "2023-12-31", "100.5", "USD", "2024-01-01", "", "", "", "", "", "1", "2"],
        [
            "XM-DAC-41146-P1",
            "TRANSACTION",
            "",
            "2024-01-01",
            "",
            "-3",
            "XYZ",
            "2024-01-01",
            "",
            "",
            "",
            "",
            "",
            "3",
            "5",
        ],
        repeated,
        list(repeated),
    ]
    beneficiaries = [
        ["XM-DAC-41146-P1", "I1", "t", "ACTUAL", "2030-01-01", "2029-12-31", "MWI", "", "PERCENT", "F", "ALL", "120"],
        ["XM-DAC-41146-P1", "I1", "t", "FORECAST", "2024-01-01", "2024-12-31", "ZZZ", "", "PERSON", "W", "adults", "5"],
        ["XM DAC", "I2", "t", "TARGET", "2024-01-01", "2024-12-31", "", "", "PERCENT", "TOTAL", "15-24", "99.5"],
        ["XM DAC", "I2", "t", "TARGET", "2024-01-01", "2024-12-31", "", "", "PERCENT", "TOTAL", "15-24", "99.5"],
    ]
    register = [
        [
            "XM-DAC-41146-P1",
            "t",
            "UN-WOMEN",
            "UNEP",
            "",
            "IMPLEMENTING",
            "VNM;XKX",
            "2024-01-01",
            "2023-01-01",
            "4",
            "3",
            "18.1",
            "289;999",
            "GM2a significance 2: Gender Marker",
        ],
        [
            "XM-DAC-41146-P1",
            "t",
            "UNWOMEN",
            "Sweden",
            "",
            "DONOR",
            "VNM;BGD",
            "2024-01-01",
            "",
            "",
            "",
            "5.5;16.a",
            "",
            "",
        ],
    ]
    return [
        write_csv(tmp_path / "bad" / "programme_funding.csv", funding, list(PROGRAMME_FUNDING.column_names)),
        write_csv(
            tmp_path / "bad" / "programme_beneficiaries.csv", beneficiaries, list(PROGRAMME_BENEFICIARIES.column_names)
        ),
        write_csv(tmp_path / "bad" / "programme_register.csv", register, list(PROGRAMME_REGISTER.column_names)),
    ]


def test_sql_validator_agrees_with_gx(project: Path, database_url: str, tmp_path: Path) -> None:
    compared = 0
    for path in files_to_compare(tmp_path):
        for kind, column, ours, theirs, our_count, their_count in both_verdicts(path, database_url):
            assert ours == theirs, f"{path.name}: {kind} on {column}: SQL says {ours}, GX says {theirs}"
            if their_count is not None:
                assert our_count == their_count, f"{path.name}: {kind} on {column}: {our_count} vs {their_count}"
            compared += 1
    assert compared > 50
