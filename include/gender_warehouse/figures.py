"""The published statements the sample data reproduce, beside what the marts compute from the loaded files.

`include/sample_submissions/expected_figures.json` (written by the sample generator) lists each statement with the
numbers behind it; `compare` reads the same figures back from the marts, so the demo can print both and a test
can require them to agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from gender_warehouse import settings


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
    with psycopg.connect(url) as conn:
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
        published = dict(
            conn.execute(
                "select snapshot_year::text, entity_codes_at_parity from marts.mart_entities_at_parity"
                " where parity_rule_code = 'band_47_53' and population_code = 'PROFESSIONAL_AND_HIGHER'"
            ).fetchall()
        )
        for year, entities in sorted(expected["entities_at_parity"].items()):
            computed = [e for e in (published.get(year) or "").split(", ") if e]
            out.append(
                Figure(
                    f"Entities at parity (Professional and higher, 47-53%) in {year}",
                    f"{len(entities)}",
                    f"{len(computed)}",
                    sorted(computed) == sorted(entities),
                )
            )
    return out
