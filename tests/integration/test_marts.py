"""The parity marts, built by dbt from the sample submissions, reproduce the published figures."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal

import pytest

from gender_warehouse import cli, dashboard, figures, pipeline, site, trail, warehouse
from tests.conftest import ROOT, SAMPLES, fresh_database, make_project, query

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def built_warehouse(admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample submissions ingested and the warehouse built once, for every test here."""
    with pytest.MonkeyPatch.context() as monkeypatch, fresh_database(admin_url, template_db) as url:
        make_project(tmp_path_factory.mktemp("project"), monkeypatch)
        files = [*sorted((SAMPLES / "hr").iterdir()), *sorted((SAMPLES / "corrections").iterdir())]
        files += sorted((SAMPLES / "programmes").iterdir()) + sorted((SAMPLES / "accountability").iterdir())
        for f in files:
            assert pipeline.ingest_file(f, url, today=dt.date(2026, 11, 27)).status == "accepted"
        run = warehouse.build(url)
        assert run.success and not run.failures
        yield url


def test_marts_reproduce_every_published_figure(built_warehouse: str) -> None:
    compared = figures.compare(built_warehouse)
    disagreeing = [f for f in compared if not f.agrees]
    assert not disagreeing, disagreeing
    assert len(compared) >= 48


def test_the_unit_tests_run_and_pass(built_warehouse: str) -> None:
    run = warehouse.run_dbt(["test", "--select", "test_type:unit"], built_warehouse)
    assert {r["resource_type"] for r in run.results} == {"unit_test"}
    assert len(run.results) >= 9 and all(r["status"] == "pass" for r in run.results)


def test_descriptions_reach_postgres_comments(built_warehouse: str) -> None:
    [(table_comment, column_comment)] = query(
        built_warehouse,
        "select obj_description('marts.mart_parity_by_entity_level'::regclass),"
        " col_description('marts.mart_parity_by_entity_level'::regclass,"
        " (select attnum from pg_attribute where attrelid = 'marts.mart_parity_by_entity_level'::regclass"
        " and attname = 'women_share'))",
    )
    assert "Gender parity of each entity" in table_comment
    assert column_comment.startswith("women / (women + men)")


def test_a_superseded_submission_leaves_the_marts(built_warehouse: str) -> None:
    # WIPO's 2024 figures come from the correction only.
    [(submission_file,)] = query(
        built_warehouse,
        "select distinct s.file_name from marts.fct_workforce_headcount f join audit.submissions s using (submission_id)"
        " where f.entity_code = 'WIPO' and f.snapshot_date = '2024-12-31'",
    )
    assert submission_file == "hr_headcount_WIPO_2024_revised.csv"


def test_funding_keeps_original_currency_and_converts_with_the_rate_beside_it(built_warehouse: str) -> None:
    rows = query(
        built_warehouse,
        "select currency_code, amount, usd_amount, units_per_usd, rate_effective_date, rate_source, conversion_status"
        " from marts.fct_programme_funding where programme_id = 'XM-DAC-41302-PROTECT' and provider_org = 'European Union'"
        " and transaction_type = '11'",
    )
    [(currency, amount, usd, rate, month, source, status)] = rows
    assert (currency, amount, status) == ("EUR", 13_000_000, "CONVERTED")
    assert (str(month), float(rate)) == ("2024-01-01", 0.9175)  # the seed's rate for January 2024
    assert usd == round(amount / rate, 2)
    assert "Federal Reserve H.10" in source
    # Convertible marks have no rate in the seed: flagged, not dropped, not converted at 1.
    [(usd_bam, status_bam)] = query(
        built_warehouse,
        "select usd_amount, conversion_status from marts.fct_programme_funding where currency_code = 'BAM'",
    )
    assert (usd_bam, status_bam) == (None, "NO_RATE")
    [(without_rate,)] = query(
        built_warehouse,
        "select records_without_rate from marts.mart_programme_funding_summary"
        " where programme_id = 'XM-DAC-41301-BIH-WOMEN-DRIVING-RESILIENCE'",
    )
    assert without_rate == 1


