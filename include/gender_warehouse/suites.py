"""Writes the Great Expectations suites (expectations/gx/expectations/*.json) from the contracts and reference data.

The committed JSON files are the contract that validation reads; this module is how they are made, so that a
new grade or entity is added to a seed and `gwh suites write` brings the suites in step (a test checks that).
Each expectation's `meta.description` is the sentence a submitter reads when the rule fails.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from gender_warehouse import reference, settings
from gender_warehouse.contracts import (
    AGE_GROUP_PATTERN,
    APPOINTMENT_TYPES,
    BENEFICIARY_SEX_CODES,
    BENEFICIARY_UNITS,
    DAC_GENDER_CODES,
    EVENT_TYPES,
    HR_EVENTS,
    HR_HEADCOUNT,
    LOCATION_TYPES,
    ORGANISATION_ROLES,
    PROGRAMME_BENEFICIARIES,
    PROGRAMME_FUNDING,
    PROGRAMME_REGISTER,
    RECORD_KINDS,
    REPORT_TYPES,
    SEX_CODES,
    STAFF_CATEGORIES,
    SWAP_RATINGS,
    TABLES,
    UNCT_GEM_CODES,
    VALUE_KINDS,
    Table,
)

EARLIEST_DATE = "1945-10-24"  # the UN Charter came into force; an earlier date is a typo
MAX_COUNT = 1_000_000
UNIT_SEPARATOR = "\x1f"


def suites_dir() -> Path:
    return settings.expectations_dir() / "gx" / "expectations"


def suite_path(table: Table) -> Path:
    return suites_dir() / f"{table.suite_name}.json"


def expectation(type_: str, description: str, severity: str = "critical", **kwargs: Any) -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs, "meta": {"description": description}, "severity": severity}


def in_set(column: str, values: list[str] | tuple[str, ...], what: str, **kwargs: Any) -> dict[str, Any]:
    return expectation(
        "expect_column_values_to_be_in_set",
        f"{column} must be {what}",
        column=column,
        value_set=sorted(values),
        **kwargs,
    )


def comparison(column: str, operator: str, parameter: Any) -> dict[str, Any]:
    """A GX 1.x row condition, as it is stored in JSON."""
    return {"type": "comparison", "column": {"name": column}, "operator": operator, "parameter": parameter}


def common_expectations(table: Table) -> list[dict[str, Any]]:
    out = [
        expectation(
            "expect_table_columns_to_match_set",
            f"the table has the columns of the {table.name} contract",
            column_set=list(table.column_names),
            exact_match=True,
        ),
        expectation("expect_table_row_count_to_be_between", "the table has at least one row", min_value=1),
    ]
    out += [
        expectation("expect_column_values_to_not_be_null", f"{c} is required", column=c) for c in table.required_columns
    ]
    return out


def grade_expectations(columns: list[str]) -> list[dict[str, Any]]:
    grades = reference.grades()
    out = []
    for column in columns:
        out.append(in_set(column, [g.code for g in grades], "a grade from the grades reference (P-4, G-5, NO-B, ...)"))
        for g in grades:
            if g.only_entities:
                out.append(
                    expectation(
                        "expect_column_values_to_not_be_in_set",
                        f"{column} {g.code} is used only by {', '.join(g.only_entities)}",
                        column=column,
                        value_set=[g.code],
                        row_condition=comparison("entity_code", "NOT_IN", list(g.only_entities)),
                    )
                )
    return out


def category_grade_pairs(grade_column: str) -> dict[str, Any]:
    return expectation(
        "expect_column_pair_values_to_be_in_set",
        f"{grade_column} belongs to the staff_category given (P and D grades are PROFESSIONAL_AND_HIGHER, G grades "
        "GENERAL_SERVICE, NO grades NATIONAL_PROFESSIONAL_OFFICER, FS grades FIELD_SERVICE, S grades SECURITY_SERVICE)",
        column_A="staff_category",
        column_B=grade_column,
        value_pairs_set=sorted([g.staff_category, g.code] for g in reference.grades()),
        ignore_row_if="either_value_is_missing",
    )


def date_range(column: str, *, future: bool = False) -> list[dict[str, Any]]:
    """A date not before the UN existed and, unless it may be planned ahead, not in the future."""
    earliest = expectation(
        "expect_column_min_to_be_between",
        f"{column} is not before {EARLIEST_DATE}",
        column=column,
        min_value=EARLIEST_DATE,
    )
    if future:
        return [earliest]
    latest = expectation(
        "expect_column_max_to_be_between",
        f"{column} is not in the future",
        column=column,
        max_value={"$PARAMETER": "today"},
    )
    return [latest, earliest]


def count_range(column: str) -> dict[str, Any]:
    return expectation(
        "expect_column_values_to_be_between",
        f"{column} is a whole number from 0 to {MAX_COUNT:,}",
        column=column,
        min_value=0,
        max_value=MAX_COUNT,
    )


def unique_key(table: Table) -> dict[str, Any]:
    return expectation(
        "expect_compound_columns_to_be_unique",
        "each combination of " + ", ".join(table.key) + " appears once",
        column_list=list(table.key),
    )


def not_before(later: str, earlier: str) -> dict[str, Any]:
    return expectation(
        "expect_column_pair_values_a_to_be_greater_than_b",
        f"{later} is on or after {earlier}",
        column_A=later,
        column_B=earlier,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )


def common_codes(table: Table) -> list[dict[str, Any]]:
    return [
        in_set("entity_code", reference.entity_codes(), "an entity code from the entities reference"),
        in_set("staff_category", STAFF_CATEGORIES, "one of " + ", ".join(STAFF_CATEGORIES)),
        in_set("sex", SEX_CODES, "F, M, X (other) or U (unknown)"),
        in_set("location_type", LOCATION_TYPES, "HQ or NON_HQ"),
    ]


# Compared with the entity's latest earlier snapshot 6 to 18 months before; {batch} is the submitted table. The
# totals are made once (materialized): the batch has no statistics yet, and a planner that guessed one row would
# otherwise rescan raw for every slice of a large file.
HEADCOUNT_SWING_QUERY = """
with batch_totals as (
    select entity_code, snapshot_date, sum(headcount) as staff from {batch} group by entity_code, snapshot_date
),
known_totals as materialized (
    select entity_code, snapshot_date, sum(headcount) as staff
    from raw.hr_headcount
    where superseded_by is null
      and entity_code in (select entity_code from batch_totals)
      and (entity_code, snapshot_date) not in (select entity_code, snapshot_date from batch_totals)
    group by entity_code, snapshot_date
    union all
    select entity_code, snapshot_date, staff from batch_totals
)
select b.entity_code, b.snapshot_date, b.staff, previous.snapshot_date as previous_snapshot_date,
       previous.staff as previous_staff
