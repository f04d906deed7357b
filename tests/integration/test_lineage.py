"""Every mart declares what its rows are built from (meta.lineage), the declaration matches the model's own
sources in the dbt manifest, and a row traces to the submissions whose rows produced it: change one submission and
every mart row that changes names it."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from gender_warehouse import pipeline, trail, warehouse
from gender_warehouse.contracts import TABLES
from tests.conftest import SAMPLES, fresh_database, make_project

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TODAY = dt.date(2026, 11, 27)
LINEAGE_KEYS = {"table", "submission_column", "by", "dates", "years", "periods", "unused", "claimed_by"}
CLAIMS = "source.gender_warehouse.audit.claimed_slices"  # what a mart with claimed_by lineage reads instead of raw
SHARED_WITH_LINEAGE = {
    "entity_code",
    "programme_id",
    "reporting_unit",
}  # the columns of marts.mart_lineage a row can share


def manifest() -> dict[str, Any]:
    path = warehouse.manifest_path()
    if not path.exists():
        warehouse.parse()
    return json.loads(path.read_text())


def marts(m: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["name"]: n for n in m["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"}


def raw_sources(m: dict[str, Any], unique_id: str) -> set[str]:
    """The raw tables a node is built from, through all its ancestors."""
    found, seen, todo = set(), set(), [unique_id]
    while todo:
        node = todo.pop()
        for parent in m["parent_map"].get(node, []):
            if parent in seen:
                continue
            seen.add(parent)
            source = m["sources"].get(parent)
            if source and source["source_name"] == "raw":
                found.add(source["name"])
            todo.append(parent)
    return found


def test_every_mart_declares_its_lineage_as_its_sources_are() -> None:
    m = manifest()
    assert marts(m)
    for name, node in marts(m).items():
        lineage = node["config"]["meta"].get("lineage")
        assert lineage is not None, f"{name}: no meta.lineage"
        assert {s["table"] for s in lineage if "claimed_by" not in s} == raw_sources(m, node["unique_id"]), name
        # A mart about what was sent (the reporting status) traces a row to every file sent for its slice.
        assert all(CLAIMS in m["parent_map"][node["unique_id"]] for s in lineage if "claimed_by" in s), name
        columns = set(node["columns"])
        for source in lineage:
            assert set(source) <= LINEAGE_KEYS and source["table"] in TABLES, (name, source)
            if "unused" in source:  # a source of the graph that no value reads: said why, and nothing else
                assert set(source) == {"table", "unused"} and source["unused"].strip(), (name, source)
                continue
            named = [source.get("submission_column"), *source.get("by", []), *source.get("dates", [])]
            named += [*source.get("years", []), *(c for pair in source.get("periods", []) for c in pair)]
            named.append(source.get("claimed_by"))
            assert {c for c in named if c} <= columns, (name, source)
            assert set(source.get("by", [])) <= SHARED_WITH_LINEAGE, (name, source)
            assert (
                "submission_column" in source or source.get("by") or source.get("years") or source.get("claimed_by")
            ), (name, source)


def test_a_mart_without_lineage_is_refused_not_guessed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    m = manifest()
    node = marts(m)["mart_hiring_parity"]
    del node["config"]["meta"]["lineage"]
    (tmp_path / "manifest.json").write_text(json.dumps(m))
    monkeypatch.setattr(warehouse, "manifest_path", lambda: tmp_path / "manifest.json")
    with pytest.raises(trail.TrailError, match="declares no lineage"):
        trail.declared_lineage("mart_hiring_parity")


@pytest.fixture(scope="module")
def small_warehouse(admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Three entities' staff, a year of one entity's events and the joint programmes, built."""
    with pytest.MonkeyPatch.context() as monkeypatch, fresh_database(admin_url, template_db) as url:
        make_project(tmp_path_factory.mktemp("project"), monkeypatch)
        files = [SAMPLES / "hr" / f"hr_headcount_{e}.csv" for e in ("IAEA", "IOM", "UNODC")]
        files += [SAMPLES / "hr" / "hr_events_UNOPS_2023.csv", *sorted((SAMPLES / "programmes").glob("joint_*"))]
        files += [SAMPLES / "accountability" / f"swap_ratings_{unit}.csv" for unit in ("TUN", "UNDP")]
        for f in files:
            assert pipeline.ingest_file(f, url, today=TODAY).status == "accepted", f
        assert warehouse.build(url).success
        yield url


def mart_rows(url: str, lineage: dict[str, list[dict[str, Any]]]) -> dict[str, set[tuple]]:
    with psycopg.connect(url) as conn:
        return {
            name: {
                tuple(tuple(v) if isinstance(v, list) else v for v in r)  # an array (a list) as a value of a set
                for r in conn.execute(sql.SQL("select * from {}").format(sql.Identifier("marts", name)))
            }
            for name in lineage
        }


def changed_copy(source: Path, folder: Path, column: str, change: Any) -> Path:
    """The file with one value changed in its first row: a correction of that slice."""
    with source.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[0][column] = change(rows[0][column])
    target = folder / source.name
    with target.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.mark.parametrize(
    ("sample", "column", "change"),
    [
        ("hr/hr_headcount_IOM.csv", "headcount", lambda v: str(int(v) + 7)),
        ("programmes/joint_programmes_3_programme_funding.csv", "amount", lambda v: str(int(v) + 1000)),
        ("accountability/swap_ratings_TUN.csv", "rating", lambda v: "MISSING" if v != "MISSING" else "MEETS"),
    ],
    ids=["hr_headcount", "programme_funding", "swap_ratings"],
)
def test_every_mart_row_a_submission_changes_traces_to_it(
    small_warehouse: str, tmp_path: Path, sample: str, column: str, change: Any
) -> None:
    m = manifest()
    lineage = {name: node["config"]["meta"]["lineage"] for name, node in marts(m).items()}
    before = mart_rows(small_warehouse, lineage)
    corrected = changed_copy(SAMPLES / sample, tmp_path, column, change)
    result = pipeline.ingest_file(corrected, small_warehouse, today=TODAY)
    assert result.status == "accepted"
    assert warehouse.build(small_warehouse).success
    after = mart_rows(small_warehouse, lineage)
    changed_marts = []
    with psycopg.connect(small_warehouse, row_factory=psycopg.rows.dict_row) as conn, conn.cursor() as cur:
        for name, rows in after.items():
            names = [
                c.name
                for c in cur.execute(
                    sql.SQL("select * from {} limit 0").format(sql.Identifier("marts", name))
                ).description
            ]
            new_rows = [dict(zip(names, r, strict=True)) for r in rows - before[name]]
            if new_rows:
                changed_marts.append(name)
            for row in new_rows:
                traced = trail.lineage_of(cur, lineage[name], [row])
                assert result.submission_id in traced, (
                    f"{name}: a row the correction changed is not traced to it: {row}"
                )
    assert changed_marts, "the correction changed no mart"
