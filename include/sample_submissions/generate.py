"""Sample HR submissions for the Gender Equality Warehouse, built to reproduce published UN figures.

The files in this folder are what focal points of 36 UN entities might send: one headcount file per entity with
its 31 December snapshots 2017-2024, a few files of staff movements (appointments, promotions, separations,
reassignments), one Excel workbook (UNICEF 2024), one corrected resubmission (WIPO 2024) and a set of files with
the mistakes people make, each of which the contract must reject.

The rows are invented, but the figures the marts compute from them reproduce statements published by the UN:

* "The number of UN entities that reached gender parity increased to 28 in 2024, from only five in 2017":
  women's share of Professional and higher staff in [0.47, 0.53] for 5, 7, 10, 13, 17, 21, 25 and 28 entities
  in 2017 ... 2024 (the table ENTITIES below gives each entity's path and the year it reaches parity);
* IAEA: women 32% of Professional and higher staff in 2020, 47% in 2024, with temporary special measures
  (TSM) applied to appointments and promotions from 2020;
* UNODC: women 43% -> 46% at P-4 and 42% -> 48% at P-5 between 2020 and 2024;
* UNDSS, Security and Safety Service in Nairobi: women 30% (2017) -> 47% (2023), and 3 -> 5 women in the
  supervisory grades S-5 to S-7;
* IOM: women 49% of P-1 to P-4 staff (snapshot 30 June 2024);
* UNOPS: women 53.9% of new hires in 2023;
* PAHO: parity at P-1, P-2, P-3, P-5 and P-6 in 2024, not at P-4 and D-1;
* UNICEF: women at P-5 rose from 43% to almost 49% (2022 -> 2024).

The counting rules are the marts' (see expected_figures.json, "parity_rule"): women's share = F / (F + M), X and
U left out; the Professional and higher population counts PERMANENT, CONTINUING and FIXED_TERM appointments at
personal grade in all locations (TEMPORARY left out); parity is a share within the band of the default rule in
dbt_project/seeds/ref_parity_rules.csv, or, where no split of a population's size is, the closest possible split.

The data are built so that a wrong rule shows: TEMPORARY staff have a different sex ratio, some entities report
X and U, and IAEA's 2024 share (just above 0.47) drops out of the band if temporary staff or X/U are counted.

Run from the project folder:

    .venv/bin/python include/sample_submissions/generate.py

It writes into its own folder only, and writes the same bytes every time (random.Random(2024); the workbook's
dates and zip timestamps are fixed). expected_figures.json and README.md are computed from the rows written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import programmes
import ratings
import workbooks

from gender_warehouse.contracts import (
    APPOINTMENT_TYPES,
    EVENT_TYPES,
    HR_EVENTS,
    HR_HEADCOUNT,
    SEX_CODES,
    STAFF_CATEGORIES,
)

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[1] / "dbt_project" / "seeds"

SEED = 2024
YEARS = tuple(range(2017, 2025))
COUNTED = ("PERMANENT", "CONTINUING", "FIXED_TERM")  # appointment types in the parity population


def default_band() -> tuple[Fraction, Fraction]:
    """The default parity rule's band, read from the seed that defines it for the marts."""
    with (SEEDS / "ref_parity_rules.csv").open(newline="", encoding="utf-8") as f:
        [rule] = [r for r in csv.DictReader(f) if r["is_default"] == "true"]
    return Fraction(rule["women_share_min"]), Fraction(rule["women_share_max"])


BAND_LOW, BAND_HIGH = default_band()

# Columns and codes come from the contracts the files must satisfy.
HEADCOUNT_COLUMNS = HR_HEADCOUNT.column_names
EVENT_COLUMNS = HR_EVENTS.column_names
PAH, GS, NPO, FS, SS = CATEGORIES = STAFF_CATEGORIES
SEXES = SEX_CODES
APPOINTMENTS = APPOINTMENT_TYPES
EVENTS = EVENT_TYPES


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


GRADE_ROWS = read_seed("ref_grades.csv")
RANK = {r["grade_code"]: int(r["grade_rank"]) for r in GRADE_ROWS}
CATEGORY_OF = {r["grade_code"]: r["staff_category"] for r in GRADE_ROWS}
LEVEL_OF = {r["grade_code"]: r["canonical_level"] for r in GRADE_ROWS}
ONLY_FOR = {r["grade_code"]: set(r["only_entities"].split()) for r in GRADE_ROWS if r["only_entities"]}
ENTITY_CODES = {r["entity_code"] for r in read_seed("ref_entities.csv")}
COUNTRY_CODES = {r["country_code"] for r in read_seed("ref_countries.csv")}

# --- how staff are spread over grades ------------------------------------------------------------------------
# Professional grades below the ungraded top: roughly the system-wide shape of the CEB's personnel statistics
# (P-3 and P-4 the largest; about a tenth at D-1 and D-2).
P_WEIGHTS = {"P-1": 0.012, "P-2": 0.09, "P-3": 0.28, "P-4": 0.30, "P-5": 0.20, "D-1": 0.08, "D-2": 0.025}
P6_WEIGHT = {"PAHO": 0.035, "WHO": 0.004}  # only PAHO and WHO have a P-6 grade
# Women are more numerous at junior grades: each grade's women's share is the entity's share plus this offset
# (the usual pattern in the published statistics: the share falls from P-2 to D-2).
P_OFFSET = {"P-1": 0.10, "P-2": 0.09, "P-3": 0.05, "P-4": 0.0, "P-5": -0.05, "P-6": -0.05, "D-1": -0.09, "D-2": -0.12}
TOP_OFFSET = -0.12
GS_WEIGHTS = {"G-1": 0.01, "G-2": 0.05, "G-3": 0.14, "G-4": 0.26, "G-5": 0.27, "G-6": 0.19, "G-7": 0.08}
GS_OFFSET = {"G-1": -0.3, "G-2": -0.2, "G-3": -0.04, "G-4": 0.03, "G-5": 0.05, "G-6": 0.03, "G-7": -0.03}
NO_WEIGHTS = {"NO-A": 0.22, "NO-B": 0.36, "NO-C": 0.29, "NO-D": 0.11, "NO-E": 0.02}
NO_OFFSET = {"NO-A": 0.06, "NO-B": 0.03, "NO-C": 0.0, "NO-D": -0.06, "NO-E": -0.1}
FS_WEIGHTS = {"FS-3": 0.08, "FS-4": 0.27, "FS-5": 0.33, "FS-6": 0.23, "FS-7": 0.09}
FS_OFFSET = {"FS-3": 0.08, "FS-4": 0.05, "FS-5": 0.0, "FS-6": -0.05, "FS-7": -0.08}
SS_WEIGHTS = {"S-1": 0.05, "S-2": 0.24, "S-3": 0.31, "S-4": 0.24, "S-5": 0.10, "S-6": 0.045, "S-7": 0.015}
SS_OFFSET = {"S-1": 0.06, "S-2": 0.04, "S-3": 0.0, "S-4": -0.04, "S-5": -0.1, "S-6": -0.12, "S-7": -0.15}

# Appointment types (PERMANENT, CONTINUING, FIXED_TERM): the Secretariat still holds permanent appointments;
# funds and programmes give continuing ones; IAEA's rotation policy keeps almost everyone on fixed term.
SECRETARIAT = (0.22, 0.33, 0.45)
FUND = (0.0, 0.32, 0.68)
AGENCY = (0.08, 0.30, 0.62)
ROTATION = (0.0, 0.04, 0.96)


@dataclass(frozen=True)
class Entity:
    code: str
    hq: tuple[str, ...]  # headquarters duty-station countries (OCHA has two)
    field: tuple[tuple[str, int], ...]  # NON_HQ duty-station countries and weights ("" when not reported)
    away: float  # share of P+ staff away from headquarters
    p2017: int  # P+ staff on counted appointments, 31 December 2017
    growth: float  # yearly change in staff numbers
    gs: float  # General Service staff per P+ staff member
    npo: float  # National Professional Officers per P+ staff member
    fs: float  # Field Service staff per P+ staff member
    mix: tuple[float, float, float]  # PERMANENT, CONTINUING, FIXED_TERM
    top: tuple[tuple[str, int], ...]  # ungraded senior officials; the first is the executive head
    parity_from: int | None  # first year at parity under the band rule, None if never in 2017-2024
    shares: tuple[float, ...]  # target women's share of P+, 2017..2024
    gs_women: float = 0.62


