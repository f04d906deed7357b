"""Build benchmark: a full `gwh build` over a warehouse of 10,000,000 raw hr_headcount rows, against the
incremental build that follows a 1,000-row resubmission of one entity's snapshot.

The warehouse is made the way users make it: generated files (entities x years x grades x duty stations, 1,000,000
rows each) go through `gwh ingest --no-docs`. Then, each in a fresh process with `--no-reports`:
- the full build: `gwh build --full-refresh` (every seed, model, data test and unit test);
- a resubmission of one entity's snapshot (1,000 rows, other figures) through `gwh ingest --no-docs`, then the
  default `gwh build`, which rebuilds only the slices loaded since the last build.
- unless --no-dag, a second resubmission (another entity's snapshot), then the build_warehouse DAG
  (`airflow dags test`, one Cosmos task per node, as `make demo` runs it), which is incremental the same way.
The figures compared are each run's model time: the sum of the models' execution times that dbt records in
audit.dbt_node_results, which leaves out dbt's start-up, the seeds and the tests (printed beside it). Then the
incremental build's marts are compared with a full rebuild's, row for row.

    python benchmarks/build_benchmark.py [--rows 10000000] [--no-dag] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import os
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from ingest_benchmark import BIN, DATA, ROOT, admin_url, drop_database, fresh_database

from gender_warehouse import db, reference
from gender_warehouse.contracts import HR_HEADCOUNT

ROWS_PER_FILE = 1_000_000
DUTY_STATIONS = 20  # besides headquarters


def combinations() -> itertools.product:
    """(year, entity, grade, sex, appointment, duty station), in the order the files hold them."""
    entities = [e for e in reference.entity_codes() if e not in ("PAHO", "WHO")]
    grades = [(g.staff_category, g.code) for g in reference.grades() if not g.only_entities]
    stations = [("HQ", "CHE"), *[("NON_HQ", c) for c in reference.country_codes() if c != "CHE"][:DUTY_STATIONS]]
    years = range(2024, 1900, -1)
    return itertools.product(
        years, entities, grades, ("F", "M", "X", "U"), ("PERMANENT", "FIXED_TERM", "TEMPORARY"), stations
    )


def generate(folder: Path, rows: int) -> list[Path]:
    """Files of ROWS_PER_FILE rows; a file ends only at the end of an entity's snapshot, so each slice is whole."""
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    combos = itertools.islice(combinations(), rows)
    f = writer = None
    written = 0
    slice_key = None
    for n, (year, entity, (category, grade), sex, appointment, (location, country)) in enumerate(combos):
        if f is None or (written >= ROWS_PER_FILE and (year, entity) != slice_key):
            if f is not None:
                f.close()
            path = folder / f"hr_headcount_part{len(files):03d}.csv"
            files.append(path)
            f = path.open("w", newline="")
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(HR_HEADCOUNT.column_names)
            written = 0
        slice_key = (year, entity)
        assert writer is not None
        writer.writerow([f"{year}-12-31", entity, category, grade, sex, location, country, appointment, 1 + n % 97])
        written += 1
    if f is not None:
        f.close()
    return files


def resubmission(folder: Path, which: int = 0, rows: int = 1_000) -> Path:
    """The latest snapshot of the `which`-th entity again, corrected: its first `rows` rows with other figures."""
    path = folder / f"hr_headcount_resubmission_{which}.csv"
    per_entity = sum(1 for _ in itertools.takewhile(lambda c: c[1] == FIRST[1], combinations()))
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HR_HEADCOUNT.column_names)
        combos = itertools.islice(combinations(), which * per_entity, which * per_entity + rows)
        first = None
        for n, (year, entity, (category, grade), sex, appointment, (location, country)) in enumerate(combos):
            first = first or (year, entity)
            assert (year, entity) == first, "the resubmission holds one entity's snapshot"
            writer.writerow([f"{year}-12-31", entity, category, grade, sex, location, country, appointment, 2 + n % 89])
    return path


FIRST = next(iter(combinations()))


