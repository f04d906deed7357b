"""Ingest benchmark: `gwh ingest` of a 1,000,000-row hr_headcount CSV against the physical limit, `psql \\copy`.

Both run on the same database in the same run: the server at GWH_DATABASE_URL, else 127.0.0.1:5432, else the
embedded one. The limit is `\\copy` of the same file into a table of the same nine columns and types with no
index; `\\copy` into a table made LIKE raw.hr_headcount INCLUDING ALL (its indexes) is shown beside it. The
ingest is the default command as a user runs it, in a fresh process: register, archive, read, every rule of the
suite on every row, load, audit, supersession, the submission's readable report (its Data Docs pages are handed to
a background `gwh docs`, waited for before the next run). Then a 1,000-row file, the same way.

    python benchmarks/ingest_benchmark.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from gender_warehouse import db, reference
from gender_warehouse.contracts import HR_HEADCOUNT

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
BIN = Path(sys.executable).parent


def generate(path: Path, rows: int) -> Path:
    """A valid hr_headcount file with `rows` distinct keys (deterministic)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    entities = [e for e in reference.entity_codes() if e not in ("PAHO", "WHO")]
    grades = [(g.staff_category, g.code) for g in reference.grades() if not g.only_entities]
    dates = [f"{y}-12-31" for y in range(2010, 2025)]
    combos = itertools.product(
        dates, entities, grades, ("F", "M", "X", "U"), ("HQ", "NON_HQ"), ("PERMANENT", "FIXED_TERM", "TEMPORARY")
    )
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HR_HEADCOUNT.column_names)
        for n, (date, entity, (category, grade), sex, location, appointment) in enumerate(
            itertools.islice(combos, rows)
        ):
            country = "CHE" if location == "HQ" else ("KEN", "THA", "COL", "")[n % 4]
            writer.writerow([date, entity, category, grade, sex, location, country, appointment, 1 + n % 97])
    return path


def admin_url() -> str:
    for url in (os.environ.get("GWH_DATABASE_URL"), "postgresql://postgres@127.0.0.1:5432/postgres"):
        if not url:
            continue
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except psycopg.OperationalError:
            continue
    return db.embedded_server_url("postgres")


def fresh_database(admin: str) -> tuple[str, str]:
    name = f"gwh_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(admin)
    info["dbname"] = name
    url = psycopg.conninfo.make_conninfo(**info)
    db.ensure_schema(url)
    return name, url


def drop_database(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def psql_binary() -> str:
    found = shutil.which("psql")
    if found:
        return found
    import pgserver

    return str(Path(pgserver.POSTGRES_BIN_PATH) / "psql")


def time_copy(url: str, path: Path, indexed: bool) -> float:
    """`psql \\copy` of the file into a fresh table: the contract's columns and types alone (the limit), or LIKE
    raw.hr_headcount INCLUDING ALL (its indexes too)."""
    columns = ", ".join(HR_HEADCOUNT.column_names)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("drop table if exists public.bench_copy")
        if indexed:
            conn.execute("create table public.bench_copy (like raw.hr_headcount including all)")
            conn.execute(
                "alter table public.bench_copy alter submission_id set default 0, alter source_row set default 0"
            )
        else:
            typed = ", ".join(f"{c.name} {c.type.sql_type}" for c in HR_HEADCOUNT.columns)
            conn.execute(f"create table public.bench_copy ({typed})")
    command = f"\\copy public.bench_copy ({columns}) from '{path}' with (format csv, header true)"
    started = time.perf_counter()
    subprocess.run([psql_binary(), url, "-q", "-v", "ON_ERROR_STOP=1", "-c", command], check=True)
    return time.perf_counter() - started


def wait_for_background_docs(timeout: float = 300) -> None:
    """The background `gwh docs` a default ingest started: waited for, so it does not share the next run's CPU."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = subprocess.run(["pgrep", "-f", "gender_warehouse.cli docs"], capture_output=True, check=False)
        if running.returncode != 0:
            return
        time.sleep(0.2)


def time_ingest(url: str, path: Path, *extra: str) -> tuple[float, float, str]:
    """Seconds, peak resident memory in MiB, and the command's output, of one `gwh ingest` process."""
    env = {**os.environ, "GWH_DATABASE_URL": url, "GWH_DATA_DIR": tempfile.mkdtemp(prefix="gwh-bench-")}
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "gwh"), "ingest", str(path), *extra], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    wait_for_background_docs()
    shutil.rmtree(env["GWH_DATA_DIR"], ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"gwh ingest failed:\n{done.stdout}\n{done.stderr}")
    # ru_maxrss of children is the largest of them so far: the ingest is the only large child.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    big = generate(DATA / f"hr_headcount_{args.rows}.csv", args.rows)
    small = generate(DATA / "hr_headcount_1000.csv", 1000)
    admin = admin_url()
    print(f"file: {big.name}, {args.rows:,} rows, {big.stat().st_size / 1e6:.1f} MB; database: {db.redact(admin)}")

    limits, indexed, ingests, peaks, smalls = [], [], [], [], []
    output = ""
    for _ in range(args.repeat):
        name, url = fresh_database(admin)
        try:
            limits.append(time_copy(url, big, indexed=False))
            indexed.append(time_copy(url, big, indexed=True))
            seconds, peak, output = time_ingest(url, big)
            ingests.append(seconds)
            peaks.append(peak)
        finally:
            drop_database(admin, name)
        name, url = fresh_database(admin)
        try:
            smalls.append(time_ingest(url, small)[0])
        finally:
            drop_database(admin, name)
    print(f"ingest output: {output.splitlines()[0] if output else ''}")

    def row(what: str, values: list[float], note: str = "") -> None:
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"{what:<44} {statistics.median(values):7.2f} s  (median of {len(values)}: {runs}){note}")

    limit = statistics.median(limits)
    row("psql \\copy, 9 columns, no index (the limit)", limits)
    row("psql \\copy, LIKE raw.hr_headcount INCLUDING ALL", indexed)
    row("gwh ingest, default, fresh process", ingests)
    print(f"{'ratio to the limit':<44} {statistics.median(ingests) / limit:7.2f} x  (target <= 3x, moonshot 2x)")
    print(f"{'ingest peak memory':<44} {max(peaks):7.0f} MiB (target <= 1024)")
    row("1,000-row file, default, with its report", smalls, "  (target <= 2 s)")


if __name__ == "__main__":
    main()
