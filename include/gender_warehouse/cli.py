"""gwh — the command line of the Gender Equality Warehouse.

Exit status: 0 when everything asked for succeeded, 1 when a file was rejected, 2 on a usage or setup error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import shlex
import stat
import sys
import traceback
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape as escape_markup
from rich.table import Column
from rich.table import Table as RichTable
from rich.text import Text

from gender_warehouse import db, files, settings
from gender_warehouse.contracts import TABLES
from gender_warehouse.errors import SubmissionError, located, visible
from gender_warehouse.warehouse import BuildError

# Wide when piped (logs, CI), so a table or message is never cut to 80 columns.
# No emoji codes: a value such as ':x:' from a file is printed as written (markup is escaped where data goes).
console = Console(highlight=False, soft_wrap=True, emoji=False, width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
SHOWN_ISSUES = 5


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gwh", description="Gender Equality Warehouse: ingest, validate and audit submissions."
    )
    p.add_argument("--database-url", help="PostgreSQL URL (default: $GWH_DATABASE_URL, else the embedded server)")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = p.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="register, archive, validate and load submission files")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files, or folders to take every file from")
    ingest.add_argument(
        "--kind",
        help="the table a CSV file holds, when its name does not say: " + ", ".join(TABLES),
    )
    ingest.add_argument("--submitted-by", help="who sent the files (an entity code or a person)")
    ingest.add_argument(
        "--no-docs", action="store_true", help="skip the reports and Data Docs pages (`gwh docs` builds them later)"
    )
    ingest.add_argument(
        "--wait-for-docs",
        action="store_true",
        help="build the Data Docs pages before returning (by default a background `gwh docs` writes them)",
    )

    validate = sub.add_parser("validate", help="validate files without loading or recording anything")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    validate.add_argument("--kind", help="the table a CSV file holds, when its name does not say")
    validate.add_argument("--no-docs", action="store_true", help="skip building Data Docs pages")

    status = sub.add_parser("status", help="what was submitted, when, and its status")
    status.add_argument("--limit", type=int, default=50)
    status.add_argument(
        "--due",
        action="store_true",
        help="what the reporting calendar still expects: missing, rejected and not resubmitted, not yet loaded "
        "(marts.mart_reporting_status, as of today)",
    )

    audit_cmd = sub.add_parser(
        "audit",
        help="the whole trail of one submission, or the submissions and validation runs behind one mart row",
    )
    audit_cmd.add_argument("target", nargs="?", help="a submission id, a sha256 (8+ characters) or a file")
    audit_cmd.add_argument(
        "--figure",
        nargs="+",
        metavar=("MART", "COLUMN=VALUE"),
        help="a mart and the columns naming its row: --figure mart_parity_by_entity_level entity_code=UNODC "
        "snapshot_date=2024-12-31 population_code=P-4",
    )

    sub.add_parser("reports", help="write reports/index.html and a report for every submission")
    serve = sub.add_parser("serve", help="serve reports/ on http://127.0.0.1:PORT (offline; Ctrl-C stops it)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: this machine only)")

    template = sub.add_parser("template", help="write an XLSX submission template generated from the contracts")
    template.add_argument("kind", help="hr, programme, or one table: " + ", ".join(TABLES))
    template.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")

    dbcmd = sub.add_parser("db", help="the warehouse database")
    dbsub = dbcmd.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("init", help="create the schemas and tables (every command also does this on first use)")
    url_cmd = dbsub.add_parser("url", help="print the database in use (password hidden)")
    url_cmd.add_argument("--uri", action="store_true", help="as a postgresql:// URI (for AIRFLOW_CONN_*)")
    dbsub.add_parser("stop", help="stop the embedded PostgreSQL server")
    dbsub.add_parser(
        "roles",
        help="create the roles loader, transformer, bi_reader and auditor and their grants (idempotent; needs a "
        "superuser or the database owner; GWH_PASSWORD_<ROLE> gives a role a login)",
    )

    stack_cmd = sub.add_parser(
        "stack", help="the Airflow services on this machine for a team (api-server, scheduler, dag-processor, ...)"
    )
    stack_sub = stack_cmd.add_subparsers(dest="stack_command", required=True)
    stack_sub.add_parser("start", help="start what is not running and wait until the UI answers (`make stack`)")
    stack_sub.add_parser("stop", help="stop every service the stack started, children included (`make stack-stop`)")
    stack_sub.add_parser("status", help="each service's process, and whether the UI answers (`make stack-status`)")
    stack_sub.add_parser(
        "env", help="the settings a Celery worker on another machine needs to join (secrets included: keep private)"
    )

    suites_cmd = sub.add_parser("suites", help="the Great Expectations suites (the submission contracts)")
    suites_sub = suites_cmd.add_subparsers(dest="suites_command", required=True)
    suites_sub.add_parser("write", help="write the suites from the contracts and reference seeds")
    suites_sub.add_parser("check", help="fail if the committed suites differ from what `write` would write")

    build = sub.add_parser("build", help="build the warehouse with dbt: seeds, models, tests and unit tests")
    build.add_argument("--select", nargs="+", help="dbt node selection (default: everything)")
    build.add_argument("--parse-only", action="store_true", help="only write dbt_project/target/manifest.json")
    build.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental models from scratch (by default they rebuild only the slices loaded since "
        "their last build, and everything when their SQL or a seed they read changed)",
    )
    build.add_argument("--no-reports", action="store_true", help="skip publishing dbt docs and Data Docs to reports/")

    run = sub.add_parser("run", help="ingest the landing folder, then build the warehouse (what the DAGs do)")
    run.add_argument("--landing", type=Path, help="the landing folder (default: $GWH_LANDING_DIR or landing/)")
    run.add_argument("--no-reports", action="store_true", help="skip publishing dbt docs and Data Docs to reports/")

    sub.add_parser("figures", help="the published statements beside the figures the marts computed (sample data)")

    docs = sub.add_parser(
        "docs",
        help="build Data Docs pages for stored validation results; write the result files the audit trail names "
        "that are missing (a run stopped after its commit); list result files no run recorded",
    )
    docs.add_argument("--all", action="store_true", help="every stored result, not only those without a page")
    docs.add_argument(
        "--clean", action="store_true", help="also delete result files (and their pages) that no recorded run names"
    )
    return p


def cmd_stack(args: argparse.Namespace) -> int:
    from gender_warehouse import stack as services
    from gender_warehouse.landing import landing_dir

    stack = services.Stack.from_environment(args.database_url)
    try:
        if args.stack_command == "start":
            console.print(f"starting the Airflow services (logs: {escape(str(stack.logs))}/) ...")
            started = services.start(stack)
            console.print(
                f"Airflow UI: {stack.url}  (user {services.ADMIN}; password in {escape(str(stack.passwords_file))})"
            )
            console.print(
                f"Landing folder: {escape(str(landing_dir()))}  (files dropped there are ingested on schedule)"
            )
            console.print(f"Warehouse: {escape(db.redact(stack.warehouse_url))}")
            console.print(f"Services: {', '.join(f'{name} (pid {pid})' for name, pid in started.items())}")
            console.print("Stop them with `make stack-stop` (gwh stack stop).")
        elif args.stack_command == "stop":
            stopped = services.stop(stack)
            console.print(f"stopped: {', '.join(stopped)}" if stopped else "no service of the stack was running")
        elif args.stack_command == "env":
            # Plain lines for a shell to source: no console wrapping or styling, whatever their length.
            sys.stdout.write(
                "".join(f"export {k}={shlex.quote(v)}\n" for k, v in services.shared_environment(stack).items())
            )
        else:
            found = services.status(stack)
            for name, pid in found.items():
                console.print(f"{name:<14} {'running (pid ' + str(pid) + ')' if pid else 'not running'}")
            answering = services.answers(stack.url)
            console.print(f"{'UI':<14} {stack.url} {'answers' if answering else 'does not answer'}")
            return 0 if all(found.values()) and answering else 1
    except services.StackError as exc:
        err_console.print(f"gwh: {escape(str(exc))}")
        return 1
    return 0


def files_in(paths: list[Path]) -> list[Path | Refused]:
    """The files to take, in order; what is not a regular file (a link, device, pipe) is named, to be refused.
    Folders are walked without following links."""
    found: list[Path | Refused] = []
    for path in paths:
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            raise UsageError(f"no such file or folder: {path}") from None
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from None
        if stat.S_ISDIR(mode):
            for folder, dirs, names in os.walk(path):  # links to folders are not followed
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(n for n in names if not n.startswith(".")):
                    entry = Path(folder) / name
                    found.append(entry if files.is_regular(entry) else Refused(entry))
        else:
            found.append(path if stat.S_ISREG(mode) else Refused(path))
    if not found:
        raise UsageError("no files to take: " + ", ".join(map(str, paths)))
    return found


class Refused:
    """A path that is not a regular file: it is named and passed over, never opened."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def message(self) -> str:
        try:
            kind = files.kind_of(os.lstat(self.path).st_mode)
        except OSError as exc:
            return f"cannot read it: {exc.strerror}"
        return f"it is {kind}, not a regular file; only files themselves are taken (copy it here, do not link it)"


