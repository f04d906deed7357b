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


def accepted_values(manifest: dict[str, Any], model: str, column: str) -> list[Any]:
    """The values the accepted_values test on a model's column allows (there is exactly one such test)."""
    [values] = [
        n["test_metadata"]["kwargs"]["values"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test"
        and n.get("column_name") == column
        and n.get("attached_node") == f"model.gender_warehouse.{model}"
        and n["test_metadata"]["name"] == "accepted_values"
    ]
    return values


def test_every_table_belongs_to_a_kind_with_a_template() -> None:
    assert set(KINDS) == {"hr", "programme", "accountability"}
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
    # Straight from staging, or through a model that keeps the slices incrementally (int_hr_headcount_slices).
    parents = lineage["depends_on"]["nodes"]
    reached = set(parents) | {
        p for n in parents if n in manifest["nodes"] for p in manifest["nodes"][n]["depends_on"]["nodes"]
    }
    assert staging in reached, f"{name}: mart_lineage has no slices of it"
    declared = {s["table"] for s in lineage["config"]["meta"]["lineage"]}
    assert name in declared


def test_every_funding_model_says_which_record_kinds_and_transaction_types_it_counts(
    manifest: dict[str, Any],
) -> None:
    """meta.counts of each funding mart names record kinds of the contract and IATI transaction types of the seed;
    the donor mart's are the seed's incoming types, and a type the summary names is one its SQL counts."""
    from gender_warehouse import reference
    from gender_warehouse.contracts import RECORD_KINDS

    funding = {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["original_file_path"].startswith("models/marts/funding/")
    }
    assert len(funding) >= 4
    for name, node in funding.items():
        counts = node["config"]["meta"].get("counts")
        assert counts, f"{name}: no meta.counts"
        assert set(counts["record_kinds"]) <= set(RECORD_KINDS), name
        types = counts["transaction_types"]
        assert types == "all" or set(types) <= set(reference.transaction_types()), name
    # The record kinds the fact table accepts are the contract's.
    assert tuple(accepted_values(manifest, "fct_programme_funding", "record_kind")) == RECORD_KINDS
    donor = funding["mart_funding_by_donor"]["config"]["meta"]["counts"]["transaction_types"]
    assert set(donor) == reference.incoming_transaction_types()
    summary = funding["mart_programme_funding_summary"]
    for code in summary["config"]["meta"]["counts"]["transaction_types"]:
        assert f"transaction_type = '{code}'" in summary["raw_code"], code


def test_every_dbt_unit_test_name_fits_a_postgresql_relation_name(manifest: dict[str, Any]) -> None:
    """dbt runs a unit test as a relation of its name: past PostgreSQL's 63 characters it fails only when run."""
    names = [n["name"] for n in manifest["unit_tests"].values()]
    assert names and not [n for n in names if len(n) > 63]


def test_the_reporting_statuses_shown_are_the_ones_the_mart_gives(manifest: dict[str, Any]) -> None:
    """reporting.STATUSES (how each status is shown, whether it is owed) names exactly the statuses the mart's
    accepted_values test allows: a new status cannot reach a page without its class and colour."""
    from gender_warehouse import reporting

    assert sorted(accepted_values(manifest, "mart_reporting_status", "reporting_status")) == sorted(reporting.STATUSES)


def test_no_entity_code_is_a_country_code() -> None:
    """A reporter is an entity, or a country team under its country's ISO 3166-1 alpha-3 code (swap_ratings): the
    reporting status names each from one column, so the two lists may never share a code."""
    from gender_warehouse import reference

    assert not set(reference.entity_codes()) & set(reference.country_codes())


def test_the_ratings_suite_lists_every_indicator_of_the_seed() -> None:
    """The frameworks' indicators are the seed's alone: the suite's list is written from it."""
    from gender_warehouse import reference

    codes = {(i.framework, i.version): [] for i in reference.swap_indicators()}
    for i in reference.swap_indicators():
        codes[(i.framework, i.version)].append(i.code)
    assert [len(v) for v in codes.values()] == [17, 15]
    suite = suites.suite_text(TABLES["swap_ratings"])
    assert all(f"'{c}'" in suite for v in codes.values() for c in v)


def test_dbt_drops_relations_one_at_a_time(manifest: dict[str, Any]) -> None:
    """The project's postgres__drop_relation (which dbt dispatches to before its own) takes the advisory lock that
    keeps two threads' CASCADE drops from deadlocking on a view they share."""
    macro = manifest["macros"].get("macro.gender_warehouse.postgres__drop_relation")
    assert macro is not None
    assert "pg_advisory_xact_lock" in macro["macro_sql"] and "get_drop_sql(relation)" in macro["macro_sql"]


def test_the_ratings_codes_are_the_contracts_and_the_seeds(manifest: dict[str, Any]) -> None:
    """The report types the ratings mart accepts are the contract's; every framework of the indicators seed is in
    the frameworks seed, which says who reports under it."""
    from gender_warehouse import reference
    from gender_warehouse.contracts import REPORT_TYPES

    assert tuple(accepted_values(manifest, "mart_swap_ratings", "report_type")) == REPORT_TYPES
    assert set(reference.swap_framework_versions()) <= set(reference.swap_frameworks())
