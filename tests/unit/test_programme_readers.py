"""Programme files: IATI 2.03 XML (valid, invalid, hostile), the OCHA needs mapping, and the new value types."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from gender_warehouse import canonical
from gender_warehouse.contracts import PROGRAMME_FUNDING, PROGRAMME_REGISTER
from gender_warehouse.errors import SubmissionError, SubmissionErrors
from gender_warehouse.readers import iati_reader, read_submission
from gender_warehouse.readers.iati_reader import normalise_age, normalise_sex
from tests.conftest import REAL_DATA, SAMPLES

UNDP_FILE = REAL_DATA / "iati_undp_gender_marked_activities_v203.xml"
INVALID_FILE = REAL_DATA / "iati_real_schema_INVALID_3_activities_v203.xml"
OCHA_FILE = REAL_DATA / "ocha_hpc_afg_hnrp_2024_needs_by_sex_age.csv"
MALAWI_FILE = SAMPLES / "programmes" / "malawi_peacebuilding_UN-WOMEN.xml"


def tables(path: Path) -> dict[str, list[dict]]:
    _fmt, sources = read_submission(path)
    return {s.table.name: s.read().to_pylist() for s in sources}


def test_the_real_undp_activities_read_into_register_and_funding() -> None:
    read = tables(UNDP_FILE)
    assert set(read) == {"programme_register", "programme_funding"}
    register = read["programme_register"]
    assert len({r["programme_id"] for r in register}) == 11
    first = register[0]
    assert first["programme_id"] == "XM-DAC-41114-OUTPUT-00126999"
    assert first["lead_entity"] == "UNDP"  # reporting-org XM-DAC-41114
    assert first["countries"] == "BRA"  # recipient-country BR, alpha-2 to alpha-3
    assert (first["start_date"], first["end_date"]) == ("2021-05-10", "2021-11-30")
    assert first["dac_gender_marker"] == "0"
    implementing = [r for r in register if r["participating_org_ref"] == "XM-DAC-41114"]
    assert {r["participating_org"] for r in implementing} == {"UNDP"} and implementing[0]["role"] == "IMPLEMENTING"
    funding = read["programme_funding"]
    assert len(funding) == 59
    assert {r["transaction_type"] for r in funding} == {None, "1", "2", "4", "11"}
    assert {r["currency"] for r in funding} == {"USD"}
    budget = funding[0]
    assert (budget["record_kind"], budget["date"], budget["period_end"], budget["amount"]) == (
        "BUDGET",
        "2021-01-01",
        "2021-12-31",
        "69940",
    )
    assert all(isinstance(r["source_row"], int) for r in funding)  # the line each element starts on


def test_the_real_invalid_activities_are_each_reported_with_the_schemas_reason() -> None:
    with pytest.raises(SubmissionErrors) as caught:
        read_submission(INVALID_FILE)
    messages = [str(e) for e in caught.value.errors]
    assert len(messages) == 3
    assert all(e.row_noun == "line" for e in caught.value.errors)
    by_id = {m.split(" fails ")[0].split("activity ")[-1]: m for m in messages}
    assert set(by_id) == {"CZ-ICO-25755277-MNGZ000037", "CZ-ICO-25755277-CZEZ003815", "KR-GOV-020-GRP_0000168689"}
    assert "'202160450' is not a valid value of the atomic type 'xs:date'" in by_id["CZ-ICO-25755277-MNGZ000037"]
    assert "attribute 'code' is required but missing" in by_id["CZ-ICO-25755277-CZEZ003815"]
    assert "line 125" in by_id["KR-GOV-020-GRP_0000168689"]
    assert "'iso-date' is required but missing" in by_id["KR-GOV-020-GRP_0000168689"]


def write(tmp_path: Path, text: str, name: str = "activities.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&lol3;</iati-identifier></iati-activity>
</iati-activities>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&secret;</iati-identifier></iati-activity>
</iati-activities>"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LAUGHS, "declares a DOCTYPE"),
        (EXTERNAL, "declares a DOCTYPE"),
        ("<iati-activities version='2.03'><iati-activity>", "not well-formed XML"),
        ("<iati-organisations version='2.03'/>", "expected <iati-activities>"),
        ("<iati-activities version='2.01'/>", "declares IATI version '2.01'"),
        ("<iati-activities/>", "declares no IATI version; this warehouse reads IATI 2.03"),
    ],
    ids=["entity-expansion", "external-entity", "truncated", "organisation-file", "older-version", "no-version"],
)
def test_hostile_and_foreign_xml_is_refused_safely(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SubmissionError) as caught:
        read_submission(path)
    assert expected in caught.value.message
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd


def test_a_file_without_activities_fails_the_schema(tmp_path: Path) -> None:
    with pytest.raises(SubmissionErrors) as caught:
        read_submission(write(tmp_path, "<?xml version='1.0'?><iati-activities version='2.03'/>"))
    [error] = caught.value.errors
    assert "outside any activity" in error.message and "Expected is ( iati-activity )" in error.message


def test_a_file_named_xml_that_is_not_xml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SubmissionError, match="does not start with an XML tag"):
        read_submission(write(tmp_path, "programme_id,title\n"))


def test_the_schema_is_checked_before_anything_is_read(tmp_path: Path) -> None:
    text = MALAWI_FILE.read_text(encoding="utf-8").replace('<activity-status code="2"/>', "")
    with pytest.raises(SubmissionErrors) as caught:
        read_submission(write(tmp_path, text))
    [error] = caught.value.errors
    assert error.message.startswith("activity XM-DAC-41146-MWI-PEACE-INFRASTRUCTURE fails the IATI 2.03 schema")


def test_iati_results_become_beneficiary_rows_by_sex() -> None:
    read = tables(MALAWI_FILE)
    rows = {(r["indicator_code"], r["value_kind"]): r for r in read["programme_beneficiaries"]}
    girls = rows[("GIRLS_BACK_IN_SCHOOL", "ACTUAL")]
    assert (girls["sex"], girls["age_group"], girls["beneficiary_unit"], girls["value"]) == ("F", "ALL", "PERSON", "28")
    assert girls["country"] == "MWI"
    marriages = rows[("CHILD_MARRIAGES_ENDED", "ACTUAL")]
    assert (marriages["sex"], marriages["beneficiary_unit"], marriages["value"]) == ("TOTAL", "COUNT", "50")
    register = read["programme_register"]
    assert {r["participating_org"] for r in register} == {
        "United Nations Peacebuilding Fund",
        "UN-WOMEN",
        "UNFPA",
        "UNDP",
    }
    assert register[0]["sdg_targets"] == "16.1;5.3"
    funding = read["programme_funding"]
    assert [r["provider_org_ref"] for r in funding if r["transaction_type"] == "11"] == ["XM-DAC-41141"] * 3


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("female", "F"),
        ("F", "F"),
        ("Women", "F"),
        ("girls", "F"),
        ("male", "M"),
        ("Men", "M"),
        ("other", "X"),
        ("unknown", "U"),
        ("total", "TOTAL"),
        ("fish", "FISH"),
    ],
)
def test_sex_dimension_values_are_normalised(written: str, code: str) -> None:
    assert normalise_sex(written) == code


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("15-24", "15-24"),
        ("15 – 24 years", "15-24"),
        ("60+", "60+"),
        ("18 and over", "18+"),
        ("children", "0-17"),
        ("Adults", "18+"),
        ("all ages", "ALL"),
        ("elders", "ELDERS"),
    ],
)
def test_age_dimension_values_are_normalised(written: str, code: str) -> None:
    assert normalise_age(written) == code


def test_an_original_budget_replaced_by_its_revision_is_left_out(tmp_path: Path) -> None:
    text = MALAWI_FILE.read_text(encoding="utf-8")
    original = text[text.index("<budget ") : text.index("</budget>") + len("</budget>")]
    revised = original.replace('type="1"', 'type="2"').replace(">2500000<", ">2600000<")
    _fmt, sources = read_submission(write(tmp_path, text.replace(original, original + "\n    " + revised)))
    [funding] = [s for s in sources if s.table is PROGRAMME_FUNDING]
    budgets = [r for r in funding.read().to_pylist() if r["record_kind"] == "BUDGET"]
    assert [b["amount"] for b in budgets] == ["2600000"]
    assert "replaced by the revised budget" in funding.notes[0]


def test_the_ocha_needs_export_maps_to_the_plan_and_its_beneficiaries() -> None:
    _fmt, sources = read_submission(OCHA_FILE)
    register, beneficiaries = sources
    assert register.table is PROGRAMME_REGISTER
    [plan] = register.read().to_pylist()
    assert plan["programme_id"] == "XM-DAC-41127-HNRP-AFG-2024"
    assert (plan["lead_entity"], plan["countries"], plan["start_date"], plan["end_date"]) == (
        "OCHA",
        "AFG",
        "2024-01-01",
        "2024-12-31",
    )
    rows = beneficiaries.read().to_pylist()
    national = [r for r in rows if r["subnational_area"] is None and r["indicator_title"] == "Final HNRP Caseload"]
    assert {(r["value_kind"], r["value"]) for r in national} == {
        ("BASELINE", "23666389"),
        ("TARGET", "17327995"),
        ("ACTUAL", "18400000"),
    }
    kabul = {
        (r["sex"], r["age_group"], r["value_kind"]): r["value"]
        for r in rows
        if r["subnational_area"] == "Kabul (AF0101)" and r["indicator_title"] == "Final HNRP Caseload"
    }
    # The real inconsistency: adult women and men add up to more than the adult total.
    assert kabul[("TOTAL", "18+", "BASELINE")] == "1100199"
    assert (kabul[("F", "18+", "BASELINE")], kabul[("M", "18+", "BASELINE")]) == ("654208", "503384")
    assert "were not loaded" in beneficiaries.notes[0] and "'Adult - Female - IDP'" in beneficiaries.notes[0]


def test_an_ocha_export_without_its_year_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "afg_needs.csv"
    path.write_bytes(OCHA_FILE.read_bytes())
    with pytest.raises(SubmissionError, match="name the file with the plan's year"):
        read_submission(path)


def test_decimals_and_code_lists_are_typed() -> None:
    text = pa.table(
        {
            "source_row": pa.array([2, 3, 4], pa.int64()),
            **{c: pa.array(["x"] * 3) for c in PROGRAMME_REGISTER.column_names},
        }
    )
    text = text.set_column(
        text.schema.get_field_index("countries"), "countries", pa.array(["vnm, bgd ;KHM;", "", "MWI"])
    )
    text = text.set_column(text.schema.get_field_index("start_date"), "start_date", pa.array(["2024-01-01"] * 3))
    text = text.set_column(text.schema.get_field_index("end_date"), "end_date", pa.array([""] * 3))
    text = text.set_column(text.schema.get_field_index("unct_gem"), "unct_gem", pa.array(["3", "", "2"]))
    text = text.set_column(text.schema.get_field_index("dac_gender_marker"), "dac_gender_marker", pa.array([""] * 3))
    typed = canonical.to_canonical(text, PROGRAMME_REGISTER, None)
    assert typed.rows.column("countries").to_pylist() == ["VNM;BGD;KHM", None, "MWI"]
    assert typed.rows.column("programme_id").to_pylist() == ["x"] * 3  # identifiers keep their case

    amounts = pa.table(
        {
            "source_row": pa.array([2, 3, 4, 5], pa.int64()),
            **{c: pa.array(["1"] * 4) for c in PROGRAMME_FUNDING.column_names},
        }
    )
    for column in ("date", "period_end", "value_date"):
        amounts = amounts.set_column(amounts.schema.get_field_index(column), column, pa.array(["2024-01-01"] * 4))
    good = amounts.set_column(
        amounts.schema.get_field_index("amount"), "amount", pa.array(["13000000", "0.5", "-12.25", "69940.123456"])
    )
    typed = canonical.to_canonical(good, PROGRAMME_FUNDING, None)
    assert [str(v) for v in typed.rows.column("amount").to_pylist()] == [
        "13000000.000000",
        "0.500000",
        "-12.250000",
        "69940.123456",
    ]
    bad = amounts.set_column(
        amounts.schema.get_field_index("amount"), "amount", pa.array(["1,000", "EUR 5", "1e6", "0.1234567"])
    )
    with pytest.raises(canonical.TypeErrors) as caught:
        canonical.to_canonical(bad, PROGRAMME_FUNDING, None, row_noun="line")
    [error] = caught.value.errors
    assert error.column == "amount" and error.rows == [2, 3, 4, 5]
    assert "lines 2, 3, 4, 5" in error.message and "a number written like 1234.56" in error.message


def test_iati_schema_files_come_from_the_installed_package() -> None:
    schema = iati_reader.activities_schema()
    assert schema is iati_reader.activities_schema()  # parsed once


def test_many_failing_activities_are_counted_and_a_stray_element_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(iati_reader, "ACTIVITIES_REPORTED", 50)  # 1,000 in use: the same past 50
    text = MALAWI_FILE.read_text(encoding="utf-8")
    start, end = text.index("<iati-activity "), text.index("</iati-activity>") + len("</iati-activity>")
    broken = text[start:end].replace('<activity-status code="2"/>', "")
    body = "\n".join([text[start:end]] + [broken.replace("INFRASTRUCTURE<", f"INFRASTRUCTURE-{n}<") for n in range(60)])
    path = write(tmp_path, text[:start] + body + "\n<note/>" + text[end:])
    with pytest.raises(SubmissionErrors) as caught:
        read_submission(path)
    messages = [e.message for e in caught.value.errors]
    assert "Element 'note': This element is not expected" in messages[0]
    assert len(messages) == 1 + 50 + 1 and messages[-1] == "and 10 more activities fail the IATI 2.03 schema"
    assert messages[1].startswith("activity XM-DAC-41146-MWI-PEACE-INFRASTRUCTURE-0 fails")


def one_line(text: str) -> str:
    """The same XML with no line breaks between elements, as machine-written IATI files often are."""
    return "".join(line.strip() for line in text.splitlines())


def test_a_file_on_one_line_still_names_the_failing_activity(tmp_path: Path) -> None:
    text = one_line(MALAWI_FILE.read_text(encoding="utf-8").replace('<activity-status code="2"/>', ""))
    with pytest.raises(SubmissionErrors) as caught:
        read_submission(write(tmp_path, text))
    [error] = caught.value.errors
    assert error.message.startswith("activity XM-DAC-41146-MWI-PEACE-INFRASTRUCTURE fails the IATI 2.03 schema")


def test_errors_about_the_root_are_reported_once_at_its_line(tmp_path: Path) -> None:
    text = MALAWI_FILE.read_text(encoding="utf-8")
    start, end = text.index("<iati-activity "), text.index("</iati-activity>") + len("</iati-activity>")
    body = text[start:end] + "\n" + text[start:end].replace("INFRASTRUCTURE<", "INFRASTRUCTURE-2<")
    text = text[:start] + body + text[end:]
    text = text.replace('generated-datetime="2024-12-31T00:00:00"', 'generated-datetime="yesterday"', 1)
    with pytest.raises(SubmissionErrors) as caught:
        read_submission(write(tmp_path, text))
    [error] = caught.value.errors
    assert "outside any activity" in error.message and "'yesterday'" in error.message
    assert error.rows == [2]


def test_what_the_schema_allows_is_read(tmp_path: Path) -> None:
    """Elements of other namespaces under the root, dates with a time zone, incoming money without a receiver
    (the reporting organisation), values for a location of the activity."""
    text = MALAWI_FILE.read_text(encoding="utf-8")
    text = text.replace("<iati-activities ", '<iati-activities xmlns:x="http://example.org/x" ', 1)
    text = text.replace("</iati-activities>", "<x:extra/></iati-activities>")
    text = text.replace('iso-date="2024-09-30"', 'iso-date="2024-09-30Z"')
    first_receiver = text.index("<receiver-org")
    text = text[:first_receiver] + text[text.index("</receiver-org>", first_receiver) + len("</receiver-org>") :]
    read = tables(write(tmp_path, text))
    funding = read["programme_funding"]
    incoming = [r for r in funding if r["transaction_type"] == "11"]
    assert (incoming[0]["receiver_org"], incoming[0]["receiver_org_ref"]) == ("UN-WOMEN", "XM-DAC-41146")
    spent = [r for r in funding if r["transaction_type"] == "4"]
    assert [(r["date"], r["provider_org"]) for r in spent] == [("2024-09-30", "UN-WOMEN")]
    girls = [r for r in read["programme_beneficiaries"] if r["indicator_code"] == "GIRLS_BACK_IN_SCHOOL"]
    assert {r["subnational_area"] for r in girls} == {"Mangochi"}


def test_the_whole_of_what_iati_203_holds_is_read(tmp_path: Path) -> None:
    """Planned disbursements (a revision replacing its original) as forward-looking funding with their parties; the
    publisher's own policy markers (vocabulary 99) beside the DAC marker; recipient regions of IATI's Region
    codelist (another vocabulary is noted); an organisation listed with and without its identifier, once; a value
    exported from a float, rounded with a note."""
    text = MALAWI_FILE.read_text(encoding="utf-8")
    text = text.replace(
        '    <participating-org ref="XM-DAC-41119" role="4" type="40">',
        '    <participating-org role="4"><narrative>United Nations Population Fund</narrative></participating-org>\n'
        '    <participating-org role="1"><narrative>Government of Norway</narrative></participating-org>\n'
        '    <participating-org ref="NO-BRC-971277882" role="1"><narrative>Government of Norway</narrative>'
        "</participating-org>\n"
        '    <participating-org ref="XM-DAC-41119" role="4" type="40">',
    )
    text = text.replace(
        "    <location ",
        '    <recipient-region code="289" vocabulary="1"/>\n    <recipient-region code="202" vocabulary="2"/>\n'
        "    <location ",
        1,
    )
    text = text.replace(
        '    <policy-marker code="1" significance="2" vocabulary="1"/>',
        '    <policy-marker code="1" significance="2" vocabulary="1"/>\n'
        '    <policy-marker code="GM2a" significance="2" vocabulary="99" vocabulary-uri="https://example.org/gm">'
        "<narrative>Gender Marker; mainstreamed</narrative></policy-marker>",
    )
    planned = (
        '    <planned-disbursement type="{type}"><period-start iso-date="2026-01-01"/>'
        '<period-end iso-date="2026-12-31"/><value currency="EUR" value-date="2025-12-01">{value}</value>'
        '<receiver-org ref="XM-DAC-41119"><narrative>UNFPA</narrative></receiver-org></planned-disbursement>\n'
    )
    text = text.replace(
        "    <transaction>",
        planned.format(type=1, value="300000")
        + planned.format(type=2, value="250000.600000023841858")
        + "    <transaction>",
        1,
    )
    path = write(tmp_path, text)
    _fmt, sources = read_submission(path)
    read = {s.table.name: s.read().to_pylist() for s in sources}
    notes = [n for s in sources for n in s.notes]
    register = read["programme_register"]
    assert {r["regions"] for r in register} == {"289"}
    assert {r["publisher_policy_markers"] for r in register} == {"GM2a significance 2: Gender Marker, mainstreamed"}
    assert {r["dac_gender_marker"] for r in register} == {"2"}
    implementing = sorted(r["participating_org"] for r in register if r["role"] == "IMPLEMENTING")
    assert implementing == ["UNDP", "UNFPA"]
    norway = [(r["participating_org"], r["participating_org_ref"]) for r in register if r["role"] == "FUNDING"]
    assert ("Government of Norway", "NO-BRC-971277882") in norway and len(norway) == 2  # with the PBF
    planned_rows = [r for r in read["programme_funding"] if r["record_kind"] == "PLANNED_DISBURSEMENT"]
    assert [
        (
            r["date"],
            r["period_end"],
            r["amount"],
            r["currency"],
            r["provider_org"],
            r["receiver_org"],
            r["transaction_type"],
        )
        for r in planned_rows
    ] == [("2026-01-01", "2026-12-31", "250000.6", "EUR", "UN-WOMEN", "UNFPA", None)]
    assert any("listed 2 times as IMPLEMENTING" in n for n in notes)
    assert any("listed 2 times as FUNDING" in n for n in notes)
    assert any("recipient-region on line" in n and "vocabulary 2" in n for n in notes)
    assert any("original planned disbursement on line" in n for n in notes)
    assert any("the value 250000.600000023841858 on line" in n and "loaded as 250000.6" in n for n in notes)