from batch_totals as b
cross join lateral (
    select k.snapshot_date, k.staff from known_totals as k
    where k.entity_code = b.entity_code
      and k.snapshot_date between b.snapshot_date - interval '18 months' and b.snapshot_date - interval '6 months'
    order by k.snapshot_date desc limit 1
) as previous
where previous.staff > 0 and abs(b.staff - previous.staff) > 0.3 * previous.staff
order by b.entity_code, b.snapshot_date
"""


def hr_headcount_suite() -> list[dict[str, Any]]:
    t = HR_HEADCOUNT
    return [
        *common_expectations(t),
        *common_codes(t),
        in_set("appointment_type", APPOINTMENT_TYPES, "one of " + ", ".join(APPOINTMENT_TYPES)),
        in_set("duty_station_country", reference.country_codes(), "an ISO 3166-1 alpha-3 country code (KEN, CHE, USA)"),
        *grade_expectations(["grade"]),
        category_grade_pairs("grade"),
        count_range("headcount"),
        *date_range("snapshot_date"),
        unique_key(t),
        expectation(
            "unexpected_rows_expectation",
            "an entity's total headcount moves by more than 30% from its previous snapshot (a warning: check "
            "the figures; real restructurings do this)",
            severity="warning",
            unexpected_rows_query=HEADCOUNT_SWING_QUERY.strip(),
        ),
    ]


def hr_events_suite() -> list[dict[str, Any]]:
    t = HR_EVENTS
    ranks = {g.code: g.rank for g in reference.grades()}
    upward = sorted([a, b] for a in ranks for b in ranks if ranks[b] > ranks[a])
    return [
        *common_expectations(t),
        *common_codes(t),
        in_set("event_type", EVENT_TYPES, "one of " + ", ".join(EVENT_TYPES)),
        *grade_expectations(["grade_from", "grade_to"]),
        category_grade_pairs("grade_to"),
        expectation(
            "expect_column_values_to_not_be_null",
            "grade_from is required for promotions and reassignments",
            column="grade_from",
            row_condition=comparison("event_type", "IN", ["PROMOTION", "REASSIGNMENT"]),
        ),
        expectation(
            "expect_column_pair_values_to_be_in_set",
            "a promotion goes up the grade ladder (grade_to above grade_from)",
            column_A="grade_from",
            column_B="grade_to",
            value_pairs_set=upward,
            ignore_row_if="either_value_is_missing",
            row_condition=comparison("event_type", "==", "PROMOTION"),
        ),
        not_before("period_end", "period_start"),
        count_range("count"),
        *date_range("period_start"),
        *date_range("period_end"),
        unique_key(t),
    ]


# --- programme submissions ----------------------------------------------------------------------------------

# IATI identifiers: an organisation identifier and the organisation's own id, joined by hyphens; none of the
# characters IATI forbids (spaces, / & | ?).
IATI_IDENTIFIER_PATTERN = r"^[A-Za-z0-9]+(?:-[A-Za-z0-9._:()]+)+$"
# Trimmed, no control character; the space real publishers put inside one (XM-DAC-41146-PAP _O_1.1) is a warning.
ACTIVITY_IDENTIFIER_PATTERN = r"^[A-Za-z0-9]+-[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f]$"
SDG_TARGET = r"(?:1[0-7]|[1-9])\.(?:[0-9]{1,2}|[a-zA-Z])"


def code_list_pattern(codes: tuple[str, ...] | list[str]) -> str:
    one = "(?:" + "|".join(sorted(codes)) + ")"
    return f"^{one}(?:;{one})*$"


def programme_identifier() -> list[dict[str, Any]]:
    """An IATI activity identifier: the organisation's identifier, a hyphen and the activity's own id. IATI's
    guidance asks publishers to avoid spaces and / & | ? in it, and real ones use them (XM-OCHA-CBPF-AFG-20/3481/RA5,
    XM-DAC-41146-PAP _O_1.1): a warning, not an error; a control character is an error."""
    return [
        expectation(
            "expect_column_values_to_match_regex",
            "programme_id is an IATI-style identifier: the organisation's identifier, a hyphen and the programme's "
            "own id (XM-DAC-41146-EMPOWER), with no control characters",
            column="programme_id",
            regex=ACTIVITY_IDENTIFIER_PATTERN,
        ),
        expectation(
            "expect_column_values_to_match_regex",
            "programme_id has a space, / & | or ?, which IATI's guidance asks publishers to avoid (a warning: it "
            "loads)",
            column="programme_id",
            regex=r"^[^/&|?\s]*$",
            severity="warning",
        ),
    ]


def organisation_identifiers(*columns: str) -> list[dict[str, Any]]:
    """IATI organisation identifiers are a registration agency's prefix, a hyphen and the organisation's number
    (XM-DAC-41114, GB-COH-1234567). Publishers still use older forms (44000), so this is a warning."""
    return [
        expectation(
            "expect_column_values_to_match_regex",
            f"{column} is not an IATI organisation identifier (agency prefix, a hyphen, the number: XM-DAC-41114); "
            "a warning: check it, or leave it empty and give the name",
            severity="warning",
            column=column,
            regex=IATI_IDENTIFIER_PATTERN,
        )
        for column in columns
    ]


def marker_codes() -> list[dict[str, Any]]:
    return [
        in_set(
            "unct_gem",
            list(UNCT_GEM_CODES),
            "a UNCT Gender Equality Marker code: 0 none, 1 limited, 2 significant, 3 principal objective",
        ),
        in_set(
            "dac_gender_marker",
            list(DAC_GENDER_CODES),
            "an OECD DAC gender marker code: 0 not targeted, 1 significant, 2 principal objective",
        ),
    ]


# The period of the programme a row belongs to, as the register stands with this submission: the register rows
# sent in the same file first, else the warehouse's current ones. One index lookup per row (raw.programme_register
# is indexed on programme_id): the rows being validated have no statistics yet, and a join the planner sizes
# from a guess can go quadratic. {batch} is the submitted table, as b.
PROGRAMME_OF_ROW = """
    select r.start_date, r.end_date
    from raw.programme_register as r
    where r.programme_id = b.programme_id and (r.submission_id = b.submission_id or r.superseded_by is null)
    order by r.submission_id = b.submission_id desc, r.submission_id desc
    limit 1"""

UNREGISTERED_PROGRAMME_QUERY = f"""
select b.programme_id, count(*) as rows
from {{batch}} as b
where not exists ({PROGRAMME_OF_ROW})
group by b.programme_id
order by b.programme_id
"""

RESULTS_OUTSIDE_PROGRAMME_QUERY = f"""
select b.source_row, b.programme_id, b.indicator_code, b.value_kind, b.period_start, b.period_end,
       p.start_date as programme_start, p.end_date as programme_end
