"""The reports site: `reports/index.html` and a readable report for every submission, from the audit schema.

Everything is static HTML with its styles in the page: it opens from disk or through `gwh serve`, offline. Each
submission's report says what was checked, what passed, what failed with the sample values the validation kept
(no more than the file shows), the warnings, for a rejected file what the submitter must fix, and for a failed one
the error that stopped it. It is read as the auditor role (`audit` and `marts` only).

Submitted text (file names, submitters, values, messages) is always escaped, every page carries a
Content-Security-Policy that runs no script, and each is written whole (a temporary file renamed into place).
`gwh serve` (ReportsHandler) serves only regular files inside reports/, never a listing, with the same policy
as a header.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import html
import http.server
import io
import os
import posixpath
import re
import stat
import urllib.parse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gender_warehouse import db, files, reporting, settings
from gender_warehouse.errors import SubmissionError, located
from gender_warehouse.roles import AUDITOR

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d2430;padding:0 1rem}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #dde2ea;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f5f8}.loaded,.pass{color:#17663a}.rejected,.fail,.failed{color:#a3231d}
.superseded,.warning,.received,.partially{color:#8a5a00}code{font-size:.9em}.fix li{margin:.3rem 0}.muted{color:#677285}
nav a{margin-right:1rem}pre.failure{white-space:pre-wrap;overflow-wrap:anywhere;background:#f8f0ef;padding:.5rem}
"""

# --- Content-Security-Policy: every page says what it may load and run ---------------------------------------
#
# Each page the project writes carries its policy in a <meta> tag, and `gwh serve` sends the same policy as a
# header. Nothing may be fetched from elsewhere, no form sent, no <base> or plugin used; a script runs only when
# it is a file beside the pages (plotly.min.js) or an inline script whose sha256 the policy names (the dashboard's
# charts, hashed when the page is written). Inline event handlers and javascript: URLs never run, whatever a page
# holds.


def source_hash(text: str) -> str:
    """The CSP hash source of an inline script or style block: the sha256 of its UTF-8 text, as browsers hash it."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode('ascii')}'"


def policy(
    *,
    scripts: Iterable[str] = (),
    script_files: bool = False,
    styles: Iterable[str] = (),
    style_attributes: bool = False,
) -> str:
    """A Content-Security-Policy: `scripts` are the inline scripts allowed (by hash), `script_files` allows script
    files beside the page; `styles` the inline <style> blocks allowed (by hash). `style_attributes` allows inline
    styles at large ('unsafe-inline' for styles only: Plotly sets style attributes as it draws). Never
    'unsafe-inline' or 'unsafe-eval' for scripts."""
    script_src = (["'self'"] if script_files else []) + sorted({source_hash(s) for s in scripts}) or ["'none'"]
    style_src = ["'self'"] + (["'unsafe-inline'"] if style_attributes else sorted({source_hash(s) for s in styles}))
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {' '.join(script_src)}",
            f"style-src {' '.join(style_src)}",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            "object-src 'none'",
        ]
    )


DEFAULT_POLICY = policy()  # no script at all, stylesheets beside the page only


def policy_meta(content: str) -> str:
    """The policy as a <meta> tag: first in <head>, so it covers everything after it."""
    escaped = html.escape(content, quote=False).replace('"', "&quot;")
    return f'<meta http-equiv="Content-Security-Policy" content="{escaped}">'


def head(title: str, content_policy: str, style: str = STYLE, extra: str = "") -> str:
    """The <head> of a page the project writes: charset and policy first, the title escaped, one style block."""
    return (
        f'<head><meta charset="utf-8">{policy_meta(content_policy)}<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title><style>{style}</style>{extra}</head>"
    )


def environment() -> Any:
    from jinja2 import DictLoader, Environment

    # Every value is escaped, whatever the template's name; only the page's own <head> is passed as markup.
    return Environment(loader=DictLoader(TEMPLATES), autoescape=True)


def when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def submission_rows(
    url: str, only: set[int] | None = None
) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]], dict[int, list]]:
    """Every submission (the index lists them all), with the issues and validation runs of those in `only`
    (all when None)."""
    from psycopg.rows import dict_row

    params = {"every": only is None, "only": sorted(only or ())}
    with db.connect(url, role=AUDITOR) as conn, conn.cursor(row_factory=dict_row) as cur:
        submissions = cur.execute("select * from audit.submissions order by submission_id").fetchall()
        issues: dict[int, list[dict[str, Any]]] = {}
        for i in cur.execute(
            "select * from audit.submission_issues where %(every)s or submission_id = any(%(only)s)"
            " order by submission_id, issue_no",
            params,
        ).fetchall():
            issues.setdefault(i["submission_id"], []).append(i)
        runs: dict[int, list[dict[str, Any]]] = {}
        for r in cur.execute(
            "select * from audit.validation_runs where %(every)s or submission_id = any(%(only)s)"
            " order by validation_run_id",
            params,
        ).fetchall():
            runs.setdefault(r["submission_id"], []).append(r)
    return submissions, issues, runs


def publish_reporting_status(url: str) -> Path | None:
    """reports/reporting_status.html: who owes what, from the reporting calendar; None before the first build."""
    rows = reporting.status_rows(url)
    if rows is None:
        return None
    page = settings.reports_dir() / "reporting_status.html"
    files.write_atomic(
        page,
        environment()
        .get_template("reporting_status.html")
        .render(
            head=head("Reporting status: who owes what", PAGE_POLICY),
            counts=reporting.status_counts(rows),
            outstanding=reporting.outstanding(rows),
            rows=rows,
            classes=reporting.STATUS_CLASSES,
            when=when,
            label=reporting.reporter_label,
            as_of=rows[0]["status_date"] if rows else None,
        ),
    )
    return page


def rule_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every rule of a stored GX result: the sentence, column, severity, outcome and the sample it kept."""
    out = []
    for r in result.get("results", []):
        config, found = r["expectation_config"], r.get("result", {})
        sample = found.get("partial_unexpected_list") or [
            ", ".join(f"{k}={v}" for k, v in row.items()) for row in found.get("details", {}).get("unexpected_rows", [])
        ]
        out.append(
            {
                "description": (config.get("meta") or {}).get("description") or config["type"],
                "column": config["kwargs"].get("column") or config["kwargs"].get("column_A") or "",
                "severity": "warning" if config.get("severity") == "warning" else "error",
                "success": r.get("success"),
                "unexpected": found.get("unexpected_count", found.get("observed_value"))
                if not r.get("success")
                else "",
                "sample": ", ".join(map(str, sample[:5])),
            }
        )
    return out