class UsageError(Exception):
    pass


def escape(text: str) -> str:
    """Text from a file or a user for a message: its markup and control characters shown, never obeyed."""
    return escape_markup(visible(text))


def plain(value: Any) -> Text:
    """A table cell printed exactly as the value reads: no markup, no emoji, no terminal control, whatever a file
    put in it."""
    return Text("" if value is None else visible(str(value)))


def print_result(result, verb: str = "ingest") -> None:  # type: ignore[no-untyped-def]
    name = escape(str(result.path))
    if result.status == "failed":
        sid = f" submission {result.submission_id}" if result.submission_id else ""
        err_console.print(
            f"[red]failed[/] {name}{sid}: {escape(result.failure or '')}. Nothing of it was loaded; this is not "
            "the file's fault: run `gwh ingest` on it again, with -v for details, and report it if it fails again"
        )
        return
    if result.status == "superseded":
        rows = ", ".join(f"{t} {n:,} rows" for t, n in result.rows.items())
        newer = ", ".join(str(n) for n in result.superseded_by)
        console.print(
            f"[yellow]superseded[/] {name}: submission {result.submission_id}: {rows} loaded, but a newer version "
            f"of every slice it holds was loaded before it (submission {newer}): none of its rows is current"
        )
        return
    if result.status == "unchanged":
        console.print(
            f"[yellow]unchanged[/] {name}: the same bytes came before as submission {result.submission_id} "
            f"({result.previous_status}); nothing changed"
        )
        return
    if result.status == "accepted":
        rows = ", ".join(f"{t} {n:,} rows" for t, n in result.rows.items())
        warn = f", {len(result.warnings)} warning(s)" if result.warnings else ""
        label = "valid" if verb == "validate" else "accepted"
        sid = f" submission {result.submission_id}:" if verb == "ingest" else ""
        console.print(f"[green]{label}[/] {name}:{sid} {rows}{warn}")
        for issue in result.warnings[:SHOWN_ISSUES]:
            console.print(f"    warning: {escape(str(issue))}")
        return
    if result.status == "partially accepted":
        rows = ", ".join(f"{t} {n:,} rows" for t, n in result.rows.items())
        sid = f" submission {result.submission_id}:" if verb == "ingest" else ""
        console.print(
            f"[yellow]partially accepted[/] {name}:{sid} {rows} {'would load' if verb == 'validate' else 'loaded'}; "
            f"{len(result.refused)} part(s) refused, loading nothing: correct them and send the file again"
        )
        for issue in result.refused[:SHOWN_ISSUES]:
            console.print(f"    - {escape(str(issue))}")
        for issue in result.warnings[:SHOWN_ISSUES]:
            console.print(f"    warning: {escape(str(issue))}")
        return
    sid = f" submission {result.submission_id}" if result.submission_id and verb == "ingest" else ""
    console.print(f"[red]rejected[/] {name}{sid}: {len(result.errors)} error(s), nothing loaded")
    for issue in result.errors[:SHOWN_ISSUES]:
        console.print(f"    - {escape(str(issue))}")
    if len(result.errors) > SHOWN_ISSUES:
        console.print(f"    ... and {len(result.errors) - SHOWN_ISSUES} more")
    if result.result_files:
        from gender_warehouse.validation import data_docs_page

        console.print(f"    full report: {escape(str(data_docs_page(result.result_files[0])))}")