def test_money_a_lead_entity_passes_on_is_counted_once(built_warehouse: str) -> None:
    passed_on = query(
        built_warehouse,
        "select receiver_entity_code, amount from marts.fct_programme_funding"
        " where programme_id = 'XM-DAC-41302-PROTECT' and is_passed_on order by receiver_entity_code",
    )
    assert passed_on == [("UN-WOMEN", 3_500_000), ("UNICEF", 3_000_000), ("UNODC", 2_500_000)]
    [(pledged_eur,)] = query(
        built_warehouse,
        "select sum(amount) from marts.mart_funding_by_donor where programme_id = 'XM-DAC-41302-PROTECT'"
        " and transaction_type = '11'",
    )
    assert pledged_eur == 13_000_000  # not 22 million
    [(passed_on_usd, handed_on)] = query(
        built_warehouse,
        "select s.passed_on_usd, (select sum(usd_amount) from marts.fct_programme_funding f"
        " where f.programme_id = s.programme_id and f.is_passed_on_within_programme)"
        " from marts.mart_programme_funding_summary s where s.programme_id = 'XM-DAC-41302-PROTECT'",
    )
    assert passed_on_usd == handed_on > 0
    # Pooled-fund money with no recorded entry into the fund is the fund's, counted once.
    [(fund, is_pooled, usd)] = query(
        built_warehouse,
        "select donor, donor_is_pooled_fund, sum(usd_amount) from marts.mart_funding_by_donor"
        " where programme_id = 'XM-DAC-41146-MWI-PEACE-INFRASTRUCTURE' and transaction_type = '11'"
        " group by donor, donor_is_pooled_fund",
    )
    assert (fund, is_pooled, usd) == ("United Nations Peacebuilding Fund", True, 2_500_000)


def test_the_gender_share_of_funding_and_the_beneficiary_breakdown(built_warehouse: str) -> None:
    shares = query(
        built_warehouse,
        "select lead_entity_code, share_significant_or_principal from marts.mart_funding_gender_share"
        " where funding_year = 2024 and transaction_type = '11' order by lead_entity_code",
    )
    assert shares and all(0 <= s <= 1 for _, s in shares)
    statuses = dict(
        query(
            built_warehouse,
            "select indicator_code, disaggregation_status from marts.mart_beneficiary_reach"
            " where programme_id = 'XM-DAC-41146-MWI-PEACE-INFRASTRUCTURE'",
        )
    )
    assert statuses == {
        "CHILD_MARRIAGES_ENDED": "not disaggregated",
        "GIRLS_BACK_IN_SCHOOL": "incomplete",
        "MOVEMENT_MEMBERS": "incomplete",
    }
    [(registered, markers)] = query(
        built_warehouse,
        "select is_registered, is_gender_significant_or_principal from marts.dim_programme"
        " where programme_id = 'XM-DAC-41146-EMPOWER'",
    )
    assert registered and markers


def test_the_country_parity_table_adds_up_the_entities_at_each_duty_station_country(built_warehouse: str) -> None:
    """Each country's staff in 2024, summed from the fact table (every entity at its latest snapshot of 2024,
    appointments of a year or more), equal the country table's all-staff row; its status follows the rule."""
    expected = dict(
        query(
            built_warehouse,
            "select duty_station_country_code, (sum(headcount_one_year_or_more) filter (where sex = 'F'))::int"
            " || '/' || (sum(headcount_one_year_or_more) filter (where sex = 'M'))::int"
            " from marts.fct_workforce_headcount as f"
            " where duty_station_country_code is not null and snapshot_date = ("
            "  select max(snapshot_date) from marts.fct_workforce_headcount as g"
            "  where g.entity_code = f.entity_code and g.snapshot_year = 2024)"
            " group by 1 having sum(headcount_one_year_or_more) > 0",
        )
    )
    rows = query(
        built_warehouse,
        "select country_code, women || '/' || men, women_share, parity_status from marts.mart_country_parity_by_level"
        " where snapshot_year = 2024 and population_code = 'ALL_STAFF'",
    )
    assert len(expected) > 10 and {country: split for country, split, _, _ in rows} == expected
    for country, split, share, status in rows:
        women, men = map(int, split.split("/"))
        assert share == round(Decimal(women) / (women + men), 9), country
        if women + men >= 20:  # a split within 47-53% exists: the band decides (smaller sizes: test_parity_rule)
            band = "below parity" if share < Decimal("0.47") else "above parity" if share > Decimal("0.53") else None
            assert status == (band or "at parity"), country