# The 36 entities. `shares` is each entity's path of women's share among Professional and higher staff; together
# they give 5, 7, 10, 13, 17, 21, 25 and 28 entities at parity in 2017 ... 2024 (the published "five in 2017,
# 28 in 2024"). Entities reach parity from below except UNAIDS and UNITAR, which come down into the band;
# UN-Women stays above it (about 70% women) and seven entities stay below. Sizes, headquarters and field
# duty stations are of the order of each entity's real ones.
# fmt: off
E = Entity
ENTITIES: tuple[Entity, ...] = (
    # parity since 2017 (the five of 2017)
    E("UNDP", ("USA",), (("THA", 3), ("TUR", 3), ("ETH", 2)), 0.70, 1900, 0.012, 0.75, 0.30, 0, FUND,
      (("USG", 1), ("ASG", 5)), 2017, (0.505, 0.507, 0.510, 0.512, 0.515, 0.517, 0.519, 0.521)),
    E("UNICEF", ("USA",), (("KEN", 3), ("THA", 2), ("JOR", 2), ("DNK", 2)), 0.72, 3000, 0.015, 0.8, 0.35, 0, FUND,
      (("USG", 1), ("ASG", 4)), 2017, (0.497, 0.499, 0.502, 0.505, 0.507, 0.509, 0.511, 0.514)),
    E("UNFPA", ("USA",), (("ZAF", 2), ("THA", 2), ("PAN", 1)), 0.62, 600, 0.02, 0.8, 0.4, 0, FUND,
      (("USG", 1), ("ASG", 2)), 2017, (0.522, 0.520, 0.521, 0.518, 0.519, 0.516, 0.517, 0.519), 0.64),
    E("OHCHR", ("CHE",), (("USA", 1), ("COL", 2), ("THA", 1)), 0.38, 620, 0.02, 0.55, 0.1, 0.08, SECRETARIAT,
      (("USG", 1), ("ASG", 2)), 2017, (0.486, 0.490, 0.494, 0.498, 0.501, 0.503, 0.506, 0.508)),
    E("UNESCO", ("FRA",), (("SEN", 1), ("THA", 1), ("CHL", 1)), 0.30, 820, 0.0, 0.8, 0.08, 0, AGENCY,
      (("DG", 1), ("ADG", 6)), 2017, (0.514, 0.516, 0.519, 0.520, 0.522, 0.520, 0.521, 0.523), 0.66),
    # reach parity in 2018
    E("UNAIDS", ("CHE",), (("ZAF", 2), ("THA", 1), ("SEN", 1)), 0.45, 330, -0.015, 0.6, 0.3, 0, AGENCY,
      (("USG", 1), ("ASG", 2)), 2018, (0.556, 0.527, 0.524, 0.521, 0.518, 0.516, 0.514, 0.512)),
    E("UNHCR", ("CHE",), (("HUN", 1), ("KEN", 2), ("JOR", 2), ("COL", 1)), 0.75, 2200, 0.025, 0.9, 0.25, 0, FUND,
      (("USG", 1), ("ASG", 3)), 2018, (0.455, 0.476, 0.480, 0.484, 0.487, 0.490, 0.492, 0.495)),
    # reach parity in 2019
    E("WFP", ("ITA",), (("KEN", 2), ("SEN", 1), ("EGY", 1), ("THA", 1)), 0.68, 1800, 0.03, 0.75, 0.4, 0, FUND,
      (("USG", 1), ("ASG", 4)), 2019, (0.428, 0.446, 0.476, 0.480, 0.485, 0.489, 0.492, 0.495)),
    E("UN-HABITAT", ("KEN",), (("JPN", 1), ("BRA", 1)), 0.30, 190, 0.01, 0.9, 0.15, 0, SECRETARIAT,
      (("USG", 1), ("ASG", 1)), 2019, (0.438, 0.452, 0.481, 0.486, 0.489, 0.491, 0.494, 0.497)),
    E("UNITAR", ("CHE",), (("USA", 1), ("JPN", 1)), 0.20, 38, 0.02, 0.6, 0, 0, FUND,
      (("ASG", 1),), 2019, (0.575, 0.553, 0.513, 0.500, 0.513, 0.500, 0.500, 0.513)),
    # reach parity in 2020
    E("ILO", ("CHE",), (("THA", 2), ("CIV", 1), ("PER", 1)), 0.42, 1150, 0.005, 0.85, 0.15, 0, AGENCY,
      (("DG", 1), ("DDG", 3)), 2020, (0.428, 0.438, 0.452, 0.476, 0.481, 0.485, 0.489, 0.493)),
    E("UNEP", ("KEN",), (("CHE", 2), ("FRA", 1), ("THA", 1)), 0.45, 600, 0.02, 0.7, 0.05, 0, SECRETARIAT,
      (("USG", 1), ("ASG", 1)), 2020, (0.440, 0.449, 0.458, 0.480, 0.486, 0.490, 0.494, 0.498)),
    E("OCHA", ("USA", "CHE"), (("YEM", 1), ("TUR", 1), ("ETH", 1)), 0.55, 850, 0.025, 0.6, 0.2, 0.08, SECRETARIAT,
      (("USG", 1), ("ASG", 2)), 2020, (0.431, 0.440, 0.451, 0.476, 0.481, 0.485, 0.488, 0.491)),
    # reach parity in 2021
    E("UNOPS", ("DNK",), (("KEN", 2), ("THA", 1), ("USA", 1)), 0.70, 700, 0.035, 0.85, 0.5, 0, FUND,
      (("USG", 1), ("ASG", 1)), 2021, (0.392, 0.410, 0.428, 0.448, 0.476, 0.480, 0.485, 0.490)),
    E("WIPO", ("CHE",), (("SGP", 1), ("JPN", 1), ("BRA", 1)), 0.04, 560, 0.005, 0.9, 0, 0, (0.35, 0.05, 0.60),
      (("DG", 1), ("DDG", 4), ("ADG", 2)), 2021, (0.438, 0.444, 0.451, 0.458, 0.476, 0.481, 0.486, 0.490), 0.66),
    E("DESA", ("USA",), (("KOR", 1),), 0.03, 330, 0.0, 0.7, 0, 0, SECRETARIAT,
      (("USG", 1), ("ASG", 2)), 2021, (0.421, 0.430, 0.441, 0.455, 0.480, 0.486, 0.490, 0.495)),
    E("UNCTAD", ("CHE",), (("USA", 1),), 0.02, 250, 0.0, 0.75, 0, 0, SECRETARIAT,
      (("USG", 1), ("ASG", 1)), 2021, (0.405, 0.416, 0.428, 0.447, 0.477, 0.482, 0.487, 0.491)),
    # reach parity in 2022
    E("FAO", ("ITA",), (("THA", 1), ("EGY", 1), ("GHA", 1), ("CHL", 1)), 0.40, 1650, 0.012, 1.0, 0.2, 0, AGENCY,
      (("DG", 1), ("DDG", 3), ("ADG", 6)), 2022, (0.402, 0.411, 0.421, 0.437, 0.453, 0.476, 0.481, 0.486)),
    E("UNODC", ("AUT",), (("COL", 2), ("KEN", 1), ("THA", 1), ("PAK", 1)), 0.45, 520, 0.02, 0.9, 0.4, 0, SECRETARIAT,
      (("USG", 1),), 2022, (0.428, 0.434, 0.441, 0.450, 0.459, 0.476, 0.481, 0.486)),
    E("IOM", ("CHE",), (("THA", 1), ("SEN", 1), ("PHL", 2), ("PAN", 1)), 0.80, 1500, 0.04, 0.8, 0.45, 0, FUND,
      (("DG", 1), ("DDG", 2)), 2022, (0.440, 0.445, 0.450, 0.455, 0.460, 0.479, 0.484, 0.489)),
    E("ITC", ("CHE",), (("KEN", 1),), 0.05, 170, 0.02, 0.8, 0, 0, SECRETARIAT,
      (("ASG", 1), ("UG", 1)), 2022, (0.438, 0.446, 0.449, 0.455, 0.459, 0.482, 0.490, 0.497)),
    # reach parity in 2023
    E("WHO", ("CHE",), (("COG", 2), ("DNK", 1), ("EGY", 1), ("IND", 1), ("PHL", 1)), 0.55, 2400, 0.012, 1.0, 0.3, 0,
      AGENCY, (("DG", 1), ("ADG", 8)), 2023, (0.418, 0.424, 0.431, 0.440, 0.449, 0.457, 0.476, 0.481), 0.65),
    E("IFAD", ("ITA",), (("KEN", 1), ("CIV", 1), ("EGY", 1)), 0.25, 330, 0.02, 0.7, 0.2, 0, AGENCY,
      (("DG", 1), ("ADG", 4)), 2023, (0.428, 0.437, 0.446, 0.452, 0.457, 0.462, 0.479, 0.487)),
    E("ESCAP", ("THA",), (("FJI", 1), ("KOR", 1), ("IND", 1)), 0.08, 220, 0.0, 1.1, 0, 0, SECRETARIAT,
      (("USG", 1),), 2023, (0.438, 0.444, 0.449, 0.454, 0.458, 0.461, 0.480, 0.489)),
    E("PAHO", ("USA",), (("BRA", 2), ("GTM", 1), ("PER", 1)), 0.45, 340, 0.01, 1.3, 0.2, 0, AGENCY,
      (("DG", 1), ("DDG", 1), ("ADG", 1)), 2023, (0.421, 0.429, 0.436, 0.443, 0.451, 0.458, 0.477, 0.485), 0.66),
    # reach parity in 2024
    E("IAEA", ("AUT",), (("MCO", 2), ("JPN", 1), ("CAN", 1)), 0.04, 1380, 0.012, 0.85, 0, 0, ROTATION,
      (("DG", 1), ("DDG", 6)), 2024, (0.290, 0.300, 0.310, 0.320, 0.350, 0.390, 0.430, 0.4707)),
    E("UNIDO", ("AUT",), (("ETH", 1), ("IND", 1), ("MEX", 1)), 0.20, 270, 0.01, 1.1, 0.3, 0, AGENCY,
      (("DG", 1), ("ADG", 2)), 2024, (0.335, 0.352, 0.371, 0.390, 0.410, 0.430, 0.450, 0.476)),
    E("ECA", ("ETH",), (("MAR", 1), ("CMR", 1), ("ZMB", 1)), 0.18, 300, 0.0, 1.4, 0, 0, SECRETARIAT,
      (("USG", 1), ("ASG", 1)), 2024, (0.382, 0.391, 0.402, 0.418, 0.431, 0.447, 0.459, 0.477)),
    # never at parity in 2017-2024
    E("UN-WOMEN", ("USA",), (("KEN", 1), ("THA", 1), ("PAN", 1), ("SEN", 1)), 0.62, 700, 0.035, 0.7, 0.45, 0, FUND,
      (("USG", 1), ("ASG", 2)), None, (0.722, 0.718, 0.713, 0.707, 0.702, 0.697, 0.693, 0.688), 0.75),
    E("UNDSS", ("USA",), (("KEN", 1), ("AFG", 1), ("IRQ", 1), ("SOM", 1)), 0.75, 380, 0.01, 0.4, 0.3, 0.5,
      SECRETARIAT, (("USG", 1), ("ASG", 1)), None, (0.221, 0.229, 0.238, 0.247, 0.256, 0.266, 0.277, 0.289), 0.5),
    E("IMO", ("GBR",), (("KEN", 1), ("PHL", 1)), 0.03, 140, 0.0, 1.0, 0, 0, AGENCY,
      (("DG", 1), ("ADG", 1)), None, (0.372, 0.381, 0.390, 0.398, 0.407, 0.416, 0.425, 0.433)),
    E("ITU", ("CHE",), (("ETH", 1), ("THA", 1)), 0.06, 370, 0.0, 0.9, 0, 0, AGENCY,
      (("DG", 1), ("DDG", 1), ("ADG", 3)), None, (0.331, 0.340, 0.349, 0.358, 0.367, 0.377, 0.386, 0.395)),
    E("ICAO", ("CAN",), (("THA", 1), ("FRA", 1), ("PER", 1)), 0.20, 320, 0.01, 1.0, 0, 0, AGENCY,
      (("DG", 1), ("ADG", 2)), None, (0.301, 0.309, 0.318, 0.327, 0.336, 0.345, 0.354, 0.363)),
    E("WMO", ("CHE",), (("", 1),), 0.06, 160, 0.0, 0.9, 0, 0, AGENCY,
      (("DG", 1), ("DDG", 1), ("ADG", 1)), None, (0.332, 0.341, 0.350, 0.359, 0.368, 0.377, 0.386, 0.395)),
    E("UPU", ("CHE",), (("", 1),), 0.05, 85, 0.0, 1.1, 0, 0, AGENCY,
      (("DG", 1), ("DDG", 1)), None, (0.302, 0.310, 0.318, 0.327, 0.336, 0.345, 0.354, 0.362)),
    E("UNU", ("JPN",), (("DEU", 2), ("NLD", 1), ("MYS", 1), ("GHA", 1)), 0.55, 70, 0.01, 0.9, 0, 0, FUND,
      (("USG", 1),), None, (0.402, 0.410, 0.418, 0.426, 0.434, 0.441, 0.448, 0.455)),
)
# fmt: on
BY_CODE = {e.code: e for e in ENTITIES}

