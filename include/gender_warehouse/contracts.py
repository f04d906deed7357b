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
    CODE_LIST = "code_list"  # codes separated by ; or , — stored upper-cased, joined by ;
    IDENTIFIER = "identifier"  # an identifier such as an IATI activity id: trimmed, case kept
    TEXT = "text"  # free text: trimmed
    DATE = "date"  # an ISO date, YYYY-MM-DD
    COUNT = "count"  # a whole number
    DECIMAL = "decimal"  # a number with up to 6 decimals, such as an amount of money
    BOOLEAN = "boolean"  # TRUE/FALSE (also Y/N, YES/NO, 1/0)

    @property
    def is_text(self) -> bool:
        """Kept as text (trimmed, codes upper-cased): every such column has a maximum length."""
        return self in TEXT_MAX_LENGTH

    @property
    def sql_type(self) -> str:
        return {"date": "date", "count": "integer", "decimal": "numeric(21, 6)", "boolean": "boolean"}.get(
            self.value, "text"
        )

    @property
    def expected(self) -> str:
        """What a submitter must write, for error messages."""
        return {
            "code": "a code",
            "code_list": "a list of codes separated by ;",
            "identifier": "an identifier",
            "text": "text",
            "date": "a date written YYYY-MM-DD (a day that exists, from the year 0001 on)",
            "count": "a whole number of at most 9 digits, such as 42 (a sign is allowed: +5 is 5)",
            "decimal": "a number written like 1234.56, .75 or -5 (at most 15 digits before the point and 6 after "
            "it; no thousands separators, exponents or currency signs)",
            "boolean": "TRUE or FALSE (Y/N, YES/NO and 1/0 are accepted)",
        }[self.value]


# The longest value, in characters, of each kind of text column, unless a column says otherwise. Checked when
# the file is typed, before anything reaches the database: a value longer than this is refused with its row and
# column (PostgreSQL could not index a key of more than about 2,700 bytes, and no code or name is this long).
TEXT_MAX_LENGTH = {
    ColumnType.CODE: 100,
    ColumnType.CODE_LIST: 2_000,  # every ISO 3166 country code, ;-separated, is about 1,000
    ColumnType.IDENTIFIER: 255,
    ColumnType.TEXT: 2_000,
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = True
    # The longest value in characters, for a text column (the type's TEXT_MAX_LENGTH unless given); None for a
    # typed column, whose parse bounds it (a count has at most 9 digits, a date is YYYY-MM-DD).
    max_length: int | None = None

    def __post_init__(self) -> None:
        if self.type.is_text:
            object.__setattr__(self, "max_length", self.max_length or TEXT_MAX_LENGTH[self.type])
        elif self.max_length is not None:
            raise ValueError(f"column {self.name}: only a text column has a maximum length")


@dataclass(frozen=True)
class Table:
    """One table of a submission: a CSV file, or one sheet of an XLSX workbook."""

    name: str
    kind: str  # its kind of submission: "hr", "programme" or "accountability" (a template holds one kind's tables)
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique within one submission (empty: rows need not be unique)
    # The slice a submission replaces: a later submission with rows for the same values of these columns
    # supersedes the earlier rows (for example one entity's headcount on one snapshot date).
    supersedes_by: tuple[str, ...]
    suite_name: str = field(default="")
    # The start and end columns of a period whose rows the marts add up (events in a year): two current periods
    # of one slice (the other supersedes_by columns) may not overlap, or events would count twice. A later file
    # whose period covers an earlier one replaces it; any other overlap is refused (pipeline: load_submission).
    exclusive_period: tuple[str, str] | None = None
    # How raw finds a slice's rows. A btree costs every loaded row about 2 µs (2 s a million); BRIN costs next to
    # nothing and, since a submission's rows land together, still narrows a search to its blocks. Large HR files
    # take BRIN; programme tables keep the btree their rules probe row by row (a programme's register rows).
    slices_index: str = "btree"

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

    @property
    def period_slice(self) -> tuple[str, ...]:
        """The supersedes_by columns besides the exclusive period's (the entity whose periods may not overlap)."""
        return tuple(c for c in self.supersedes_by if c not in (self.exclusive_period or ()))

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
    kind="hr",
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
    slices_index="brin",
)

