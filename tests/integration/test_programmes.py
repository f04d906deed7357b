"""Programme submissions on a real PostgreSQL: every kind and format loads, every rule of the contract holds,
and the real IATI and OCHA files behave as the contract says."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gender_warehouse import cli, pipeline, reference, register
from gender_warehouse.contracts import PROGRAMME_BENEFICIARIES, PROGRAMME_FUNDING, PROGRAMME_REGISTER, Table
from tests.conftest import REAL_DATA, SAMPLES, query

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 27)
PROGRAMME = "XM-DAC-41146-TEST-1"


def ingest(path: Path, url: str) -> pipeline.IngestResult:
    return pipeline.ingest_file(path, url, today=TODAY)


def write(path: Path, table: Table, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(table.column_names), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def register_rows() -> list[dict[str, Any]]:
    common = {
        "programme_id": PROGRAMME,
        "title": "Test programme",
        "lead_entity": "UN-WOMEN",
        "countries": "MWI;KEN",
        "start_date": "2023-01-01",
        "end_date": "2025-12-31",
        "unct_gem": "3",
        "dac_gender_marker": "2",
        "sdg_targets": "5.3;16.a",
    }
    return [
        {**common, "participating_org": "UN-WOMEN", "participating_org_ref": "XM-DAC-41146", "role": "IMPLEMENTING"},
        {**common, "participating_org": "Sweden", "role": "FUNDING"},
    ]


def beneficiary_rows() -> list[dict[str, Any]]:
    base = {
        "programme_id": PROGRAMME,
        "indicator_code": "GIRLS_IN_SCHOOL",
        "indicator_title": "Girls back in school",
        "value_kind": "ACTUAL",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "country": "MWI",
        "subnational_area": "Mangochi",
        "beneficiary_unit": "PERSON",
        "age_group": "0-17",
    }
    return [
        {**base, "sex": "TOTAL", "value": "40"},
        {**base, "sex": "F", "value": "28"},
        {**base, "sex": "M", "value": "12"},
        {**base, "indicator_code": "SHARE", "beneficiary_unit": "PERCENT", "sex": "F", "value": "70"},
    ]


def funding_rows() -> list[dict[str, Any]]:
    base = {"programme_id": PROGRAMME, "currency": "SEK", "provider_org": "Sweden", "receiver_org": "UN-WOMEN"}
    return [
        {
            **base,
            "record_kind": "BUDGET",
            "date": "2024-01-01",
            "period_end": "2024-12-31",
            "amount": "5000000",
            "value_date": "2024-01-01",
        },
        {
            **base,
            "record_kind": "TRANSACTION",
            "transaction_type": "11",
            "date": "2024-02-15",
            "amount": "10000000",
            "value_date": "2024-02-15",
            "dac_gender_marker": "2",
        },
    ]


Change = Callable[[list[dict[str, Any]]], None]


def set_first(**values: str) -> Change:
    def change(rows: list[dict[str, Any]]) -> None:
        rows[0].update(values)

    return change


def set_last(**values: str) -> Change:
    def change(rows: list[dict[str, Any]]) -> None:
        rows[-1].update(values)

    return change


def repeat_last(rows: list[dict[str, Any]]) -> None:
    rows.append(dict(rows[-1]))


TABLES = {"register": PROGRAMME_REGISTER, "beneficiaries": PROGRAMME_BENEFICIARIES, "funding": PROGRAMME_FUNDING}
BUILDERS = {"register": register_rows, "beneficiaries": beneficiary_rows, "funding": funding_rows}

# (table, change, severity, text the issue must hold)
RULES = [
    ("register", set_first(programme_id="XM DAC 41146 TEST"), "error", "programme_id is an IATI-style identifier"),
    ("register", set_first(programme_id="XM-DAC-41146-A\tB"), "error", "with no control characters"),
    ("register", set_first(programme_id="XM-DAC-41146-PAP _O_1.1"), "warning", "has a space, / & | or ?"),
    ("register", set_first(programme_id="XM-DAC-41146-A/1"), "warning", "IATI's guidance asks publishers to avoid"),
    ("register", lambda rows: [r.update(countries="MWI;XKX") for r in rows], "error", "found 'MWI;XKX'"),
    ("register", lambda rows: [r.update(sdg_targets="18.1") for r in rows], "error", "list of SDG targets"),
    ("register", lambda rows: [r.update(unct_gem="4") for r in rows], "error", "UNCT Gender Equality Marker code"),
    ("register", lambda rows: [r.update(dac_gender_marker="3") for r in rows], "error", "OECD DAC gender marker"),
    ("register", lambda rows: [r.update(end_date="2022-12-31") for r in rows], "error", "end_date is on or after"),
    ("register", lambda rows: [r.update(lead_entity="UNWOMEN") for r in rows], "error", "found 'UNWOMEN'"),
    ("register", set_last(role="DONOR"), "error", "an IATI organisation role"),
    ("register", set_last(title="Another title"), "error", "every row of a programme gives the same title"),
    ("beneficiaries", set_last(value="120"), "error", "a value whose unit is PERCENT lies from 0 to 100"),
    ("beneficiaries", set_first(value="-1"), "error", "value is not negative"),
    ("beneficiaries", set_first(age_group="adults"), "error", "age_group is ALL or an age range"),
    ("beneficiaries", set_first(sex="W"), "error", "F, M, X (other), U (unknown) or TOTAL"),
    ("beneficiaries", set_first(country="ZZZ"), "error", "found 'ZZZ'"),
    ("beneficiaries", set_first(value_kind="FORECAST"), "error", "BASELINE, TARGET, ACTUAL"),
    (
        "beneficiaries",
        lambda rows: [r.update(period_start="2021-01-01", period_end="2021-12-31") for r in rows],
        "warning",
        "wholly outside the programme's period",
    ),
    ("beneficiaries", set_first(period_start="2027-01-01", period_end="2027-12-31"), "error", "has started"),
    ("beneficiaries", set_first(value="30"), "warning", "add up to more than the TOTAL row"),
    ("beneficiaries", repeat_last, "error", "appears once"),
    (
        "beneficiaries",
        lambda rows: [r.update(programme_id="XM-DAC-41146-OTHER") for r in rows],
        "warning",
        "not in the programme register yet",
    ),
    ("funding", set_last(transaction_type="14"), "error", "found '14'"),
    ("funding", set_last(transaction_type=""), "error", "transaction_type is required for a TRANSACTION"),
    ("funding", set_first(transaction_type="2"), "error", "only a TRANSACTION has a transaction_type"),
    ("funding", set_last(currency="XYZ"), "error", "ISO 4217 currency code"),
    ("funding", set_last(dac_gender_marker="3"), "error", "OECD DAC gender marker"),
    ("funding", set_last(unct_gem="5"), "error", "UNCT Gender Equality Marker code"),
    ("funding", set_last(date="2027-01-01", value_date="2027-01-01"), "error", "not in the future"),
    ("funding", set_first(period_end="2023-12-31"), "error", "period_end is on or after date"),
    ("funding", set_last(date="2022-06-30", value_date="2022-06-30"), "warning", "outside the programme's period"),
    ("funding", repeat_last, "warning", "the same record appears more than once"),
]


@pytest.mark.parametrize(
    ("kind", "change", "severity", "text"), RULES, ids=[f"{r[0]}-{i}" for i, r in enumerate(RULES)]
)
def test_every_rule_of_the_programme_contracts(
    project: Path, database_url: str, tmp_path: Path, kind: str, change: Change, severity: str, text: str
) -> None:
    if kind != "register":
        assert (
            ingest(write(tmp_path / "programme_register.csv", PROGRAMME_REGISTER, register_rows()), database_url).status
            == "accepted"
        )
    rows = BUILDERS[kind]()
    good = ingest(write(tmp_path / f"good_{TABLES[kind].name}.csv", TABLES[kind], rows), database_url)
    assert good.status == "accepted" and not good.issues, [str(i) for i in good.issues]
    change(rows)
    result = pipeline.validate_file(
        write(tmp_path / f"changed_{TABLES[kind].name}.csv", TABLES[kind], rows), database_url, today=TODAY
    )
    found = [i for i in result.issues if text in str(i)]
    assert found, [str(i) for i in result.issues]
    assert {i.severity for i in found} == {severity}
    assert result.status == ("rejected" if severity == "error" else "accepted")


def test_every_sample_programme_file_loads(project: Path, database_url: str) -> None:
    loaded = {}
    for path in sorted((SAMPLES / "programmes").iterdir()):
        result = ingest(path, database_url)
        assert result.status == "accepted", [str(i) for i in result.issues]
        assert not result.errors
        loaded[path.suffix] = result.rows
    assert loaded[".xlsx"] == {"programme_register": 6, "programme_beneficiaries": 2, "programme_funding": 7}
    assert loaded[".xml"] == {"programme_register": 4, "programme_funding": 5, "programme_beneficiaries": 4}
    [(formats,)] = query(
        database_url, "select array_agg(distinct file_format order by file_format) from audit.submissions"
    )
    assert formats == ["csv", "xlsx", "xml"]
    # The same bytes again change nothing.
    assert ingest(SAMPLES / "programmes" / "malawi_peacebuilding_UN-WOMEN.xml", database_url).status == "unchanged"


def test_the_eleven_real_undp_activities_load(project: Path, database_url: str) -> None:
    result = ingest(REAL_DATA / "iati_undp_gender_marked_activities_v203.xml", database_url)
    assert result.status == "accepted", [str(i) for i in result.issues]
    assert result.rows == {"programme_register": 29, "programme_funding": 59}
    assert query(database_url, "select count(distinct programme_id) from raw.programme_register") == [(11,)]
    # Real data: incoming funds dated before the activity starts, and FAO named by "00004", which is not an IATI
    # organisation identifier. Warnings, not a rejection.
    warnings = {i.message.split(" — ")[0]: i for i in result.issues}
    assert {i.severity for i in result.issues} == {"warning"}
    assert any("outside the programme's period" in w for w in warnings)
    assert any(w.startswith("provider_org_ref is not an IATI organisation identifier") for w in warnings)
    assert all(i.row_noun == "line" for i in result.issues)


def test_the_three_invalid_real_activities_are_rejected_with_their_reasons(project: Path, database_url: str) -> None:
    path = REAL_DATA / "iati_real_schema_INVALID_3_activities_v203.xml"
    result = ingest(path, database_url)
    assert result.status == "rejected"
    assert len(result.errors) == 3
    text = "\n".join(str(i) for i in result.errors)
    for identifier in ("CZ-ICO-25755277-MNGZ000037", "CZ-ICO-25755277-CZEZ003815", "KR-GOV-020-GRP_0000168689"):
        assert f"activity {identifier} fails the IATI 2.03 schema" in text
    assert "lines 45, 46" in text or "line 45" in text
    for table in ("programme_register", "programme_funding", "programme_beneficiaries"):
        assert query(database_url, f"select count(*) from raw.{table}") == [(0,)]
    [(status, errors, stored)] = query(
        database_url,
        "select s.status, s.error_count, array_agg(i.row_noun) from audit.submissions s"
        " join audit.submission_issues i using (submission_id) group by s.submission_id",
    )
    assert (status, errors, set(stored)) == ("rejected", 3, {"line"})
    # The original bytes are kept, as for every rejected file.
    assert register.archive_path(register.sha256_of(path), ".xml").read_bytes() == path.read_bytes()


def test_the_ocha_needs_file_loads_with_its_inconsistent_totals_as_warnings(project: Path, database_url: str) -> None:
    result = ingest(REAL_DATA / "ocha_hpc_afg_hnrp_2024_needs_by_sex_age.csv", database_url)
    assert result.status == "accepted", [str(i) for i in result.errors]
    assert result.rows == {"programme_register": 1, "programme_beneficiaries": 321}
    warnings = [str(i) for i in result.warnings]
    assert any("were not loaded" in w for w in warnings)
    [above] = [w for w in warnings if "add up to more than the TOTAL row" in w]
    assert "case(s)" in above
    [(cases,)] = query(
        database_url,
        "select jsonb_array_length(result -> 'results' -> -2 -> 'result' -> 'details' -> 'unexpected_rows')"
        " from audit.validation_runs where table_name = 'programme_beneficiaries'",
    )
    assert cases > 0
    [(total, women, men)] = query(
        database_url,
        "select max(value) filter (where sex = 'TOTAL'), max(value) filter (where sex = 'F'),"
        " max(value) filter (where sex = 'M') from raw.programme_beneficiaries"
        " where subnational_area = 'Kabul (AF0101)' and indicator_code = 'ALL.FINAL_HNRP_CASELOAD'"
        " and value_kind = 'BASELINE' and age_group = '18+'",
    )
    assert (total, women, men) == (1100199, 654208, 503384)


def test_a_resubmitted_programme_supersedes_its_funding(project: Path, database_url: str, tmp_path: Path) -> None:
    ingest(write(tmp_path / "programme_register.csv", PROGRAMME_REGISTER, register_rows()), database_url)
    first = ingest(write(tmp_path / "a_programme_funding.csv", PROGRAMME_FUNDING, funding_rows()), database_url)
    rows = funding_rows()[:1]
    second = ingest(write(tmp_path / "b_programme_funding.csv", PROGRAMME_FUNDING, rows), database_url)
    assert (first.status, second.status) == ("accepted", "accepted")
    current = query(database_url, "select submission_id from raw.programme_funding where superseded_by is null")
    assert current == [(second.submission_id,)]
    assert query(
        database_url, "select status from audit.submissions where submission_id = %s", (first.submission_id,)
    ) == [("superseded",)]


def test_an_iati_file_republished_replaces_its_activities_in_every_table(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    first = ingest(SAMPLES / "programmes" / "malawi_peacebuilding_UN-WOMEN.xml", database_url)
    text = (SAMPLES / "programmes" / "malawi_peacebuilding_UN-WOMEN.xml").read_text(encoding="utf-8")
    # The next publication has no results any more, and is written on one line.
    text = text[: text.index("<result ")] + text[text.index("</result>") + len("</result>") :]
    text = "".join(line.strip() for line in text.splitlines())
    second = ingest(write_text(tmp_path / "malawi_2025.xml", text), database_url)
    assert (first.status, second.status) == ("accepted", "accepted"), [str(i) for i in second.issues]
    assert "programme_beneficiaries" not in second.rows
    for table in ("programme_register", "programme_funding", "programme_beneficiaries"):
        current = query(database_url, f"select distinct submission_id from raw.{table} where superseded_by is null")
        assert current in ([(second.submission_id,)], []), table
    assert query(database_url, "select count(*) from raw.programme_beneficiaries where superseded_by is null") == [(0,)]
    assert query(
        database_url, "select status from audit.submissions where submission_id = %s", (first.submission_id,)
    ) == [("superseded",)]


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_all_thirteen_iati_transaction_types_load_under_iatis_names(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    """IATI 2.03 has 13 transaction types, listed with IATI's names in the seed the rules read: each loads."""
    types = reference.transaction_types()
    assert list(types) == [str(n) for n in range(1, 14)]
    transaction = {k: v for k, v in funding_rows()[1].items() if k != "transaction_type"}
    rows = [{**transaction, "transaction_type": code} for code in types]
    ingest(write(tmp_path / "programme_register.csv", PROGRAMME_REGISTER, register_rows()), database_url)
    result = ingest(write(tmp_path / "programme_funding.csv", PROGRAMME_FUNDING, rows), database_url)
    assert result.status == "accepted", [str(i) for i in result.errors]
    assert query(database_url, "select count(distinct transaction_type) from raw.programme_funding") == [(13,)]


