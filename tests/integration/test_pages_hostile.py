"""Every page is safe with any submitted text: names and values that carry markup run no script anywhere.

Files whose names, values and submitter carry event handlers (plain, entity-encoded, upper-cased), SVG onload,
javascript: URLs and a closed attribute followed by a <script> are ingested; then each kind of page (GX Data Docs,
the submission reports, the reports index, the dashboard) is checked twice: the written HTML holds no event
handler, no javascript: or data: URL, no script but those its Content-Security-Policy names by hash, and it
carries that policy; and headless Chromium opens it and no payload runs. A payload that ran would set
`data-xss="ran"` on the page (the attribute name is built at run time, so it is never in the payload's text), and
one blocked by the policy or broken by upper-casing still logs to the console: both are failures.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.client
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import lxml.html
import pytest

from gender_warehouse import dashboard, pipeline, settings, site, validation, warehouse
from gender_warehouse.contracts import PROGRAMME_BENEFICIARIES, PROGRAMME_FUNDING, PROGRAMME_REGISTER
from tests.helpers import headcount_rows, write_csv

pytestmark = pytest.mark.integration
TODAY = dt.date(2026, 11, 27)

MARK = "document.documentElement.setAttribute('data-x'+'ss','ran')"
RAN = 'data-xss="ran"'
# Values: any character may be in a cell.
PAYLOADS = [
    f'XM-<img src=x onerror="{MARK}">',
    f'&lt;img src=x onerror="{MARK}"&gt;',
    f'<IMG SRC=x ONERROR="{MARK}">',
    f'<svg/onload="{MARK}">',
    f'<a href="javascript:{MARK}">click</a>',
    f"javascript:{MARK}",
    f'"><script>{MARK}</script>',
]
# File names: no '/'.
NAME_PAYLOADS = [
    f'<img src=x onerror="{MARK}">',
    f'<IMG SRC=x ONERROR="{MARK}">',
    f"&lt;img src=x onerror={MARK}&gt;",
    f'"><svg onload="{MARK}">',
]
# The contracts' headers, in contract order (the rows below follow it).
REGISTER_HEADER = list(PROGRAMME_REGISTER.column_names)
BENEFICIARIES_HEADER = list(PROGRAMME_BENEFICIARIES.column_names)
FUNDING_HEADER = list(PROGRAMME_FUNDING.column_names)


def register_row(programme_id: str, title: str, org: str = "UNDP", role: str = "IMPLEMENTING") -> list[str]:
    row = [programme_id, title, "UNDP", org, "", role, "NPL", "2023-01-01", "2024-12-31", "2", "", "5.1;5.5"]
    return row + [""] * (len(REGISTER_HEADER) - len(row))  # the optional columns after them, empty


# --- what a written page may hold ------------------------------------------------------------------------------


def meta_policy(markup: str) -> str:
    doc = lxml.html.document_fromstring(markup)
    [meta] = doc.xpath("//head/meta[@http-equiv='Content-Security-Policy']")
    return meta.get("content")


def directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def sha256_source(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def assert_page_is_inert(page: Path, scripts: bool = False) -> str:
    """The written page: its policy (nothing from elsewhere, no inline script but by hash, no eval, no base, form
    or plugin), no element that runs or embeds, no event handler, no javascript:/data: URL, and no script but
    plotly.min.js and the inline scripts the policy names (`scripts`: the dashboard)."""
    markup = page.read_text(encoding="utf-8")
    policy = directives(meta_policy(markup))
    assert policy["default-src"] == ["'none'"], page
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"], page
    assert policy["object-src"] == ["'none'"], page
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"], page
    assert all(s in ("'self'", "'none'") or s.startswith("'sha256-") for s in policy["script-src"]), page
    assert policy["img-src"] == ["'self'", "data:"], page
    doc = lxml.html.document_fromstring(markup)
    offenders = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in {"svg", "math", "iframe", "frame", "object", "embed", "base", "form", "img"}:
            offenders.append(f"<{tag}>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                offenders.append(f"<{tag} {name}>")
            bare = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if bare.startswith(("javascript:", "data:", "vbscript:")):
                offenders.append(f"<{tag} {name}={value[:30]}>")
        if tag == "script":
            if not scripts:
                offenders.append("<script>")
            elif element.get("src") is not None:
                assert element.get("src") == "plotly.min.js" and "'self'" in policy["script-src"], page
            else:
                assert sha256_source(element.text or "") in policy["script-src"], page
    assert not offenders, (page, offenders)
    # The raw text too: no tag anywhere with an on...= attribute (an escaped payload is &lt;…, never <…).
    assert not re.search(r"<[a-zA-Z][^<>]*\s[oO][nN][a-zA-Z]+\s*=", markup), page
    return markup


def chromium_dom(page: Path, budget_ms: int = 3000) -> str:
    """The page's DOM after Chromium ran it (`budget_ms` of virtual time: the timers of a payload too); no console
    message allowed: a CSP violation or a script error means a payload was in the page."""
    chromium = shutil.which("chromium")
    assert chromium, "the reports tests need Debian's chromium (make test installs it)"
    command = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
    command += [f"--virtual-time-budget={budget_ms}", "--dump-dom", page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, (page, console)
    assert RAN not in done.stdout, page
    return done.stdout


def visible_text(dom: str) -> str:
    return lxml.html.document_fromstring(dom).text_content()


# --- Data Docs, submission reports, the index ------------------------------------------------------------------


def hostile_submissions(folder: Path, url: str) -> dict[str, list]:
    """Rejected files whose names, values and submitter carry the payloads, a validate-only run with a hostile name,
    and a submission that failed with a payload in its error."""
    results = []
    for n, name in enumerate(NAME_PAYLOADS):
        rows = headcount_rows(entity="IAEA", date=f"20{17 + n}-12-31")
        rows += [[r[0], PAYLOADS[(n + i) % len(PAYLOADS)], *r[2:]] for i, r in enumerate(headcount_rows())]
        path = write_csv(folder / f"n{n}" / f"{name}_hr_headcount.csv", rows)
        results.append(pipeline.ingest_file(path, url, today=TODAY, submitted_by=PAYLOADS[n]))
    register = write_csv(
        folder / "programme_register.csv",
        [register_row(p, title=p) for p in PAYLOADS],
        header=REGISTER_HEADER,
    )
    results.append(pipeline.ingest_file(register, url, today=TODAY, submitted_by=PAYLOADS[-1]))
    assert {r.status for r in results} == {"rejected"}
    dry_rows = [["2024-12-31", PAYLOADS[0], *headcount_rows()[0][2:]]]
    dry = write_csv(folder / "dry" / f"{NAME_PAYLOADS[0]}_hr_headcount.csv", dry_rows)
    checked = pipeline.validate_file(dry, url, today=TODAY)
    assert checked.status == "rejected" and checked.result_files
    broken = write_csv(folder / "broken" / "hr_headcount_broken.csv", headcount_rows())
    real_read = pipeline.read_submission

    def reader_with_a_bug(path: Path, kind: str | None = None):  # type: ignore[no-untyped-def]
        if "broken" in path.name:
            raise RuntimeError(f"boom {PAYLOADS[0]} {PAYLOADS[4]}")
        return real_read(path, kind)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "read_submission", reader_with_a_bug)
        failed = pipeline.ingest_file(broken, url, today=TODAY, submitted_by=PAYLOADS[2])
    assert failed.status == "failed"
    return {"ingested": results, "validated": [checked], "failed": [failed]}


@pytest.mark.slow
def test_hostile_names_and_values_run_no_script_in_data_docs_reports_or_index(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    found = hostile_submissions(tmp_path / "in", database_url)
    result_files = [f for r in found["ingested"] + found["validated"] for f in r.result_files]
    index = validation.build_data_docs(result_files)
    assert index is not None
    site_index = site.publish_site(database_url)
    docs = settings.reports_dir() / "data_docs"
    pages = [index, *sorted((docs / "expectations").glob("*.html")), *map(validation.data_docs_page, result_files)]
    pages += [site_index, *sorted((settings.reports_dir() / "submissions").glob("*.html"))]
    assert len(pages) == 1 + 2 + 6 + 1 + 6  # a validate-only run records no submission
    shown = {}
    for page in pages:
        assert_page_is_inert(page)
        shown[page] = visible_text(chromium_dom(page))
    # Escaped, not dropped: the reader sees what was submitted, as text.
    register_page = validation.data_docs_page(found["ingested"][-1].result_files[0])
    for payload in PAYLOADS:
        assert payload in shown[register_page], payload
    report = settings.reports_dir() / "submissions" / f"submission-{found['ingested'][0].submission_id}.html"
    assert NAME_PAYLOADS[0] in shown[report] and PAYLOADS[0] in shown[report]  # its name, submitter, values
    assert all(name in shown[site_index] for name in NAME_PAYLOADS)
    failed = settings.reports_dir() / "submissions" / f"submission-{found['failed'][0].submission_id}.html"
    assert f"boom {PAYLOADS[0]} {PAYLOADS[4]}" in shown[failed]


def test_the_sanitizer_keeps_gx_layout_and_drops_whatever_runs() -> None:
    """What GX would put in a page if a value reached it unescaped: everything that runs or loads goes, the layout
    and the words stay."""
    hostile = (
        "<div class='card' id='s1' onclick='x()'><table><tr><td style='color:red'>"
        "<a href='../index.html'>home</a><a href='https://greatexpectations.io'>gx</a>"
        "<a href=' jav&#x09;ascript:alert(1)'>j</a><a href='data:text/html,<script>alert(1)</script>'>d</a>"
        "<iframe src='x'></iframe><object data='x'></object><math><mi xlink:href='javascript:alert(1)'>m</mi></math>"
        "<form action='https://evil.example'><input name=q><button formaction='javascript:alert(1)'>b</button></form>"
        "<style>body{background:url(https://evil.example/t.png)}</style><base href='https://evil.example/'></td>"
        + "".join(f"<td>{p}</td>" for p in PAYLOADS)  # an unclosed <svg> takes what follows it: it comes last
        + "</tr></table></div>"
    )
    page = validation.safe_page(f"<html><head><title>t</title></head><body>{hostile}</body></html>".encode(), 2)
    doc = lxml.html.document_fromstring(page)
    [body] = doc.xpath("//body")
    names = {e.tag for e in body.iter() if isinstance(e.tag, str)}
    assert names <= validation.SAFE_TAGS | {"body"}, names
    attributes = {a for e in body.iter() if isinstance(e.tag, str) for a in e.attrib}
    assert attributes <= {"class", "id", "href", "rel"}, attributes
    assert [a.get("href") for a in body.iter("a") if a.get("href")] == ["../index.html", "https://greatexpectations.io"]
    assert "evil.example" not in page and "<script" not in page.split("</head>")[1]
    assert doc.xpath("//td")[0].text_content() == "homegxjd"  # the words stay (not those of <math> or a button)
    assert doc.xpath("//td")[1].text_content() == "XM-"
    assert '<link rel="stylesheet" href="../../static/offline.css">' in page
    assert directives(meta_policy(page))["script-src"] == ["'none'"]


# --- the dashboard -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_hostile_programme_titles_and_donors_run_no_script_on_the_dashboard(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    """Accepted text (titles, indicators, donors) reaches the marts and the charts: it shows as typed and runs
    nothing, and each page runs only plotly.min.js and its own chart scripts, named by hash."""
    folder = tmp_path / "in"
    hr = write_csv(folder / "hr_headcount_IAEA.csv", headcount_rows())
    title, indicator, donor = PAYLOADS[0], PAYLOADS[3], PAYLOADS[2]
    pid = "XM-DAC-41114-NPL-HOSTILE"
    register = write_csv(
        folder / "hostile_programme_register.csv",
        [register_row(pid, title), register_row(pid, title, org=donor, role="FUNDING")],
        header=REGISTER_HEADER,
    )
    beneficiaries = write_csv(
        folder / "hostile_programme_beneficiaries.csv",
        [[pid, "TRAINED", indicator, "ACTUAL", "2024-01-01", "2024-12-31", "NPL", "", "PERSON", sex, "ALL", n]
         for sex, n in (("F", "200"), ("M", "100"), ("TOTAL", "300"))],
        header=BENEFICIARIES_HEADER,
    )  # fmt: skip
    funding = write_csv(
        folder / "hostile_programme_funding.csv",
        [[pid, "TRANSACTION", code, "2024-03-01", "", "1000000", "USD", "2024-03-01", donor, "", "", "UNDP", "", "", ""]
         for code in ("11", "1")],
        header=FUNDING_HEADER,
    )  # fmt: skip
    for path in (hr, register, beneficiaries, funding):
        assert pipeline.ingest_file(path, database_url, today=TODAY).status == "accepted", path
    run = warehouse.build(database_url)
    assert run.success, run.failures
    index = dashboard.publish_dashboard(database_url)
    site.publish_site(database_url)
    seen = ""
    for name in dashboard.PAGES:
        page = index.parent / name
        markup = assert_page_is_inert(page, scripts=True)
        policy = directives(meta_policy(markup))
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]  # Plotly draws with style attributes
        charts = markup.count('<section class="chart">')
        assert len([s for s in policy["script-src"] if s.startswith("'sha256-")]) == charts
        dom = chromium_dom(page, budget_ms=15000)
        assert dom.count('class="main-svg"') >= charts > 0, name  # every chart drawn: its script was allowed
        seen += visible_text(dom)
    assert indicator[:40] in seen and donor in seen  # shown as typed, in the charts' own text


# --- gwh serve ------------------------------------------------------------------------------------------------


@contextmanager
def serving() -> Iterator[int]:
    with site.server(0) as running:
        thread = threading.Thread(target=running.serve_forever, daemon=True)
        thread.start()
        try:
            yield running.server_address[1]
        finally:
            running.shutdown()


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)  # sent as is: no client-side normalisation of '..'
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_gwh_serve_sends_the_policy_and_serves_no_listing_link_or_hidden_file(
    project: Path, database_url: str, tmp_path: Path
) -> None:
    import plotly.graph_objects as go

    site.publish_site(database_url)
    reports = settings.reports_dir()
    chart = dashboard.page("Parity now", [go.Figure(go.Bar(x=[1], y=[dashboard.label(PAYLOADS[0])]))])
    (reports / "dashboard").mkdir()
    (reports / "dashboard" / "index.html").write_text(chart, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.html").write_text("secret outside reports", encoding="utf-8")
    (reports / "linked.html").symlink_to(outside / "secret.html")
    (reports / "linked").symlink_to(outside)
    (reports / "submissions").mkdir(exist_ok=True)
    (reports / "submissions" / ".hidden.html").write_text("hidden", encoding="utf-8")
    (reports / "empty").mkdir()
    app = "<html><head><script>window.app = 1;</script></head><body></body></html>"
    (reports / "dbt_docs").mkdir()
    (reports / "dbt_docs" / "static_index.html").write_text(app, encoding="utf-8")
    (reports / "stray.html").write_text(app, encoding="utf-8")
    assert site.server(0).server_address[0] == "127.0.0.1"  # this machine only, unless told
    with serving() as port:
        for path in ("/", "/index.html"):
            status, headers, body = get(port, path)
            assert status == 200 and b"Gender Equality Warehouse: reports" in body
            assert headers["content-security-policy"] == meta_policy(body.decode()) + "; frame-ancestors 'none'"
            assert headers["x-content-type-options"] == "nosniff"
        status, headers, body = get(port, "/dashboard/index.html")
        policy = directives(headers["content-security-policy"])
        assert status == 200 and headers["content-security-policy"].startswith(meta_policy(body.decode()))
        assert "'self'" in policy["script-src"] and len(policy["script-src"]) == 2  # plotly.min.js and one chart
        assert "'unsafe-inline'" not in policy["script-src"]
        # dbt's documentation app runs its own inline scripts, by hash; a page elsewhere without a policy runs none.
        status, headers, _ = get(port, "/dbt_docs/static_index.html")
        policy = directives(headers["content-security-policy"])
        assert status == 200 and policy["script-src"] == [sha256_source("window.app = 1;")]
        status, headers, _ = get(port, "/stray.html")
        assert status == 200 and directives(headers["content-security-policy"])["script-src"] == ["'none'"]
        # No listing of a folder without an index page; no link, nothing outside, nothing hidden.
        for path in (
            "/submissions/",
            "/empty/",
            "/linked.html",
            "/linked/secret.html",
            "/submissions/.hidden.html",
            "/../outside/secret.html",
            "/%2e%2e/outside/secret.html",
            "/submissions/..%2f..%2foutside/secret.html",
            "/nothing.html",
        ):
            status, headers, body = get(port, path)
            assert status == 404, path
            assert b"secret" not in body and b"submission-" not in body and b"hidden" not in body, path
            assert headers["x-content-type-options"] == "nosniff", path
            assert "default-src 'none'" in headers["content-security-policy"], path
        status, headers, _ = get(port, "/submissions")
        assert status == 301 and headers["location"] == "/submissions/"
        status, headers, _ = get(port, "/dashboard")
        assert status == 301
        status, headers, body = get(port, "/dashboard/")
        assert status == 200 and b"Parity now" in body


# --- parallel runs ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_parallel_data_docs_builds_never_show_half_a_page(project: Path, database_url: str, tmp_path: Path) -> None:
    """Four processes render Data Docs for the same and different results at once while this one reads every page
    over and over: each read is a whole page, no process fails, and the index names every result at the end."""
    files = []
    for n in range(4):
        path = write_csv(tmp_path / f"f{n}" / "hr_headcount.csv", headcount_rows(entity="UNXYZ", women=40 + n))
        files.append(pipeline.ingest_file(path, database_url, today=TODAY))
    results = [f for r in files for f in r.result_files]
    pages = [validation.data_docs_page(r) for r in results]
    script = (
        "import sys\nfrom pathlib import Path\nfrom gender_warehouse import validation\n"
        "files = [Path(p) for p in sys.argv[1:]]\n"
        "for _ in range(3):\n    validation.build_data_docs(files)\n"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, *map(str, results[: n + 1] if n % 2 else results)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    reads = 0
    while any(w.poll() is None for w in workers):
        for page in [*pages, settings.reports_dir() / "data_docs" / "index.html"]:
            if page.exists():
                text = page.read_text(encoding="utf-8")
                assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>"), (page, len(text))
                reads += 1
    for w in workers:
        _, err = w.communicate()
        assert w.returncode == 0, err[-3000:]
    assert reads > 0
    listed = (settings.reports_dir() / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert all(r.stem in listed for r in results)
    assert not [p for p in (settings.reports_dir() / "data_docs").rglob(".*.tmp")]  # no temporary file left