def gwh(url: str, data_dir: str, *args: str) -> float:
    env = {**os.environ, "GWH_DATABASE_URL": url, "GWH_DATA_DIR": data_dir}
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "gwh"), *args], env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"gwh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def dag_build(url: str, data_dir: str) -> float:
    """build_warehouse through `airflow dags test`, as `make demo` runs it (Airflow's metadata in SQLite)."""
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GWH_DATABASE_URL": url,
        "GWH_DATA_DIR": data_dir,
        "AIRFLOW_CONN_GWH_WAREHOUSE": db.uri(url),
    }
    script = "source scripts/airflow_env.sh && airflow db migrate > /dev/null && airflow dags test build_warehouse"
    log = Path(data_dir) / "build_warehouse.log"
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, stdout=out, stderr=out, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the build_warehouse DAG failed: its log is {log}")
    return elapsed


def builds_since(url: str, since: dt.datetime) -> dict[str, float]:
    """Seconds per resource type of the dbt invocations that finished since `since`, as dbt recorded them (one
    for `gwh build`; one a task for the DAG)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select resource_type, sum(execution_time) from audit.dbt_node_results where invocation_id in ("
            " select invocation_id from audit.dbt_invocations where finished_at >= %s) group by resource_type",
            (since,),
        ).fetchall()
    return {kind: float(seconds) for kind, seconds in rows}


def now(url: str) -> dt.datetime:
    with psycopg.connect(url) as conn:
        return conn.execute("select clock_timestamp()").fetchone()[0]


def marts(url: str) -> dict[str, int]:
    """Each mart's md5 of its sorted rows: equal when the tables hold the same rows."""
    with psycopg.connect(url) as conn:
        names = [
            n
            for (n,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
                " and table_type = 'BASE TABLE' order by 1"
            )
        ]
        return {
            n: conn.execute(
                f"select md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) from marts.{n} as t"
            ).fetchone()[0]
            for n in names
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--no-dag", dest="dag", action="store_false", help="leave out the build_warehouse DAG run")
    args = parser.parse_args()

    folder = DATA / f"build_{args.rows}"
    started = time.perf_counter()
    files = sorted(folder.glob("hr_headcount_part*.csv")) or generate(folder, args.rows)
    print(f"{len(files)} files, {args.rows:,} rows ({time.perf_counter() - started:.0f} s to find or generate)")
    admin = admin_url()
    name, url = fresh_database(admin)
    data_dir = tempfile.mkdtemp(prefix="gwh-bench-")
    try:
        started = time.perf_counter()
        gwh(url, data_dir, "ingest", "--no-docs", *map(str, files))
        print(f"ingested {args.rows:,} raw rows in {time.perf_counter() - started:.0f} s")
        with psycopg.connect(url) as conn:
            conn.execute("analyze raw.hr_headcount")

        since = now(url)
        full_wall = gwh(url, data_dir, "build", "--no-reports", "--full-refresh")
        full = builds_since(url, since)
        gwh(url, data_dir, "ingest", "--no-docs", str(resubmission(folder, 0)))
        since = now(url)
        incremental_wall = gwh(url, data_dir, "build", "--no-reports")
        incremental = builds_since(url, since)
        runs = [("after the resubmission (`gwh build`)", incremental_wall, incremental)]
        if args.dag:
            gwh(url, data_dir, "ingest", "--no-docs", str(resubmission(folder, 1)))
            since = now(url)
            dag_wall = dag_build(url, data_dir)
            runs.append(("after another resubmission (the build_warehouse DAG)", dag_wall, builds_since(url, since)))
        incremental_marts = marts(url)
        gwh(url, data_dir, "build", "--no-reports", "--full-refresh")
        equal = marts(url) == incremental_marts

        def line(what: str, wall: float, times: dict[str, float]) -> str:
            return (
                f"| {what} | {times.get('model', 0):.1f} s | {times.get('seed', 0):.1f} s | "
                f"{times.get('test', 0) + times.get('unit_test', 0):.1f} s | {wall:.1f} s |"
            )

        print(f"\nwarehouse of {args.rows:,} raw hr_headcount rows; a resubmission of 1,000 rows (one entity snapshot)")
        print("| build | models | seeds | tests | whole command |")
        print("|---|---|---|---|---|")
        print(line("full (`gwh build --full-refresh`)", full_wall, full))
        for what, wall, times in runs:
            print(line(what, wall, times))
        print()
        for what, _wall, times in runs:
            print(f"model time {what}: {times.get('model', 0) / full['model']:.1%} of the full build's (target <= 10%)")
        print(f"marts after the incremental builds equal a full rebuild's: {'yes' if equal else 'NO'}")
        if not equal:
            raise SystemExit(1)
    finally:
        if not args.keep:
            drop_database(admin, name)


if __name__ == "__main__":
    main()
