"""Sample accountability-framework ratings: entities' UN-SWAP 2.0 reports and country teams' UNCT-SWAP Scorecards.

- `accountability/swap_ratings_<ENTITY>.csv`: UN Women, UNDP, UNFPA and UNICEF rate the 17 UN-SWAP 2.0
  indicators each year, 2022 to 2024;
- `accountability/swap_ratings_<COUNTRY>.csv`: the country teams in Tunisia (a comprehensive Scorecard in 2022,
  annual progress reports in 2023 and 2024; in 2024 the five priority indicators it chose, each with its lead
  agencies), Albania (comprehensive in 2021, progress in 2022 and 2024: 2023's was never sent) and Kazakhstan
  (comprehensive in 2023, progress in 2024 with three priority indicators).

The ratings are invented (random.Random, fixed seed) and rise slowly, as the frameworks' reports describe; which
indicators Tunisia chose, and who leads them, is illustrative too: the seed text says only that it chose five,
with agencies assigned, after its 2022 comprehensive report. The figures below are computed here from these rows,
independently of the marts, and the marts must give them (`gwh figures`).
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

from programmes import figure, figures_table

from gender_warehouse import reference
from gender_warehouse.contracts import SWAP_RATINGS

SEED = 2018  # the year both frameworks took their current shape


# The scale's ratings by rank, 0 (missing) to 3 (exceeds); not applicable is off the scale (ref_swap_rating_scale).
RATINGS = tuple(
    r["rating_code"]
    for r in sorted(
        (r for r in reference.read_seed("ref_swap_rating_scale") if r["is_rated"] == "true"),
        key=lambda r: int(r["rating_rank"]),
    )
)
INDICATORS: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # (framework, version): (code, dim)
for _i in reference.swap_indicators():
    INDICATORS[(_i.framework, _i.version)].append((_i.code, _i.dimension))

UN_SWAP = ("UN-SWAP", "2.0")
SCORECARD = ("UNCT-SWAP", "2018")


# Who reports what: (unit, framework, {year: (report type, the indicators an annual progress report rates)}).
ENTITY_REPORTS = {
    unit: {year: ("COMPREHENSIVE", None) for year in (2022, 2023, 2024)}
    for unit in ("UN-WOMEN", "UNDP", "UNFPA", "UNICEF")
}
# UNFPA reports no programmatic result outside its strategic plan: PI3 does not apply to it.
NOT_APPLICABLE = {("UNFPA", "PI3")}
TUNISIA_PRIORITIES = {  # indicator: lead entities (illustrative)
    "1.1": "RCS",
    "2.3": "UNFPA;RCS",
    "5.1": "UN-WOMEN;UNFPA",
    "5.2": "UN-WOMEN",
    "6.1": "UNDP;UN-WOMEN",
}
KAZAKHSTAN_PRIORITIES = {"3.2": "UN-WOMEN", "4.3": "UNDP;UNICEF", "6.1": "UNFPA"}
TEAM_REPORTS = {
    "TUN": {
        2022: ("COMPREHENSIVE", None),
        2023: ("ANNUAL_PROGRESS", ("1.1", "2.1", "2.3", "4.2", "5.1", "6.1")),
        2024: ("ANNUAL_PROGRESS", (*TUNISIA_PRIORITIES, "4.3")),
    },
    "ALB": {
        2021: ("COMPREHENSIVE", None),
        2022: ("ANNUAL_PROGRESS", ("1.3", "2.2", "4.3", "7.1")),
        2024: ("ANNUAL_PROGRESS", ("1.3", "2.2", "3.1", "4.3", "5.2")),
    },
    "KAZ": {
        2023: ("COMPREHENSIVE", None),
        2024: ("ANNUAL_PROGRESS", tuple(KAZAKHSTAN_PRIORITIES)),
    },
}
PRIORITIES = {("TUN", 2024): TUNISIA_PRIORITIES, ("KAZ", 2024): KAZAKHSTAN_PRIORITIES}


def rated(
    unit: str, framework: tuple[str, str], reports: dict[int, tuple[str, Any]], rng: random.Random
) -> list[dict[str, Any]]:
    """A unit's rows: a starting rank per indicator, then each report moves some up (and a few down). The
    indicators a team later makes its priorities start below requirements: that is why they are chosen."""
    chosen = {code for (who, _year), codes in PRIORITIES.items() if who == unit for code in codes}
    rank = {
        code: rng.choice((0, 1) if code in chosen else (0, 1, 1, 2, 2, 2, 3)) for code, _dim in INDICATORS[framework]
    }
    rows = []
    for year, (report_type, updated) in sorted(reports.items()):
        for code, _dim in INDICATORS[framework]:
            step = rng.random()
            rank[code] = min(3, rank[code] + 1) if step < 0.3 else max(0, rank[code] - 1) if step > 0.93 else rank[code]
            if updated is not None and code not in updated:
                continue
            lead = PRIORITIES.get((unit, year), {}).get(code)
            rows.append(
                {
                    "framework": framework[0],
                    "framework_version": framework[1],
                    "reporting_unit": unit,
                    "reporting_year": year,
                    "report_type": report_type,
                    "indicator_code": code,
                    "rating": "NOT_APPLICABLE" if (unit, code) in NOT_APPLICABLE else RATINGS[rank[code]],
                    "is_priority": "TRUE" if lead else "",
                    "lead_entities": lead or "",
                    "evidence_note": f"{report_type.replace('_', ' ').lower()} report {year}",
                }
            )
    return rows


def all_rows() -> dict[str, list[dict[str, Any]]]:
    """Every unit's rows, by unit, the same each time."""
    rng = random.Random(SEED)
    out = {unit: rated(unit, UN_SWAP, reports, rng) for unit, reports in ENTITY_REPORTS.items()}
    out |= {unit: rated(unit, SCORECARD, reports, rng) for unit, reports in TEAM_REPORTS.items()}
    return out


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(SWAP_RATINGS.column_names), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def rounded(share: Fraction) -> float:
    """As the mart rounds it: 4 decimals, half away from zero (PostgreSQL's round of a numeric)."""
    return float((share * 10_000 + Fraction(1, 2)).__floor__() / 10_000)