# Years (at 31 December) in which the executive head (the first `top` grade) is a woman, roughly as on the public
# record (e.g. UNICEF from Henrietta Fore, January 2018; ECA until Vera Songwe left in 2022).
# fmt: off
HEAD_IS_A_WOMAN = {
    "UNICEF": range(2018, 2025), "UNFPA": YEARS, "UN-WOMEN": YEARS, "UNESCO": YEARS, "ITC": YEARS,
    "UNEP": range(2019, 2025), "UNODC": range(2020, 2025), "IOM": range(2023, 2025), "ECA": range(2017, 2022),
    "ESCAP": YEARS, "UN-HABITAT": range(2018, 2025), "UNAIDS": range(2019, 2025),
    "OHCHR": range(2018, 2022), "UNOPS": range(2017, 2022), "ICAO": range(2017, 2021), "PAHO": range(2017, 2023),
    "WFP": range(2023, 2025), "UNCTAD": range(2021, 2025), "ITU": range(2023, 2025), "WMO": range(2024, 2025),
}

# Staff who report their sex as X (other) or U (unknown): (year, grade, sex, count). They are left out of the
# women's share; IAEA's four in 2024 are what puts its share below 0.47 if they were wrongly counted.
OTHER_SEX = {
    "IAEA": ((2022, "P-3", "U", 1), (2023, "P-3", "X", 1), (2023, "P-4", "U", 2), (2024, "P-3", "X", 2),
             (2024, "P-4", "U", 2)),
    "UNDP": ((2021, "P-3", "U", 2), (2022, "G-5", "X", 1), (2023, "P-4", "X", 1), (2024, "P-4", "X", 1),
             (2024, "P-2", "U", 3)),
    "UNICEF": ((2022, "P-3", "X", 2), (2023, "P-3", "X", 2), (2023, "P-4", "U", 1), (2024, "P-3", "X", 3),
               (2024, "NO-B", "U", 2)),
    "UN-WOMEN": ((2020, "P-3", "X", 1), (2021, "P-3", "X", 1), (2022, "P-3", "X", 2), (2023, "P-2", "X", 2),
                 (2024, "P-2", "X", 2), (2024, "G-4", "U", 1)),
    "OHCHR": ((2023, "P-3", "U", 4), (2024, "P-3", "U", 2), (2024, "P-4", "X", 1)),
    "UNAIDS": ((2022, "P-4", "X", 1), (2023, "P-4", "X", 1), (2024, "P-4", "X", 1)),
    "UNHCR": ((2024, "P-3", "U", 5),),
    "WHO": ((2024, "G-6", "X", 1),),
}
# fmt: on

# Women's share at single grades, where a statement names one (target; the counts hit it within +-0.001).
# UNODC: "43% -> 46% at P-4, 42% -> 48% at P-5, 2020 -> 2024"; years between are a steady path.
UNODC_P4 = (0.405, 0.412, 0.420, 0.430, 0.436, 0.443, 0.451, 0.460)
UNODC_P5 = (0.380, 0.390, 0.402, 0.420, 0.436, 0.452, 0.466, 0.480)
# UNICEF: "women at P-5 rose from 43% to almost 49%": 43% in 2022, 48.8% in 2024.
UNICEF_P5 = (0.400, 0.405, 0.410, 0.418, 0.424, 0.430, 0.458, 0.488)
# PAHO 2024: at parity at P-1, P-2, P-3, P-5 and P-6, not at P-4 (above the band) and D-1 (below it).
# P-1 has three staff, one woman: no split of three is nearer half and half, so it counts as parity.
PAHO_2024 = {"P-2": 0.52, "P-3": 0.51, "P-4": 0.56, "P-5": 0.49, "P-6": 0.50, "D-1": 0.36}
# IOM, 30 June 2024: "women 49% of P-1 to P-4 staff".
IOM_MID_2024 = 0.49

# UNDSS Security and Safety Service in Nairobi (SECURITY_SERVICE, duty station KEN): "women 30% in 2017, 47% in
# 2023; women in supervisory grades S-5 to S-7 from 3 to 5".
KEN_STAFF = (110, 111, 113, 114, 115, 117, 119, 121)
KEN_WOMEN_SHARE = (0.30, 0.33, 0.36, 0.39, 0.42, 0.445, 0.47, 0.48)
KEN_SUPERVISORS = (18, 18, 18, 19, 19, 19, 19, 20)
KEN_SUPERVISOR_WOMEN = (3, 3, 3, 4, 4, 4, 5, 5)
KEN_UNKNOWN = {2022: 1, 2023: 1, 2024: 1}  # staff with sex U in Nairobi (left out of the share)
# The Service elsewhere: staff on 31 December 2017 and women's share in 2017 (rising 1.2 points a year).
# fmt: off
SS_ELSEWHERE = {("HQ", "USA"): (300, 0.21), ("NON_HQ", "CHE"): (135, 0.24), ("NON_HQ", "AUT"): (105, 0.22),
                ("NON_HQ", "ETH"): (70, 0.17), ("NON_HQ", "THA"): (45, 0.2), ("NON_HQ", "LBN"): (30, 0.13),
                ("NON_HQ", "CHL"): (32, 0.19)}
# fmt: on

# UNOPS: "women were 53.9% of new hires in 2023" (APPOINTMENT events, all categories).
UNOPS_HIRES_2023 = 0.539

# The event files: (entity, year). Events are the movements of staff on counted appointments, so by category
# and sex the headcount of 31 December equals the previous one plus appointments minus separations.
EVENT_FILES = [("UNOPS", 2023), *(("IAEA", y) for y in range(2020, 2025)), ("UNODC", 2024), ("UN-WOMEN", 2024)]
WORKBOOK_ENTITY, WORKBOOK_YEAR = "UNICEF", 2024  # headcount and events of UNICEF 2024 come in a workbook
TSM_FROM = {"IAEA": 2020}  # temporary special measures: applied to women's P+ appointments and promotions

SEPARATION_RATE = {PAH: 0.075, GS: 0.06, NPO: 0.07, FS: 0.08, SS: 0.05}
PROMOTION_RATE = {PAH: 0.06, GS: 0.05, NPO: 0.05, FS: 0.04, SS: 0.05}
REASSIGNMENT_RATE = {PAH: 0.04, FS: 0.05}
# Where appointments go: mostly to entry grades.
# fmt: off
ENTRY = {"P-1": 1.5, "P-2": 2.2, "P-3": 1.5, "P-4": 0.9, "P-5": 0.5, "P-6": 0.4, "D-1": 0.35, "D-2": 0.25,
         "G-1": 1.0, "G-2": 2.0, "G-3": 1.8, "G-4": 1.3, "G-5": 0.9, "G-6": 0.5, "G-7": 0.3,
         "NO-A": 1.8, "NO-B": 1.3, "NO-C": 0.8, "NO-D": 0.4, "NO-E": 0.3,
         "FS-3": 1.5, "FS-4": 1.3, "FS-5": 1.0, "FS-6": 0.6, "FS-7": 0.4,
         "S-1": 2.0, "S-2": 1.6, "S-3": 1.0, "S-4": 0.7, "S-5": 0.4, "S-6": 0.3, "S-7": 0.2}
# fmt: on

FIXED_TIMESTAMP = dt.datetime(2025, 1, 31, 9, 0, 0)  # the workbook's created/modified dates and zip times


# --- small helpers -----------------------------------------------------------------------------------------------


def snapshot(year: int, month_day: str = "12-31") -> str:
    return f"{year}-{month_day}"


def clamp(x: float, low: float = 0.02, high: float = 0.95) -> float:
    return min(high, max(low, x))


def apportion(total: int, weights: dict, rng: random.Random | None = None, jitter: float = 0.0) -> dict:
    """Split `total` into whole parts in proportion to `weights` (largest remainder); jitter perturbs weights."""
    keys = list(weights)
    w = [max(0.0, weights[k]) * ((1 + rng.uniform(-jitter, jitter)) if rng and jitter else 1.0) for k in keys]
    if total <= 0 or sum(w) == 0:
        return {k: 0 for k in keys}
    exact = [total * x / sum(w) for x in w]
    parts = [int(x) for x in exact]
    for i in sorted(range(len(keys)), key=lambda i: (parts[i] - exact[i], i))[: total - sum(parts)]:
        parts[i] += 1
    return dict(zip(keys, parts, strict=True))