from {{batch}} as b
cross join lateral ({PROGRAMME_OF_ROW}
) as p
where b.value_kind in ('TARGET', 'ACTUAL')
  and (b.period_end < p.start_date or b.period_start > p.end_date)
order by b.source_row
"""

FUNDING_OUTSIDE_PROGRAMME_QUERY = f"""
select b.source_row, b.programme_id, b.record_kind, b.transaction_type, b.date, b.period_end,
       p.start_date as programme_start, p.end_date as programme_end
from {{batch}} as b
cross join lateral ({PROGRAMME_OF_ROW}
) as p
where coalesce(b.period_end, b.date) < p.start_date or b.date > p.end_date
order by b.source_row
"""

SEX_ROWS_ABOVE_TOTAL_QUERY = """
select programme_id, indicator_code, value_kind, period_start, period_end, country, subnational_area,
       beneficiary_unit, age_group,
       sum(value) filter (where sex <> 'TOTAL') as sum_of_sexes,
       max(value) filter (where sex = 'TOTAL') as total
from {batch}
where beneficiary_unit <> 'PERCENT'
group by programme_id, indicator_code, value_kind, period_start, period_end, country, subnational_area,
         beneficiary_unit, age_group
having sum(value) filter (where sex <> 'TOTAL') > max(value) filter (where sex = 'TOTAL')
order by programme_id, indicator_code, value_kind, period_start, country, subnational_area, age_group
"""

PROGRAMME_COLUMNS = (
    "title",
    "lead_entity",
    "countries",
    "start_date",
    "end_date",
    "unct_gem",
    "dac_gender_marker",
    "sdg_targets",
    "regions",
    "publisher_policy_markers",
)
INCONSISTENT_PROGRAMME_QUERY = f"""
select programme_id, count(*) as rows,
       count(distinct md5(row({", ".join(PROGRAMME_COLUMNS)})::text)) as versions
