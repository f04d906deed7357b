"""OCHA humanitarian needs tables (HPC Tools exports: people in need, targeted and reached by area, cluster, sex
and age), mapped to `programme_beneficiaries`.

An export is recognised by its header (Admin 1 PCode, Admin 2 PCode, Description, Cluster, Category, In Need,
Targeted, Reached). The mapping:

- programme: the response plan, `<OCHA's IATI identifier>-HNRP-<country>-<year>` (XM-DAC-41127-HNRP-AFG-2024),
  registered as a `programme_register` row led by OCHA for the calendar year. The country is the ISO 3166
  alpha-2 prefix of the P-codes (AF01 → AFG) or, for a file with national rows only, an alpha-3 code in the file
  name; the year is the four-digit year in the file name (the export does not hold it).
- indicator: one per cluster and description (`PRO.GENERAL_PROTECTION`, title "General Protection").
- value kind: In Need → BASELINE (the need the targets are set against), Targeted → TARGET, Reached → ACTUAL.
  Population and Affected are not indicators of the plan and are not loaded.
- area: the Admin 2 (else Admin 1) name with its P-code, "Kabul (AF0101)"; national rows have none.
- sex and age: no category → TOTAL, ALL; "Adult" → TOTAL, 18+; "Adult - Female" → F, 18+; "Adult - Male" →
  M, 18+; "Children" → TOTAL, 0-17; "Children - Female" / "Children - Male" → F / M, 0-17.
  Other categories (population groups such as IDP or Refugees, female-headed households, people with
  disabilities, elderly) have no column in the contract; they are counted in a warning and not loaded. The
  original file is archived as it came.
- unit: PERSON.

The contract's rules then apply as to any file: a sex breakdown that adds up to more than its total (as the
real 2024 Afghanistan export does) is a warning, not a rejection.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from gender_warehouse import reference
from gender_warehouse.canonical import abbreviated
from gender_warehouse.contracts import PROGRAMME_BENEFICIARIES, PROGRAMME_REGISTER, normalize_name
from gender_warehouse.errors import SubmissionError
from gender_warehouse.readers import Rows, TableSource, split_fields

SIGNATURE = {"admin_1_pcode", "admin_2_pcode", "description", "cluster", "category", "in_need", "targeted", "reached"}
VALUE_KINDS = {"in_need": "BASELINE", "targeted": "TARGET", "reached": "ACTUAL"}
CATEGORIES = {
    "": ("TOTAL", "ALL"),
    "ADULT": ("TOTAL", "18+"),
    "ADULT - FEMALE": ("F", "18+"),
    "ADULT - MALE": ("M", "18+"),
    "CHILDREN": ("TOTAL", "0-17"),
    "CHILDREN - FEMALE": ("F", "0-17"),
    "CHILDREN - MALE": ("M", "0-17"),
}
OCHA = "OCHA"


def is_hpc_needs(names: list[str]) -> bool:
    return {normalize_name(n) for n in names} >= SIGNATURE


def read_hpc_needs(path: Path, names: list[str], delimiter: str) -> list[TableSource]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionError(
            f"the file is not UTF-8 text (byte at offset {exc.start}); save it as 'CSV UTF-8'"
        ) from None
    fieldnames = [normalize_name(n) for n in names]
    reader = csv.DictReader(io.StringIO(text), fieldnames=fieldnames, delimiter=delimiter)
    try:
        records = list(reader)[1:]  # the header line
    except csv.Error as exc:
        raise unreadable_row(text, reader.line_num, fieldnames, delimiter, exc) from None
    if not records:
        raise SubmissionError("the file has a header but no rows", row=1)
    country = plan_country(path, records)
    year = plan_year(path)
    programme_id = f"{reference.iati_org_ref(OCHA)}-HNRP-{country}-{year}"
    first_row = 2
    register = Rows(PROGRAMME_REGISTER)
    register.add(
        first_row,
        programme_id=programme_id,
        title=f"{reference.country_name(country)} Humanitarian Needs and Response Plan {year}",
        lead_entity=OCHA,
        participating_org=OCHA,
        participating_org_ref=reference.iati_org_ref(OCHA),
        role="ACCOUNTABLE",
        countries=country,
        start_date=f"{year}-01-01",
        end_date=f"{year}-12-31",
    )
    beneficiaries = Rows(PROGRAMME_BENEFICIARIES)
    unmapped: dict[str, int] = {}
    for number, record in enumerate(records, start=first_row):
        written = " ".join((record.get("category") or "").split())
        category = written.upper()
        if category not in CATEGORIES:
            unmapped[written] = unmapped.get(written, 0) + 1
            continue
        sex, age_group = CATEGORIES[category]
        cluster = (record.get("cluster") or "").strip() or "NONE"
        description = (record.get("description") or "").strip()
        area_code = (record.get("admin_2_pcode") or "").strip() or (record.get("admin_1_pcode") or "").strip()
        area_name = (record.get("admin_2_name") or "").strip() or (record.get("admin_1_name") or "").strip()
        area = f"{area_name} ({area_code})" if area_code else None
        for column, value_kind in VALUE_KINDS.items():
            value = (record.get(column) or "").strip()
            if not value:
                continue
            beneficiaries.add(
                number,
                programme_id=programme_id,
                indicator_code=f"{cluster}.{normalize_name(description)}",
                indicator_title=description,
                value_kind=value_kind,
                period_start=f"{year}-01-01",
                period_end=f"{year}-12-31",
                country=country,
                subnational_area=area,
                beneficiary_unit="PERSON",
                sex=sex,
                age_group=age_group,
                value=value,
            )
    notes = []
    if unmapped:
        listed = ", ".join(f"{name!r} ({count})" for name, count in sorted(unmapped.items())[:8])
        more = f" and {len(unmapped) - 8} more" if len(unmapped) > 8 else ""
        notes.append(
            f"{sum(unmapped.values())} row(s) in categories that programme_beneficiaries has no column for were not "
            f"loaded: {listed}{more}. Only totals and the Adult/Children by Female/Male rows map to sex and age "
            "(the original file is archived)"
        )
    return [
        TableSource(
            table=PROGRAMME_REGISTER, sheet=None, columns=list(PROGRAMME_REGISTER.column_names), read=register.arrow
        ),
        TableSource(
            table=PROGRAMME_BENEFICIARIES,
            sheet=None,
            columns=list(PROGRAMME_BENEFICIARIES.column_names),
            read=beneficiaries.arrow,
            notes=notes,
        ),
    ]


def unreadable_row(text: str, line: int, names: list[str], delimiter: str, exc: csv.Error) -> SubmissionError:
    """Where Python's csv module stopped, and why: most often a value over its field size limit. (The module's
    line count stops at the line before the one it failed on, or at it: both are looked at.)"""
    lines = text.splitlines()
    limit = csv.field_size_limit()
    for number in range(max(line, 1), min(line + 2, len(lines) + 1)):
        for column, value in enumerate(split_fields(lines[number - 1], delimiter)):
            if len(value) > limit:
                return SubmissionError(
                    f"a value of {len(value):,} characters ({abbreviated(value)}); no value of an HPC needs table "
                    f"may be longer than {limit:,} characters",
                    row=number,
                    column=names[column] if column < len(names) else None,
                )
    return SubmissionError(f"the row cannot be read as CSV ({abbreviated(str(exc), 200)})", row=line + 1)


def plan_country(path: Path, records: list[dict[str, str | None]]) -> str:
    """The plan's country: from the P-codes (their first two letters are the ISO alpha-2 code), else the name."""
    prefixes = {
        m.group(1)
        for r in records
        for key in ("admin_1_pcode", "admin_2_pcode")
        if (m := re.match(r"^([A-Za-z]{2})\d", (r.get(key) or "").strip()))
    }
    if len(prefixes) > 1:
        raise SubmissionError(
            f"the P-codes belong to several countries ({', '.join(sorted(prefixes))}); expected one plan's country"
        )
    if prefixes:
        alpha2 = prefixes.pop().upper()
        code = reference.alpha3_of(alpha2)
        if code is None:
            raise SubmissionError(f"the P-codes start with {alpha2!r}, which is not an ISO 3166 country code")
        return code
    tokens = [t.upper() for t in normalize_name(path.stem).split("_") if len(t) == 3]
    found = [t for t in tokens if t in reference.country_codes()]
    if not found:
        raise SubmissionError(
            "the file has no P-codes and its name holds no ISO 3166 alpha-3 country code; name it after the "
            "plan's country and year (afg_needs_2024.csv)"
        )
    return found[0]


def plan_year(path: Path) -> str:
    years = re.findall(r"(?<!\d)(20\d\d)(?!\d)", path.name)
    if len(set(years)) != 1:
        raise SubmissionError(
            "the export does not say which year's plan it is, and its file name does not hold exactly one year; "
            "name the file with the plan's year (afg_needs_2024.csv)"
        )
    return years[0]
