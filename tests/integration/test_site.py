"""The reports site: an index and a readable report per submission, offline, served by gwh serve."""

from __future__ import annotations

import datetime as dt
import threading
import urllib.request
from pathlib import Path

import pytest

from gender_warehouse import pipeline, settings, site
from tests.conftest import SAMPLES
from tests.helpers import headcount_rows, write_csv

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 27)


def test_every_submission_has_a_report_and_a_rejected_one_says_what_to_fix(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    good = pipeline.ingest_file(SAMPLES / "programmes" / "malawi_peacebuilding_UN-WOMEN.xml", database_url, today=TODAY)
    bad = pipeline.ingest_file(SAMPLES / "rejected" / "hr_headcount_bad_sex_code.csv", database_url, today=TODAY)
    hostile = tmp_path / "<img src=x onerror=alert(1)>_hr_headcount.csv"
    hostile.write_text("nothing,here\n1,2\n", encoding="utf-8")
    odd = pipeline.ingest_file(hostile, database_url, today=TODAY)
    index = site.publish_site(database_url)
    assert index == settings.reports_dir() / "index.html"
    text = index.read_text(encoding="utf-8")
    for result in (good, bad, odd):
        assert f"submissions/submission-{result.submission_id}.html" in text
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text  # names are escaped
    assert "http://" not in text and "https://" not in text  # nothing from the network
    # Its policy: no script at all, its own style block by hash, nothing from elsewhere.
    assert f'content="{site.PAGE_POLICY}"' in text
    assert "script-src 'none'" in site.PAGE_POLICY and site.source_hash(site.STYLE) in site.PAGE_POLICY
    report = (settings.reports_dir() / "submissions" / f"submission-{bad.submission_id}.html").read_text()
    assert "What to fix before sending the file again" in report
    assert "sex must be F, M, X (other) or U (unknown)" in report
    assert "passed" in report and "failed" in report  # every rule, with its outcome
    accepted = (settings.reports_dir() / "submissions" / f"submission-{good.submission_id}.html").read_text()
    assert "What to fix" not in accepted and "programme_funding_suite" in accepted


def test_a_failed_submission_says_so_and_shows_its_error_as_text(
    project: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "hr_headcount_broken.csv", headcount_rows())

    def reader_with_a_bug(*_: object) -> None:
        raise RuntimeError("<b>bug</b> & co")

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "read_submission", reader_with_a_bug)
        failed = pipeline.ingest_file(path, database_url, today=TODAY)
    assert failed.status == "failed"
    index = site.publish_site(database_url).read_text(encoding="utf-8")
    assert '<td class="failed">failed</td>' in index and ".failed{" in site.STYLE
    report = (settings.reports_dir() / "submissions" / f"submission-{failed.submission_id}.html").read_text()
    assert '<span class="failed">failed</span>' in report
    assert "RuntimeError: &lt;b&gt;bug&lt;/b&gt; &amp; co" in report and "<b>bug" not in report


def test_gwh_serve_serves_the_site(project: Path, database_url: str) -> None:
    site.publish_site(database_url)
    with site.server(0) as running:
        threading.Thread(target=running.serve_forever, daemon=True).start()
        port = running.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5) as response:
            assert response.status == 200 and b"Gender Equality Warehouse: reports" in response.read()
            assert response.headers["Content-Security-Policy"] == f"{site.PAGE_POLICY}; frame-ancestors 'none'"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        running.shutdown()


@pytest.mark.slow
def test_data_docs_need_nothing_from_the_network(project: Path, database_url: str) -> None:
    import shutil
    import subprocess

    import lxml.html

    from gender_warehouse import validation

    bad = pipeline.ingest_file(SAMPLES / "rejected" / "hr_headcount_bad_sex_code.csv", database_url, today=TODAY)
    index = validation.build_data_docs(bad.result_files)
    assert index is not None
    page = validation.data_docs_page(bad.result_files[0])
    for html in (index, page):
        doc = lxml.html.fromstring(html.read_bytes())
        fetched = doc.xpath("//script | //link/@href | //img/@src | //iframe")
        assert not [f for f in fetched if not isinstance(f, str) or f.startswith(("http", "//"))], html
    text = page.read_text(encoding="utf-8")
    assert "✖ failed" in text and "✔ passed" in text  # outcomes survive without the icon font
    chromium = shutil.which("chromium")
    assert chromium, "the reports tests need Debian's chromium (make test installs it)"
    done = subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert not [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert "sex" in done.stdout