def cmd_ingest(args: argparse.Namespace, url: str) -> int:
    from gender_warehouse.pipeline import ingest_file

    results = []
    failed = False
    for path in files_in(args.paths):
        if isinstance(path, Refused):
            err_console.print(f"[red]refused[/] {escape(str(path.path))}: {escape(path.message())}")
            failed = True
            continue
        try:
            result = ingest_file(path, url, kind=args.kind, submitted_by=args.submitted_by)
        except SubmissionError as exc:  # the file could not even be opened; the others still go
            err_console.print(f"[red]rejected[/] {escape(str(path))}: {escape(str(exc))}")
            failed = True
            continue
        print_result(result)
        results.append(result)
        failed |= result.status == "failed"
    if not args.no_docs:
        from gender_warehouse import site

        # The readable report of each file at once; the Data Docs pages (5-10 s, most of it importing Great
        # Expectations) by a background `gwh docs` unless asked to wait, which then links them from the report.
        ingested = [r.submission_id for r in results]
        console.print(f"Reports: {escape(str(site.publish_site(url, only=ingested)))}")
        pages = [f for r in results for f in r.result_files]
        if args.wait_for_docs:
            build_docs(pages)
            site.publish_site(url, only=ingested)
        elif pages:
            docs_in_background(url)
    return 1 if failed or any(r.status in ("rejected", "partially accepted") for r in results) else 0


