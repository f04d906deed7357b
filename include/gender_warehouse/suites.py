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
    APPOINTMENT_TYPES,
    EVENT_TYPES,
    HR_EVENTS,
    HR_HEADCOUNT,
    LOCATION_TYPES,
    SEX_CODES,
    STAFF_CATEGORIES,
    TABLES,
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


def date_range(column: str) -> list[dict[str, Any]]:
    return [
        expectation(
            "expect_column_max_to_be_between",
            f"{column} is not in the future",
            column=column,
            max_value={"$PARAMETER": "today"},
        ),
        expectation(
            "expect_column_min_to_be_between",
            f"{column} is not before {EARLIEST_DATE}",
            column=column,
            min_value=EARLIEST_DATE,
        ),
    ]


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


def common_codes(table: Table) -> list[dict[str, Any]]:
    return [
        in_set("entity_code", reference.entity_codes(), "an entity code from the entities reference"),
        in_set("staff_category", STAFF_CATEGORIES, "one of " + ", ".join(STAFF_CATEGORIES)),
        in_set("sex", SEX_CODES, "F, M, X (other) or U (unknown)"),
        in_set("location_type", LOCATION_TYPES, "HQ or NON_HQ"),
    ]


# Compared with the entity's latest earlier snapshot 6 to 18 months before; {batch} is the submitted table.
HEADCOUNT_SWING_QUERY = """
with batch_totals as (
    select entity_code, snapshot_date, sum(headcount) as staff from {batch} group by entity_code, snapshot_date
),
known_totals as (
    select entity_code, snapshot_date, sum(headcount) as staff
    from raw.hr_headcount
    where superseded_by is null
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
        expectation(
            "expect_column_pair_values_a_to_be_greater_than_b",
            "period_end is on or after period_start",
            column_A="period_end",
            column_B="period_start",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        count_range("count"),
        *date_range("period_start"),
        *date_range("period_end"),
        unique_key(t),
    ]


BUILDERS = {HR_HEADCOUNT.name: hr_headcount_suite, HR_EVENTS.name: hr_events_suite}


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
