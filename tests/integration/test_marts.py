"""The parity marts, built by dbt from the sample submissions, reproduce the published figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from gender_warehouse import figures, pipeline, warehouse
from tests.conftest import SAMPLES, fresh_database, make_project, query

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def built_warehouse(admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample submissions ingested and the warehouse built once, for every test here."""
    with pytest.MonkeyPatch.context() as monkeypatch, fresh_database(admin_url, template_db) as url:
        make_project(tmp_path_factory.mktemp("project"), monkeypatch)
        files = sorted((SAMPLES / "hr").iterdir()) + sorted((SAMPLES / "corrections").iterdir())
        for f in files:
            assert pipeline.ingest_file(f, url, today=dt.date(2026, 11, 27)).status == "accepted"
        run = warehouse.build(url)
        assert run.success and not run.failures
        yield url


def test_marts_reproduce_every_published_figure(built_warehouse: str) -> None:
    compared = figures.compare(built_warehouse)
    disagreeing = [f for f in compared if not f.agrees]
    assert not disagreeing, disagreeing
    assert len(compared) >= 30


def test_the_unit_tests_run_and_pass(built_warehouse: str) -> None:
    run = warehouse.run_dbt(["test", "--select", "test_type:unit"], built_warehouse)
    assert {r["resource_type"] for r in run.results} == {"unit_test"}
    assert len(run.results) >= 4 and all(r["status"] == "pass" for r in run.results)


def test_descriptions_reach_postgres_comments(built_warehouse: str) -> None:
    [(table_comment, column_comment)] = query(
        built_warehouse,
        "select obj_description('marts.mart_parity_by_entity_level'::regclass),"
        " col_description('marts.mart_parity_by_entity_level'::regclass,"
        " (select attnum from pg_attribute where attrelid = 'marts.mart_parity_by_entity_level'::regclass"
        " and attname = 'women_share'))",
    )
    assert "Gender parity of each entity" in table_comment
    assert column_comment.startswith("women / (women + men)")


def test_a_superseded_submission_leaves_the_marts(built_warehouse: str) -> None:
    # WIPO's 2024 figures come from the correction only.
    [(submission_file,)] = query(
        built_warehouse,
        "select distinct s.file_name from marts.fct_workforce_headcount f join audit.submissions s using (submission_id)"
        " where f.entity_code = 'WIPO' and f.snapshot_date = '2024-12-31'",
    )
    assert submission_file == "hr_headcount_WIPO_2024_revised.csv"