def test_a_page_with_invalid_activities_loads_the_valid_ones_and_names_the_rest(
    project: Path, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page is taken activity by activity, as the IATI Datastore takes it: of the 11 real UNDP activities, two
    made schema-invalid are refused with identifier, line and reason and load nothing; the 9 others load; the
    corrected page completes it."""
    text = (REAL_DATA / "iati_undp_gender_marked_activities_v203.xml").read_text(encoding="utf-8")
    starts = [i for i in range(len(text)) if text.startswith("<iati-activity", i)]
    assert len(starts) == 11
    broken = text
    for start in reversed(starts[1:3]):  # the 2nd and 3rd activities: an element IATI 2.03 does not have
        end = broken.index(">", start) + 1
        broken = broken[:end] + "<not-in-iati/>" + broken[end:]
    path = tmp_path / "undp_activities.xml"
    path.write_text(broken, encoding="utf-8")
    assert cli.main(["--database-url", database_url, "ingest", str(path), "--no-docs"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "partially accepted" in out and "2 part(s) refused" in out
    [(status, refused)] = query(database_url, "select status, error_count from audit.submissions")
    assert (status, refused) == ("partially accepted", 2)
    issues = query(
        database_url, "select message, rows from audit.submission_issues where severity = 'refused' order by issue_no"
    )
    assert len(issues) == 2
    assert all(" fails the IATI 2.03 schema: line " in m and "not-in-iati" in m and rows for m, rows in issues)
    refused_ids = [m.split(" ")[1] for m, _ in issues]
    assert query(database_url, "select count(distinct programme_id) from raw.programme_register") == [(9,)]
    assert not query(database_url, "select 1 from raw.programme_register where programme_id = any(%s)", (refused_ids,))
    # The publisher corrects the page: every activity is current, from the corrected file.
    path.write_text(text, encoding="utf-8")
    assert ingest(path, database_url).status == "accepted"
    assert query(
        database_url, "select count(distinct programme_id) from raw.programme_register where superseded_by is null"
    ) == [(11,)]


def test_a_file_whose_activities_all_fail_is_rejected_whole(project: Path, database_url: str) -> None:
    result = ingest(REAL_DATA / "iati_real_schema_INVALID_3_activities_v203.xml", database_url)
    assert result.status == "rejected" and not result.rows


def test_real_un_pages_load_and_activities_of_other_publishers_are_refused_with_what_to_add(
    project: Path, database_url: str
) -> None:
    """OCHA's country-based pooled funds publish as XM-OCHA-CBPF (an identifier of OCHA's in
    ref_organisation_identifiers) with / in their activity identifiers (a warning): the page loads. A page that
    mixes UN and other publishers' activities loads the UN ones and names each other reporting organisation, at
    its <reporting-org> line, with what to add were it a UN entity."""
    pooled = ingest(REAL_DATA / "iati-un" / "dportal_122.xml", database_url)
    assert pooled.status == "accepted", [str(i) for i in pooled.errors]
    assert query(database_url, "select distinct lead_entity from raw.programme_register") == [("OCHA",)]
    mixed = ingest(REAL_DATA / "iati-un" / "dportal_109.xml", database_url)
    assert mixed.status == "partially accepted", [str(i) for i in mixed.errors]
    others = [str(i) for i in mixed.refused if "is not a UN entity the warehouse knows" in str(i)]
    assert others and all(o.startswith("line ") and "ref_entities.csv" in o for o in others)
    assert any("'XM-DAC-47015' (CGIAR)" in o for o in others)
    # UNESCO writes the DAC gender marker's code as 01: read as the marker it is.
    [(marked,)] = query(
        database_url,
        "select count(distinct programme_id) from raw.programme_register"
        " where lead_entity = 'UNESCO' and dac_gender_marker is not null",
    )
    assert marked >= 30


def test_a_territory_iati_lists_and_iso_does_not_loads_under_iatis_code(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    """Kosovo is XK on IATI's Country codelist and has no ISO 3166 code: an activity there loads, kept as XK."""
    assert "XK" in reference.programme_country_codes() and "XK" not in reference.country_codes()
    text = (SAMPLES / "programmes" / "malawi_peacebuilding_UN-WOMEN.xml").read_text(encoding="utf-8")
    assert '<recipient-country code="MW"' in text
    path = tmp_path / "kosovo_UN-WOMEN.xml"
    path.write_text(text.replace('<recipient-country code="MW"', '<recipient-country code="XK"'), encoding="utf-8")
    result = ingest(path, database_url)
    assert result.status == "accepted", [str(i) for i in result.errors]
    assert query(database_url, "select distinct countries from raw.programme_register") == [("XK",)]
