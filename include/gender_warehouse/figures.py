"""The published statements the sample data reproduce, beside what the marts compute from the loaded files.

`include/sample_submissions/expected_figures.json` (written by the sample generator) lists each statement with the
numbers behind it; `compare` reads the same figures back from the marts, so the demo can print both and a test
can require them to agree.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from gender_warehouse import db, settings
from gender_warehouse.roles import BI_READER


@dataclass
class Figure:
    statement: str
    expected: str
    computed: str
    agrees: bool


def expected_figures_path() -> Path:
    return settings.project_dir() / "include" / "sample_submissions" / "expected_figures.json"


def share_text(women: int | None, men: int | None) -> str:
    if women is None or men is None or women + men == 0:
        return "no data"
    return f"{100 * women / (women + men):.1f}% ({women} women, {men} men)"


def staff_figure(conn: psycopg.Connection, f: dict[str, Any]) -> tuple[int | None, int | None, bool | None]:
    """Women, men and parity of one expected figure, from the parity mart (or the fact table for sub-groups)."""
    if not f.get("grades") and not f.get("duty_station_country"):
        row = conn.execute(
            "select women, men, is_at_parity from marts.mart_parity_by_entity_level"
            " where entity_code = %s and snapshot_date = %s and population_code = %s",
            (f["entity_code"], f["snapshot_date"], f["population"]),
        ).fetchone()
        return (row[0], row[1], row[2]) if row else (None, None, None)
    # A group the mart does not publish (some grades, one duty station country): from the fact table.
    row = conn.execute(
        "select coalesce(sum(headcount_one_year_or_more) filter (where sex = 'F'), 0),"
        " coalesce(sum(headcount_one_year_or_more) filter (where sex = 'M'), 0)"
        " from marts.fct_workforce_headcount"
        " where entity_code = %s and snapshot_date = %s"
        " and (staff_category = %s or canonical_level = %s)"
        " and (%s::text[] is null or grade_code = any(%s::text[]))"
        " and (%s::text is null or duty_station_country_code = %s::text)",
        (
            f["entity_code"],
            f["snapshot_date"],
            f["population"],
            f["population"],
            f.get("grades"),
            f.get("grades"),
            f.get("duty_station_country"),
            f.get("duty_station_country"),
        ),
    ).fetchone()
    assert row is not None
    return row[0], row[1], None


def compare(url: str, path: Path | None = None) -> list[Figure]:
    expected = json.loads((path or expected_figures_path()).read_text(encoding="utf-8"))
    out: list[Figure] = []
    with db.connect(url, role=BI_READER) as conn:  # what a BI tool may read, and no more
        for f in expected["figures"]:
            women, men, at_parity = staff_figure(conn, f)
            agrees = (women, men) == (f["women"], f["men"]) and at_parity in (None, f["at_parity"])
            computed = share_text(women, men) + ("" if at_parity is None else ", at parity" if at_parity else "")
            out.append(Figure(f["statement"], share_text(f["women"], f["men"]), computed, agrees))
        for h in expected["hiring"]:
            row = conn.execute(
                "select women, men from marts.mart_hiring_parity where entity_code = %s and event_year = %s"
                " and event_type = %s and population_code = 'ALL_STAFF'",
                (h["entity_code"], h["year"], h["event_type"]),
            ).fetchone()
            women, men = row if row else (None, None)
            out.append(
                Figure(
                    h["statement"],
                    share_text(h["women"], h["men"]),
                    share_text(women, men),
                    (women, men) == (h["women"], h["men"]),
                )
            )
        # The default rule and its band, as the mart states them: the band is written in the seed alone.
        published = {
            year: (entities, low, high)
            for year, entities, low, high in conn.execute(
                "select snapshot_year::text, entity_codes_at_parity, parity_women_share_min, parity_women_share_max"
                " from marts.mart_entities_at_parity"
                " where is_default_rule and population_code = 'PROFESSIONAL_AND_HIGHER'"
            ).fetchall()
        }
        for year, entities in sorted(expected["entities_at_parity"].items()):
            listed, low, high = published.get(year) or ("", None, None)
            computed = [e for e in listed.split(", ") if e]
            band = f", {low * 100:g}-{high * 100:g}%" if low is not None else ""
            out.append(
                Figure(
                    f"Entities at parity (Professional and higher{band}) in {year}",
                    f"{len(entities)}",
                    f"{len(computed)}",
                    sorted(computed) == sorted(entities),
                )
            )
        out += [mart_figure(conn, p) for p in [*expected.get("programmes", []), *expected.get("ratings", [])]]
    return out


def as_text(value: Any) -> str:
    """A mart value as the figures file writes it: whole numbers without decimals, dates as YYYY-MM-DD."""
    if isinstance(value, decimal.Decimal | float) and value == int(value):
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "no value" if value is None else str(value)


def mart_figure(conn: psycopg.Connection, f: dict[str, Any]) -> Figure:
    """One statement about programmes or ratings: the value of one column of the mart row its `where` names."""
    conditions = [
        sql.SQL("{} is null").format(sql.Identifier(k))
        if v is None
        else sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder())
        for k, v in f["where"].items()
    ]
    query = sql.SQL("select {} from {} where {}").format(
        sql.Identifier(f["column"]), sql.Identifier("marts", f["mart"]), sql.SQL(" and ").join(conditions)
    )
    rows = conn.execute(query, [v for v in f["where"].values() if v is not None]).fetchall()
    computed = as_text(rows[0][0]) if len(rows) == 1 else f"{len(rows)} rows"
    expected = as_text(f["expected"])
    return Figure(f["statement"], expected, computed, computed == expected)


FUNDING_OVERVIEW = """
select coalesce(programme_title, programme_id), currencies, pledged_usd, committed_incoming_usd, received_usd, spent_usd,
       records_without_rate, passed_on_usd
from marts.mart_programme_funding_summary
order by programme_id
"""


def funding_overview(url: str) -> list[tuple[Any, ...]]:
    """Each programme's funding in US dollars, with what was passed on (not counted again) and what has no rate."""
    with db.connect(url, role=BI_READER) as conn:  # what a BI tool may read, and no more
        return conn.execute(FUNDING_OVERVIEW).fetchall()


RATINGS_OVERVIEW = """
select framework, framework_version, reporting_year, units_reporting, ratings_counted, ratings_not_applicable,
       share_meeting_or_exceeding, share_exceeding, share_missing
from marts.mart_swap_performance
where dimension_code = 'ALL'
order by framework, framework_version, reporting_year
"""

PRIORITIES_OVERVIEW = """
select reporting_unit_name, reporting_year, indicator_code, indicator_title, lead_entities, baseline_year,
       baseline_rating_code, rating_code, progress_since_chosen
from marts.mart_swap_priority_indicators
order by reporting_unit, reporting_year desc, indicator_code
"""


def ratings_overview(url: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The frameworks' headline shares per year (every dimension together), and the priority indicators with
    their progress since they were chosen."""
    with db.connect(url, role=BI_READER) as conn:
        return conn.execute(RATINGS_OVERVIEW).fetchall(), conn.execute(PRIORITIES_OVERVIEW).fetchall()