from {{batch}}
group by programme_id
having count(distinct md5(row({", ".join(PROGRAMME_COLUMNS)})::text)) > 1
order by programme_id
"""


def unregistered_programme() -> dict[str, Any]:
    return expectation(
        "unexpected_rows_expectation",
        "the programme is not in the programme register yet (a warning: send its programme_register rows, "
        "or the marts show it without title, entities or dates)",
        severity="warning",
        unexpected_rows_query=UNREGISTERED_PROGRAMME_QUERY.strip(),
    )


def programme_register_suite() -> list[dict[str, Any]]:
    t = PROGRAMME_REGISTER
    return [
        *common_expectations(t),
        *programme_identifier(),
        in_set("lead_entity", reference.entity_codes(), "an entity code from the entities reference"),
        in_set(
            "role",
            list(ORGANISATION_ROLES.values()),
            "an IATI organisation role: " + ", ".join(f"{name} ({code})" for code, name in ORGANISATION_ROLES.items()),
        ),
        expectation(
            "expect_column_values_to_match_regex",
            "countries is a list of ISO 3166-1 alpha-3 codes (or IATI's code of a territory ISO has none for: XK) "
            "separated by ; (VNM;BGD;KHM)",
            column="countries",
            regex=code_list_pattern(reference.programme_country_codes()),
        ),
        expectation(
            "expect_column_values_to_match_regex",
            "regions is a list of codes of IATI's Region codelist separated by ; (289 South of Sahara, regional; "
            "798 Asia, regional)",
            column="regions",
            regex=code_list_pattern(reference.iati_region_codes()),
        ),
        expectation(
            "expect_column_values_to_match_regex",
            "sdg_targets is a list of SDG targets separated by ; (5.5;8.3;16.a)",
            column="sdg_targets",
            regex=f"^{SDG_TARGET}(?:;{SDG_TARGET})*$",
        ),
        *marker_codes(),
        *organisation_identifiers("participating_org_ref"),
        not_before("end_date", "start_date"),
        *date_range("start_date", future=True),
        unique_key(t),
        expectation(
            "unexpected_rows_expectation",
            "every row of a programme gives the same title, lead entity, countries, regions, dates, markers and SDG targets",
            unexpected_rows_query=INCONSISTENT_PROGRAMME_QUERY.strip(),
        ),
    ]


def programme_beneficiaries_suite() -> list[dict[str, Any]]:
    t = PROGRAMME_BENEFICIARIES
    return [
        *common_expectations(t),
        *programme_identifier(),
        in_set("value_kind", VALUE_KINDS, "one of " + ", ".join(VALUE_KINDS)),
        in_set("sex", BENEFICIARY_SEX_CODES, "F, M, X (other), U (unknown) or TOTAL"),
        in_set(
            "country",
            reference.programme_country_codes(),
            "an ISO 3166-1 alpha-3 country code (MWI, VNM, BIH), or IATI's code of a territory ISO has none for (XK)",
        ),
        in_set("beneficiary_unit", list(BENEFICIARY_UNITS), "one of " + ", ".join(BENEFICIARY_UNITS)),
        expectation(
            "expect_column_values_to_match_regex",
            "age_group is ALL or an age range in years (0-17, 15-24, 60+)",
            column="age_group",
            regex=AGE_GROUP_PATTERN,
        ),
        expectation(
            "expect_column_values_to_be_between",
            "value is not negative",
            column="value",
            min_value=0,
        ),
        expectation(
            "expect_column_values_to_be_between",
            "a value whose unit is PERCENT lies from 0 to 100",
            column="value",
            min_value=0,
            max_value=100,
            row_condition=comparison("beneficiary_unit", "==", "PERCENT"),
        ),
        not_before("period_end", "period_start"),
        expectation(
            "expect_column_values_to_be_between",
            "an ACTUAL value's period has started (a value planned ahead is a TARGET)",
            column="period_start",
            max_value={"$PARAMETER": "today"},
            row_condition=comparison("value_kind", "==", "ACTUAL"),
        ),
        *date_range("period_start", future=True),
        unique_key(t),
        expectation(
            "unexpected_rows_expectation",
            "a target or actual value's period lies wholly outside the programme's period (start_date to end_date in "
            "the programme register; a warning: IATI allows it, and targets are often set before an activity's "
            "dates settle, but check the dates)",
            severity="warning",
            unexpected_rows_query=RESULTS_OUTSIDE_PROGRAMME_QUERY.strip(),
        ),
        expectation(
            "unexpected_rows_expectation",
            "the F, M, X and U rows add up to more than the TOTAL row of the same indicator, period, place and age "
            "group (a warning: check the figures; published data sometimes does this)",
            severity="warning",
            unexpected_rows_query=SEX_ROWS_ABOVE_TOTAL_QUERY.strip(),
        ),
        unregistered_programme(),
    ]


def programme_funding_suite() -> list[dict[str, Any]]:
    t = PROGRAMME_FUNDING
    transaction = comparison("record_kind", "==", "TRANSACTION")
    types = reference.transaction_types()
    supported = ", ".join(f"{code} {name}" for code, name in types.items())
    return [
        *common_expectations(t),
        *programme_identifier(),
        in_set("record_kind", RECORD_KINDS, ", ".join(RECORD_KINDS[:-1]) + " or " + RECORD_KINDS[-1]),
        in_set("transaction_type", list(types), f"an IATI 2.03 transaction type ({supported})"),
        expectation(
            "expect_column_values_to_not_be_null",
            "transaction_type is required for a TRANSACTION",
            column="transaction_type",
            row_condition=transaction,
        ),
        expectation(
            "expect_column_values_to_be_null",
            "only a TRANSACTION has a transaction_type (a BUDGET or PLANNED_DISBURSEMENT has none)",
            column="transaction_type",
            row_condition=comparison("record_kind", "!=", "TRANSACTION"),
        ),
        in_set("currency", reference.currency_codes(), "an ISO 4217 currency code (USD, EUR, SEK)"),
        # No sign rule: IATI records reversals and corrections as negative values (an expenditure refunded, a
        # budget revised down); the marts net them and show the reversals apart.
        *marker_codes(),
        *organisation_identifiers("provider_org_ref", "receiver_org_ref"),
        not_before("period_end", "date"),
        expectation(
            "expect_column_values_to_be_between",
            "a transaction's date is not in the future (planned money is a BUDGET or PLANNED_DISBURSEMENT)",
            column="date",
            max_value={"$PARAMETER": "today"},
            row_condition=transaction,
        ),
        *date_range("date", future=True),
        *date_range("value_date", future=True),
        expectation(
            "expect_compound_columns_to_be_unique",
            "the same record appears more than once (a warning: counted twice if it is a mistake)",
            severity="warning",
            column_list=list(t.column_names),
        ),
        expectation(
            "unexpected_rows_expectation",
            "a transaction dated, or a budget period, outside the programme's period (a warning: money often "
            "arrives before a programme starts and is spent after it ends, but check the dates)",
            severity="warning",
            unexpected_rows_query=FUNDING_OUTSIDE_PROGRAMME_QUERY.strip(),
        ),
        unregistered_programme(),
    ]


# --- accountability frameworks ---------------------------------------------------------------------------

FIRST_RATING_YEAR = 2008  # the UNCT Gender Equality Scorecard's endorsement; UN-SWAP reports began in 2012


def indicators_values() -> str:
    """The frameworks' indicators (the seed ref_swap_indicators) as SQL rows: the suite carries its own list, so a
    file is checked before the warehouse is built."""
    from psycopg import sql

    return ",\n       ".join(
        sql.SQL("({}, {}, {})").format(*map(sql.Literal, (i.framework, i.version, i.code))).as_string()
        for i in reference.swap_indicators()
    )


UNKNOWN_INDICATOR_QUERY = """
with indicators (framework, framework_version, indicator_code) as (
values {indicators}
)
select b.source_row, b.framework, b.framework_version, b.indicator_code
from {{batch}} as b
where not exists (
    select from indicators as i
    where i.framework = b.framework and i.framework_version = b.framework_version
      and i.indicator_code = b.indicator_code
)
order by b.source_row
"""

UNRATED_INDICATOR_QUERY = """
with indicators (framework, framework_version, indicator_code) as (
values {indicators}
),
reports as (
    select distinct framework, framework_version, reporting_unit, reporting_year
    from {{batch}} where report_type = 'COMPREHENSIVE'
)
select r.framework, r.framework_version, r.reporting_unit, r.reporting_year, i.indicator_code as unrated_indicator
from reports as r
join indicators as i on i.framework = r.framework and i.framework_version = r.framework_version
where not exists (
    select from {{batch}} as b
    where b.framework = r.framework and b.reporting_unit = r.reporting_unit
      and b.reporting_year = r.reporting_year and b.indicator_code = i.indicator_code
)
order by r.framework, r.reporting_unit, r.reporting_year, i.indicator_code
"""

MIXED_REPORT_QUERY = """
select framework, reporting_unit, reporting_year,
       string_agg(distinct framework_version, ', ') as versions, string_agg(distinct report_type, ', ') as report_types