def docs_in_background(url: str) -> None:
    """Start `gwh docs` in its own session, logging to a file, and say where its pages will be."""
    import subprocess

    from gender_warehouse.validation import data_docs_folder

    log = settings.data_dir() / "logs" / f"docs-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        subprocess.Popen(  # the URL goes by the environment, never on a command line others can read
            [sys.executable, "-m", "gender_warehouse.cli", "docs"],
            env={**os.environ, "GWH_DATABASE_URL": url},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    console.print(
        f"Data Docs: {escape(str(data_docs_folder() / 'index.html'))} (being written in the background, in about 10 s; "
        f"log: {escape(str(log))}; `gwh docs` writes them now)"
    )


def build_docs(files: list[Path]) -> None:
    if not files:
        return
    from gender_warehouse.validation import build_data_docs

    index = build_data_docs(files)
    console.print(f"Data Docs: {escape(str(index))}")


def cmd_validate(args: argparse.Namespace, url: str) -> int:
    from gender_warehouse.pipeline import validate_file

    results = []
    failed = False
    for path in files_in(args.paths):
        if isinstance(path, Refused):
            err_console.print(f"[red]refused[/] {escape(str(path.path))}: {escape(path.message())}")
            failed = True
            continue
        try:
            result = validate_file(path, url, kind=args.kind)
        except SubmissionError as exc:
            err_console.print(f"[red]rejected[/] {escape(str(path))}: {escape(str(exc))}")
            failed = True
            continue
        print_result(result, verb="validate")
        results.append(result)
    if not args.no_docs:
        build_docs([f for r in results for f in r.result_files])
    return 1 if failed or any(r.status in ("rejected", "failed", "partially accepted") for r in results) else 0


def cmd_status_due(url: str, limit: int) -> int:
    """What the reporting calendar still expects and has not got, most overdue first (the first `limit`), and every
    status counted: the rows the reports site's Reporting status page shows."""
    from gender_warehouse import reporting

    rows = reporting.status_rows(url)
    if rows is None:
        err_console.print("no reporting status yet: build the warehouse first (`gwh build`)")
        return 2
    if not rows:
        console.print("the reporting calendar (ref_reporting_calendar) expects nothing")
        return 0
    counts = ", ".join(f"{n} {escape(status)}" for status, n in reporting.status_counts(rows))
    console.print(f"{counts} (as of {rows[0]['status_date']})")
    outstanding = reporting.outstanding(rows)
    if not outstanding:
        console.print("[green]nothing outstanding[/]")
        return 0
    table = RichTable("kind", "data as of", "due", "reporter", "status", "days overdue", "last file sent")
    colours = {"fail": "red", "received": "cyan"}  # by the page's class of each outstanding status
    for r in outstanding[:limit]:
        table.add_row(
            plain(r["submission_kind"]),
            str(r["as_of_date"]),
            str(r["due_date"]),
            plain(reporting.reporter_label(r)),
            f"[{colours[reporting.OUTSTANDING[r['reporting_status']]]}]{escape(r['reporting_status'])}[/]",
            str(r["days_overdue"] or ""),
            plain(r["latest_file_name"] or ""),
        )
    console.print(table)
    if len(outstanding) > limit:
        console.print(f"... and {len(outstanding) - limit} more (--limit)")
    return 0


