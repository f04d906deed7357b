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
                if gx["exception_info"]["raised_exception"] and outcome.config["kwargs"].get("row_condition"):
                    gx = without_row_condition(frame, outcome.config, source.table)
                assert not gx["exception_info"]["raised_exception"], (
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
    return files


def test_sql_validator_agrees_with_gx(project: Path, database_url: str, tmp_path: Path) -> None:
    compared = 0
    for path in files_to_compare(tmp_path):
        for kind, column, ours, theirs, our_count, their_count in both_verdicts(path, database_url):
            assert ours == theirs, f"{path.name}: {kind} on {column}: SQL says {ours}, GX says {theirs}"
            if their_count is not None:
                assert our_count == their_count, f"{path.name}: {kind} on {column}: {our_count} vs {their_count}"
            compared += 1
    assert compared > 50