from {batch}
group by framework, reporting_unit, reporting_year
having count(distinct framework_version) > 1 or count(distinct report_type) > 1
order by framework, reporting_unit, reporting_year
"""

FUTURE_YEAR_QUERY = """
select source_row, reporting_year from {batch}
where reporting_year > extract(year from current_date)
order by source_row
"""


def reporting_unit_rule(framework: str, unit_type: str) -> dict[str, Any]:
    """The codes a framework's reporting unit is one of: who reports under it (ref_swap_frameworks)."""
    codes, what = {
        "entity": (reference.entity_codes, "an entity code from the entities reference"),
        "country team": (reference.country_codes, "the country team's country as an ISO 3166-1 alpha-3 code (TUN)"),
    }[unit_type]
    return in_set(
        "reporting_unit",
        codes(),
        f"{what}, for a {framework} report",
        row_condition=comparison("framework", "==", framework),
    )


def swap_ratings_suite() -> list[dict[str, Any]]:
    t = SWAP_RATINGS
    versions = reference.swap_framework_versions()
    known = "; ".join(f"{f} {', '.join(v)}" for f, v in versions.items())
    ratings = reference.swap_rating_codes()
    indicators = indicators_values()
    return [
        *common_expectations(t),
        in_set("framework", list(versions), " or ".join(versions)),
        expectation(
            "expect_column_pair_values_to_be_in_set",
            f"framework_version is a version of the framework the warehouse knows the indicators of ({known})",
            column_A="framework",
            column_B="framework_version",
            value_pairs_set=sorted([f, v] for f, vs in versions.items() for v in vs),
            ignore_row_if="either_value_is_missing",
        ),
        *(reporting_unit_rule(framework, unit_type) for framework, unit_type in reference.swap_frameworks().items()),
        expectation(
            "expect_column_values_to_be_between",
            f"reporting_year is a year from {FIRST_RATING_YEAR} on",
            column="reporting_year",
            min_value=FIRST_RATING_YEAR,
        ),
        expectation(
            "unexpected_rows_expectation",
            "reporting_year is not in the future",
            unexpected_rows_query=FUTURE_YEAR_QUERY.strip(),
        ),
        in_set("report_type", REPORT_TYPES, " or ".join(REPORT_TYPES)),
        in_set("rating", ratings, ", ".join(ratings[:-1]) + " or " + ratings[-1]),
        expectation(
            "expect_column_values_to_match_regex",
            "lead_entities is a list of entity codes from the entities reference separated by ; (UN-WOMEN;UNFPA)",
            column="lead_entities",
            regex=code_list_pattern(reference.entity_codes()),
        ),
        expectation(
            "expect_column_values_to_not_be_null",
            "a priority indicator names its lead entities",
            column="lead_entities",
            row_condition=comparison("is_priority", "==", True),
        ),
        unique_key(t),
        expectation(
            "unexpected_rows_expectation",
            "indicator_code is an indicator of the framework and version named (the seed ref_swap_indicators: "
            "PI1 to PI17 for UN-SWAP 2.0, 1.1 to 7.1 for the UNCT-SWAP 2018 Scorecard)",
            unexpected_rows_query=UNKNOWN_INDICATOR_QUERY.format(indicators=indicators).strip(),
        ),
        expectation(
            "unexpected_rows_expectation",
            "a comprehensive report rates every indicator of its framework (each one missing is listed; rate one "
            "that does not apply NOT_APPLICABLE)",
            unexpected_rows_query=UNRATED_INDICATOR_QUERY.format(indicators=indicators).strip(),
        ),
        expectation(
            "unexpected_rows_expectation",
            "a unit's ratings for a year are one report: one framework version and one report type",
            unexpected_rows_query=MIXED_REPORT_QUERY.strip(),
        ),
    ]