def pick(weights: dict, rng: random.Random):
    keys = [k for k in weights if weights[k] > 0]
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def women_at(n: dict[str, int], women: int, share: dict[str, float]) -> dict[str, int]:
    """Women per grade: near n * share at each grade, exactly `women` in all (a common shift, then +-1s)."""
    if not n:
        return {}
    women = min(sum(n.values()), max(0, women))

    def at(shift: float) -> dict[str, int]:
        return {g: min(n[g], max(0, round(n[g] * clamp(share[g] + shift, 0.0, 1.0)))) for g in n}

    low, high = -1.0, 1.0
    for _ in range(40):  # the shift that brings the total nearest to `women`
        mid = (low + high) / 2
        if sum(at(mid).values()) < women:
            low = mid
        else:
            high = mid
    w = at(high)
    order = sorted(n, key=lambda g: -n[g])
    while (diff := women - sum(w.values())) != 0:
        for g in order:
            if diff > 0 and w[g] < n[g]:
                w[g] += 1
                break
            if diff < 0 and w[g] > 0:
                w[g] -= 1
                break
    return w


def fit_size(n0: int, target: float, tol: float = 0.001) -> int:
    """A group size near n0 whose nearest whole number of women gives `target` within tol."""
    for d in sorted(range(-30, 31), key=abs):
        n = n0 + d
        if n > 0 and abs(round(target * n) / n - target) <= tol:
            return n
    raise ValueError((n0, target))


def is_parity(women: int, men: int) -> bool:
    """The rule as the README states it, computed here independently of the marts (in exact fractions) so that
    the expected figures check them: within the band, or, where no split of this size is, the closest to it."""
    n = women + men
    if n == 0:
        return False

    def distance(w: int) -> Fraction:
        share = Fraction(w, n)
        return max(BAND_LOW - share, share - BAND_HIGH, Fraction(0))

    return distance(women) == min(distance(w) for w in range(n + 1))


# --- headcount ---------------------------------------------------------------------------------------------------

Rows = Counter  # headcount key (8 columns) -> headcount


def places(e: Entity, category: str, grade: str) -> dict[tuple[str, str], float]:
    """Where staff of this category and grade sit: (location_type, duty_station_country) -> weight."""
    top = {g for g, _ in e.top}
    away = {PAH: e.away, GS: min(0.9, e.away + 0.1), NPO: 1.0, FS: 1.0}[category]
    if grade in top:
        away = 0.0
    elif grade in ("D-2", "D-1"):
        away *= 0.5 if grade == "D-2" else 0.8
    out = {("HQ", c): (1 - away) / len(e.hq) for c in e.hq}
    field = e.field[:2] if category == GS else e.field  # local support staff: the first two field offices listed
    field_total = sum(w for _, w in field)
    for c, w in field:
        out[("NON_HQ", c)] = away * w / field_total
    return {k: v for k, v in out.items() if v > 0}


def spread(
    rows: Rows,
    date: str,
    e: Entity,
    category: str,
    grade: str,
    sex: str,
    count: int,
    rng: random.Random,
    where: dict | None = None,
    appointments: dict | None = None,
) -> None:
    """Place `count` staff of one grade and sex into rows by duty station and appointment type."""
    if count <= 0:
        return
    where = where or places(e, category, grade)
    appointments = appointments or {a: w for a, w in zip(COUNTED, e.mix, strict=True) if w > 0}
    parts = {pick(where, rng): count} if count < 10 else apportion(count, where, rng, 0.35)
    for (location, country), k in parts.items():
        if k == 0:
            continue
        split = {pick(appointments, rng): k} if k < 30 else apportion(k, appointments, rng, 0.35)
        for appointment, m in split.items():
            if m:
                rows[(date, e.code, category, grade, sex, location, country, appointment)] += m


@dataclass
class Constraint:
    grades: tuple[str, ...]
    target: float
    n: int | None = None  # a fixed number of staff (single grade)
    women: int | None = None


def professional_staff(
    e: Entity, year: int, n_total: int, share: float, rng: random.Random, constraints: list[Constraint]
) -> dict[str, tuple[int, int]]:
    """Staff and women per grade of the P+ population (counted appointments, F and M only)."""
    top = dict(e.top)
    head = e.top[0][0]
    weights = {g: w * (1 + rng.uniform(-0.04, 0.04)) for g, w in P_WEIGHTS.items()}
    if e.code in P6_WEIGHT:
        weights["P-6"] = P6_WEIGHT[e.code]
    below = n_total - sum(top.values())
    n: dict[str, int] = {}
    w: dict[str, int] = {}
    for c in constraints:
        if len(c.grades) == 1:
            g = c.grades[0]
            n[g] = c.n if c.n is not None else fit_size(round(weights[g] / sum(weights.values()) * below), c.target)
            w[g] = c.women if c.women is not None else round(c.target * n[g])
    free = [g for g in weights if g not in n]
    n.update(apportion(below - sum(n.values()), {g: weights[g] for g in free}))
    for c in constraints:  # a share over several grades (IOM's P-1 to P-4)
        if len(c.grades) > 1:
            group = {g: n[g] for g in c.grades}
            women_in_group = round(c.target * sum(group.values()))
            w.update(women_at(group, women_in_group, {g: c.target + P_OFFSET[g] / 2 for g in group}))
            free = [g for g in free if g not in c.grades]
    for g, k in top.items():
        n[g] = k
        if g == head:
            w[g] = 1 if year in HEAD_IS_A_WOMAN.get(e.code, ()) else 0
        else:
            w[g] = round(k * clamp(share + TOP_OFFSET))
    rest = round(share * n_total) - sum(w.values())
    w.update(women_at({g: n[g] for g in free}, rest, {g: share + P_OFFSET[g] for g in free}))
    order = [*P_WEIGHTS, "P-6", *top]
    return {g: (n[g], w[g]) for g in sorted(n, key=lambda g: (RANK[g], order.index(g))) if n[g] > 0}


def category_staff(
    n_total: int, share: float, weights: dict, offset: dict, rng: random.Random
) -> dict[str, tuple[int, int]]:
    n = apportion(n_total, weights, rng, 0.08)
    w = women_at(n, round(share * n_total), {g: share + offset[g] for g in n})
    return {g: (n[g], w[g]) for g in n if n[g] > 0}


def entity_snapshot(
    rows: Rows,
    e: Entity,
    year: int,
    date: str,
    size: float,
    share: float,
    rng: random.Random,
    constraints: list[Constraint],
) -> None:
    """One entity's rows on one snapshot date. `size` scales the 2017 staff numbers."""
    n_total = round(e.p2017 * size)
    for g, (n, w) in professional_staff(e, year, n_total, share, rng, constraints).items():
        spread(rows, date, e, PAH, g, "F", w, rng)
        spread(rows, date, e, PAH, g, "M", n - w, rng)
    # Temporary P+ staff: 3-7% of the population, with a women's share well away from the entity's, so that
    # counting them (which the rule forbids) moves the share. IAEA's temporary staff are mostly men.
    temporary = round(n_total * rng.uniform(0.03, 0.07))
    delta = -0.2 if e.code == "IAEA" else rng.choice((-1, 1)) * rng.uniform(0.15, 0.25)
    temp_grades = {"P-2": 0.3, "P-3": 0.4, "P-4": 0.2, "P-5": 0.1}
    temp_places = {("HQ", e.hq[0]): 0.7, ("NON_HQ", e.field[0][0]): 0.3}  # mostly short-term cover at HQ
    for g, (n, w) in category_staff(
        temporary, clamp(share + delta), temp_grades, dict.fromkeys(temp_grades, 0), rng
    ).items():
        for sex, k in (("F", w), ("M", n - w)):
            spread(rows, date, e, PAH, g, sex, k, rng, where=temp_places, appointments={"TEMPORARY": 1})
    # The other categories follow the entity's size; their women's shares drift up slowly.
    drift = 0.004 * (year - 2017)
    other = [
        (GS, e.gs, e.gs_women + drift, GS_WEIGHTS, GS_OFFSET),
        (NPO, e.npo, 0.42 + drift, NO_WEIGHTS, NO_OFFSET),
        (FS, e.fs, 0.27 + drift, FS_WEIGHTS, FS_OFFSET),
    ]
    for category, ratio, women_share, weights, offset in other:
        if ratio == 0:
            continue
        for g, (n, w) in category_staff(round(n_total * ratio), women_share, weights, offset, rng).items():
            spread(rows, date, e, category, g, "F", w, rng)
            spread(rows, date, e, category, g, "M", n - w, rng)
    temporary_gs = round(n_total * e.gs * 0.04)
    for g, (n, w) in category_staff(
        temporary_gs, clamp(e.gs_women + 0.1), {"G-3": 0.4, "G-4": 0.4, "G-5": 0.2}, {"G-3": 0, "G-4": 0, "G-5": 0}, rng
    ).items():
        for sex, k in (("F", w), ("M", n - w)):
            spread(rows, date, e, GS, g, sex, k, rng, where={("HQ", e.hq[0]): 1}, appointments={"TEMPORARY": 1})
    if date.endswith("12-31"):
        for y, g, sex, k in OTHER_SEX.get(e.code, ()):
            if y == year:
                category = CATEGORY_OF[g]
                location, country = ("NON_HQ", e.field[0][0]) if category == NPO else ("HQ", e.hq[0])
                rows[(date, e.code, category, g, sex, location, country, "FIXED_TERM")] += k


