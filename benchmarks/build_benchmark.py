"""Build benchmark: a full `gwh build` over a warehouse of 10,000,000 raw hr_headcount rows, against the
incremental build that follows a 1,000-row resubmission of one entity's snapshot.

The warehouse is made the way users make it: generated files (entities x years x grades x duty stations, 1,000,000
rows each) go through `gwh ingest --no-docs`. Then, each in a fresh process with `--no-reports`:
- the full build: `gwh build --full-refresh` (every seed, model, data test and unit test);
- a resubmission of one entity's snapshot (1,000 rows, other figures) through `gwh ingest --no-docs`, then the
  default `gwh build`, which rebuilds only the slices loaded since the last build.
- unless --no-dag, the build_warehouse DAG under the real Airflow services (`gwh stack start`, LocalExecutor,
  metadata in the benchmark's server): a first run with nothing new (the services' first build), then a second
  resubmission and a run measured from Airflow's records (dbt_build and every node's task; publish_reports
  apart); then a third resubmission and `gwh build --no-reports` while the services idle beside it, the same work
  on the same machine. Target: the DAG within 1.5x `gwh build`.
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
import shlex
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from ingest_benchmark import BIN, DATA, admin_url, drop_database, fresh_database

from gender_warehouse import reference
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """The real Airflow services (`gwh stack`) on free ports, over the benchmark's warehouse."""

    def __init__(self, url: str, data_dir: str, metadata: str) -> None:
        self.url = url
        self.metadata_url = psycopg.conninfo.make_conninfo(url, dbname=metadata)
        self.metadata = metadata
        self.env = {
            **os.environ,
            "GWH_DATABASE_URL": url,
            "GWH_DATA_DIR": data_dir,
            "GWH_LANDING_DIR": str(Path(data_dir) / "landing"),
            "GWH_AIRFLOW_DATABASE": metadata,
            "GWH_AIRFLOW_PORT": str(free_port()),
            "GWH_AIRFLOW_WORKER_LOG_PORT": str(free_port()),
            "GWH_AIRFLOW_TRIGGER_LOG_PORT": str(free_port()),
            "GWH_INGEST_EVERY_MINUTES": "1440",  # nothing lands: the ingest DAG stays out of the way
        }

    def gwh(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "gwh"), *args], env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"gwh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def airflow(self, *args: str) -> None:
        env = dict(self.env)
        for line in self.gwh("stack", "env").splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = shlex.split(value)[0] if value else ""
        subprocess.run([str(BIN / "airflow"), *args], env=env, capture_output=True, check=True)

    def query(self, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(self.metadata_url) as conn:
            return conn.execute(sql, params).fetchall()

    def run_build(self) -> dict[str, float]:
        """Trigger build_warehouse, wait for its run, and return its timings from Airflow's records."""
        while not self.query("select 1 from dag where dag_id = 'build_warehouse' and not is_paused"):
            time.sleep(1)
        before = {r for (r,) in self.query("select run_id from dag_run where dag_id = 'build_warehouse'")}
        self.airflow("dags", "trigger", "build_warehouse")
        while True:
            runs = self.query(
                "select run_id, state, start_date, end_date from dag_run where dag_id = 'build_warehouse'"
            )
            run = next((r for r in runs if r[0] not in before), None)
            if run and run[1] in ("success", "failed"):
                break
            time.sleep(1)
        if run[1] != "success":
            raise SystemExit(f"the build_warehouse run failed: logs under {self.env['GWH_DATA_DIR']}/stack")
        tasks = self.query(
            "select task_id, start_date, end_date from task_instance where dag_id = 'build_warehouse' and run_id = %s",
            run[0],
        )
        nodes_done = max(end for task_id, _, end in tasks if task_id != "publish_reports")
        build = next((start, end) for task_id, start, end in tasks if task_id == "dbt_build")
        publish = next((start, end) for task_id, start, end in tasks if task_id == "publish_reports")
        return {
            "dbt": (nodes_done - run[2]).total_seconds(),
            "dbt_build": (build[1] - build[0]).total_seconds(),
            "publish_reports": (publish[1] - publish[0]).total_seconds(),
            "whole": (run[3] - run[2]).total_seconds(),
        }

    def __enter__(self) -> Stack:
        self.gwh("stack", "start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.gwh("stack", "stop")
        with psycopg.connect(admin_url(), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{self.metadata}" with (force)')


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
        runs = [("a resubmission (`gwh build`)", incremental_wall, incremental)]
        dag_figures = None
        if args.dag:
            with Stack(url, data_dir, f"{name}_airflow") as stack:
                first = stack.run_build()
                gwh(url, data_dir, "ingest", "--no-docs", str(resubmission(folder, 1)))
                since = now(url)
                dag = stack.run_build()
                runs.append(("another resubmission (the build_warehouse DAG)", dag["dbt"], builds_since(url, since)))
                gwh(url, data_dir, "ingest", "--no-docs", str(resubmission(folder, 2)))
                since = now(url)
                beside = gwh(url, data_dir, "build", "--no-reports")
                runs.append(
                    (
                        "another resubmission (`gwh build`, the services idle beside it)",
                        beside,
                        builds_since(url, since),
                    )
                )
                dag_figures = (first, dag, beside)
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
            print(line(f"after {what}", wall, times))
        print()
        for what, _wall, times in runs:
            print(
                f"model time after {what}: {times.get('model', 0) / full['model']:.1%} of the full build's (target <= 10%)"
            )
        if dag_figures:
            first, dag, beside = dag_figures
            print(
                f"\nbuild_warehouse under the real services: dbt_build and every node's task {dag['dbt']:.1f} s"
                f" (dbt_build {dag['dbt_build']:.1f} s), against `gwh build --no-reports` {beside:.1f} s:"
                f" {dag['dbt'] / beside:.2f}x (target <= 1.5x)"
            )
            print(
                f"the whole run, publish_reports included: {dag['whole']:.1f} s (publish_reports"
                f" {dag['publish_reports']:.1f} s); the services' first run, with nothing new: {first['dbt']:.1f} s"
            )
        print(f"marts after the incremental builds equal a full rebuild's: {'yes' if equal else 'NO'}")
        if not equal:
            raise SystemExit(1)
    finally:
        if not args.keep:
            drop_database(admin, name)


if __name__ == "__main__":
    main()
