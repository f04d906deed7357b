"""Reference data: entities and grades from the dbt seeds, countries from pycountry (ISO 3166)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gender_warehouse import settings


@dataclass(frozen=True)
class Grade:
    code: str
    staff_category: str
    canonical_level: str
    rank: int
    in_parity_scope: bool
    only_entities: tuple[str, ...]


def read_seed(name: str, seeds: Path | None = None) -> list[dict[str, str]]:
    with ((seeds or settings.seeds_dir()) / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def entity_codes() -> tuple[str, ...]:
    return tuple(sorted(r["entity_code"] for r in read_seed("ref_entities")))


@cache
def grades() -> tuple[Grade, ...]:
    return tuple(
        Grade(
            code=r["grade_code"],
            staff_category=r["staff_category"],
            canonical_level=r["canonical_level"],
            rank=int(r["grade_rank"]),
            in_parity_scope=r["in_parity_scope"] == "true",
            only_entities=tuple(r["only_entities"].split()),
        )
        for r in read_seed("ref_grades")
    )


@cache
def country_codes() -> tuple[str, ...]:
    """ISO 3166-1 alpha-3 codes, from pycountry's copy of the standard."""
    import pycountry

    return tuple(sorted(c.alpha_3 for c in pycountry.countries))


def countries_seed_rows() -> list[dict[str, str]]:
    """The rows of the ref_countries seed, derived from pycountry (a test keeps the committed seed in step)."""
    import pycountry

    return [
        {
            "country_code": c.alpha_3,
            "country_code_alpha2": c.alpha_2,
            "country_numeric": c.numeric,
            "country_name": c.name,
        }
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_3)
    ]
