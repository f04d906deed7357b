"""Sample programme submissions: the joint programmes of the seed text, in each format the warehouse takes.

- `programmes/empower_UN-WOMEN_2024.xlsx`: EmPower (UN Women and UNEP), one workbook with a sheet per table;
- `programmes/malawi_peacebuilding_UN-WOMEN.xml`: the Malawi peace-infrastructure project as IATI 2.03 XML;
- `programmes/programme_register.csv`, `programme_beneficiaries.csv`, `programme_funding.csv`: PROTECT, UNDP
  Nepal and FAO/UN Women in Bosnia and Herzegovina, a CSV file per table.

Every figure the seed states is in these files as stated (see FIGURES). Dates, amounts and markers the seed
does not give are illustrative and marked so in the README: donors' contributions to EmPower and Malawi,
PROTECT's split between its agencies, phase and period boundaries. The expected figures name the mart row
each statement must come out in (`gwh figures` and the demo compare them).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import workbooks
from lxml import etree

from gender_warehouse.contracts import PROGRAMME_BENEFICIARIES, PROGRAMME_FUNDING, PROGRAMME_REGISTER

EMPOWER = "XM-DAC-41146-EMPOWER"
PROTECT = "XM-DAC-41302-PROTECT"
MALAWI = "XM-DAC-41146-MWI-PEACE-INFRASTRUCTURE"
NEPAL = "XM-DAC-41114-NPL-WORKFORCE-DIVERSITY"
BIH = "XM-DAC-41301-BIH-WOMEN-DRIVING-RESILIENCE"


def register_rows(
    programme_id: str,
    title: str,
    lead: str,
    participants: list[tuple[str, str | None, str]],
    countries: str,
    start: str,
    end: str | None,
    gem: int | None,
    dac: int | None,
    sdg: str | None,
) -> list[dict[str, Any]]:
    return [
        {
            "programme_id": programme_id,
            "title": title,
            "lead_entity": lead,
            "participating_org": org,
            "participating_org_ref": ref,
            "role": role,
            "countries": countries,
            "start_date": start,
            "end_date": end,
            "unct_gem": gem,
            "dac_gender_marker": dac,
            "sdg_targets": sdg,
        }
        for org, ref, role in participants
    ]


def value(programme_id: str, code: str, title: str, kind: str, start: str, end: str, **kw: Any) -> dict[str, Any]:
    return {
        "programme_id": programme_id,
        "indicator_code": code,
        "indicator_title": title,
        "value_kind": kind,
        "period_start": start,
        "period_end": end,
        "country": kw.get("country"),
        "subnational_area": kw.get("area"),
        "beneficiary_unit": kw["unit"],
        "sex": kw.get("sex", "TOTAL"),
        "age_group": kw.get("age", "ALL"),
        "value": kw["value"],
    }


def money(programme_id: str, kind: str, type_: str | None, date: str, amount: str, currency: str, **kw: Any) -> dict:
    return {
        "programme_id": programme_id,
        "record_kind": kind,
        "transaction_type": type_,
        "date": date,
        "period_end": kw.get("period_end"),
        "amount": amount,
        "currency": currency,
        "value_date": kw.get("value_date", date),
        "provider_org": kw.get("provider"),
        "provider_org_ref": kw.get("provider_ref"),
        "receiver_org": kw.get("receiver"),
        "receiver_org_ref": kw.get("receiver_ref"),
        "dac_gender_marker": kw.get("dac"),
        "unct_gem": kw.get("gem"),
    }


# --- EmPower (workbook) ----------------------------------------------------------------------------------------

EMPOWER_REGISTER = register_rows(
    EMPOWER,
    "EmPower: Women for Climate-Resilient Societies",
    "UN-WOMEN",
    [
        ("UN-WOMEN", "XM-DAC-41146", "IMPLEMENTING"),
        ("UNEP", "XM-DAC-41116", "IMPLEMENTING"),
        ("Germany", None, "FUNDING"),
        ("New Zealand", None, "FUNDING"),
        ("Sweden", None, "FUNDING"),
        ("Switzerland", None, "FUNDING"),
    ],
    "VNM;BGD;KHM;IDN;PHL",
    "2018-01-01",
    None,
    3,
    2,
    "5.5;5.a;13.1;13.b",
)
EMPOWER_BENEFICIARIES = [
    value(
        EMPOWER,
        "MSME_SUPPORTED",
        "Women-led MSMEs supported",
        "ACTUAL",
        "2018-01-01",
        "2022-12-31",
        unit="MSME",
        sex="F",
        value="473",
    ),
    value(
        EMPOWER,
        "MSME_SUPPORTED",
        "Women-led MSMEs supported",
        "TARGET",
        "2023-01-01",
        "2027-12-31",
        unit="MSME",
        sex="F",
        value="1600",
    ),
]
EMPOWER_FUNDING = [
    # "EmPower aims to mobilize US$20 Million in gender-responsive investment": the programme's budget line.
    money(EMPOWER, "BUDGET", None, "2023-01-01", "20000000", "USD", period_end="2027-12-31", gem=3),
    # Contributions of the four donors: amounts and dates illustrative, each in the donor's currency.
    money(EMPOWER, "TRANSACTION", "11", "2023-03-15", "1500000", "EUR", provider="Germany", receiver="UN-WOMEN"),
    money(EMPOWER, "TRANSACTION", "11", "2023-06-20", "2000000", "NZD", provider="New Zealand", receiver="UN-WOMEN"),
    money(EMPOWER, "TRANSACTION", "11", "2023-09-12", "20000000", "SEK", provider="Sweden", receiver="UN-WOMEN"),
    money(EMPOWER, "TRANSACTION", "11", "2024-02-08", "1200000", "CHF", provider="Switzerland", receiver="UNEP"),
    money(EMPOWER, "TRANSACTION", "1", "2024-04-02", "10000000", "SEK", provider="Sweden", receiver="UN-WOMEN"),
    money(EMPOWER, "TRANSACTION", "4", "2024-11-30", "850000", "USD", provider="UN-WOMEN", receiver="CHIASE"),
]

# --- PROTECT, UNDP Nepal, FAO/UN Women in Bosnia and Herzegovina (CSV files) --------------------------------------

CSV_REGISTER = [
    *register_rows(
        PROTECT,
        "PROTECT: rights of women migrant workers, children and at-risk groups in South-East Asia",
        "ILO",
        [
            ("ILO", "XM-DAC-41302", "IMPLEMENTING"),
            ("UN-WOMEN", "XM-DAC-41146", "IMPLEMENTING"),
            ("UNODC", "XM-DAC-41128", "IMPLEMENTING"),
            ("UNICEF", "XM-DAC-41122", "IMPLEMENTING"),
            ("European Union", "XI-IATI-EC_INTPA", "FUNDING"),
        ],
        "KHM;IDN;MYS;THA",
        "2024-01-01",
        "2026-12-31",
        2,
        1,
        "5.2;8.7;8.8;10.7;16.2",
    ),
    *register_rows(
        NEPAL,
        "Workforce Diversity Policy and protection from sexual exploitation and abuse, UNDP Nepal",
        "UNDP",
        [("UNDP", "XM-DAC-41114", "IMPLEMENTING")],
        "NPL",
        "2023-01-01",
        "2024-12-31",
        2,
        None,
        "5.1;5.5",
    ),
    *register_rows(
        BIH,
        "Women Driving Resilience in Agriculture and Rural Areas",
        "FAO",
        [
            ("FAO", "XM-DAC-41301", "IMPLEMENTING"),
            ("UN-WOMEN", "XM-DAC-41146", "IMPLEMENTING"),
            ("Sweden", None, "FUNDING"),
        ],
        "BIH",
        "2024-01-01",
        "2026-12-31",
        3,
        2,
        "5.a;2.3;13.1",
    ),
]
CSV_BENEFICIARIES = [
    value(
        NEPAL,
        "PSEA_TRAINED",
        "Staff members given additional PSEA training",
        "ACTUAL",
        "2024-01-01",
        "2024-12-31",
        country="NPL",
        unit="PERSON",
        value="360",
    ),
    value(
        NEPAL,
        "PSEA_FOCAL_OFFICES",
        "Offices with PSEA focal points (headquarters and field offices)",
        "ACTUAL",
        "2024-01-01",
        "2024-12-31",
        country="NPL",
        unit="ORGANISATION",
        value="5",
    ),
    value(
        BIH,
        "WORKSHOPS",
        "Workshops on gender-sensitive credit and climate-resilient agriculture",
        "TARGET",
        "2024-01-01",
        "2026-12-31",
        country="BIH",
        unit="EVENT",
        value="12",
    ),
    value(
        BIH,
        "WORKSHOPS",
        "Workshops on gender-sensitive credit and climate-resilient agriculture",
        "ACTUAL",
        "2024-01-01",
        "2024-12-31",
        country="BIH",
        area="Pale",
        unit="EVENT",
        value="2",
    ),
    value(
        BIH,
        "WORKSHOPS",
        "Workshops on gender-sensitive credit and climate-resilient agriculture",
        "ACTUAL",
        "2024-01-01",
        "2024-12-31",
        country="BIH",
        area="Zenica",
        unit="EVENT",
        value="1",
    ),
]
CSV_FUNDING = [
    # "The European Union (EU) announces a financial support of EUR 13 million": committed to ILO as lead agency.
    money(
        PROTECT,
        "TRANSACTION",
        "11",
        "2024-01-15",
        "13000000",
        "EUR",
        provider="European Union",
        provider_ref="XI-IATI-EC_INTPA",
        receiver="ILO",
    ),
    money(
        PROTECT,
        "TRANSACTION",
        "1",
        "2024-03-01",
        "4000000",
        "EUR",
        provider="European Union",
        provider_ref="XI-IATI-EC_INTPA",
        receiver="ILO",
    ),
    # ILO passes shares on to the other three agencies (illustrative split): the same euros, not new money.
    money(PROTECT, "TRANSACTION", "11", "2024-02-01", "3500000", "EUR", provider="ILO", receiver="UN-WOMEN"),
    money(PROTECT, "TRANSACTION", "11", "2024-02-01", "2500000", "EUR", provider="ILO", receiver="UNODC"),
    money(PROTECT, "TRANSACTION", "11", "2024-02-01", "3000000", "EUR", provider="ILO", receiver="UNICEF"),
    money(PROTECT, "TRANSACTION", "4", "2024-12-31", "1200000", "EUR", provider="ILO"),
    money(BIH, "TRANSACTION", "11", "2024-04-10", "12000000", "SEK", provider="Sweden", receiver="FAO"),
    # Local costs in convertible marks: the rates table has no BAM, so this amount is flagged NO_RATE.
    money(BIH, "TRANSACTION", "4", "2024-10-31", "150000", "BAM", provider="FAO"),
]

# --- Malawi (IATI 2.03 XML) ------------------------------------------------------------------------------------

MALAWI_PERIOD = ("2023-01-01", "2025-12-31")
PBF = ("United Nations Peacebuilding Fund", "XM-DAC-41141")


def malawi_activity_xml() -> bytes:
    """The project as UN Women would publish it to IATI: participants, budget, PBF transfers, results by sex."""
    root = etree.Element("iati-activities", version="2.03", **{"generated-datetime": "2024-12-31T00:00:00"})
    activity = etree.SubElement(
        root,
        "iati-activity",
        {
            "default-currency": "USD",
            "last-updated-datetime": "2024-12-31T00:00:00",
            "{http://www.w3.org/XML/1998/namespace}lang": "en",
        },
    )

    def narrative(parent: Any, tag: str, text: str, **attrs: str) -> Any:
        element = etree.SubElement(parent, tag, attrs)
        etree.SubElement(element, "narrative").text = text
        return element

    etree.SubElement(activity, "iati-identifier").text = MALAWI
    narrative(activity, "reporting-org", "UN Women", ref="XM-DAC-41146", type="40")
    narrative(
        activity,
        "title",
        "Strengthening Malawi's Peace Infrastructure for Conflict Prevention and Sustaining Peace in Borderland "
        "Districts",
    )
    narrative(
        activity,
        "description",
        "Joint UN Women, UNFPA and UNDP project supported by the Peacebuilding Fund in the border districts of "
        "Mangochi, Machinga and Karonga.",
        type="1",
    )
    narrative(activity, "participating-org", PBF[0], ref=PBF[1], role="1", type="40")
    narrative(activity, "participating-org", "UN Women", ref="XM-DAC-41146", role="2", type="40")
    narrative(activity, "participating-org", "United Nations Population Fund", ref="XM-DAC-41119", role="4", type="40")
    narrative(
        activity, "participating-org", "United Nations Development Programme", ref="XM-DAC-41114", role="4", type="40"
    )
    etree.SubElement(activity, "activity-status", code="2")
    etree.SubElement(activity, "activity-date", {"iso-date": MALAWI_PERIOD[0], "type": "2"})
    etree.SubElement(activity, "activity-date", {"iso-date": MALAWI_PERIOD[1], "type": "3"})
    narrative(activity, "recipient-country", "Malawi", code="MW", percentage="100")
    etree.SubElement(activity, "sector", code="15220", vocabulary="1", percentage="100")
    etree.SubElement(activity, "tag", code="5.3", vocabulary="3")
    etree.SubElement(activity, "tag", code="16.1", vocabulary="3")
    etree.SubElement(activity, "policy-marker", code="1", significance="2", vocabulary="1")
    budget = etree.SubElement(activity, "budget", status="2", type="1")
    etree.SubElement(budget, "period-start", {"iso-date": MALAWI_PERIOD[0]})
    etree.SubElement(budget, "period-end", {"iso-date": MALAWI_PERIOD[1]})
    etree.SubElement(budget, "value", {"currency": "USD", "value-date": "2023-01-01"}).text = "2500000"
    for receiver, ref, amount in [
        ("UN Women", "XM-DAC-41146", "1000000"),
        ("United Nations Population Fund", "XM-DAC-41119", "700000"),
        ("United Nations Development Programme", "XM-DAC-41114", "800000"),
    ]:
        transaction = etree.SubElement(activity, "transaction")
        etree.SubElement(transaction, "transaction-type", code="11")
        etree.SubElement(transaction, "transaction-date", {"iso-date": "2023-02-01"})
        etree.SubElement(transaction, "value", {"currency": "USD", "value-date": "2023-02-01"}).text = amount
        narrative(transaction, "provider-org", PBF[0], ref=PBF[1])
        narrative(transaction, "receiver-org", receiver, ref=ref)
    transaction = etree.SubElement(activity, "transaction")
    etree.SubElement(transaction, "transaction-type", code="4")
    etree.SubElement(transaction, "transaction-date", {"iso-date": "2024-09-30"})
    etree.SubElement(transaction, "value", {"currency": "USD", "value-date": "2024-09-30"}).text = "350000"
    narrative(transaction, "provider-org", "UN Women", ref="XM-DAC-41146")

    result = etree.SubElement(activity, "result", type="2", **{"aggregation-status": "1"})
    narrative(result, "title", "Women lead conflict prevention and the end of child marriage in Mangochi")
    for code, title, sex, amount, target in [
        ("CHILD_MARRIAGES_ENDED", "Child marriages ended in Mangochi (over 50)", None, "50", None),
        ("GIRLS_BACK_IN_SCHOOL", "Girls back in school in Mangochi", "female", "28", None),
        (
            "MOVEMENT_MEMBERS",
            "Women in the Women's Movement for Conflict Prevention and Peacebuilding",
            "female",
            "50",
            "50",
        ),
    ]:
        indicator = etree.SubElement(result, "indicator", measure="1")
        narrative(indicator, "title", title)
        etree.SubElement(indicator, "reference", vocabulary="99", code=code)
        period = etree.SubElement(indicator, "period")
        etree.SubElement(period, "period-start", {"iso-date": "2023-01-01"})
        etree.SubElement(period, "period-end", {"iso-date": "2024-10-11"})
        for tag, figure in (("target", target), ("actual", amount)):
            if figure is None:
                continue
            element = etree.SubElement(period, tag, value=figure)
            etree.SubElement(element, "location", ref="MANGOCHI")
            if sex:
                etree.SubElement(element, "dimension", name="sex", value=sex)
    # location refs must name a location of the activity: declare Mangochi (before sector in schema order).
    location = etree.Element("location", ref="MANGOCHI")
    narrative(location, "name", "Mangochi")
    activity.insert(activity.index(activity.find("sector")), location)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


# --- figures ---------------------------------------------------------------------------------------------------


def figure(id_: str, statement: str, mart: str, where: dict[str, Any], column: str, expected: Any) -> dict:
    return {"id": id_, "statement": statement, "mart": mart, "where": where, "column": column, "expected": expected}


FIGURES = [
    figure(
        "empower_msmes_phase_1",
        "EmPower's first phase benefited some 473 women-led MSMEs",
        "mart_beneficiary_reach",
        {"programme_id": EMPOWER, "indicator_code": "MSME_SUPPORTED", "period_start": "2018-01-01"},
        "actual_women_girls",
        473,
    ),
    figure(
        "empower_msmes_phase_2",
        "Its second phase is expected to support 1,600 women-led MSMEs",
        "mart_beneficiary_reach",
        {"programme_id": EMPOWER, "indicator_code": "MSME_SUPPORTED", "period_start": "2023-01-01"},
        "target_women_girls",
        1600,
    ),
    figure(
        "empower_investment",
        "EmPower aims to mobilize US$20 million in gender-responsive investment",
        "mart_programme_funding_summary",
        {"programme_id": EMPOWER},
        "budget_usd",
        20000000,
    ),
    figure(
        "empower_countries",
        "... in Viet Nam, Bangladesh, Cambodia, Indonesia and the Philippines",
        "dim_programme",
        {"programme_id": EMPOWER},
        "country_codes",
        "VNM, BGD, KHM, IDN, PHL",
    ),
    figure(
        "empower_donors",
        "with support from the Governments of Germany, New Zealand, Sweden and Switzerland",
        "dim_programme",
        {"programme_id": EMPOWER},
        "funding_organisations",
        "Germany, New Zealand, Sweden, Switzerland",
    ),
    figure(
        "empower_entities",
        "EmPower is led by UNEP and UN Women",
        "dim_programme",
        {"programme_id": EMPOWER},
        "implementing_organisations",
        "UN-WOMEN, UNEP",
    ),
    figure(
        "protect_eu",
        "The EU announces a financial support of EUR 13 million to the UN for PROTECT",
        "mart_funding_by_donor",
        {"programme_id": PROTECT, "donor": "European Union", "transaction_type": "11"},
        "amount",
        13000000,
    ),
    figure(
        "protect_agencies",
        "PROTECT will be implemented by ILO, UN Women, UNODC and UNICEF",
        "dim_programme",
        {"programme_id": PROTECT},
        "participating_entity_codes",
        "ILO, UN-WOMEN, UNICEF, UNODC",
    ),
    figure(
        "protect_countries",
        "... in Cambodia, Indonesia, Malaysia and Thailand",
        "dim_programme",
        {"programme_id": PROTECT},
        "country_codes",
        "KHM, IDN, MYS, THA",
    ),
    figure(
        "protect_end",
        "The PROTECT project runs until December 2026",
        "dim_programme",
        {"programme_id": PROTECT},
        "end_date",
        "2026-12-31",
    ),
    figure(
        "malawi_entities",
        "Malawi: a collaborative effort between UN Women, UNFPA and UNDP",
        "dim_programme",
        {"programme_id": MALAWI},
        "participating_entity_codes",
        "UN-WOMEN, UNDP, UNFPA",
    ),
    figure(
        "malawi_fund",
        "... with support from the UN Secretary-General's Peacebuilding Fund",
        "dim_programme",
        {"programme_id": MALAWI},
        "funding_organisations",
        PBF[0],
    ),
    figure(
        "malawi_child_marriages",
        "The Women's Movement has helped end over 50 child marriages in Mangochi",
        "mart_beneficiary_reach",
        {"programme_id": MALAWI, "indicator_code": "CHILD_MARRIAGES_ENDED"},
        "actual_total",
        50,
    ),
    figure(
        "malawi_girls",
        "... with 28 girls now back in school",
        "mart_beneficiary_reach",
        {"programme_id": MALAWI, "indicator_code": "GIRLS_BACK_IN_SCHOOL"},
        "actual_women_girls",
        28,
    ),
    figure(
        "malawi_movement",
        "The Movement comprises 50 women",
        "mart_beneficiary_reach",
        {"programme_id": MALAWI, "indicator_code": "MOVEMENT_MEMBERS"},
        "actual_women_girls",
        50,
    ),
    figure(
        "nepal_training",
        "UNDP Nepal provided additional training for 360 staff members",
        "mart_beneficiary_reach",
        {"programme_id": NEPAL, "indicator_code": "PSEA_TRAINED"},
        "actual_total",
        360,
    ),
    figure(
        "bih_workshops",
        "A total of 12 workshops are planned across Bosnia and Herzegovina",
        "mart_beneficiary_reach",
        {"programme_id": BIH, "indicator_code": "WORKSHOPS", "subnational_area": None},
        "target_total",
        12,
    ),
    figure(
        "bih_partners",
        "FAO and UN Women, with the support from Sweden",
        "dim_programme",
        {"programme_id": BIH},
        "funding_organisations",
        "Sweden",
    ),
]


# --- writing ---------------------------------------------------------------------------------------------------


def csv_bytes(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return buffer.getvalue().encode("utf-8")


def write_workbook(path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    info = book.create_sheet("Instructions")
    info.append(["EmPower: programme register, beneficiaries and funding, in the warehouse's programme contracts."])
    info.append(["One sheet per table; the header row names the contract's columns."])
    for table, rows in [
        (PROGRAMME_REGISTER, EMPOWER_REGISTER),
        (PROGRAMME_BENEFICIARIES, EMPOWER_BENEFICIARIES),
        (PROGRAMME_FUNDING, EMPOWER_FUNDING),
    ]:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.column_names))
        for row in rows:
            cells: list[Any] = []
            for column in table.columns:
                v = row.get(column.name)
                if v is not None and column.type.value == "date":
                    v = dt.datetime.fromisoformat(v)  # a real Excel date, as people send them
                elif v is not None and column.type.value in ("decimal", "count"):
                    v = int(v)
                cells.append(v)
            sheet.append(cells)
    path.write_bytes(workbooks.fixed_bytes(book, dt.datetime(2024, 12, 31)))


def write_programmes(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    workbook = folder / "empower_UN-WOMEN_2024.xlsx"
    write_workbook(workbook)
    written.append(workbook)
    xml = folder / "malawi_peacebuilding_UN-WOMEN.xml"
    xml.write_bytes(malawi_activity_xml())
    written.append(xml)
    for table, rows in [
        (PROGRAMME_REGISTER, CSV_REGISTER),
        (PROGRAMME_BENEFICIARIES, CSV_BENEFICIARIES),
        (PROGRAMME_FUNDING, CSV_FUNDING),
    ]:
        # Numbered so that a folder listing (and gwh ingest *) takes the register first.
        path = folder / f"joint_programmes_{len(written) - 1}_{table.name}.csv"
        path.write_bytes(csv_bytes(table.column_names, rows))
        written.append(path)
    return written


def readme_section() -> list[str]:
    lines = [
        "## Programme submissions",
        "",
        "| Path | What it is |",
        "|---|---|",
        "| `programmes/empower_UN-WOMEN_2024.xlsx` | EmPower (UN Women, UNEP): sheets `programme_register`, "
        "`programme_beneficiaries`, `programme_funding` |",
        "| `programmes/malawi_peacebuilding_UN-WOMEN.xml` | the Malawi peace-infrastructure project (UN Women, UNFPA, "
        "UNDP; Peacebuilding Fund) as an IATI 2.03 activity file, valid against the IATI schema |",
        "| `programmes/joint_programmes_<n>_<table>.csv` | PROTECT (ILO, UN Women, UNODC, UNICEF; EU), UNDP Nepal, FAO and "
        "UN Women in Bosnia and Herzegovina (Sweden): a CSV file per table |",
        "",
        "The seed's figures are in the files as stated. What the seed does not say is illustrative: donors' "
        "amounts and dates (EmPower's four donors in EUR, NZD, SEK and CHF; Sweden's to FAO; the Peacebuilding "
        "Fund's transfers), how ILO passes PROTECT's EUR 13 million on to the other three agencies (counted "
        "once: the transfers are marked as passed on), phase and period boundaries, gender markers, and FAO's "
        "local costs in convertible marks (BAM), which the rates table does not cover, so the funding marts show "
        "them as NO_RATE rather than converting them.",
        "",
    ]
    return lines + figures_table(FIGURES)


def figures_table(figures: list[dict]) -> list[str]:
    """The README's table of statements and the mart values they must come out as."""
    lines = ["| id | statement | mart | column | expected |", "|---|---|---|---|---|"]
    for f in figures:
        lines.append(f"| `{f['id']}` | {f['statement']} | `{f['mart']}` | `{f['column']}` | {f['expected']} |")
    return [*lines, ""]