def cmd_status(args: argparse.Namespace, url: str) -> int:
    from gender_warehouse import audit

    if args.due:
        return cmd_status_due(url, args.limit)
    with db.connect(url, role="auditor") as conn:
        rows = audit.submissions(conn, args.limit)
    table = RichTable("id", "received", "file", "tables", "status", "rows", "warnings", "errors")
    colours = {
        "loaded": "green",
        "partially accepted": "yellow",
        "rejected": "red",
        "superseded": "yellow",
        "received": "cyan",
        "failed": "red",
    }
    for r in rows:
        table.add_row(
            str(r["submission_id"]),
            r["received_at"].astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            plain(r["file_name"]),
            ", ".join(r["tables"] or []),
            f"[{colours.get(r['status'], 'white')}]{r['status']}[/]",
            f"{r['row_count']:,}" if r["row_count"] is not None else "",
            str(r["warning_count"] or ""),
            str(r["error_count"] or ""),
        )
    console.print(table)
    return 0


def cmd_suites(args: argparse.Namespace) -> int:
    from gender_warehouse import suites

    if args.suites_command == "write":
        for path in suites.write_suites():
            console.print(f"wrote {path.relative_to(settings.project_dir())}")
        return 0
    stale = [
        t.name for t in TABLES.values() if suites.suite_path(t).read_text(encoding="utf-8") != suites.suite_text(t)
    ]
    if stale:
        err_console.print(f"suites out of date for {', '.join(stale)}: run `gwh suites write`")
        return 1
    console.print("suites are up to date")
    return 0


def cmd_build(args: argparse.Namespace, url: str) -> int:
    from gender_warehouse import warehouse

    run = warehouse.build(url, args.select, full_refresh=getattr(args, "full_refresh", False))
    counts = ", ".join(f"{n} {status}" for status, n in sorted(run.counts().items()))
    console.print(f"[green]built[/] the warehouse: {counts}")
    if not args.no_reports:
        for name, where in warehouse.publish_reports(url).items():
            console.print(f"{name}: {escape(str(where))}")
    return 0


def cmd_run(args: argparse.Namespace, url: str) -> int:
    from gender_warehouse import landing
    from gender_warehouse.pipeline import ingest_file

    folder = args.landing or landing.landing_dir()
    pending = landing.pending_files(url, folder)
    console.print(f"{len(pending)} new file(s) in {escape(str(folder))}")
    rejected = False
    for path in pending:
        try:
            result = ingest_file(Path(path), url, submitted_at=landing.submitted_at(Path(path)))
        except SubmissionError as exc:  # gone, or replaced by a link, since the folder was listed
            err_console.print(f"[red]refused[/] {escape(str(path))}: {escape(str(exc))}")
            rejected = True
            continue
        print_result(result)
        rejected |= result.status in ("rejected", "failed", "partially accepted")
    status = cmd_build(argparse.Namespace(select=None, no_reports=args.no_reports), url)
    return 1 if rejected else status


def cmd_figures(args: argparse.Namespace, url: str) -> int:
    from gender_warehouse import figures

    table = RichTable("published statement", "in the sample files", "computed by the marts", "")
    compared = figures.compare(url)
    for f in compared:
        table.add_row(
            plain(f.statement), plain(f.expected), plain(f.computed), "[green]✓[/]" if f.agrees else "[red]✗[/]"
        )
    console.print(table)
    money = RichTable(
        "programme",
        "currencies",
        "pledged to it US$",
        "committed to it US$",
        "received US$",
        "spent US$",
        "passed on (not counted again)",
        "records with no rate",
        title="Programme funding in US dollars (rates: dbt_project/seeds/ref_exchange_rates.csv)",
    )
    for title, currencies, pledged, committed, received, spent, no_rate, passed_on in figures.funding_overview(url):
        money.add_row(
            plain(title[:60]),
            plain(currencies),
            *(usd(v) for v in (pledged, committed, received, spent, passed_on)),
            str(no_rate) if no_rate else "",
        )
    console.print(money)
    shares, priorities = figures.ratings_overview(url)
    ratings = RichTable(
        "framework",
        "year",
        "units",
        "ratings (not applicable apart)",
        "meet or exceed",
        "exceed",
        "missing",
        title="Accountability frameworks: shares of ratings, every dimension (marts.mart_swap_performance)",
    )
    for framework, version, year, units, counted, not_applicable, meeting, exceeding, missing in shares:
        ratings.add_row(
            plain(f"{framework} {version}"),
            str(year),
            str(units),
            f"{counted}" + (f" (+{not_applicable})" if not_applicable else ""),
            *(f"{v:.0%}" if v is not None else "" for v in (meeting, exceeding, missing)),
        )
    console.print(ratings)
    chosen = RichTable(
        "unit",
        "year",
        "indicator",
        "lead entities",
        "baseline",
        "now",
        "progress",
        title="Priority indicators (marts.mart_swap_priority_indicators)",
    )
    for unit, year, code, title, lead, baseline_year, baseline, now, progress in priorities:
        chosen.add_row(
            plain(unit),
            str(year),
            plain(f"{code} {title or ''}"),
            plain(lead),
            plain(f"{baseline} ({baseline_year})"),
            plain(now),
            plain(progress),
        )
    console.print(chosen)
    return 0 if all(f.agrees for f in compared) else 1