PAGE_POLICY = policy(styles=[STYLE])  # the site's pages: their one style block, no script


def publish_site(url: str, only: list[int | None] | None = None) -> Path:
    """Write reports/submissions/submission-<id>.html for every submission (or for those of `only`, the pages a
    run changed) and reports/index.html.

    Every value is escaped (Jinja's autoescape: file names, submitters, messages, sample values are text, never
    markup), every page carries its Content-Security-Policy, and each is written whole (temporary file, rename)."""
    from gender_warehouse.validation import data_docs_folder

    reports = settings.reports_dir()
    folder = reports / "submissions"
    env = environment()
    wanted = None if only is None else {sid for sid in only if sid is not None}
    submissions, issues, runs = submission_rows(url, wanted)
    for s in submissions:
        sid = s["submission_id"]
        if wanted is not None and sid not in wanted:
            continue
        own = issues.get(sid, [])
        page = env.get_template("submission.html").render(
            head=head(f"Submission {sid}: {s['file_name']}", PAGE_POLICY),
            s=s,
            when=when,
            errors=[dict(i, where=where(i)) for i in own if i["severity"] == "error"],
            warnings=[dict(i, where=where(i)) for i in own if i["severity"] == "warning"],
            refused=[dict(i, where=where(i)) for i in own if i["severity"] == "refused"],
            runs=[
                dict(
                    r,
                    rules=rule_rows(r["result"]),
                    docs=relative_docs(r["result_path"]),
                )
                for r in runs.get(sid, [])
            ],
        )
        files.write_atomic(folder / f"submission-{int(sid)}.html", page)
    links = {
        "reporting_status": publish_reporting_status(url) is not None,
        "dashboard": (reports / "dashboard" / "index.html").exists(),
        "data_docs": (data_docs_folder() / "index.html").exists(),
        "dbt_docs": (reports / "dbt_docs" / "static_index.html").exists(),
    }
    index = reports / "index.html"
    files.write_atomic(
        index,
        env.get_template("index.html").render(
            head=head("Gender Equality Warehouse: reports", PAGE_POLICY),
            submissions=list(reversed(submissions)),
            when=when,
            links=links,
            now=when(dt.datetime.now(dt.UTC)),
        ),
    )
    return index


