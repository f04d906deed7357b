"""The submission kinds: their tables, columns, types, keys and the Great Expectations suites that check them.

This module is the base of the package: it imports nothing else from it. The suites in `expectations/` are the
contract a submission must satisfy; `suites.py` writes them from these definitions and the reference seeds, and a
test checks that the committed suite files match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    """How a submitted value is read. Every value arrives as text and is parsed to this type."""

    CODE = "code"  # a code from a list: trimmed, upper-cased
    TEXT = "text"  # free text: trimmed
    DATE = "date"  # an ISO date, YYYY-MM-DD
    COUNT = "count"  # a whole number
    BOOLEAN = "boolean"  # TRUE/FALSE (also Y/N, YES/NO, 1/0)

    @property
    def sql_type(self) -> str:
        return {"code": "text", "text": "text", "date": "date", "count": "integer", "boolean": "boolean"}[self.value]

    @property
    def expected(self) -> str:
        """What a submitter must write, for error messages."""
        return {
            "code": "a code",
            "text": "text",
            "date": "a date written YYYY-MM-DD",
            "count": "a whole number of at most 9 digits",
            "boolean": "TRUE or FALSE (Y/N, YES/NO and 1/0 are accepted)",
        }[self.value]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = True


@dataclass(frozen=True)
class Table:
    """One table of a submission: a CSV file, or one sheet of an XLSX workbook."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique within one submission
    # The slice a submission replaces: a later submission with rows for the same values of these columns
    # supersedes the earlier rows (for example one entity's headcount on one snapshot date).
    supersedes_by: tuple[str, ...]
    suite_name: str = field(default="")

    def __post_init__(self) -> None:
        if not self.suite_name:
            object.__setattr__(self, "suite_name", f"{self.name}_suite")

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


SEX_CODES = ("F", "M", "X", "U")
LOCATION_TYPES = ("HQ", "NON_HQ")
APPOINTMENT_TYPES = ("PERMANENT", "CONTINUING", "FIXED_TERM", "TEMPORARY")
EVENT_TYPES = ("APPOINTMENT", "PROMOTION", "SEPARATION", "REASSIGNMENT")
# Staff categories; the grades of each are in the grades seed (dbt_project/seeds/ref_grades.csv).
STAFF_CATEGORIES = (
    "PROFESSIONAL_AND_HIGHER",
    "GENERAL_SERVICE",
    "NATIONAL_PROFESSIONAL_OFFICER",
    "FIELD_SERVICE",
    "SECURITY_SERVICE",
)

HR_HEADCOUNT = Table(
    name="hr_headcount",
    description="Staff on one snapshot date, by entity, staff category, grade, sex, location and appointment type.",
    columns=(
        Column("snapshot_date", ColumnType.DATE, "Date the headcount was taken (usually 31 December)."),
        Column("entity_code", ColumnType.CODE, "Reporting UN entity (code from the entities reference)."),
        Column("staff_category", ColumnType.CODE, "Staff category: " + ", ".join(STAFF_CATEGORIES) + "."),
        Column("grade", ColumnType.CODE, "Personal grade as the entity reports it (P-4, D-1, G-5, NO-B, ...)."),
        Column("sex", ColumnType.CODE, "F female, M male, X other, U unknown."),
        Column("location_type", ColumnType.CODE, "HQ (headquarters duty station) or NON_HQ."),
        Column(
            "duty_station_country",
            ColumnType.CODE,
            "ISO 3166-1 alpha-3 code of the duty station country.",
            required=False,
        ),
        Column("appointment_type", ColumnType.CODE, "PERMANENT, CONTINUING, FIXED_TERM or TEMPORARY."),
        Column("headcount", ColumnType.COUNT, "Number of staff."),
    ),
    key=(
        "snapshot_date",
        "entity_code",
        "staff_category",
        "grade",
        "sex",
        "location_type",
        "duty_station_country",
        "appointment_type",
    ),
    supersedes_by=("entity_code", "snapshot_date"),
)

HR_EVENTS = Table(
    name="hr_events",
    description="Appointments, promotions, separations and reassignments in a period, by entity, grade and sex.",
    columns=(
        Column("period_start", ColumnType.DATE, "First day of the reporting period."),
        Column("period_end", ColumnType.DATE, "Last day of the reporting period."),
        Column("entity_code", ColumnType.CODE, "Reporting UN entity (code from the entities reference)."),
        Column("event_type", ColumnType.CODE, "APPOINTMENT, PROMOTION, SEPARATION or REASSIGNMENT."),
        Column("staff_category", ColumnType.CODE, "Staff category of the post after the event."),
        Column(
            "grade_from",
            ColumnType.CODE,
            "Grade before the event (required for promotions and reassignments).",
            required=False,
        ),
        Column("grade_to", ColumnType.CODE, "Grade after the event (the grade left, for a separation)."),
        Column("sex", ColumnType.CODE, "F female, M male, X other, U unknown."),
        Column("location_type", ColumnType.CODE, "HQ (headquarters duty station) or NON_HQ."),
        Column("tsm_applied", ColumnType.BOOLEAN, "Whether temporary special measures applied to these events."),
        Column("count", ColumnType.COUNT, "Number of events."),
    ),
    key=(
        "period_start",
        "period_end",
        "entity_code",
        "event_type",
        "staff_category",
        "grade_from",
        "grade_to",
        "sex",
        "location_type",
        "tsm_applied",
    ),
    supersedes_by=("entity_code", "period_start", "period_end"),
)

TABLES: dict[str, Table] = {t.name: t for t in (HR_HEADCOUNT, HR_EVENTS)}


def table_for(name: str) -> Table:
    """The table of a kind name, accepting the spellings people use in file and sheet names."""
    wanted = normalize_name(name)
    if wanted in TABLES:
        return TABLES[wanted]
    raise KeyError(name)


def normalize_name(name: str) -> str:
    """'HR Headcount', 'hr-headcount ' and 'hr_headcount' are the same name."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def kind_in_file_name(file_name: str) -> Table | None:
    """The table named inside a file name, such as `unodc_hr_headcount_2024.csv`, or None."""
    stem = normalize_name(file_name.rsplit(".", 1)[0])
    found = [t for t in TABLES.values() if re.search(rf"(^|_){t.name}(_|$)", stem)]
    return found[0] if len(found) == 1 else None