def usd(value: Any) -> str:
    """A US dollar total: empty when none of its amounts had an exchange rate (never shown as 0)."""
    return "no rate" if value is None else f"{value:,.0f}"


def cmd_audit(args: argparse.Namespace, url: str) -> int:
    from gender_warehouse import trail

    try:
        if args.figure:
            mart, *pairs = args.figure
            bad = [p for p in pairs if "=" not in p]
            if bad:
                raise UsageError(f"expected COLUMN=VALUE after the mart, got {', '.join(bad)}")
            print_figure_trail(trail.figure_trail(url, mart, dict(p.split("=", 1) for p in pairs)))
            return 0
        if not args.target:
            raise UsageError("give a submission id, a sha256 or a file, or --figure MART COLUMN=VALUE...")
        print_trail(trail.submission_trail(url, args.target))
        return 0
    except trail.TrailError as exc:
        err_console.print(f"gwh audit: {escape(str(exc))}")
        return 1


def run_cells(v: dict[str, Any]) -> list[str]:
    """A validation run as table cells: table, suite, suite hash, result, rules run, rules failed."""
    return [
        v["table_name"],
        v["suite_name"],
        v["suite_sha256"][:12],
        "passed" if v["success"] else "failed",
        str(v["evaluated"]),
        f"{v['failed_errors']} errors, {v['failed_warnings']} warnings",
    ]


def print_trail(t: Any) -> None:
    from gender_warehouse.site import when

    s = t.submission
    console.print(f"[bold]Submission {s['submission_id']}[/]: {escape(s['file_name'])} — {s['status']}")
    facts = RichTable(show_header=False, box=None)
    for label, value in [
        ("sha256", s["sha256"]),
        ("size", f"{s['file_size']:,} bytes, {s['file_format']}"),
        ("archived original", s["archive_path"]),
        ("submitted by", s["submitted_by"] or ""),
        ("tables", ", ".join(s["tables"] or [])),
        ("rows", "" if s["row_count"] is None else f"{s['row_count']:,}"),
        ("submitted", when(s["submitted_at"])),
        ("received", when(s["received_at"])),
        ("validated", when(s["validated_at"])),
        ("loaded", when(s["loaded_at"])),
        ("rejected", when(s["rejected_at"])),
        ("superseded", when(s["superseded_at"])),
        ("failed", when(s.get("failed_at"))),
        ("failure", s.get("failure") or ""),
        ("report", s["report_path"] or ""),
    ]:
        if value:
            facts.add_row(label, plain(value))
    console.print(facts)
    if t.issues:
        issues = RichTable("severity", "where", "what", title="Issues")
        for i in t.issues:
            where = located("", sheet=i["sheet"], rows=i["rows"], column=i["column_name"], row_noun=i["row_noun"])
            issues.add_row(i["severity"], plain(where.rstrip(": ")), plain(i["message"]))
        console.print(issues)
    if t.validations:
        runs = RichTable("table", "suite", "suite sha256", "result", "rules", "failed", "rows", title="Validation runs")
        for v in t.validations:
            runs.add_row(*map(plain, run_cells(v)), f"{v['row_count']:,}")
            for rule in v["failed_rules"]:
                runs.add_row("", plain(f"  {rule['rule']}"), "", rule["severity"], "", plain(rule["description"]), "")
        console.print(runs)
    if t.loads:
        loads = RichTable("table", "rows loaded", "earlier rows superseded", "transaction", "at", title="Loads")
        for ld in t.loads:
            loads.add_row(
                plain(ld["table_name"]),
                f"{ld['rows_loaded']:,}",
                f"{ld['rows_superseded']:,}",
                plain(ld["transaction_id"]),
                when(ld["loaded_at"]),
            )
        console.print(loads)
    if t.builds:
        builds = RichTable("dbt invocation", "command", "as", "finished", "nodes", "result", title="Builds since")
        for b in t.builds:
            builds.add_row(
                plain(b["invocation_id"]),
                plain(b["command"]),
                plain(b["database_user"]),
                when(b["finished_at"]),
                str(b["node_count"]),
                "passed" if b["success"] else f"{b['failed_count']} failed",
            )
        console.print(builds)
    if t.slices:
        slices = RichTable("table", "entity or unit", "programme", "from", "to", "rows", title="In the marts now")
        for sl in t.slices:
            slices.add_row(
                plain(sl["table_name"]),
                plain(sl["entity_code"] or sl["reporting_unit"]),
                plain(sl["programme_id"]),
                str(sl["period_start"] or ""),
                str(sl["period_end"] or ""),
                f"{sl['row_count']:,}",
            )
        console.print(slices)