BUILDERS = {
    HR_HEADCOUNT.name: hr_headcount_suite,
    HR_EVENTS.name: hr_events_suite,
    PROGRAMME_REGISTER.name: programme_register_suite,
    PROGRAMME_BENEFICIARIES.name: programme_beneficiaries_suite,
    PROGRAMME_FUNDING.name: programme_funding_suite,
    SWAP_RATINGS.name: swap_ratings_suite,
}


def build_suite(table: Table) -> dict[str, Any]:
    expectations = BUILDERS[table.name]()
    for i, e in enumerate(expectations):
        # Stable ids, so that writing the suites again changes nothing unless a rule changed.
        e["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"gender-warehouse/{table.suite_name}/{i}"))
    return {
        "name": table.suite_name,
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"gender-warehouse/{table.suite_name}")),
        "expectations": expectations,
        "meta": {
            "description": f"The contract of a {table.name} submission: {table.description}",
            "written_by": "gwh suites write (include/gender_warehouse/suites.py)",
        },
        "notes": None,
    }


def suite_text(table: Table) -> str:
    return json.dumps(build_suite(table), indent=2, ensure_ascii=False) + "\n"


def write_suites() -> list[Path]:
    suites_dir().mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES.values():
        path = suite_path(table)
        path.write_text(suite_text(table), encoding="utf-8")
        written.append(path)
    return written