def test_every_dbt_run_is_in_the_audit_trail_with_its_nodes(built_warehouse: str) -> None:
    [(runs, user, failed)] = query(
        built_warehouse,
        "select count(*), min(database_user), sum(failed_count) from audit.dbt_invocations where command = 'build'",
    )
    assert runs >= 1 and user == "transformer" and failed == 0
    statuses = dict(
        query(
            built_warehouse,
            "select resource_type, count(*) from audit.dbt_node_results group by resource_type",
        )
    )
    assert statuses.keys() >= {"seed", "model", "test", "unit_test"}


def test_the_trail_of_one_submission(built_warehouse: str) -> None:
    t = trail.submission_trail(built_warehouse, str(SAMPLES / "corrections" / "hr_headcount_WIPO_2024_revised.csv"))
    assert t.submission["status"] == "loaded"
    [run] = t.validations
    assert run["suite_name"] == "hr_headcount_suite" and run["success"] and len(run["suite_sha256"]) == 64
    assert [ld["table_name"] for ld in t.loads] == ["hr_headcount"]
    assert t.builds and all(b["success"] for b in t.builds)
    assert [(s["entity_code"], str(s["period_start"])) for s in t.slices] == [("WIPO", "2024-12-31")]
    by_hash = trail.submission_trail(built_warehouse, t.submission["sha256"][:10])
    assert by_hash.submission["submission_id"] == t.submission["submission_id"]


@pytest.mark.parametrize(
    ("mart", "filters", "files"),
    [
        (
            "mart_parity_by_entity_level",
            {"entity_code": "UNODC", "snapshot_date": "2024-12-31", "population_code": "P-4"},
            {"hr_headcount_UNODC.csv"},
        ),
        (
            "mart_reporting_status",
            {"submission_kind": "hr_headcount", "reporter_code": "UNODC", "as_of_date": "2024-12-31"},
            {"hr_headcount_UNODC.csv"},
        ),
        (
            "mart_hiring_parity",
            {"entity_code": "UNOPS", "event_year": "2023", "event_type": "APPOINTMENT", "population_code": "ALL_STAFF"},
            {"hr_events_UNOPS_2023.csv"},
        ),
        (
            "mart_funding_by_donor",
            {"donor": "European Union", "transaction_type": "11"},
            {"joint_programmes_1_programme_register.csv", "joint_programmes_3_programme_funding.csv"},
        ),
        (
            "mart_beneficiary_reach",
            {"indicator_code": "GIRLS_BACK_IN_SCHOOL"},
            {"malawi_peacebuilding_UN-WOMEN.xml"},
        ),
        (
            "fct_workforce_headcount",
            {"entity_code": "WIPO", "snapshot_date": "2024-12-31", "grade_code": "P-4"},
            {"hr_headcount_WIPO_2024_revised.csv"},
        ),
    ],
)
def test_a_mart_row_traces_back_to_its_files(built_warehouse: str, mart: str, filters: dict, files: set) -> None:
    found = trail.figure_trail(built_warehouse, mart, filters)
    assert {s["file_name"] for s in found.submissions} == files
    assert {v["submission_id"] for v in found.validations} == {s["submission_id"] for s in found.submissions}
    assert all(v["success"] for v in found.validations)


