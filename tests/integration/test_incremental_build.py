"""Incremental builds: a load rebuilds only the entity snapshots it brings, and the marts equal a full rebuild's."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import psycopg
import pytest

from gender_warehouse import contracts, pipeline, warehouse
from tests.conftest import ROOT, SAMPLES, fresh_database, make_project, query

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TODAY = dt.date(2026, 11, 27)


def incremental_models() -> dict[str, dict]:
    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"
    }


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every mart and incremental model, in a fixed order."""
    relations = [
        f"{schema}.{name}"
        for schema, name in query(
            url,
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('marts', 'intermediate') and table_type = 'BASE TABLE'"
            " and table_name <> 'dbt_incremental_inputs' order by 1, 2",
        )
    ]
    assert "marts.fct_workforce_headcount" in relations
    return {r: sorted(query(url, f"select * from {r}"), key=repr) for r in relations}


def row_versions(url: str, entity: str, snapshot_date: str) -> set[str]:
    """The transactions that wrote an entity snapshot's fact rows: unchanged when a build leaves it alone."""
    return {
        xmin
        for (xmin,) in query(
            url,
            "select xmin::text from marts.fct_workforce_headcount where entity_code = %s and snapshot_date = %s",
            (entity, snapshot_date),
        )
    }


def ingest(url: str, files: list[Path]) -> None:
    for f in files:
        assert pipeline.ingest_file(f, url, today=TODAY).status == "accepted", f


def test_the_incremental_models_rebuild_the_slices_of_their_raw_table() -> None:
    models = incremental_models()
    assert {"fct_workforce_headcount", "int_hr_headcount_populations", "int_hr_headcount_slices"} <= set(models)
    for name, node in models.items():
        table = contracts.TABLES[node["config"]["meta"]["slices_of"]]
        config = node["config"]
        assert config["unique_key"] == list(table.supersedes_by), name
        assert config["incremental_strategy"] == "delete+insert", name
        hooks = " ".join(h["sql"] for h in config["pre-hook"] + config["post-hook"])
        assert "forget_rows_if_inputs_changed" in hooks and "record_incremental_inputs" in hooks, name
        assert "load_id" in node["columns"] or "load_id" in node["raw_code"], name


def test_a_correction_rebuilds_its_slices_only_and_the_marts_equal_a_full_rebuild(
    admin_url: str, template_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(tmp_path, monkeypatch)
    with fresh_database(admin_url, template_db) as url:
        ingest(url, sorted((SAMPLES / "hr").iterdir()))
        assert warehouse.build(url).success
        untouched = row_versions(url, "UNODC", "2024-12-31")
        corrected = row_versions(url, "WIPO", "2024-12-31")
        assert untouched and corrected

        ingest(url, sorted((SAMPLES / "corrections").iterdir()))
        assert warehouse.build(url).success
        # The correction's entity snapshot was rewritten; the others were left as they were.
        assert row_versions(url, "WIPO", "2024-12-31").isdisjoint(corrected)
        assert row_versions(url, "UNODC", "2024-12-31") == untouched
        [(file_name,)] = query(
            url,
            "select distinct s.file_name from marts.fct_workforce_headcount join audit.submissions as s"
            " using (submission_id) where entity_code = 'WIPO' and snapshot_date = '2024-12-31'",
        )
        assert file_name == "hr_headcount_WIPO_2024_revised.csv"
        incremental = snapshot(url)

        assert warehouse.build(url, full_refresh=True).success
        assert snapshot(url) == incremental

        # Built from other inputs (a seed or the SQL changed): an incremental run rebuilds every slice.
        with psycopg.connect(url) as conn:
            conn.execute("update intermediate.dbt_incremental_inputs set fingerprint = 'other inputs'")
        assert warehouse.build(url).success
        assert row_versions(url, "UNODC", "2024-12-31").isdisjoint(untouched)
        assert snapshot(url) == incremental
        assert {f for (f,) in query(url, "select fingerprint from intermediate.dbt_incremental_inputs")} != {
            "other inputs"
        }


def compiled_fingerprint(project: Path, url: str, model: str) -> str:
    """The inputs fingerprint a model's compiled SQL carries (macros/incremental.sql)."""
    assert warehouse.run_dbt(["compile", "--select", model], url).success
    [compiled] = (project / "dbt_project" / "target" / "compiled").rglob(f"{model}.sql")
    found = re.search(r"incremental inputs: ([0-9a-f]{32})", compiled.read_text())
    assert found, compiled
    return found.group(1)


def test_a_change_to_a_macro_a_model_calls_changes_its_fingerprint(
    project: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental model is rebuilt in full when a project macro it calls changes, even one it reaches through
    another macro (population_rollup, through headcount_populations), and only then: a change to a macro it never
    calls leaves its fingerprint alone."""
    macros = project / "dbt_project" / "macros"
    macros.unlink()  # the project's macros, copied so that this test may change them
    shutil.copytree(ROOT / "dbt_project" / "macros", macros)
    model = "int_hr_headcount_country_populations"
    before = compiled_fingerprint(project, database_url, model)
    funding = macros / "funding.sql"
    funding.write_text(funding.read_text() + "\n{# a change to a macro the model never calls #}\n")
    assert compiled_fingerprint(project, database_url, model) == before
    rollup = macros / "population_rollup.sql"
    text = rollup.read_text()
    assert "{% endmacro %}" in text
    rollup.write_text(text.replace("{% endmacro %}", "    -- changed\n{% endmacro %}", 1))
    assert compiled_fingerprint(project, database_url, model) != before
