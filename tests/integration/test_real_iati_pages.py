"""The real IATI pages of UN publishers listed in tests/real_iati/pages.tsv, collected into .gwh/real-iati/ by
scripts/real_iati_pages.py. They are their publishers' data, not the project's, so they are not in git: where
they have not been collected (CI), the test is skipped. The four pages in shared/real-data/iati-un/ are tested by
test_programmes.py in every run."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from gender_warehouse import pipeline, warehouse
from tests.conftest import ROOT, query

FOLDER = ROOT / ".gwh" / "real-iati"
MANIFEST = ROOT / "tests" / "real_iati" / "pages.tsv"
# Why an activity of a UN page may be refused: it fails the official schema, or its publisher is no UN entity.
REFUSED_BECAUSE = (" fails the IATI 2.03 schema: ", " is not a UN entity the warehouse knows.")

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def collected() -> list[Path]:
    with MANIFEST.open(newline="", encoding="utf-8") as f:
        names = [f"{p['commit'][:7]}_{Path(p['path']).name}" for p in csv.DictReader(f, delimiter="\t")]
    return [FOLDER / name for name in names if (FOLDER / name).is_file()]


@pytest.mark.skipif(not collected(), reason="the real IATI pages are not collected: scripts/real_iati_pages.py")
def test_every_collected_real_un_page_loads_and_the_marts_build(project: Path, database_url: str) -> None:
    pages = collected()
    loaded = 0
    for page in pages:
        result = pipeline.ingest_file(page, database_url, today=dt.date(2026, 12, 1))
        assert result.status in ("accepted", "partially accepted"), (page.name, [str(i) for i in result.errors])
        assert result.rows.get("programme_register"), page.name
        unexplained = [str(i) for i in result.refused if not any(why in str(i) for why in REFUSED_BECAUSE)]
        unexplained = [u for u in unexplained if not u.startswith("and ")]  # "and N more activities fail ..."
        assert not unexplained, (page.name, unexplained)
        loaded += 1
    assert loaded == len(pages) >= 15
    run = warehouse.build(database_url)
    assert run.success and not run.failures, run.failures
    [(programmes,)] = query(database_url, "select count(*) from marts.dim_programme where is_registered")
    assert programmes > 1_500