def print_figure_trail(f: Any) -> None:
    from gender_warehouse.site import when

    console.print(f"[bold]{escape(f.mart)}[/]: {len(f.rows)} row(s)")
    if len(f.rows) == 1:  # one figure: every column, one per line
        shown = RichTable("column", "value", box=None)
        for name, value in f.rows[0].items():
            shown.add_row(plain(name), plain(value))
    else:
        names = list(f.rows[0])[:8]
        shown = RichTable(
            *(Column(header=plain(n)) for n in names),
            caption=f"first {min(len(f.rows), 10)} rows, first {len(names)} columns",
        )
        for row in f.rows[:10]:
            shown.add_row(*(plain(row[n]) for n in names))
    console.print(shown)
    if not f.lineage:
        console.print(f"{escape(f.mart)} is built from the reference seeds alone (dbt_project/seeds): no submission")
        return
    subs = RichTable("submission", "file", "sha256", "submitted by", "submitted", "loaded", "status", title="From")
    for s in f.submissions:
        subs.add_row(
            str(s["submission_id"]),
            plain(s["file_name"]),
            s["sha256"][:12],
            plain(s["submitted_by"]),
            when(s["submitted_at"]),
            when(s["loaded_at"]),
            s["status"],
        )
    console.print(subs)
    runs = RichTable("submission", "table", "suite", "suite sha256", "result", "rules", "failed", title="Validated by")
    for v in f.validations:
        runs.add_row(str(v["submission_id"]), *map(plain, run_cells(v)))
    console.print(runs)


def cmd_reports(args: argparse.Namespace, url: str) -> int:
    from gender_warehouse import site

    console.print(f"reports: {escape(str(site.publish_site(url)))}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from gender_warehouse import site

    index = settings.reports_dir() / "index.html"
    if not index.exists():  # a reports server may start before anything is published (docker-compose does)
        err_console.print(f"note: {escape(str(index))} does not exist yet: run `gwh reports` (or `make demo`)")
    try:
        running = site.server(args.port, args.bind)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.bind}:{args.port}: {exc.strerror or exc}") from None
    console.print(
        f"serving {escape(str(settings.reports_dir()))} on http://{escape(args.bind)}:{args.port}/ (Ctrl-C stops)"
    )
    if args.bind not in ("127.0.0.1", "::1", "localhost"):
        err_console.print(
            f"[yellow]note[/] {escape(args.bind)} is reachable from other machines and the server has no login: "
            "the reports show staff counts by entity, grade and sex, and what submitters sent"
        )
    with running:
        running.serve_forever()
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from gender_warehouse import templates

    try:
        tables = templates.tables_of(args.kind)
    except KeyError:
        raise UsageError(f"unknown kind {args.kind!r}; expected one of {', '.join(templates.known_kinds())}") from None
    out = templates.write_template(args.kind, args.out)
    console.print(f"wrote {escape(str(out))}: sheets Instructions, {', '.join(t.name for t in tables)}")
    return 0