def test_gwh_audit_prints_a_trail_and_refuses_what_is_not_there(built_warehouse: str) -> None:
    assert cli.main(["--database-url", built_warehouse, "audit", "1"]) == 0
    args = ["--database-url", built_warehouse, "audit", "--figure", "mart_parity_by_entity_level", "entity_code=IAEA"]
    assert cli.main(args) == 0
    assert cli.main(["--database-url", built_warehouse, "audit", "--figure", "no_such_mart", "a=b"]) == 1
    assert cli.main(["--database-url", built_warehouse, "audit", "999999"]) == 1


def test_gwh_status_due_prints_what_the_calendar_still_expects(
    built_warehouse: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The samples hold data as of 31 December 2017 to 2024, sent today: each of those is received late, and
    2025's (due 31 March 2026) is missing for every entity the calendar expects."""
    [(missing_2025,)] = query(
        built_warehouse,
        "select count(*) from marts.mart_reporting_status where reporting_status = 'missing'"
        " and as_of_date = '2025-12-31'",
    )
    assert missing_2025 > 0
    expected = query(
        built_warehouse, "select count(*) from marts.mart_reporting_status where reporting_status = 'missing'"
    )
    assert cli.main(["--database-url", built_warehouse, "status", "--due"]) == 0
    out = capsys.readouterr().out
    summary = out.splitlines()[0]
    assert f"{expected[0][0]} missing" in summary and "received late" in summary, summary
    assert "2025-12-31" in out and "2026-03-31" in out and "UNODC" in out


def test_the_ratings_marts_give_tunisias_priorities_and_trace_to_its_file(built_warehouse: str) -> None:
    """Tunisia's country team chose five priority indicators for 2024, each with lead entities, measured from
    its earlier rating; the performance mart's denominators leave not applicable out (UNFPA's PI3), and a ratings
    row traces to the file that sent it (gwh audit --figure)."""
    rows = query(
        built_warehouse,
        "select indicator_code, lead_entities, chosen_in_year, baseline_year < reporting_year"
        " from marts.mart_swap_priority_indicators where reporting_unit = 'TUN' and reporting_year = 2024"
        " order by indicator_code",
    )
    assert [r[0] for r in rows] == ["1.1", "2.3", "5.1", "5.2", "6.1"]
    assert all(r[1] and r[2] == 2024 and r[3] for r in rows)
    [(ratings, not_applicable, counted, meeting, share)] = query(
        built_warehouse,
        "select ratings, ratings_not_applicable, ratings_counted, ratings_meeting_or_exceeding,"
        " share_meeting_or_exceeding from marts.mart_swap_performance"
        " where framework = 'UN-SWAP' and reporting_year = 2024 and dimension_code = 'ALL'",
    )
    assert (ratings, not_applicable, counted) == (4 * 17, 1, 4 * 17 - 1)
    assert share == round(Decimal(meeting) / Decimal(counted), 4)
    traced = trail.figure_trail(
        built_warehouse,
        "mart_swap_ratings",
        {"reporting_unit": "TUN", "reporting_year": "2024", "indicator_code": "5.1"},
    )
    assert [s["file_name"] for s in traced.submissions] == ["swap_ratings_TUN.csv"]


def test_the_ingest_summary_names_what_became_overdue_since_the_previous_run(built_warehouse: str) -> None:
    """The reporting status is a view, read as it stands: what fell due since the previous run and is still owed
    is named in the coordination office's summary, each value escaped; what was overdue before is not repeated."""
    from gender_warehouse import notifications, reporting

    rows = reporting.status_rows(built_warehouse)
    assert rows is not None
    [(owed_2025,)] = query(
        built_warehouse,
        "select count(*) from marts.mart_reporting_status where due_date >= '2026-03-01' and days_overdue > 0"
        " and reporting_status in ('missing', 'rejected, not resubmitted', 'received, not yet loaded')",
    )
    assert owed_2025 > 0
    # 2025's data fell due on 31 March 2026: a previous run on 1 March 2026 had not seen it overdue.
    since_march = reporting.became_overdue(rows, dt.date(2026, 3, 1))
    assert len(since_march) == owed_2025
    assert {r["as_of_date"] for r in since_march} == {dt.date(2025, 12, 31)}
    assert reporting.became_overdue(rows, dt.date(2026, 4, 1)) == []  # told before: not again
    assert len(reporting.became_overdue(rows, None)) >= owed_2025  # no earlier run: all that is overdue
    hostile = [dict(since_march[0], reporter_name="<script>alert(1)</script>")]
    subject, body = notifications.run_message([], "scheduled__2026-04-01", overdue=hostile)
    assert "1 submission(s) became overdue" in subject
    assert f"{since_march[0]['submission_kind']} as of 2025-12-31" in body and "due 2026-03-31, missing" in body
    assert "<script>" not in body and "&lt;script&gt;" in body
    subject, body = notifications.run_message([], "run", overdue=since_march * 30)
    assert f"and {owed_2025 * 30 - notifications.SHOWN_OVERDUE} more" in body


def test_the_reporting_status_page_shows_who_owes_what(built_warehouse: str) -> None:
    """The reports site's "Reporting status" page: linked from the index, inert (its policy, no script), and in
    headless Chromium it shows the counts, the outstanding submissions and every expected one."""
    from tests.integration.test_pages_hostile import assert_page_is_inert, chromium_dom, visible_text

    index = site.publish_site(built_warehouse)
    assert 'href="reporting_status.html"' in index.read_text(encoding="utf-8")
    page = index.parent / "reporting_status.html"
    assert_page_is_inert(page)
    shown = visible_text(chromium_dom(page))
    [(missing,)] = query(
        built_warehouse, "select count(*) from marts.mart_reporting_status where reporting_status = 'missing'"
    )
    assert f"{missing} missing" in shown and "received late" in shown
    assert "Outstanding" in shown and "UNODC (United Nations Office on Drugs and Crime)" in shown
    assert "2025-12-31" in shown and "2026-03-31" in shown


def test_the_dashboard_pages_load_offline_with_every_chart_drawn(built_warehouse: str) -> None:
    """Each page in headless Chromium (Debian's package): no console message, every chart drawn. A screenshot
    of each page is kept under reports/screenshots/ of the checkout."""
    chromium = shutil.which("chromium")
    assert chromium, "the dashboard tests need Debian's chromium (make test installs it)"
    index = dashboard.publish_dashboard(built_warehouse)
    # The reports site leads to it.
    assert 'href="dashboard/index.html"' in site.publish_site(built_warehouse).read_text(encoding="utf-8")
    shots = ROOT / "reports" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for name in dashboard.PAGES:
        page = index.parent / name
        text = page.read_text(encoding="utf-8")
        assert "https://" not in text.replace("https://plotly.com", "")  # nothing fetched from a CDN
        charts = text.count('<section class="chart">')
        command = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
        command += ["--virtual-time-budget=15000", "--window-size=1400,2600"]
        done = subprocess.run(
            [*command, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True
        )
        console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
        assert not console, console
        assert done.stdout.count('class="main-svg"') >= charts > 0, name  # plotly drew every chart
        if name == "reporting.html":  # who owes what: the outstanding table and the grid of every reporter
            [(owed,)] = query(
                built_warehouse,
                "select count(*) from marts.mart_reporting_status where reporting_status in"
                " ('missing', 'rejected, not resubmitted', 'received, not yet loaded')",
            )
            assert f"Outstanding: {owed} of" in done.stdout and "UNODC" in done.stdout
        subprocess.run(
            [*command, f"--screenshot={shots / name.replace('.html', '.png')}", page.as_uri()],
            capture_output=True,
            timeout=120,
            check=True,
        )
        assert (shots / name.replace(".html", ".png")).stat().st_size > 10_000