HR_EVENTS = Table(
    name="hr_events",
    kind="hr",
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
    exclusive_period=("period_start", "period_end"),
    slices_index="brin",
)

# Programme submissions (design §4). The IATI 2.03 code of each participating-organisation role and transaction
# type is kept beside the name, so that IATI files and CSV files say the same thing.
ORGANISATION_ROLES = {"1": "FUNDING", "2": "ACCOUNTABLE", "3": "EXTENDING", "4": "IMPLEMENTING"}
RECORD_KINDS = ("BUDGET", "PLANNED_DISBURSEMENT", "TRANSACTION")
VALUE_KINDS = ("BASELINE", "TARGET", "ACTUAL")
BENEFICIARY_SEX_CODES = (*SEX_CODES, "TOTAL")
BENEFICIARY_UNITS = {
    "PERSON": "people",
    "HOUSEHOLD": "households",
    "MSME": "micro, small and medium-sized enterprises",
    "ORGANISATION": "organisations (associations, cooperatives, institutions)",
    "COMMUNITY": "communities or villages",
    "EVENT": "events held (workshops, trainings, campaigns)",
    "CASE": "cases handled (for example child marriages ended)",
    "COUNT": "a count of something else the indicator's title names",
    "PERCENT": "a percentage, from 0 to 100",
}
UNCT_GEM_CODES = {
    0: "no contribution",
    1: "limited contribution",
    2: "significant contribution",
    3: "principal objective",
}
DAC_GENDER_CODES = {0: "not targeted", 1: "significant objective", 2: "principal objective"}
AGE_GROUP_PATTERN = r"^(?:ALL|[0-9]{1,3}-[0-9]{1,3}|[0-9]{1,3}\+)$"

PROGRAMME_REGISTER = Table(
    name="programme_register",
    kind="programme",
    description="Joint programmes: one row per programme and participating organisation, with the programme's "
    "lead entity, countries, dates, gender markers and SDG targets repeated on each row.",
    columns=(
        Column(
            "programme_id",
            ColumnType.IDENTIFIER,
            "IATI-style identifier: the organisation identifier, a hyphen, the programme's own id "
            "(XM-DAC-41146-EMPOWER).",
        ),
        Column("title", ColumnType.TEXT, "The programme's title."),
        Column("lead_entity", ColumnType.CODE, "The UN entity that leads or reports the programme (entity code)."),
        Column(
            "participating_org",
            ColumnType.TEXT,
            "An organisation taking part: a UN entity code (UNEP, UN-WOMEN) or the organisation's name.",
        ),
        Column(
            "participating_org_ref",
            ColumnType.IDENTIFIER,
            "The organisation's IATI identifier (XM-DAC-41116), when it has one.",
            required=False,
        ),
        Column(
            "role",
            ColumnType.CODE,
            "Its role (IATI organisation role): " + ", ".join(ORGANISATION_ROLES.values()) + ".",
        ),
        Column(
            "countries",
            ColumnType.CODE_LIST,
            "Recipient countries, ISO 3166-1 alpha-3 codes separated by ; (VNM;BGD;KHM). Empty for a global programme.",
            required=False,
        ),
        Column("start_date", ColumnType.DATE, "Start of the programme (actual, or planned before it starts)."),
        Column("end_date", ColumnType.DATE, "End of the programme (actual, or planned).", required=False),
        Column(
            "unct_gem",
            ColumnType.COUNT,
            "UNCT Gender Equality Marker: 0 none, 1 limited, 2 significant, 3 principal objective.",
            required=False,
        ),
        Column(
            "dac_gender_marker",
            ColumnType.COUNT,
            "OECD DAC gender equality policy marker: 0 not targeted, 1 significant, 2 principal objective.",
            required=False,
        ),
        Column(
            "sdg_targets",
            ColumnType.CODE_LIST,
            "SDG targets the programme contributes to, separated by ; (5.5;8.3).",
            required=False,
        ),
        Column(
            "regions",
            ColumnType.CODE_LIST,
            "Recipient regions, codes of IATI's Region codelist (the OECD DAC regions) separated by ; (289;798), for "
            "a programme given by region rather than by country.",
            required=False,
        ),
        Column(
            "publisher_policy_markers",
            ColumnType.TEXT,
            "The lead entity's own policy markers (IATI policy-marker vocabulary 99, its gender marker say), as it "
            "publishes them: each as code, significance and name, separated by ; (GM2a significance 2: IOM Gender "
            "Marker). Kept beside the DAC marker, not mapped onto it.",
            required=False,
        ),
    ),
    key=("programme_id", "participating_org", "role"),
    supersedes_by=("programme_id",),
)

