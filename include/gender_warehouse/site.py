"""The reports site: `reports/index.html` and a readable report for every submission, from the audit schema.

Everything is static HTML with its styles in the page: it opens from disk or through `gwh serve`, offline. Each
submission's report says what was checked, what passed, what failed with the sample values the validation kept
(no more than the file shows), the warnings, and for a rejected file what the submitter must fix. It is read as
the auditor role (`audit` and `marts` only).
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
from pathlib import Path
from typing import Any

from gender_warehouse import db, settings
from gender_warehouse.errors import located
from gender_warehouse.roles import AUDITOR

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d2430;padding:0 1rem}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #dde2ea;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f5f8}.loaded,.pass{color:#17663a}.rejected,.fail{color:#a3231d}
.superseded,.warning{color:#8a5a00}code{font-size:.9em}.fix li{margin:.3rem 0}.muted{color:#677285}
nav a{margin-right:1rem}
"""


def environment() -> Any:
    from jinja2 import DictLoader, Environment, select_autoescape

    return Environment(loader=DictLoader(TEMPLATES), autoescape=select_autoescape(default=True))


def when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def submission_rows(url: str) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]], dict[int, list]]:
    from psycopg.rows import dict_row

    with db.connect(url, role=AUDITOR) as conn, conn.cursor(row_factory=dict_row) as cur:
        submissions = cur.execute("select * from audit.submissions order by submission_id").fetchall()
        issues: dict[int, list[dict[str, Any]]] = {}
        for i in cur.execute("select * from audit.submission_issues order by submission_id, issue_no").fetchall():
            issues.setdefault(i["submission_id"], []).append(i)
        runs: dict[int, list[dict[str, Any]]] = {}
        for r in cur.execute("select * from audit.validation_runs order by validation_run_id").fetchall():
            runs.setdefault(r["submission_id"], []).append(r)
    return submissions, issues, runs


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


def publish_site(url: str) -> Path:
    """Write reports/submissions/submission-<id>.html for every submission and reports/index.html."""
    reports = settings.reports_dir()
    folder = reports / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    env = environment()
    submissions, issues, runs = submission_rows(url)
    for s in submissions:
        sid = s["submission_id"]
        own = issues.get(sid, [])
        page = env.get_template("submission.html").render(
            style=STYLE,
            s=s,
            when=when,
            errors=[dict(i, where=where(i)) for i in own if i["severity"] == "error"],
            warnings=[dict(i, where=where(i)) for i in own if i["severity"] == "warning"],
            runs=[
                dict(
                    r,
                    rules=rule_rows(r["result"]),
                    docs=relative_docs(r["result_path"]),
                )
                for r in runs.get(sid, [])
            ],
        )
        (folder / f"submission-{sid}.html").write_text(page, encoding="utf-8")
    links = {
        "dashboard": (reports / "dashboard" / "index.html").exists(),
        "data_docs": (reports / "data_docs" / "index.html").exists(),
        "dbt_docs": (reports / "dbt_docs" / "static_index.html").exists(),
    }
    index = reports / "index.html"
    index.write_text(
        env.get_template("index.html").render(
            style=STYLE,
            submissions=list(reversed(submissions)),
            when=when,
            links=links,
            now=when(dt.datetime.now(dt.UTC)),
        ),
        encoding="utf-8",
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
    return os.path.relpath(page, settings.reports_dir() / "submissions") if page.exists() else None


def server(port: int, bind: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """An HTTP server of reports/ (port 0: any free port)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(settings.reports_dir()))
    return http.server.ThreadingHTTPServer((bind, port), handler)


def serve(port: int, bind: str = "127.0.0.1") -> None:
    """Serve reports/ on http://bind:port until interrupted."""
    with server(port, bind) as running:
        running.serve_forever()


TEMPLATES = {
    "index.html": """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Gender Equality Warehouse: reports</title><style>{{ style }}</style></head><body>
<h1>Gender Equality Warehouse: reports</h1>
<p class="muted">Written {{ now }} from the audit trail.</p>
<nav>
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
    "submission.html": """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Submission {{ s.submission_id }}: {{ s.file_name }}</title><style>{{ style }}</style></head><body>
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
</table>
{% if errors %}
<h2 class="rejected">What to fix before sending the file again</h2>
<ol class="fix">{% for i in errors %}<li>{% if i.where %}<b>{{ i.where }}</b>: {% endif %}{{ i.message }}</li>{% endfor %}</ol>
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