def security_service(rows: Rows, year: int, rng: random.Random) -> None:
    """UNDSS's Security and Safety Service: Nairobi built to the published figures, the other services around it."""
    e = BY_CODE["UNDSS"]
    i = year - 2017
    date = snapshot(year)
    sec = {a: w for a, w in zip(COUNTED, SECRETARIAT, strict=True)}
    # Nairobi: total, women, and women in S-5..S-7 exactly as published; no temporary staff there.
    staff, women = KEN_STAFF[i], round(KEN_WOMEN_SHARE[i] * KEN_STAFF[i])
    supervisors = apportion(KEN_SUPERVISORS[i], {"S-5": 0.6, "S-6": 0.3, "S-7": 0.1})
    sup_women = women_at(supervisors, KEN_SUPERVISOR_WOMEN[i], {"S-5": 0.3, "S-6": 0.2, "S-7": 0.1})
    below = {g: SS_WEIGHTS[g] for g in ("S-1", "S-2", "S-3", "S-4")}
    n_below = apportion(staff - KEN_SUPERVISORS[i], below)
    w_below = women_at(
        n_below, women - KEN_SUPERVISOR_WOMEN[i], {g: KEN_WOMEN_SHARE[i] + SS_OFFSET[g] for g in n_below}
    )
    where = {("NON_HQ", "KEN"): 1}
    for g in ("S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7"):
        n = n_below.get(g, supervisors.get(g, 0))
        w = w_below.get(g, sup_women.get(g, 0))
        spread(rows, date, e, SS, g, "F", w, rng, where=where, appointments=sec)
        spread(rows, date, e, SS, g, "M", n - w, rng, where=where, appointments=sec)
    if year in KEN_UNKNOWN:
        rows[(date, "UNDSS", SS, "S-2", "U", "NON_HQ", "KEN", "FIXED_TERM")] += KEN_UNKNOWN[year]
    # The services in New York, Geneva, Vienna, Addis Ababa, Bangkok, Beirut and Santiago.
    for place, (base, share) in SS_ELSEWHERE.items():
        n_total = round(base * (1.01**i))
        for g, (n, w) in category_staff(n_total, share + 0.012 * i, SS_WEIGHTS, SS_OFFSET, rng).items():
            spread(rows, date, e, SS, g, "F", w, rng, where={place: 1}, appointments=sec)
            spread(rows, date, e, SS, g, "M", n - w, rng, where={place: 1}, appointments=sec)
        temporary = round(n_total * 0.04)
        for sex, k in (("F", round(temporary * 0.5)), ("M", temporary - round(temporary * 0.5))):
            spread(rows, date, e, SS, "S-2", sex, k, rng, where={place: 1}, appointments={"TEMPORARY": 1})


def constraints_for(e: Entity, year: int, date: str) -> list[Constraint]:
    i = year - 2017
    if e.code == "UNODC":
        return [Constraint(("P-4",), UNODC_P4[i]), Constraint(("P-5",), UNODC_P5[i])]
    if e.code == "UNICEF":
        return [Constraint(("P-5",), UNICEF_P5[i])]
    if e.code == "PAHO" and year == 2024:
        return [Constraint(("P-1",), 1 / 3, n=3, women=1)] + [Constraint((g,), t) for g, t in PAHO_2024.items()]
    if e.code == "IOM" and date == "2024-06-30":
        return [Constraint(("P-1", "P-2", "P-3", "P-4"), IOM_MID_2024)]
    return []


def build_headcount(seeds: dict[str, int]) -> dict[str, Rows]:
    out: dict[str, Rows] = {}
    for e in ENTITIES:
        rng = random.Random(seeds[e.code])
        rows: Rows = Counter()
        size = 1.0
        for year in YEARS:
            if year > 2017:
                size *= (1 + e.growth) * (1 + rng.uniform(-0.01, 0.01))
            i = year - 2017
            if e.code == "IOM" and year == 2024:  # IOM also reports mid-year: 30 June 2024
                mid = size / ((1 + e.growth) ** 0.5)
                date = snapshot(2024, "06-30")
                share = (e.shares[i - 1] + e.shares[i]) / 2
                entity_snapshot(rows, e, year, date, mid, share, rng, constraints_for(e, year, date))
            date = snapshot(year)
            entity_snapshot(rows, e, year, date, size, e.shares[i], rng, constraints_for(e, year, date))
            if e.code == "UNDSS":
                security_service(rows, year, rng)
        out[e.code] = rows
    return out


def revise_wipo(rows: Rows) -> Rows:
    """WIPO's corrected 2024 snapshot: the whole snapshot again (it replaces the first), a few counts put right."""
    date = snapshot(2024)
    revised = Counter({k: v for k, v in rows.items() if k[0] == date})
    fixes = [  # (category, grade, sex, location, appointment type, change)
        (PAH, "P-4", "F", "HQ", "FIXED_TERM", +2),  # two appointments of December entered late
        (PAH, "P-3", "M", "HQ", "PERMANENT", -1),  # a separation of 30 November missed
        (PAH, "P-2", "F", "HQ", "FIXED_TERM", +1),  # a young professional counted as temporary ...
        (PAH, "", "F", "HQ", "TEMPORARY", -1),  # ... (her temporary row, at whatever grade it is)
        (GS, "G-5", "F", "HQ", "FIXED_TERM", -1),  # counted twice
    ]
    for category, grade, sex, location, appointment, change in fixes:
        key = next(
            k
            for k in sorted(revised, key=headcount_order)
            if k[2] == category and k[3] == (grade or k[3]) and k[4:6] == (sex, location) and k[7] == appointment
        )
        revised[key] += change
    return Counter({k: v for k, v in revised.items() if v > 0})


# --- events ------------------------------------------------------------------------------------------------------

Events = Counter  # event key (10 columns) -> count


def stock(rows: Rows, date: str) -> Counter:
    """Staff on counted appointments, F and M: (category, grade, sex, location_type) -> count."""
    out: Counter = Counter()
    for (d, _e, category, grade, sex, location, _c, appointment), k in rows.items():
        if d == date and appointment in COUNTED and sex in ("F", "M"):
            out[(category, grade, sex, location)] += k
    return out


def build_events(
    e: Entity, year: int, before: Counter, after: Counter, rng: random.Random, hires_share: float | None = None
) -> Events:
    """A year of movements that carries the headcount of 31 December `year - 1` to that of `year`."""
    start, end = snapshot(year, "01-01"), snapshot(year)
    out: Events = Counter()
    categories = [c for c in CATEGORIES if any(k[0] == c for k in before | after)]
    appointed: dict[tuple[str, str], int] = {}
    separated: dict[tuple[str, str], int] = {}
    for category in categories:
        for sex in ("F", "M"):
            was = sum(v for k, v in before.items() if k[0] == category and k[2] == sex)
            now = sum(v for k, v in after.items() if k[0] == category and k[2] == sex)
            leave = round(was * SEPARATION_RATE[category] * rng.uniform(0.85, 1.15))
            join = leave + now - was
            floor = round(was * 0.03)
            if join < floor:
                leave += floor - join
                join = floor
            appointed[(category, sex)], separated[(category, sex)] = join, leave
    if hires_share is not None:
        # The smallest additions of women's and men's appointments (each with a matching separation, so the
        # headcount still reconciles) that make the women's share round to the published figure.
        women = sum(v for (c, s), v in appointed.items() if s == "F")
        men = sum(v for (c, s), v in appointed.items() if s == "M")
        a, b = min(
            (
                (a, b)
                for a in range(80)
                for b in range(80)
                if abs((women + a) / (women + a + men + b) - hires_share) < 0.0003
            ),
            key=lambda p: (sum(p), p),
        )
        for sex, extra in (("F", a), ("M", b)):
            category = max(categories, key=lambda c: appointed[(c, sex)])
            appointed[(category, sex)] += extra
            separated[(category, sex)] += extra
    tsm = year >= TSM_FROM.get(e.code, 9999)
    for category in categories:
        grades = sorted({k[1] for k in before | after if k[0] == category}, key=RANK.get)
        top = {g for g, _ in e.top}
        promotable = {g: grades[i + 1] for i, g in enumerate(grades[:-1]) if g not in top and grades[i + 1] not in top}
        for sex in ("F", "M"):
            now_cells = {
                (g, loc): v * ENTRY.get(g, 0.3) for (c, g, s, loc), v in after.items() if c == category and s == sex
            }
            was_cells = {(g, loc): v for (c, g, s, loc), v in before.items() if c == category and s == sex}
            parts = [
                ("APPOINTMENT", apportion(appointed[(category, sex)], now_cells, rng, 0.3)),
                ("SEPARATION", apportion(separated[(category, sex)], was_cells, rng, 0.3)),
            ]
            promoted = round(sum(was_cells.values()) * PROMOTION_RATE[category] * rng.uniform(0.8, 1.2))
            parts.append(
                (
                    "PROMOTION",
                    apportion(
                        promoted,
                        {
                            (g, loc): v * (1.2 if g.startswith(("P-3", "P-4", "G-4", "G-5")) else 1.0)
                            for (g, loc), v in was_cells.items()
                            if g in promotable
                        },
                        rng,
                        0.3,
                    ),
                )
            )
            if category in REASSIGNMENT_RATE:
                moved = round(sum(was_cells.values()) * REASSIGNMENT_RATE[category] * rng.uniform(0.8, 1.2))
                parts.append(
                    (
                        "REASSIGNMENT",
                        apportion(moved, {k: v for k, v in was_cells.items() if k[0] not in top}, rng, 0.3),
                    )
                )
            for event, cells in parts:
                for (g, loc), k in cells.items():
                    if k == 0:
                        continue
                    grade_from = {"APPOINTMENT": "", "SEPARATION": "", "PROMOTION": g, "REASSIGNMENT": g}[event]
                    grade_to = promotable[g] if event == "PROMOTION" else g
                    key = (start, end, e.code, event, category, grade_from, grade_to, sex, loc)
                    if tsm and category == PAH and sex == "F" and event in ("APPOINTMENT", "PROMOTION"):
                        special = round(k * rng.uniform(0.3, 0.5))  # about 40% of women's P+ appointments
                        out[(*key, "TRUE")] += special
                        out[(*key, "FALSE")] += k - special
                    else:
                        out[(*key, "FALSE")] += k
    return Counter({k: v for k, v in out.items() if v > 0})


# --- writing -----------------------------------------------------------------------------------------------------

CATEGORY_ORDER = {c: i for i, c in enumerate(CATEGORIES)}


def headcount_order(key: tuple) -> tuple:
    d, e, c, g, s, loc, country, a = key
    return (d, e, CATEGORY_ORDER[c], RANK[g], g, SEXES.index(s), loc, country, APPOINTMENTS.index(a))


def event_order(key: tuple) -> tuple:
    start, end, e, ev, c, gf, gt, s, loc, tsm = key
    return (start, end, e, EVENTS.index(ev), CATEGORY_ORDER[c], RANK.get(gf, 0), RANK[gt], gt, SEXES.index(s), loc, tsm)


def headcount_lines(rows: Rows) -> list[list[str]]:
    return [[*k, str(rows[k])] for k in sorted(rows, key=headcount_order)]


def event_lines(rows: Events) -> list[list[str]]:
    return [[*k, str(rows[k])] for k in sorted(rows, key=event_order)]


