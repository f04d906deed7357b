"""The gwh command: exit statuses, its one-line-per-file report, status, and the Data Docs it builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from gender_warehouse.cli import main
from tests.conftest import SAMPLES
from tests.helpers import gwh_process, headcount_rows, write_csv

pytestmark = pytest.mark.integration


def test_exit_status_says_what_happened(
    project: Path, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_csv(tmp_path / "hr_headcount_2024.csv", headcount_rows())
    assert main(["--database-url", database_url, "ingest", str(good), "--no-docs"]) == 0
    assert "accepted" in capsys.readouterr().out
    assert main(["--database-url", database_url, "ingest", str(good), "--no-docs"]) == 0
    assert "unchanged" in capsys.readouterr().out
    bad = SAMPLES / "rejected" / "hr_headcount_bad_sex_code.csv"
    assert main(["--database-url", database_url, "ingest", str(bad), "--no-docs"]) == 1
    out = capsys.readouterr().out
    assert "rejected" in out and "nothing loaded" in out and "full report:" in out
    assert main(["--database-url", database_url, "ingest", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["--database-url", "postgresql://nobody@127.0.0.1:1/none", "status"]) == 2
    err = capsys.readouterr().err
    assert "cannot connect" in err and "Traceback" not in err
    assert main(["--database-url", database_url, "status"]) == 0
    out = capsys.readouterr().out
    assert "loaded" in out and "rejected" in out


def test_validate_reports_without_recording(
    project: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    good = str(SAMPLES / "hr" / "hr_headcount_IAEA.csv")
    assert main(["--database-url", database_url, "validate", good, "--no-docs"]) == 0
    assert "valid" in capsys.readouterr().out
    assert main(["--database-url", database_url, "validate", str(SAMPLES / "rejected"), "--no-docs"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("rejected ") for line in lines) == len(list((SAMPLES / "rejected").iterdir()))


@pytest.mark.slow
def test_a_rejected_file_gets_a_data_docs_page(
    project: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The readable report at once; the Data Docs page from a background `gwh docs`, which then links it."""
    import time

    bad = SAMPLES / "rejected" / "hr_headcount_unknown_entity.csv"
    assert main(["--database-url", database_url, "ingest", str(bad)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "being written in the background" in out
    report = project / "reports" / "submissions" / "submission-1.html"
    assert "UNXYZ" in report.read_text()
    page = Path(out.split("full report: ")[1].split()[0])
    deadline = time.monotonic() + 120
    while not (page.exists() and "data_docs/validations" in report.read_text()) and time.monotonic() < deadline:
        time.sleep(0.5)
    html = page.read_text()
    assert "hr_headcount_suite" in html and "UNXYZ" in html
    assert (project / "reports" / "data_docs" / "index.html").exists()
    [result] = list((project / "reports" / "validations").rglob("*.json"))
    assert page.relative_to(project / "reports" / "data_docs" / "validations").with_suffix("") == result.relative_to(
        project / "reports" / "validations"
    ).with_suffix("")


@pytest.mark.slow
def test_verbose_output_holds_the_projects_lines_and_no_great_expectations_chatter(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    """`gwh -v ingest --wait-for-docs` (Great Expectations imported in this process, to build the Data Docs page):
    the project's own INFO lines, none of the ~200 that Great Expectations logs as it is imported."""
    path = write_csv(tmp_path / "hr_headcount.csv", headcount_rows())
    done = gwh_process(database_url, "-v", "ingest", str(path), "--wait-for-docs", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    assert any(line.startswith("INFO gender_warehouse.pipeline: validate hr_headcount") for line in lines), lines
    assert "Data Docs:" in done.stdout
    assert not [line for line in lines if "great_expectations" in line], lines