PROGRAMME_BENEFICIARIES = Table(
    name="programme_beneficiaries",
    kind="programme",
    description="Whom a programme reaches: baseline, target and actual values of its indicators by period, "
    "country, sex and age group.",
    columns=(
        Column("programme_id", ColumnType.IDENTIFIER, "The programme (identifier from the programme register)."),
        Column(
            "indicator_code",
            ColumnType.CODE,
            "The indicator's code within the programme.",
            # HPC needs tables make it from the cluster and the indicator's description.
            max_length=255,
        ),
        Column("indicator_title", ColumnType.TEXT, "What the indicator counts."),
        Column("value_kind", ColumnType.CODE, "BASELINE, TARGET or ACTUAL."),
        Column("period_start", ColumnType.DATE, "First day of the period the value is for."),
        Column("period_end", ColumnType.DATE, "Last day of the period the value is for."),
        Column(
            "country",
            ColumnType.CODE,
            "ISO 3166-1 alpha-3 code of the country; empty for a figure across countries.",
            required=False,
        ),
        Column(
            "subnational_area",
            ColumnType.TEXT,
            "District, province or other area within the country (Mangochi); empty for the whole country.",
            required=False,
        ),
        Column("beneficiary_unit", ColumnType.CODE, "What is counted: " + ", ".join(BENEFICIARY_UNITS) + "."),
        Column("sex", ColumnType.CODE, "F female, M male, X other, U unknown, TOTAL all together."),
        Column("age_group", ColumnType.CODE, "ALL, or an age range in years: 0-17, 15-24, 18+."),
        Column("value", ColumnType.DECIMAL, "The value (a percentage from 0 to 100 when the unit is PERCENT)."),
    ),
    key=(
        "programme_id",
        "indicator_code",
        "value_kind",
        "period_start",
        "period_end",
        "country",
        "subnational_area",
        "beneficiary_unit",
        "sex",
        "age_group",
    ),
    supersedes_by=("programme_id", "period_start", "period_end"),
)

PROGRAMME_FUNDING = Table(
    name="programme_funding",
    kind="programme",
    description="Who pays for a programme: its budgets and its transactions (IATI transaction types), each in "
    "the currency it was made in, with the date its value was fixed.",
    columns=(
        Column("programme_id", ColumnType.IDENTIFIER, "The programme (identifier from the programme register)."),
        Column(
            "record_kind",
            ColumnType.CODE,
            "BUDGET (planned), PLANNED_DISBURSEMENT (money planned to be paid out in a future period: forward-looking "
            "funding) or TRANSACTION (money that moved or was committed).",
        ),
        Column(
            "transaction_type",
            ColumnType.CODE,
            "IATI 2.03 transaction type code, for a TRANSACTION: 1 incoming funds, 2 outgoing commitment, 3 "
            "disbursement, 4 expenditure, 11 incoming commitment, 13 incoming pledge, ... (all 13 in the seed "
            "ref_iati_transaction_types).",
            required=False,
        ),
        Column(
            "date",
            ColumnType.DATE,
            "The transaction's date, or the first day of the budget's or planned disbursement's period.",
        ),
        Column(
            "period_end", ColumnType.DATE, "Last day of a budget's or planned disbursement's period.", required=False
        ),
        Column("amount", ColumnType.DECIMAL, "The amount, in the currency given (negative for a reversal)."),
        Column("currency", ColumnType.CODE, "ISO 4217 currency code of the amount (USD, EUR, SEK)."),
        Column("value_date", ColumnType.DATE, "The date at which the amount's value is fixed, for conversion."),
        Column("provider_org", ColumnType.TEXT, "Who the money comes from (entity code or name).", required=False),
        Column("provider_org_ref", ColumnType.IDENTIFIER, "The provider's IATI identifier.", required=False),
        Column(
            "provider_activity_id",
            ColumnType.IDENTIFIER,
            "The provider's own programme the money comes from (its IATI activity identifier), when it passes on "
            "money it received: so that the money is counted once.",
            required=False,
        ),
        Column("receiver_org", ColumnType.TEXT, "Who receives the money (entity code or name).", required=False),
        Column("receiver_org_ref", ColumnType.IDENTIFIER, "The receiver's IATI identifier.", required=False),
        Column(
            "dac_gender_marker",
            ColumnType.COUNT,
            "OECD DAC gender equality policy marker of this funding: 0, 1 or 2.",
            required=False,
        ),
        Column("unct_gem", ColumnType.COUNT, "UNCT Gender Equality Marker of this funding: 0 to 3.", required=False),
    ),
    key=(),
    supersedes_by=("programme_id",),
)