def figures(rows_by_unit: dict[str, list[dict[str, Any]]]) -> list[dict]:
    """The headline figures these rows give, computed here: the share of UN-SWAP 2.0 ratings meeting or exceeding
    requirements each year (not applicable left out), and Tunisia's priority indicators."""
    rows = [r for unit_rows in rows_by_unit.values() for r in unit_rows]
    out = []
    for year in (2022, 2023, 2024):
        mine = [r for r in rows if r["framework"] == "UN-SWAP" and r["reporting_year"] == year]
        counted = [r for r in mine if r["rating"] != "NOT_APPLICABLE"]
        meeting = [r for r in counted if r["rating"] in ("MEETS", "EXCEEDS")]
        share = rounded(Fraction(len(meeting), len(counted)))
        out.append(
            figure(
                f"un_swap_meets_or_exceeds_{year}",
                f"UN-SWAP 2.0, {year}: {len(meeting)} of {len(counted)} ratings meet or exceed requirements "
                f"({len(mine) - len(counted)} not applicable left out)",
                "mart_swap_performance",
                {"framework": "UN-SWAP", "reporting_year": year, "dimension_code": "ALL"},
                "share_meeting_or_exceeding",
                share,
            )
        )
    tunisia = [r for r in rows_by_unit["TUN"] if r["reporting_year"] == 2024 and r["is_priority"]]
    out.append(
        figure(
            "tunisia_priority_indicators_2024",
            "Of the five priority indicators Tunisia's country team chose for 2024, 5.1 (gender coordination "
            "mechanism) is led by UN Women and UNFPA, the co-chairs of its Gender Theme Group",
            "mart_swap_priority_indicators",
            {"reporting_unit": "TUN", "reporting_year": 2024, "indicator_code": "5.1"},
            "lead_entities",
            TUNISIA_PRIORITIES["5.1"],
        )
    )
    assert len(tunisia) == 5
    counts = Counter(r["reporting_unit"] for r in rows if r["reporting_year"] == 2024 and r["is_priority"])
    assert counts == {"TUN": 5, "KAZ": 3}
    return out


def write_ratings(folder: Path) -> tuple[list[Path], list[dict]]:
    folder.mkdir(parents=True, exist_ok=True)
    rows_by_unit = all_rows()
    written = []
    for unit, rows in rows_by_unit.items():
        path = folder / f"swap_ratings_{unit}.csv"
        path.write_bytes(csv_bytes(rows))
        written.append(path)
    return written, figures(rows_by_unit)


def rejected_files() -> dict[str, bytes]:
    """Ratings files with one mistake each."""
    rows = [r for r in all_rows()["TUN"] if r["reporting_year"] == 2022]
    return {
        # A comprehensive Scorecard that leaves indicator 4.3 (gender parity) unrated.
        "swap_ratings_comprehensive_missing_indicator.csv": csv_bytes(
            [r for r in rows if r["indicator_code"] != "4.3"]
        ),
    }


def readme_section(written_figures: list[dict]) -> list[str]:
    lines = [
        "## Accountability-framework ratings",
        "",
        "| Path | What it is |",
        "|---|---|",
        "| `accountability/swap_ratings_<ENTITY>.csv` | UN-WOMEN, UNDP, UNFPA, UNICEF: UN-SWAP 2.0, all 17 indicators "
        "rated each year 2022-2024 (PI3 is not applicable to UNFPA) |",
        "| `accountability/swap_ratings_TUN.csv` | the UN country team in Tunisia: UNCT-SWAP Scorecard (2018 "
        "framework), comprehensive in 2022, annual progress in 2023 and 2024; in 2024 its five priority indicators "
        "with lead agencies (" + ", ".join(f"{k} {v}" for k, v in TUNISIA_PRIORITIES.items()) + ") |",
        "| `accountability/swap_ratings_ALB.csv` | Albania's country team: comprehensive 2021, progress 2022 and 2024 "
        "(2023's was never sent: the reporting status shows it missing) |",
        "| `accountability/swap_ratings_KAZ.csv` | Kazakhstan's country team: comprehensive 2023, progress 2024 with "
        "three priority indicators |",
        "| `rejected/swap_ratings_comprehensive_missing_indicator.csv` | Tunisia's 2022 comprehensive Scorecard "
        "without indicator 4.3: rejected, a comprehensive report rates every indicator |",
        "",
        "The ratings are invented; which indicators Tunisia chose and who leads them is illustrative (the seed text "
        "says it chose five, with agencies assigned). The figures the marts must give:",
        "",
    ]
    return lines + figures_table(written_figures)