def where(issue: dict[str, Any]) -> str:
    text = located(
        "", sheet=issue["sheet"], rows=issue["rows"], column=issue["column_name"], row_noun=issue["row_noun"]
    )
    return text.rstrip(": ")


def relative_docs(result_path: str | None) -> str | None:
    """The Data Docs page of a stored result, relative to reports/submissions/."""
    if not result_path:
        return None
    from gender_warehouse.validation import data_docs_page

    page = data_docs_page(settings.project_dir() / result_path)
    if not page.exists():
        return None
    return urllib.parse.quote(Path(os.path.relpath(page, settings.reports_dir() / "submissions")).as_posix())


# --- gwh serve ---------------------------------------------------------------------------------------------


DBT_DOCS = "dbt_docs"  # dbt's own documentation app, copied into reports/ by `gwh build`


def dbt_docs_policy(page: bytes) -> str:
    """The policy of a dbt docs page: dbt writes it from the project's models and the database catalog (no
    submitted value reaches it) as one inline application. Its inline scripts run by their hashes (never
    'unsafe-inline' or 'unsafe-eval'); it may read manifest.json and catalog.json beside it, style itself inline
    and use its embedded fonts."""
    scripts = re.findall(r"<script(?:\s[^>]*)?>(.*?)</script>", page.decode("utf-8", "replace"), re.S)
    return f"{policy(scripts=scripts, style_attributes=True)}; font-src 'self' data:; connect-src 'self'"


def header_policy(page: bytes, dbt_docs: bool = False) -> str:
    """The policy to send with an HTML page: its own (the <meta> in its <head>), that of dbt's documentation app
    for a page of dbt docs without one, else the strictest; framing is refused too (only a header can say so)."""
    head_part = page.split(b"</head>", 1)[0] if b"</head>" in page else b""
    found = re.search(rb'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', head_part)
    if found:
        own = html.unescape(found.group(1).decode("utf-8", "replace"))
    else:
        own = dbt_docs_policy(page) if dbt_docs else DEFAULT_POLICY
    return f"{own}; frame-ancestors 'none'"