def cmd_docs(args: argparse.Namespace, url: str) -> int:
    from gender_warehouse import audit
    from gender_warehouse.validation import data_docs_page

    with db.connect(url, role="auditor") as conn:
        recorded = set(audit.result_paths(conn))
        # Named by a committed load, not written: the process stopped between its commit and writing the file.
        missing = [p for p in sorted(recorded) if not (settings.project_dir() / p).exists()]
        restored = [
            files.write_atomic(settings.project_dir() / path, json.dumps(result, indent=1))
            for path, result in audit.stored_results(conn, missing).items()
        ]
    folder = settings.reports_dir() / "validations"
    if restored:
        console.print(f"wrote {len(restored)} result file(s) the audit trail names but that were missing")
    stored = sorted(folder.rglob("*.json"))
    # A validate-only run records nothing by design; any other file no run names belongs to no committed load.
    unrecorded = [
        p
        for p in stored
        if str(p.relative_to(settings.project_dir())) not in recorded and "validate-only" not in p.parts
    ]
    for path in unrecorded:
        if args.clean:
            path.unlink()
            data_docs_page(path).unlink(missing_ok=True)
        else:
            console.print(f"not recorded in the audit trail: {escape(str(path))}")
    if unrecorded:
        console.print(
            f"{'removed' if args.clean else 'found'} {len(unrecorded)} result file(s) that no recorded validation "
            "names (from a run that never committed, or from another database)"
            + ("" if args.clean else "; `gwh docs --clean` removes them")
        )
    kept = [p for p in stored if args.clean is False or p not in unrecorded]
    wanted = [p for p in kept if args.all or not data_docs_page(p).exists()]
    build_docs(wanted)
    if wanted:  # the submissions' reports link the pages that now exist
        from gender_warehouse import site

        site.publish_site(url)
    else:
        console.print("Data Docs are up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "suites":
            return cmd_suites(args)
        if args.command == "build" and args.parse_only:
            from gender_warehouse import warehouse

            console.print(f"wrote {escape(str(warehouse.parse()))}")
            return 0
        if args.command == "template":
            return cmd_template(args)
        if args.command == "serve":
            return cmd_serve(args)
        if args.command == "db" and args.db_command == "stop":
            console.print("embedded server stopped" if db.stop_embedded_server() else "no embedded server running")
            return 0
        if args.command == "stack":
            return cmd_stack(args)
        url = db.database_url(args.database_url)
        db.ensure_schema(url)
        if args.command == "db":
            if args.db_command == "url":
                console.print(db.redact_uri(url) if args.uri else db.redact(url), markup=False)
            elif args.db_command == "roles":
                from gender_warehouse import roles

                done = roles.create_roles(url)
                console.print(
                    f"roles {', '.join(roles.ROLES)} ready in {escape(db.redact(url))} ({len(done)} statements)"
                )
            else:
                console.print(f"schemas ready in {escape(db.redact(url))}")
            return 0
        commands = {
            "ingest": cmd_ingest,
            "validate": cmd_validate,
            "status": cmd_status,
            "build": cmd_build,
            "run": cmd_run,
            "figures": cmd_figures,
            "audit": cmd_audit,
            "reports": cmd_reports,
            "docs": cmd_docs,
        }
        return commands[args.command](args, url)
    except UsageError as exc:
        err_console.print(f"gwh: {escape(str(exc))}")
        return 2
    except db.DatabaseError as exc:
        err_console.print(f"gwh: {escape(str(exc))}")
        return 2
    except BuildError as exc:
        err_console.print(f"gwh: {escape(str(exc))}")
        return 1
    except KeyboardInterrupt:
        err_console.print("gwh: interrupted; a file being loaded was rolled back, ingest it again")
        return 130
    except Exception as exc:  # not the user's doing: say so plainly, the traceback only with -v
        secret_source = args.database_url or os.environ.get("GWH_DATABASE_URL")
        if args.verbose:
            text = "".join(traceback.format_exception(exc))
            err_console.print(db.mask_secrets(text, secret_source), markup=False)
        err_console.print(
            f"gwh: internal error ({type(exc).__name__}: {escape(db.mask_secrets(str(exc), secret_source))}). "
            "Nothing half-loaded stays; "
            + ("the traceback is above; report it." if args.verbose else "run again with -v for details and report it.")
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