# Accountability frameworks (design §3): an entity's UN-SWAP report, a country team's UNCT-SWAP Scorecard. The
# frameworks, their versions and indicators, and the rating scale are seeds (ref_swap_indicators,
# ref_swap_rating_scale); a comprehensive report rates every indicator, an annual progress report those it updates.
REPORT_TYPES = ("COMPREHENSIVE", "ANNUAL_PROGRESS")

SWAP_RATINGS = Table(
    name="swap_ratings",
    kind="accountability",
    description="Ratings of the gender accountability frameworks' performance indicators: an entity's UN-SWAP "
    "report, a country team's UNCT-SWAP Scorecard, one row per indicator rated in a reporting year.",
    columns=(
        Column("framework", ColumnType.CODE, "UN-SWAP (an entity's report) or UNCT-SWAP (a country team's Scorecard)."),
        Column(
            "framework_version",
            ColumnType.CODE,
            "The framework's version: 2.0 for UN-SWAP, the year of the Scorecard's framework (2018).",
        ),
        Column(
            "reporting_unit",
            ColumnType.CODE,
            "Who reports: an entity code (UN-SWAP), or the country team's country as an ISO 3166-1 alpha-3 code "
            "(UNCT-SWAP: TUN for the UN country team in Tunisia).",
        ),
        Column("reporting_year", ColumnType.COUNT, "The year the report is for (2024)."),
        Column(
            "report_type",
            ColumnType.CODE,
            "COMPREHENSIVE (every indicator rated: a Scorecard at the start of a Cooperation Framework, or a UN-SWAP "
            "report) or ANNUAL_PROGRESS (the indicators updated since).",
        ),
        Column(
            "indicator_code", ColumnType.CODE, "The indicator, as the framework numbers it: PI1 to PI17, 1.1 to 7.1."
        ),
        Column("rating", ColumnType.CODE, "MISSING, APPROACHES, MEETS or EXCEEDS (requirements), or NOT_APPLICABLE."),
        Column(
            "is_priority",
            ColumnType.BOOLEAN,
            "Whether the team chose it as a priority indicator for the year (empty: not a priority).",
            required=False,
        ),
        Column(
            "lead_entities",
            ColumnType.CODE_LIST,
            "The entities leading the indicator's implementation, codes separated by ; (UN-WOMEN;UNFPA); required for "
            "a priority indicator.",
            required=False,
        ),
        Column("evidence_note", ColumnType.TEXT, "What the rating rests on, briefly (optional).", required=False),
    ),
    key=("framework", "reporting_unit", "reporting_year", "indicator_code"),
    # A unit's report for a year is sent whole: a later one replaces it. The unit first and the year last, as
    # every slice names its reporter first and what it is as of last (the reporting status reads them so).
    supersedes_by=("reporting_unit", "framework", "reporting_year"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (HR_HEADCOUNT, HR_EVENTS, PROGRAMME_REGISTER, PROGRAMME_BENEFICIARIES, PROGRAMME_FUNDING, SWAP_RATINGS)
}


def tables_of_kind(kind: str) -> tuple[Table, ...]:
    """The tables of one kind of submission, in the order of TABLES."""
    return tuple(t for t in TABLES.values() if t.kind == kind)


KINDS = tuple(dict.fromkeys(t.kind for t in TABLES.values()))


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