class ReportsHandler(http.server.SimpleHTTPRequestHandler):
    """reports/ over HTTP, read-only: only regular files inside it (no symbolic link anywhere on the way, nothing
    hidden such as a temporary file being written), a folder only through its index.html (never a listing), and
    every response with its Content-Security-Policy and `X-Content-Type-Options: nosniff`."""

    server_version = "gwh-reports"
    sys_version = ""
    content_policy = f"{DEFAULT_POLICY}; frame-ancestors 'none'"

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.content_policy)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def target(self, url_path: str) -> Path | None:
        """The file or folder a URL path names under the root, or None: '..', hidden names and links refused."""
        root = Path(self.directory)
        path = root
        for part in urllib.parse.unquote(posixpath.normpath(url_path)).split("/"):
            if not part:
                continue
            if part.startswith(".") or "\\" in part or "\0" in part:
                return None
            path = path / part
            try:
                mode = os.lstat(path).st_mode
            except (OSError, ValueError):
                return None
            if stat.S_ISLNK(mode) or not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                return None
        real_root = os.path.realpath(root)
        if os.path.commonpath([real_root, os.path.realpath(path)]) != real_root:
            return None
        return path

    def send_head(self) -> Any:
        self.content_policy = f"{DEFAULT_POLICY}; frame-ancestors 'none'"
        url_path = urllib.parse.urlsplit(self.path).path
        path = self.target(url_path)
        if path is None:
            self.send_error(404, "Not found")
            return None
        if path.is_dir():
            if not url_path.endswith("/"):  # relative links in the folder's index.html need the slash
                self.send_response(301)
                self.send_header("Location", urllib.parse.quote(url_path + "/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            path = path / "index.html"
        try:
            opened = files.open_regular(path)
        except SubmissionError:  # missing, a link, a folder, a device: not served
            self.send_error(404, "Not found")
            return None
        with opened:
            body = opened.read()
            modified = os.fstat(opened.fileno()).st_mtime
        content_type = self.guess_type(str(path))
        if content_type == "text/html":
            content_type = "text/html; charset=utf-8"
            within = path.relative_to(self.directory).parts
            self.content_policy = header_policy(body, dbt_docs=len(within) == 2 and within[0] == DBT_DOCS)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", email.utils.formatdate(modified, usegmt=True))
        self.end_headers()
        return io.BytesIO(body)

    def list_directory(self, path: Any) -> None:  # never a listing
        self.send_error(404, "Not found")
        return None


def server(port: int, bind: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """An HTTP server of reports/ (port 0: any free port), on this machine only unless told otherwise."""
    root = str(settings.reports_dir())

    def handler(*args: Any, **kwargs: Any) -> ReportsHandler:
        return ReportsHandler(*args, directory=root, **kwargs)

    return http.server.ThreadingHTTPServer((bind, port), handler)


def serve(port: int, bind: str = "127.0.0.1") -> None:
    """Serve reports/ on http://bind:port until interrupted."""
    with server(port, bind) as running:
        running.serve_forever()


TEMPLATES = {
    "index.html": """<!doctype html><html lang="en">{{ head | safe }}<body>
<h1>Gender Equality Warehouse: reports</h1>
<p class="muted">Written {{ now }} from the audit trail.</p>
<nav>
{% if links.reporting_status %}<a href="reporting_status.html">Reporting status</a>{% endif %}
{% if links.dashboard %}<a href="dashboard/index.html">Parity dashboard</a>{% endif %}
{% if links.data_docs %}<a href="data_docs/index.html">Great Expectations Data Docs</a>{% endif %}
{% if links.dbt_docs %}<a href="dbt_docs/static_index.html">dbt docs (models, columns, lineage)</a>{% endif %}
</nav>
<h2>Submissions</h2>
<table><tr><th>id</th><th>file</th><th>tables</th><th>status</th><th>rows</th><th>errors</th><th>warnings</th>
<th>received</th></tr>
{% for s in submissions %}<tr><td>{{ s.submission_id }}</td>
<td><a href="submissions/submission-{{ s.submission_id }}.html">{{ s.file_name }}</a></td>
<td>{{ (s.tables or []) | join(", ") }}</td><td class="{{ s.status }}">{{ s.status }}</td>
<td>{{ "{:,}".format(s.row_count) if s.row_count is not none else "" }}</td><td>{{ s.error_count or 0 }}</td>
<td>{{ s.warning_count or 0 }}</td><td>{{ when(s.received_at) }}</td></tr>
{% else %}<tr><td colspan="8">No submissions yet.</td></tr>{% endfor %}
</table></body></html>
""",
    "reporting_status.html": """<!doctype html><html lang="en">{{ head | safe }}<body>
<p><a href="index.html">All reports</a></p>
<h1>Reporting status: who owes what</h1>
<p class="muted">Each submission the reporting calendar expects (dbt_project/seeds/ref_reporting_calendar.csv),
as of {{ as_of or "today" }}. A file counts for what its rows name, rejected files included.</p>
<p>{% for status, n in counts %}<span class="{{ classes.get(status, '') }}">{{ n }} {{ status }}</span>{{ ", " if not loop.last }}
{% else %}The calendar expects nothing.{% endfor %}</p>
<h2>Outstanding</h2>
<table><tr><th>kind</th><th>data as of</th><th>due</th><th>reporter</th><th>status</th><th>days overdue</th>
<th>last file sent</th></tr>
{% for r in outstanding %}<tr><td>{{ r.submission_kind }}</td><td>{{ r.as_of_date }}</td><td>{{ r.due_date }}</td>
<td>{{ label(r) }}</td>
<td class="{{ classes.get(r.reporting_status, '') }}">{{ r.reporting_status }}</td><td>{{ r.days_overdue or "" }}</td>
<td>{{ r.latest_file_name or "" }}</td></tr>
{% else %}<tr><td colspan="7">Nothing outstanding.</td></tr>{% endfor %}
</table>
<h2>Every expected submission</h2>
<table><tr><th>kind</th><th>data as of</th><th>due</th><th>reporter</th><th>status</th><th>days late</th>
<th>first loaded</th><th>rejected files</th></tr>
{% for r in rows %}<tr><td>{{ r.submission_kind }}</td><td>{{ r.as_of_date }}</td><td>{{ r.due_date }}</td>
<td>{{ r.reporter_code }}</td><td class="{{ classes.get(r.reporting_status, '') }}">{{ r.reporting_status }}</td>
<td>{{ r.days_late or "" }}</td><td>{{ when(r.first_loaded_at) if r.first_loaded_at else "" }}</td>
<td>{{ r.rejected_files or "" }}</td></tr>
{% endfor %}</table></body></html>
""",
    "submission.html": """<!doctype html><html lang="en">{{ head | safe }}<body>
<p><a href="../index.html">All reports</a></p>
<h1>{{ s.file_name }} <span class="{{ s.status }}">{{ s.status }}</span></h1>
<table>
<tr><th>submission</th><td>{{ s.submission_id }}</td></tr>
<tr><th>sha256</th><td><code>{{ s.sha256 }}</code> (the archived original is named by it)</td></tr>
<tr><th>size, format</th><td>{{ "{:,}".format(s.file_size) }} bytes, {{ s.file_format }}</td></tr>
{% if s.submitted_by %}<tr><th>submitted by</th><td>{{ s.submitted_by }}</td></tr>{% endif %}
<tr><th>tables</th><td>{{ (s.tables or []) | join(", ") }}</td></tr>
<tr><th>received</th><td>{{ when(s.received_at) }}</td></tr>
{% if s.loaded_at %}<tr><th>loaded</th><td>{{ when(s.loaded_at) }}, {{ "{:,}".format(s.row_count or 0) }} rows</td></tr>{% endif %}
{% if s.rejected_at %}<tr><th>rejected</th><td>{{ when(s.rejected_at) }}</td></tr>{% endif %}
{% if s.superseded_at %}<tr><th>superseded</th><td>{{ when(s.superseded_at) }} by a later submission</td></tr>{% endif %}
{% if s.failed_at %}<tr><th>failed</th><td>{{ when(s.failed_at) }}</td></tr>{% endif %}
</table>
{% if s.status == "failed" %}
<h2 class="failed">Not checked to the end: an error that is not the file's fault stopped it</h2>
<p>Nothing of it is loaded. Ingesting the same file again takes it again once the cause is fixed.</p>
<pre class="failure">{{ s.failure or "no error was recorded" }}</pre>
{% endif %}
{% if errors %}
<h2 class="rejected">What to fix before sending the file again</h2>
<ol class="fix">{% for i in errors %}<li>{% if i.where %}<b>{{ i.where }}</b>: {% endif %}{{ i.message }}</li>{% endfor %}</ol>
{% endif %}
{% if refused %}
<h2 class="warning">Refused while the rest loaded: correct these and send the file again</h2>
<ol class="fix">{% for i in refused %}<li>{% if i.where %}<b>{{ i.where }}</b>: {% endif %}{{ i.message }}</li>{% endfor %}</ol>
{% endif %}
{% if warnings %}
<h2 class="warning">Warnings (the file was not refused for these; check them)</h2>
<ul>{% for i in warnings %}<li>{% if i.where %}<b>{{ i.where }}</b>: {% endif %}{{ i.message }}</li>{% endfor %}</ul>
{% endif %}
{% for r in runs %}
<h2>{{ r.table_name }}: checked against {{ r.suite_name }}</h2>
<p>{{ r.evaluated }} rules on {{ "{:,}".format(r.row_count) }} rows: <span class="{{ 'pass' if r.success else 'fail' }}">
{{ "passed" if r.success else "failed" }}</span> ({{ r.failed_errors }} errors, {{ r.failed_warnings }} warnings).
Suite file sha256 <code>{{ r.suite_sha256[:16] }}</code>.
{% if r.docs %}<a href="{{ r.docs }}">Great Expectations Data Docs page</a>.{% endif %}</p>
<table><tr><th>rule</th><th>column</th><th>kind</th><th>result</th><th>rows found</th><th>values found (sample)</th></tr>
{% for rule in r.rules %}<tr><td>{{ rule.description }}</td><td>{{ rule.column }}</td><td>{{ rule.severity }}</td>
<td class="{{ 'pass' if rule.success else ('warning' if rule.severity == 'warning' else 'fail') }}">
{{ "passed" if rule.success else "failed" }}</td><td>{{ rule.unexpected }}</td><td>{{ rule.sample }}</td></tr>
{% endfor %}</table>
{% else %}
{% if s.status == "rejected" %}<p>The file could not be read, so no rule was run: see above.</p>{% endif %}
{% endfor %}
</body></html>
""",
}
