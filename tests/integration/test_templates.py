"""Submission templates are generated from the contracts, and a filled template is accepted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from gender_warehouse import cli, pipeline, templates
from gender_warehouse.contracts import HR_HEADCOUNT, PROGRAMME_FUNDING, PROGRAMME_REGISTER, SWAP_RATINGS
from tests.conftest import query
from tests.helpers import headcount_rows

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 27)


def test_a_template_has_the_contracts_headers_drop_downs_and_instructions(tmp_path: Path) -> None:
    path = templates.write_template("programme", tmp_path / "programme.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Instructions",
        "lists",
        "programme_register",
        "programme_beneficiaries",
        "programme_funding",
    ]
    assert book["lists"].sheet_state == "hidden"
    funding = book["programme_funding"]
    assert [c.value for c in funding[1]] == list(PROGRAMME_FUNDING.column_names)
    lists = {book["lists"].cell(1, c).value: c for c in range(1, book["lists"].max_column + 1)}
    currencies = [book["lists"].cell(r, lists["programme_funding.currency"]).value for r in range(2, 400)]
    assert {"USD", "EUR", "SEK"} <= set(currencies)
    validated = {str(v.sqref).split(":")[0] for v in funding.data_validations.dataValidation}
    currency_column = openpyxl.utils.get_column_letter(PROGRAMME_FUNDING.column_names.index("currency") + 1)
    assert f"{currency_column}2" in validated
    instructions = [[c.value for c in row] for row in book["Instructions"].iter_rows(min_row=5)]
    rows = {(r[0], r[1]): r for r in instructions}
    assert rows[("programme_register", "programme_id")][2] == "yes"
    assert "IATI-style identifier" in rows[("programme_register", "programme_id")][4]
    assert len(instructions) == sum(len(t.columns) for t in templates.tables_of("programme"))


def test_a_filled_template_is_accepted(project: Path, database_url: str, tmp_path: Path) -> None:
    path = templates.write_template("hr", tmp_path / "hr_template.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["hr_headcount"]
    for row in headcount_rows("UNFPA"):
        sheet.append([dt.date.fromisoformat(row[0]), *row[1:8], int(row[8])])
    book.save(path)  # hr_events left with its header only
    result = pipeline.ingest_file(path, database_url, today=TODAY)
    assert result.status == "accepted", [str(i) for i in result.issues]
    assert result.rows == {HR_HEADCOUNT.name: 4}
    assert [i.message for i in result.warnings] == ["the sheet has no rows: nothing loaded for hr_events"]
    assert query(database_url, "select count(*) from raw.hr_headcount where entity_code = 'UNFPA'") == [(4,)]


def test_a_programme_template_filled_by_hand_is_accepted(project: Path, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "programme.xlsx"
    assert cli.main(["template", "programme", "--out", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    values = {
        "programme_id": "XM-DAC-41146-TEMPLATE-1",
        "title": "A programme",
        "lead_entity": "UN-WOMEN",
        "participating_org": "UN-WOMEN",
        "role": "IMPLEMENTING",
        "countries": "MWI",
        "start_date": dt.datetime(2024, 1, 1),
        "unct_gem": 2,
    }
    book["programme_register"].append([values.get(c) for c in PROGRAMME_REGISTER.column_names])
    book.save(path)
    result = pipeline.ingest_file(path, database_url, today=TODAY)
    assert result.status == "accepted", [str(i) for i in result.issues]
    assert result.rows == {PROGRAMME_REGISTER.name: 1}


def test_a_ratings_template_filled_by_hand_is_accepted(project: Path, database_url: str, tmp_path: Path) -> None:
    """A country team's annual progress report typed into the accountability template: the version and the
    indicator codes stay as typed (the template's code columns are text), a priority names its lead entities."""
    path = tmp_path / "ratings.xlsx"
    assert cli.main(["template", "accountability", "--out", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    sheet = book["swap_ratings"]
    assert sheet["B2"].number_format == "@" and sheet["F2"].number_format == "@"
    for indicator, rating, lead in (("5.1", "EXCEEDS", "UN-WOMEN;UNFPA"), ("6.1", "MEETS", None)):
        values = {
            "framework": "UNCT-SWAP",
            "framework_version": "2018",
            "reporting_unit": "TUN",
            "reporting_year": 2024,
            "report_type": "ANNUAL_PROGRESS",
            "indicator_code": indicator,
            "rating": rating,
            "is_priority": lead is not None,
            "lead_entities": lead,
        }
        sheet.append([values.get(c) for c in SWAP_RATINGS.column_names])
    book.save(path)
    result = pipeline.ingest_file(path, database_url, today=TODAY)
    assert result.status == "accepted", [str(i) for i in result.issues]
    assert result.rows == {SWAP_RATINGS.name: 2}
    assert query(
        database_url, "select indicator_code, is_priority, lead_entities from raw.swap_ratings order by 1"
    ) == [("5.1", True, "UN-WOMEN;UNFPA"), ("6.1", False, None)]


def test_an_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    assert cli.main(["template", "payroll", "--out", str(tmp_path / "x.xlsx")]) == 2
