"""The parity rule as dbt computes it (macros/parity.sql), against an independent computation in exact fractions,
for every split of every population from 1 to 25 staff, under every rule in the seed."""

from __future__ import annotations

import csv
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from gender_warehouse import dashboard, pipeline, settings, warehouse
from tests.conftest import ROOT, query
from tests.helpers import headcount_rows, write_csv

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LARGEST = 25


def rules_in_seed() -> dict[str, tuple[Fraction, Fraction]]:
    with (settings.seeds_dir() / "ref_parity_rules.csv").open(newline="") as f:
        return {
            r["parity_rule_code"]: (Fraction(r["women_share_min"]), Fraction(r["women_share_max"]))
            for r in csv.DictReader(f)
        }


def women_at_parity(n: int, low: Fraction, high: Fraction) -> set[int]:
    """Within the band; where no split of this size is, the splits nearest the band."""
    inside = {w for w in range(n + 1) if low <= Fraction(w, n) <= high}
    if inside:
        return inside

    def distance(w: int) -> Fraction:
        share = Fraction(w, n)
        return low - share if share < low else share - high

    nearest = min(distance(w) for w in range(n + 1))
    return {w for w in range(n + 1) if distance(w) == nearest}


def compiled(sql: str, url: str, target: Path) -> str:
    from dbt.cli.main import dbtRunner

    project = warehouse.dbt_project_dir()
    args = ["compile", "--inline", sql, "--project-dir", str(project), "--profiles-dir", str(project)]
    with warehouse.profile_environment(url):
        outcome = dbtRunner().invoke([*args, "--target-path", str(target), "--quiet"])
    assert outcome.success, outcome.exception
    return outcome.result.results[0].node.compiled_code


def test_every_split_of_every_population_up_to_25_under_every_rule(database_url: str, tmp_path: Path) -> None:
    check_every_split(database_url, tmp_path)


def check_every_split(database_url: str, tmp_path: Path) -> None:
    rules = rules_in_seed()
    assert rules, "ref_parity_rules.csv has no rule"
    splits = f"select w, n - w as m, n from generate_series(1, {LARGEST}) as n, generate_series(0, n) as w"
    bands = " union all ".join(
        f"select '{code}' as code, {low.numerator}.0 / {low.denominator} as low, "
        f"{high.numerator}.0 / {high.denominator} as high"
        for code, (low, high) in rules.items()
    )
    sql = compiled(
        f"select code, w, n, {{{{ is_at_parity('w', 'm', 'low', 'high') }}}} as at_parity,"
        f" {{{{ women_share('w', 'm') }}}} as share"
        f" from ({splits}) as splits cross join ({bands}) as rules",
        database_url,
        tmp_path,
    )
    computed = {(code, w, n): (at, share) for code, w, n, at, share in query(database_url, sql)}
    assert len(computed) == len(rules) * sum(n + 1 for n in range(1, LARGEST + 1))
    wrong = []
    for (code, w, n), (at, share) in computed.items():
        low, high = rules[code]
        if at != (w in women_at_parity(n, low, high)):
            wrong.append(f"{code}: {w} women of {n}: dbt says at parity={at}")
        # The published share rounds, but never onto the other side of an edge from the status.
        exact = Fraction(w, n)
        assert abs(Fraction(share) - exact) <= Fraction(1, 2 * 10**9)
        for edge in (low, high):
            assert (Fraction(share) < edge) == (exact < edge) and (Fraction(share) > edge) == (exact > edge)
    assert not wrong, "\n".join(wrong)


def test_a_second_band_in_the_seed_changes_every_status_page_and_check(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    """The band lives in ref_parity_rules.csv alone: set it to 45-55% and the marts, the dashboard's band and
    titles, and the independent check above all follow; nothing else says 47 or 53."""
    seeds = project / "dbt_project" / "seeds"
    seeds.unlink()  # the project's seeds, copied, with another band
    shutil.copytree(ROOT / "dbt_project" / "seeds", seeds)
    rules = (seeds / "ref_parity_rules.csv").read_text()
    (seeds / "ref_parity_rules.csv").write_text(rules.replace(",0.47,0.53,true", ",0.45,0.55,true"))
    assert rules_in_seed()["parity_band"] == (Fraction(45, 100), Fraction(55, 100))
    path = write_csv(tmp_path / "hr_headcount_IAEA.csv", headcount_rows(women=46, men=54))
    assert pipeline.ingest_file(path, database_url).status == "accepted"
    assert warehouse.build(database_url).success
    assert query(
        database_url,
        "select parity_status, parity_women_share_min::text, parity_women_share_max::text"
        " from marts.mart_parity_by_entity_level where entity_code = 'IAEA' and population_code = 'P-4'",
    ) == [("at parity", "0.4500", "0.5500")]  # 46% is below 47-53% but within 45-55%
    assert query(
        database_url, "select parity_women_share_min::text from marts.mart_entities_at_parity where is_default_rule"
    )[0] == ("0.4500",)
    index = dashboard.publish_dashboard(database_url).read_text(encoding="utf-8")
    assert "against the 45%-55% band" in index and "47%" not in index
    check_every_split(database_url, tmp_path / "compiled")
