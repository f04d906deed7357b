"""A submission table is defined once, in the contracts; every piece the warehouse needs for it is there, and a
test fails when a new table misses one: its suite (builder and committed file), its kind's template sheet, its
raw source and staging model in dbt, and its slices in the lineage table."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gender_warehouse import suites, templates, warehouse
from gender_warehouse.contracts import KINDS, TABLES, tables_of_kind


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    path = warehouse.manifest_path()
    if not path.exists():
        warehouse.parse()
    return json.loads(path.read_text())


def test_every_table_belongs_to_a_kind_with_a_template() -> None:
    assert set(KINDS) == {"hr", "programme"}
    assert [t for k in KINDS for t in tables_of_kind(k)] == list(TABLES.values())
    for kind in KINDS:
        assert templates.tables_of(kind) == list(tables_of_kind(kind))


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_has_its_suite_source_staging_and_lineage(name: str, manifest: dict[str, Any]) -> None:
    table = TABLES[name]
    assert suites.suite_path(table).exists(), f"{name}: no suite file; run `gwh suites write`"
    assert suites.suite_text(table)  # a builder for it
    source = f"source.gender_warehouse.raw.{name}"
    assert source in manifest["sources"], f"{name}: no dbt source raw.{name} in _warehouse__sources.yml"
    staging = f"model.gender_warehouse.stg_warehouse__{name}"
    assert staging in manifest["nodes"], f"{name}: no staging model stg_warehouse__{name}"
    assert source in manifest["nodes"][staging]["depends_on"]["nodes"]
    lineage = manifest["nodes"]["model.gender_warehouse.mart_lineage"]
    assert staging in lineage["depends_on"]["nodes"], f"{name}: mart_lineage has no slices of it"
    declared = {s["table"] for s in lineage["config"]["meta"]["lineage"]}
    assert name in declared