def write_csv(path: Path, header: tuple[str, ...] | list[str], lines: list[list[str]], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_workbook(path: Path, headcount: Rows, events: Events) -> None:
    """UNICEF's 2024 submission as an Excel workbook: real dates, numbers and booleans, fixed timestamps."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    info = wb.active
    info.title = "Instructions"
    for line in (
        "UNICEF - HR data for the Gender Equality Warehouse, reporting year 2024",
        "",
        "Sheet hr_headcount: staff on 31 December 2024, one row per staff category, grade, sex, duty station"
        " and appointment type.",
        "Sheet hr_events: appointments, promotions, separations and reassignments from 1 January to 31 December"
        " 2024 (staff on permanent, continuing and fixed-term appointments).",
        "Sex: F female, M male, X other, U unknown. Grades are personal grades. Countries are ISO 3166-1"
        " alpha-3 codes.",
        "Do not rename the sheets or the column headers; do not add columns.",
        "Prepared by the Division of Human Resources, 31 January 2025.",
    ):
        info.append([line])
    info["A1"].font = Font(bold=True)
    info.column_dimensions["A"].width = 110

    def sheet(title: str, header: tuple[str, ...], lines: list[list], widths: list[int]) -> None:
        ws = wb.create_sheet(title)
        ws.append(list(header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for line in lines:
            ws.append(line)
        ws.freeze_panes = "A2"
        for i, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = width
        for column in [i for i, name in enumerate(header) if name.startswith(("snapshot", "period"))]:
            for (cell,) in ws.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                cell.number_format = "yyyy-mm-dd"

    def date(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text)

    sheet(
        "hr_headcount",
        HEADCOUNT_COLUMNS,
        [
            [date(d), e, c, g, s, loc, country or None, a, rows_value]
            for (d, e, c, g, s, loc, country, a, rows_value) in (
                [*k, headcount[k]] for k in sorted(headcount, key=headcount_order)
            )
        ],
        [13, 11, 32, 8, 6, 13, 20, 17, 11],
    )
    sheet(
        "hr_events",
        EVENT_COLUMNS,
        [
            [date(s0), date(s1), e, ev, c, gf or None, gt, s, loc, tsm == "TRUE", n]
            for (s0, s1, e, ev, c, gf, gt, s, loc, tsm, n) in ([*k, events[k]] for k in sorted(events, key=event_order))
        ],
        [13, 13, 11, 15, 32, 11, 9, 6, 13, 12, 8],
    )
    wb.properties.creator = "UNICEF Division of Human Resources"
    wb.properties.lastModifiedBy = "UNICEF Division of Human Resources"
    wb.properties.title = "HR submission UNICEF 2024"
    path.write_bytes(workbooks.fixed_bytes(wb, FIXED_TIMESTAMP))


# --- rejected examples -------------------------------------------------------------------------------------------


def rejected_files(headcount: dict[str, Rows], events: dict[tuple[str, int], Events]) -> dict[str, tuple]:
    """Files with one mistake each: (header, lines, encoding). Each is otherwise a valid extract."""

    def extract(code: str, date: str, count: int, category: str = PAH) -> list[list[str]]:
        lines = [line for line in headcount_lines(headcount[code]) if line[0] == date and line[2] == category]
        step = max(1, len(lines) // count)
        return [list(line) for line in lines[::step][:count]]

    out: dict[str, tuple] = {}
    lines = extract("UNEP", "2024-12-31", 12)
    lines[0][4], lines[3][4] = "Female", "W"  # spelled out, and W for "woman" (rows 2 and 5)
    out["hr_headcount_bad_sex_code.csv"] = (HEADCOUNT_COLUMNS, lines, "utf-8")

    lines = extract("ILO", "2024-12-31", 12)
    lines[5][3] = "G-5"  # a General Service grade under PROFESSIONAL_AND_HIGHER
    out["hr_headcount_grade_not_in_category.csv"] = (HEADCOUNT_COLUMNS, lines, "utf-8")

    lines = extract("FAO", "2021-12-31", 12)
    for line in lines:
        line[0] = "2031-12-31"  # 2021 mistyped
    out["hr_headcount_future_date.csv"] = (HEADCOUNT_COLUMNS, lines, "utf-8")

    lines = extract("UNFPA", "2024-12-31", 10)
    lines.insert(8, list(lines[3]))  # a row pasted twice
    out["hr_headcount_duplicate_rows.csv"] = (HEADCOUNT_COLUMNS, lines, "utf-8")

    merged: Counter = Counter()  # the entity sent totals over appointment types, without the column
    for line in extract("UNAIDS", "2024-12-31", 40):
        merged[tuple(line[:7])] += int(line[8])
    lines = [[*k, str(v)] for k, v in list(merged.items())[:12]]
    out["hr_headcount_missing_column.csv"] = (
        tuple(c for c in HEADCOUNT_COLUMNS if c != "appointment_type"),
        lines,
        "utf-8",
    )

    lines = extract("OHCHR", "2024-12-31", 12)
    lines[3][8], lines[8][8] = "twelve", "-3"
    out["hr_headcount_not_a_number.csv"] = (HEADCOUNT_COLUMNS, lines, "utf-8")

    lines = extract("UNHCR", "2023-12-31", 12)
    for line in lines:
        line[0] = "2023-02-30"  # "end of February"
    out["hr_headcount_impossible_date.csv"] = (HEADCOUNT_COLUMNS, lines, "utf-8")

    # Exported from a spreadsheet in Latin-1: the non-breaking spaces after some numbers become the single byte
    # 0xA0, which is not UTF-8. Saved as UTF-8 the same file would be valid (the spaces are trimmed).
    lines = extract("WIPO", "2023-12-31", 12)
    for line in lines[2::4]:
        line[8] += "\u00a0"
    out["hr_headcount_latin1.csv"] = (HEADCOUNT_COLUMNS, lines, "latin-1")

    lines = extract("UNIDO", "2024-12-31", 10)
    for line in lines:
        line[1] = "UNXYZ"
    out["hr_headcount_unknown_entity.csv"] = (HEADCOUNT_COLUMNS, lines, "utf-8")

    lines = extract("UNICEF", "2023-12-31", 10)
    lines[6:6] = [
        ["2023-12-31", "UNICEF", PAH, "P-6", "F", "HQ", "USA", "FIXED_TERM", "3"],
        ["2023-12-31", "UNICEF", PAH, "P-6", "M", "HQ", "USA", "FIXED_TERM", "4"],
    ]
    out["hr_headcount_p6_outside_paho.csv"] = (HEADCOUNT_COLUMNS, lines, "utf-8")

    unodc = event_lines(events[("UNODC", 2024)])
    promotions = [line for line in unodc if line[3] == "PROMOTION" and line[5] == "P-3" and line[6] == "P-4"]
    wrong = list(promotions[0])
    wrong[5], wrong[6] = "P-4", "P-3"  # grade_from and grade_to swapped
    lines = [line for line in unodc if line[3] == "PROMOTION"][:11]
    lines.insert(4, wrong)
    out["hr_events_promotion_down.csv"] = (EVENT_COLUMNS, lines, "utf-8")

    lines = [list(line) for line in event_lines(events[("UN-WOMEN", 2024)])[::6][:10]]
    for line in lines:
        line[0], line[1] = line[1], line[0]  # period_start and period_end swapped
    out["hr_events_period_reversed.csv"] = (EVENT_COLUMNS, lines, "utf-8")
    return out


# --- the figures the marts must reproduce -----------------------------------------------------------------------


def population(
    rows: Rows,
    entity: str,
    date: str,
    category: str,
    grades: set[str] | None = None,
    country: str | None = None,
    counted: tuple[str, ...] = COUNTED,
    men_codes: tuple[str, ...] = ("M",),
) -> tuple[int, int]:
    """Women and men of a population. `counted` and `men_codes` are changed only to show what wrong rules give."""
    women = men = 0
    for (d, e, c, g, s, _loc, ds, a), k in rows.items():
        if d != date or e != entity or c != category or a not in counted:
            continue
        if (grades and g not in grades) or (country and ds != country):
            continue
        if s == "F":
            women += k
        elif s in men_codes:
            men += k
    return women, men


def wrong_rules(final: dict[str, Rows]) -> dict[str, list[int]]:
    """Entities at parity per year under two wrong rules: TEMPORARY counted, and X/U in the denominator."""
    out: dict[str, list[int]] = {"with_temporary": [], "with_x_and_u": []}
    for year in YEARS:
        date = snapshot(year)
        out["with_temporary"].append(
            sum(is_parity(*population(final[e.code], e.code, date, PAH, counted=APPOINTMENTS)) for e in ENTITIES)
        )
        out["with_x_and_u"].append(
            sum(is_parity(*population(final[e.code], e.code, date, PAH, men_codes=("M", "X", "U"))) for e in ENTITIES)
        )
    return out


def figure(
    fid: str,
    statement: str,
    rows: Rows,
    entity: str,
    date: str,
    pop: str,
    grades: list[str] | None = None,
    country: str | None = None,
) -> dict:
    category = pop if pop in CATEGORIES else CATEGORY_OF[pop]
    wanted = set(grades) if grades else ({g for g in RANK if LEVEL_OF[g] == pop} if pop not in CATEGORIES else None)
    women, men = population(rows, entity, date, category, wanted, country)
    return {
        "id": fid,
        "statement": statement,
        "entity_code": entity,
        "snapshot_date": date,
        "population": pop,
        "grades": grades,
        "duty_station_country": country,
        "women": women,
        "men": men,
        "women_share": round(women / (women + men), 4),
        "at_parity": is_parity(women, men),
    }


def expected_figures(final: dict[str, Rows], events: dict[tuple[str, int], Events]) -> dict:
    """Everything computed from the rows as the warehouse will hold them (WIPO revised, UNICEF 2024 workbook)."""

    def f(*args, **kwargs) -> dict:
        fid, statement, entity = args[:3]
        return figure(fid, statement, final[entity], entity, *args[3:], **kwargs)

    figures = [
        f(
            "iaea_p_and_higher_2020",
            "IAEA: women 32% of Professional and higher staff in 2020",
            "IAEA",
            "2020-12-31",
            PAH,
        ),
        f(
            "iaea_p_and_higher_2024",
            "IAEA: women 47% of Professional and higher staff in 2024 (at parity)",
            "IAEA",
            "2024-12-31",
            PAH,
        ),
        f("unodc_p4_2020", "UNODC: women 43% of P-4 staff in 2020", "UNODC", "2020-12-31", "P-4"),
        f("unodc_p4_2024", "UNODC: women 46% of P-4 staff in 2024", "UNODC", "2024-12-31", "P-4"),
        f("unodc_p5_2020", "UNODC: women 42% of P-5 staff in 2020", "UNODC", "2020-12-31", "P-5"),
        f("unodc_p5_2024", "UNODC: women 48% of P-5 staff in 2024", "UNODC", "2024-12-31", "P-5"),
        f(
            "undss_nairobi_security_2017",
            "UNDSS Nairobi Security and Safety Service: women 30% in 2017",
            "UNDSS",
            "2017-12-31",
            SS,
            country="KEN",
        ),
        f(
            "undss_nairobi_security_2023",
            "UNDSS Nairobi Security and Safety Service: women 47% in 2023",
            "UNDSS",
            "2023-12-31",
            SS,
            country="KEN",
        ),
        f(
            "undss_nairobi_supervisors_2017",
            "UNDSS Nairobi: 3 women in supervisory grades S-5 to S-7 in 2017",
            "UNDSS",
            "2017-12-31",
            SS,
            grades=["S-5", "S-6", "S-7"],
            country="KEN",
        ),
        f(
            "undss_nairobi_supervisors_2023",
            "UNDSS Nairobi: 5 women in supervisory grades S-5 to S-7 in 2023",
            "UNDSS",
            "2023-12-31",
            SS,
            grades=["S-5", "S-6", "S-7"],
            country="KEN",
        ),
        f(
            "iom_p1_to_p4_2024_06",
            "IOM: women 49% of P-1 to P-4 staff (30 June 2024)",
            "IOM",
            "2024-06-30",
            PAH,
            grades=["P-1", "P-2", "P-3", "P-4"],
        ),
    ]
    for level in ("P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "D-1"):
        at = level not in ("P-4", "D-1")
        figures.append(
            f(
                f"paho_{level.lower().replace('-', '')}_2024",
                f"PAHO: {'at' if at else 'not at'} parity at {level} in 2024",
                "PAHO",
                "2024-12-31",
                level,
            )
        )
    figures += [
        f("unicef_p5_2022", "UNICEF: women 43% of P-5 staff in 2022", "UNICEF", "2022-12-31", "P-5"),
        f(
            "unicef_p5_2024",
            "UNICEF: women almost 49% of P-5 staff in 2024 (from the workbook)",
            "UNICEF",
            "2024-12-31",
            "P-5",
        ),
        f(
            "wipo_p_and_higher_2024",
            "WIPO: Professional and higher in 2024, from the corrected resubmission",
            "WIPO",
            "2024-12-31",
            PAH,
        ),
    ]
    at_parity = {}
    for year in YEARS:
        at_parity[str(year)] = sorted(
            e.code for e in ENTITIES if is_parity(*population(final[e.code], e.code, snapshot(year), PAH))
        )
    women = sum(v for k, v in events[("UNOPS", 2023)].items() if k[3] == "APPOINTMENT" and k[7] == "F")
    men = sum(v for k, v in events[("UNOPS", 2023)].items() if k[3] == "APPOINTMENT" and k[7] == "M")
    hiring = [
        {
            "id": "unops_appointments_2023",
            "statement": "UNOPS: women 53.9% of new hires in 2023",
            "entity_code": "UNOPS",
            "year": 2023,
            "event_type": "APPOINTMENT",
            "women": women,
            "men": men,
            "women_share": round(women / (women + men), 4),
        }
    ]
    return {
        "parity_rule": {
            "band_low": float(BAND_LOW),
            "band_high": float(BAND_HIGH),
            "where_no_split_is_in_the_band": "the closest possible split counts",
            "counted_appointment_types": list(COUNTED),
            "share": "F / (F + M); X and U left out",
        },
        "figures": figures,
        "entities_at_parity": at_parity,
        "hiring": hiring,
    }


def check_design(figures: dict, final: dict[str, Rows]) -> None:
    """Stop if the rows do not say what the published statements say."""
    by_id = {x["id"]: x for x in figures["figures"]}
    counts = [len(figures["entities_at_parity"][str(y)]) for y in YEARS]
    assert counts == [5, 7, 10, 13, 17, 21, 25, 28], counts
    for e in ENTITIES:  # each entity at parity exactly from its design year
        for year in YEARS:
            designed = e.parity_from is not None and year >= e.parity_from
            assert (e.code in figures["entities_at_parity"][str(year)]) == designed, (e.code, year)

    def share(fid: str) -> float:
        x = by_id[fid]
        return x["women"] / (x["women"] + x["men"])

    assert abs(share("iaea_p_and_higher_2020") - 0.32) <= 0.002
    assert 0.47 <= share("iaea_p_and_higher_2024") < 0.4715
    for fid, target in (
        ("unodc_p4_2020", 0.43),
        ("unodc_p4_2024", 0.46),
        ("unodc_p5_2020", 0.42),
        ("unodc_p5_2024", 0.48),
        ("iom_p1_to_p4_2024_06", 0.49),
        ("unicef_p5_2022", 0.43),
        ("unicef_p5_2024", 0.488),
    ):
        assert abs(share(fid) - target) <= 0.002, (fid, share(fid))
    assert abs(share("undss_nairobi_security_2017") - 0.30) <= 0.003
    assert abs(share("undss_nairobi_security_2023") - 0.47) <= 0.003
    assert by_id["undss_nairobi_supervisors_2017"]["women"] == 3
    assert by_id["undss_nairobi_supervisors_2023"]["women"] == 5
    for level in ("P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "D-1"):
        x = by_id[f"paho_{level.lower().replace('-', '')}_2024"]
        assert x["at_parity"] == (level not in ("P-4", "D-1")), x
    assert by_id["paho_p1_2024"]["women"] + by_id["paho_p1_2024"]["men"] == 3
    hires = figures["hiring"][0]
    assert round(hires["women"] / (hires["women"] + hires["men"]), 3) == UNOPS_HIRES_2023


# --- README ------------------------------------------------------------------------------------------------------

# What `gwh validate` says about each rejected file: (the mistake, where it is caught, the message it prints).
REJECTED_ERRORS = {
    "hr_headcount_bad_sex_code.csv": (
        'sex written "Female" and "W"',
        "validate: expect_column_values_to_be_in_set (sex)",
        "sex must be F, M, X (other) or U (unknown) — 2 row(s) break this rule (rows 2, 5); found 'FEMALE', 'W'",
    ),
    "hr_headcount_grade_not_in_category.csv": (
        "grade G-5 under PROFESSIONAL_AND_HIGHER",
        "validate: expect_column_pair_values_to_be_in_set (staff_category, grade)",
        "grade belongs to the staff_category given (...) — 1 row(s) break this rule (row 7); "
        "found 'PROFESSIONAL_AND_HIGHER / G-5'",
    ),
    "hr_headcount_future_date.csv": (
        "snapshot 2031-12-31 (2021 mistyped)",
        "validate: expect_column_max_to_be_between (snapshot_date, max today)",
        "snapshot_date is not in the future — found '2031-12-31'",
    ),
    "hr_headcount_duplicate_rows.csv": (
        "a row pasted twice",
        "validate: expect_compound_columns_to_be_unique (the 8 key columns)",
        "each combination of snapshot_date, ..., appointment_type appears once — 2 row(s) break this rule (rows 5, 10)",
    ),
    "hr_headcount_missing_column.csv": (
        "no appointment_type column (totals over appointment types)",
        "read: the header",
        "the header does not match the hr_headcount contract: missing required column(s) appointment_type. ...",
    ),
    "hr_headcount_not_a_number.csv": (
        'headcount "twelve" (row 5) and "-3" (row 10)',
        "read: typing; once 'twelve' is fixed, validate: expect_column_values_to_be_between (headcount)",
        "1 value(s) are not a whole number (found 'twelve') — row 5; then: headcount is a whole number from 0 to "
        "1,000,000 — 1 row(s) break this rule (row 10); found '-3'",
    ),
    "hr_headcount_impossible_date.csv": (
        "snapshot 2023-02-30",
        "read: typing",
        "12 value(s) are not a date written YYYY-MM-DD (found '2023-02-30') — rows 2, 3, 4, 5, 6 and 7 more",
    ),
    "hr_headcount_latin1.csv": (
        "saved in Latin-1: the non-breaking spaces after three counts are the byte 0xA0 (saved as UTF-8 the same "
        "file is valid: the spaces are trimmed)",
        "read: COPY",
        "the file is not UTF-8 text (byte 0xa0); save it as 'CSV UTF-8' and send it again",
    ),
    "hr_headcount_unknown_entity.csv": (
        "entity_code UNXYZ",
        "validate: expect_column_values_to_be_in_set (entity_code)",
        "entity_code must be an entity code from the entities reference — 10 row(s) break this rule (...); "
        "found 'UNXYZ'",
    ),
    "hr_headcount_p6_outside_paho.csv": (
        "grade P-6 reported by UNICEF",
        "validate: expect_column_values_to_not_be_in_set (grade, where entity_code not in PAHO, WHO)",
        "grade P-6 is used only by PAHO, WHO — 2 row(s) break this rule (rows 8, 9); found 'P-6'",
    ),
    "hr_events_promotion_down.csv": (
        "a PROMOTION from P-4 to P-3",
        "validate: expect_column_pair_values_to_be_in_set (grade_from, grade_to, for promotions)",
        "a promotion goes up the grade ladder (grade_to above grade_from) — 1 row(s) break this rule (row 6); "
        "found 'P-4 / P-3'",
    ),
    "hr_events_period_reversed.csv": (
        "period_start and period_end swapped",
        "validate: expect_column_pair_values_a_to_be_greater_than_b (period_end, period_start)",
        "period_end is on or after period_start — 10 row(s) break this rule (...); found '2024-01-01 / 2024-12-31'",
    ),
}


def readme(figures: dict, original_wipo: tuple[int, int], sizes: dict[str, int]) -> str:
    lines = [
        "# Sample submissions",
        "",
        "Invented HR submissions from 36 UN entities, built so that the warehouse's marts reproduce figures the UN",
        "has published. They are the demo data (`make demo`) and the fixtures of tests that check the marts.",
        "",
        "Do not edit these files by hand: change `generate.py` and run, from the project folder,",
        "",
        "```",
        ".venv/bin/python include/sample_submissions/generate.py",
        "```",
        "",
        "It writes every file below (and this README) into this folder, the same bytes each time",
        "(`random.Random(2024)`; the workbook's dates and zip timestamps are fixed).",
        "",
        "## Files",
        "",
        "| Path | What it is |",
        "|---|---|",
        "| `hr/hr_headcount_<ENTITY>.csv` | one per entity: its snapshots of 31 December 2017 to 2024 "
        "(IOM also 30 June 2024; UNICEF's 2024 is in the workbook) |",
        "| `hr/hr_events_<ENTITY>_<YEAR>.csv` | a year of appointments, promotions, separations and reassignments: "
        "UNOPS 2023, IAEA 2020-2024 (with temporary special measures), UNODC 2024, UN-WOMEN 2024 |",
        "| `hr/hr_submission_UNICEF_2024.xlsx` | UNICEF's 2024 headcount and events in one workbook (sheets "
        "`Instructions`, `hr_headcount`, `hr_events`; real Excel dates and numbers) |",
        "| `corrections/hr_headcount_WIPO_2024_revised.csv` | WIPO's whole 2024 snapshot sent again with five rows "
        "corrected (two late appointments, a missed separation, a staff member counted as temporary, a double "
        "count); it supersedes the 2024 rows of `hr_headcount_WIPO.csv` |",
        "| `rejected/*.csv` | files with one mistake each, which validation must reject (below) |",
        "| `expected_figures.json` | the figures the marts must give, computed by the generator from these rows |",
        "",
        f"Rows: {sizes['headcount']:,} headcount rows, {sizes['events']:,} event rows; "
        f"{sizes['bytes'] / 1e6:.1f} MB of data files.",
        "",
        "Entities: " + ", ".join(e.code for e in ENTITIES) + ".",
        "",
        "Every event file reconciles with the headcount: for each staff category and sex (F, M), staff on "
        "counted appointments on 31 December equal those of the year before plus appointments minus "
        "separations (promotions and reassignments stay within a category).",
        "",
        "## Counting rules (the marts')",
        "",
        "* women's share = F / (F + M): X (other) and U (unknown) are left out;",
        "* Professional and higher = every PROFESSIONAL_AND_HIGHER grade, personal grade, all locations,"
        " appointment types PERMANENT, CONTINUING and FIXED_TERM (TEMPORARY left out);",
        "* at parity: share within [0.47, 0.53]; for fewer than 10 staff, the closest possible split to half and"
        " half (so 1 woman and 2 men is at parity);",
        "* levels: ASG, USG, ADG, DDG, DG and UG all count as UG; P-6 exists only at PAHO and WHO.",
        "",
        "The data catch a wrong rule: temporary staff have a different sex ratio, "
        f"{sizes['other_sex']} entities report X or U, and IAEA's 2024 share (just above 0.47) falls below the band"
        " if temporary staff or X/U are counted. Entities at parity in 2017 ... 2024:",
        "",
        "| rule | " + " | ".join(str(y) for y in YEARS) + " |",
        "|---|" + "---:|" * len(YEARS),
        "| the marts' rule | " + " | ".join(str(len(v)) for v in figures["entities_at_parity"].values()) + " |",
        "| wrong: TEMPORARY counted | " + " | ".join(map(str, sizes["wrong"]["with_temporary"])) + " |",
        "| wrong: X and U in the denominator | " + " | ".join(map(str, sizes["wrong"]["with_x_and_u"])) + " |",
        "",
        "## Published statements and the values these files give",
        "",
        "| id | statement | women | men | share | at parity |",
        "|---|---|---:|---:|---:|:-:|",
    ]
    for x in figures["figures"]:
        lines.append(
            f"| `{x['id']}` | {x['statement']} | {x['women']} | {x['men']} | {x['women_share']:.4f} | "
            f"{'yes' if x['at_parity'] else 'no'} |"
        )
    h = figures["hiring"][0]
    lines.append(
        f"| `{h['id']}` | {h['statement']} (APPOINTMENT events) | {h['women']} | {h['men']} | "
        f"{h['women_share']:.4f} | |"
    )
    w, m = original_wipo
    lines += [
        "",
        f"WIPO's first 2024 submission gave {w} women and {m} men (share {w / (w + m):.4f}); the corrected one is"
        " the figure above. WIPO is at parity either way.",
        "",
        '"The number of UN entities that reached gender parity increased to 28 in 2024, from only five in 2017"'
        " (Professional and higher, band rule):",
        "",
        "| year | entities at parity | which |",
        "|---|---:|---|",
    ]
    for year, codes in figures["entities_at_parity"].items():
        lines.append(f"| {year} | {len(codes)} | {', '.join(codes)} |")
    lines += [
        "",
        "Never at parity in 2017-2024: "
        + ", ".join(e.code for e in ENTITIES if e.parity_from is None)
        + " (UN-WOMEN above the band, the others below).",
        "",
        "## Rejected examples",
        "",
        "Each file is a valid extract of real-looking rows except for one mistake; `gwh validate` must reject it,"
        " with one error, as below (read errors stop the file before the suite runs; the messages are those"
        " `gwh validate` printed when the files were made, and their wording may change).",
        "",
        "| File | Mistake | Caught at | Message |",
        "|---|---|---|---|",
    ]
    for name, (mistake, stage, message) in REJECTED_ERRORS.items():
        lines.append(f"| `rejected/{name}` | {mistake} | {stage} | {message} |")
    lines.append("")
    lines += programmes.readme_section()
    lines += ratings.readme_section(figures["ratings"])
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------------------------


def main() -> None:
    master = random.Random(SEED)
    seeds = {e.code: master.getrandbits(32) for e in ENTITIES}  # one stream per entity, in table order
    event_seed = master.getrandbits(32)
    assert set(P6_WEIGHT) <= ONLY_FOR["P-6"]
    for e in ENTITIES:
        assert e.code in ENTITY_CODES, e.code
        assert all(c in COUNTRY_CODES for c in [*e.hq, *(c for c, _ in e.field)] if c), e.code

    headcount = build_headcount(seeds)
    revised_wipo = revise_wipo(headcount["WIPO"])

    # The rows the warehouse holds once every file is in: WIPO's 2024 replaced, UNICEF's 2024 from the workbook.
    final = dict(headcount)
    final["WIPO"] = Counter({k: v for k, v in headcount["WIPO"].items() if k[0] != "2024-12-31"}) + revised_wipo
    events: dict[tuple[str, int], Events] = {}
    rng = random.Random(event_seed)
    for code, year in [*EVENT_FILES, (WORKBOOK_ENTITY, WORKBOOK_YEAR)]:
        e = BY_CODE[code]
        hires = UNOPS_HIRES_2023 if (code, year) == ("UNOPS", 2023) else None
        events[(code, year)] = build_events(
            e, year, stock(final[code], snapshot(year - 1)), stock(final[code], snapshot(year)), rng, hires
        )

    written: list[Path] = []
    for e in ENTITIES:
        rows = headcount[e.code]
        if e.code == WORKBOOK_ENTITY:
            rows = Counter({k: v for k, v in rows.items() if not k[0].startswith(str(WORKBOOK_YEAR))})
        path = HERE / "hr" / f"hr_headcount_{e.code}.csv"
        write_csv(path, HEADCOUNT_COLUMNS, headcount_lines(rows))
        written.append(path)
    for code, year in EVENT_FILES:
        path = HERE / "hr" / f"hr_events_{code}_{year}.csv"
        write_csv(path, EVENT_COLUMNS, event_lines(events[(code, year)]))
        written.append(path)
    workbook = HERE / "hr" / f"hr_submission_{WORKBOOK_ENTITY}_{WORKBOOK_YEAR}.xlsx"
    unicef_2024 = Counter({k: v for k, v in headcount[WORKBOOK_ENTITY].items() if k[0].startswith(str(WORKBOOK_YEAR))})
    write_workbook(workbook, unicef_2024, events[(WORKBOOK_ENTITY, WORKBOOK_YEAR)])
    written.append(workbook)
    path = HERE / "corrections" / "hr_headcount_WIPO_2024_revised.csv"
    write_csv(path, HEADCOUNT_COLUMNS, headcount_lines(revised_wipo))
    written.append(path)
    for name, (header, lines, encoding) in rejected_files(final, events).items():
        path = HERE / "rejected" / name
        write_csv(path, header, lines, encoding)
        written.append(path)

    written += programmes.write_programmes(HERE / "programmes")
    ratings_files, ratings_figures = ratings.write_ratings(HERE / "accountability")
    written += ratings_files
    for name, data in ratings.rejected_files().items():
        (HERE / "rejected" / name).write_bytes(data)
        written.append(HERE / "rejected" / name)

    figures = expected_figures(final, events)
    figures["programmes"] = programmes.FIGURES
    figures["ratings"] = ratings_figures
    check_design(figures, final)
    path = HERE / "expected_figures.json"
    path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    written.append(path)

    sizes: dict = {
        "headcount": sum(len(r) for r in headcount.values()) + len(revised_wipo),
        "events": sum(len(v) for v in events.values()),
        "bytes": sum(p.stat().st_size for p in written),
        "other_sex": len({k[1] for rows in final.values() for k in rows if k[4] in ("X", "U")}),
        "wrong": wrong_rules(final),
    }
    original_wipo = population(headcount["WIPO"], "WIPO", "2024-12-31", PAH)
    (HERE / "README.md").write_text(readme(figures, original_wipo, sizes), encoding="utf-8")
    print(f"wrote {len(written) + 1} files, {sizes['bytes'] / 1e6:.2f} MB, into {HERE}")


if __name__ == "__main__":
    main()
