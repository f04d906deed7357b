"""Validation of a submitted table against its Great Expectations suite, and every call into GX.

The suites in `expectations/gx/expectations/` are GX 1.x suite files. They are evaluated here inside
PostgreSQL, on the rows just loaded (uncommitted) for one submission: all column checks in a single scan, the
unique key in one GROUP BY, each SQL expectation in its own query. That keeps a million-row file within a few
times the cost of COPY, where GX's own engines take a query per metric. The result has GX's
ExpectationSuiteValidationResult shape, so GX renders it into Data Docs; `validate_with_gx` runs GX's own
pandas engine on the same rows, and a test holds the two to the same verdicts.

GX itself (about 5 s to import) is imported only where it is needed: Data Docs and `validate_with_gx`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from gender_warehouse import settings, suites
from gender_warehouse.contracts import Table

log = logging.getLogger(__name__)

SAMPLE = 20  # unexpected values kept per expectation, as GX's partial_unexpected_list
SEP = "\x1f"  # joins a pair of values into one hashable text
NULL_MARK = "\x1e"


class UnsupportedExpectation(ValueError):
    pass


@dataclass
class Outcome:
    """One expectation's result, in GX's ExpectationValidationResult shape."""

    config: dict[str, Any]
    success: bool
    result: dict[str, Any]

    @property
    def severity(self) -> str:
        return self.config.get("severity", "critical")

    def as_gx(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "expectation_config": self.config,
            "result": self.result,
            "meta": {},
            "exception_info": {"raised_exception": False, "exception_traceback": None, "exception_message": None},
        }


@dataclass
class SuiteResult:
    table: Table
    suite_name: str
    suite_sha256: str
    outcomes: list[Outcome]
    row_count: int
    started_at: dt.datetime
    finished_at: dt.datetime
    run_name: str
    batch_id: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]

    @property
    def success(self) -> bool:
        """Errors reject the table; warnings are recorded and pass."""
        return not self.errors

    def as_gx(self) -> dict[str, Any]:
        """An ExpectationSuiteValidationResult, as GX writes it to its validation results store."""
        passed = sum(o.success for o in self.outcomes)
        total = len(self.outcomes)
        return {
            "success": self.success,
            "results": [o.as_gx() for o in self.outcomes],
            "suite_name": self.suite_name,
            "suite_parameters": {k: str(v) for k, v in self.parameters.items()},
            "statistics": {
                "evaluated_expectations": total,
                "successful_expectations": passed,
                "unsuccessful_expectations": total - passed,
                "success_percent": 100.0 * passed / total if total else 100.0,
            },
            "meta": {
                "great_expectations_version": "1.24.1",
                "run_id": {"run_name": self.run_name, "run_time": self.started_at.isoformat()},
                "validation_time": self.finished_at.isoformat(),
                "batch_spec": {"batch_id": self.batch_id, "table": self.table.raw_table},
                "batch_parameters": {"batch_id": self.batch_id},
                "active_batch_definition": {"data_asset_name": self.table.name},
                "suite_sha256": self.suite_sha256,
            },
            "id": None,
        }


def load_suite(table: Table) -> tuple[dict[str, Any], str]:
    """The suite of a table and the sha256 of its file (recorded with every run, for auditors)."""
    path = suites.suite_path(table)
    data = path.read_bytes()
    return json.loads(data), hashlib.sha256(data).hexdigest()


# --- compiling expectations to SQL ---------------------------------------------------------------------------


def ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def condition_sql(cond: dict[str, Any] | None) -> sql.Composable:
    """A GX 1.x row_condition as SQL."""
    if not cond:
        return sql.SQL("true")
    kind = cond.get("type")
    if kind == "comparison":
        column = ident(cond["column"]["name"])
        op, param = cond["operator"], cond["parameter"]
        if op in ("IN", "NOT_IN"):
            return sql.SQL("coalesce({} {} ({}), false)").format(
                column,
                sql.SQL("in" if op == "IN" else "not in"),
                sql.SQL(", ").join(map(sql.Literal, param)),
            )
        ops = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
        return sql.SQL("coalesce({} {} {}, false)").format(column, sql.SQL(ops[op]), sql.Literal(param))
    if kind == "nullity":
        return sql.SQL("{} is {}").format(
            ident(cond["column"]["name"]), sql.SQL("null" if cond["is_null"] else "not null")
        )
    if kind in ("and", "or"):
        return sql.SQL(f" {kind} ").join(sql.SQL("({})").format(condition_sql(c)) for c in cond["conditions"])
    raise UnsupportedExpectation(f"row_condition of type {kind!r}")


def text_array(values: list[Any]) -> sql.Composable:
    # A constant array: PostgreSQL hashes `<> all(const)` so a 250-code list costs one lookup per row.
    return sql.SQL("array[{}]::text[]").format(sql.SQL(", ").join(sql.Literal(str(v)) for v in values))


def pair_text(a: str, b: str) -> sql.Composable:
    return sql.SQL("coalesce({a}::text, {n}) || {s} || coalesce({b}::text, {n})").format(
        a=ident(a), b=ident(b), s=sql.Literal(SEP), n=sql.Literal(NULL_MARK)
    )


def ignore_pair(kwargs: dict[str, Any], default: str) -> sql.Composable:
    a, b = ident(kwargs["column_A"]), ident(kwargs["column_B"])
    rule = kwargs.get("ignore_row_if", default)
    return {
        "both_values_are_missing": sql.SQL("({} is null and {} is null)").format(a, b),
        "either_value_is_missing": sql.SQL("({} is null or {} is null)").format(a, b),
        "neither": sql.SQL("false"),
    }[rule]


@dataclass
class MapCheck:
    """A per-row rule: rows in `domain`, of which those matching `unexpected` fail."""

    domain: sql.Composable
    unexpected: sql.Composable
    missing: sql.Composable | None  # rows the rule skips because the value is null (column rules)
    sample: sql.Composable  # what partial_unexpected_list shows for a failing row


def map_check(e: dict[str, Any]) -> MapCheck | None:
    t, k = e["type"], e["kwargs"]
    cond = condition_sql(k.get("row_condition"))
    if "column" in k:
        col = ident(k["column"])
        if t == "expect_column_values_to_not_be_null":
            return MapCheck(cond, sql.SQL("{} is null").format(col), None, sql.SQL("null::text"))
        unexpected = {
            "expect_column_values_to_be_null": lambda: sql.SQL("true"),
            "expect_column_values_to_be_in_set": lambda: sql.SQL("{}::text <> all({})").format(
                col, text_array(k["value_set"])
            ),
            "expect_column_values_to_not_be_in_set": lambda: sql.SQL("{}::text = any({})").format(
                col, text_array(k["value_set"])
            ),
            "expect_column_values_to_be_between": lambda: between_sql(col, k),
            "expect_column_values_to_match_regex": lambda: sql.SQL("{}::text !~ {}").format(
                col, sql.Literal(k["regex"])
            ),
            "expect_column_value_lengths_to_be_between": lambda: between_sql(
                sql.SQL("length({}::text)").format(col), k
            ),
        }.get(t)
        if unexpected is None:
            return None
        if t == "expect_column_values_to_be_null":
            return MapCheck(cond, sql.SQL("{} is not null").format(col), None, col)
        return MapCheck(cond, unexpected(), sql.SQL("{} is null").format(col), col)
    if t == "expect_column_pair_values_to_be_in_set":
        pairs = [f"{a}{SEP}{b}" for a, b in k["value_pairs_set"]]
        return MapCheck(
            sql.SQL("{} and not {}").format(cond, ignore_pair(k, "both_values_are_missing")),
            sql.SQL("({}) <> all({})").format(pair_text(k["column_A"], k["column_B"]), text_array(pairs)),
            None,
            sql.SQL("json_build_array({}, {})").format(ident(k["column_A"]), ident(k["column_B"])),
        )
    if t == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = ident(k["column_A"]), ident(k["column_B"])
        op = sql.SQL("<" if k.get("or_equal") else "<=")
        return MapCheck(
            sql.SQL("{} and not {}").format(cond, ignore_pair(k, "both_values_are_missing")),
            sql.SQL("coalesce({} {} {}, true)").format(a, op, b),
            None,
            sql.SQL("json_build_array({}, {})").format(a, b),
        )
    return None


def between_sql(value: sql.Composable, k: dict[str, Any]) -> sql.Composable:
    parts = []
    if k.get("min_value") is not None:
        parts.append(
            sql.SQL("{} {} {}").format(
                value, sql.SQL("<=" if k.get("strict_min") else "<"), sql.Literal(k["min_value"])
            )
        )
    if k.get("max_value") is not None:
        parts.append(
            sql.SQL("{} {} {}").format(
                value, sql.SQL(">=" if k.get("strict_max") else ">"), sql.Literal(k["max_value"])
            )
        )
    return sql.SQL(" or ").join(parts) if parts else sql.SQL("false")


AGGREGATES = {
    "expect_column_max_to_be_between": "max",
    "expect_column_min_to_be_between": "min",
    "expect_column_sum_to_be_between": "sum",
    "expect_column_mean_to_be_between": "avg",
}


def resolve(value: Any, parameters: dict[str, Any]) -> Any:
    """A suite parameter ({"$PARAMETER": name}) replaced by its value for this run."""
    if isinstance(value, dict) and "$PARAMETER" in value:
        return parameters[value["$PARAMETER"]]
    return value


def resolved(e: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    return {**e, "kwargs": {k: resolve(v, parameters) for k, v in e["kwargs"].items()}}


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "__float__") and not isinstance(value, int | float | bool):
        return float(value)
    return value


def in_range(value: Any, k: dict[str, Any]) -> bool:
    if value is None:
        return False
    lo, hi = k.get("min_value"), k.get("max_value")
    if isinstance(value, dt.date):
        lo = dt.date.fromisoformat(str(lo)) if lo is not None else None
        hi = dt.date.fromisoformat(str(hi)) if hi is not None else None
    if lo is not None and (value <= lo if k.get("strict_min") else value < lo):
        return False
    return not (hi is not None and (value >= hi if k.get("strict_max") else value > hi))


# --- running a suite ----------------------------------------------------------------------------------------


def validate(
    conn: psycopg.Connection,
    table: Table,
    batch: sql.Composable,
    batch_id: str,
    run_name: str,
    today: dt.date | None = None,
) -> SuiteResult:
    """Evaluate the table's suite on `batch`, a table or view (GX's `{batch}` in SQL expectations)."""
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    suite, suite_sha = load_suite(table)
    parameters = {"today": (today or dt.date.today()).isoformat()}
    expectations = [resolved(e, parameters) for e in suite["expectations"]]
    outcomes: dict[int, Outcome] = {}

    # One scan for every per-row rule and every aggregate.
    scan: list[sql.Composable] = [sql.SQL("count(*)")]
    plan: list[tuple[int, str, int]] = []  # (expectation index, kind, position of its first value)
    for i, e in enumerate(expectations):
        check = map_check(e)
        if check is not None:
            plan.append((i, "map", len(scan)))
            bad = sql.SQL("({}) and not ({}) and ({})").format(
                check.domain, check.missing or sql.SQL("false"), check.unexpected
            )
            scan += [
                sql.SQL("count(*) filter (where {})").format(check.domain),
                sql.SQL("count(*) filter (where ({}) and ({}))").format(
                    check.domain, check.missing or sql.SQL("false")
                ),
                sql.SQL("count(*) filter (where {})").format(bad),
                sql.SQL("(array_agg(source_row order by source_row) filter (where {}))[1:{}]").format(
                    bad, sql.Literal(SAMPLE)
                ),
                sql.SQL("(array_agg(to_json({}) order by source_row) filter (where {}))[1:{}]").format(
                    check.sample, bad, sql.Literal(SAMPLE)
                ),
            ]
        elif e["type"] in AGGREGATES:
            plan.append((i, "aggregate", len(scan)))
            scan.append(sql.SQL("{}({})").format(sql.SQL(AGGREGATES[e["type"]]), ident(e["kwargs"]["column"])))
    row = conn.execute(sql.SQL("select {} from {} as batch").format(sql.SQL(", ").join(scan), batch)).fetchone()
    assert row is not None
    row_count = row[0]
    for i, kind, pos in plan:
        e = expectations[i]
        if kind == "map":
            domain, missing, unexpected, rows, samples = row[pos : pos + 5]
            rows, samples = rows or [], samples or []
            outcomes[i] = map_outcome(e, domain, missing, unexpected, rows, samples)
        else:
            observed = row[pos]
            outcomes[i] = Outcome(e, in_range(observed, e["kwargs"]), {"observed_value": jsonable(observed)})

    for i, e in enumerate(expectations):
        if i in outcomes:
            continue
        outcomes[i] = run_other(conn, e, batch, row_count, table)

    result = SuiteResult(
        table=table,
        suite_name=suite["name"],
        suite_sha256=suite_sha,
        outcomes=[outcomes[i] for i in range(len(expectations))],
        row_count=row_count,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        run_name=run_name,
        batch_id=batch_id,
        parameters=parameters,
    )
    log.debug("validated %s (%d rows) in %.2fs", table.name, row_count, time.perf_counter() - t0)
    return result


def map_outcome(
    e: dict[str, Any], domain: int, missing: int, unexpected: int, rows: list[int], samples: list[Any]
) -> Outcome:
    nonmissing = domain - missing
    percent = 100.0 * unexpected / nonmissing if nonmissing else 0.0
    mostly = e["kwargs"].get("mostly", 1.0)
    success = (unexpected / nonmissing if nonmissing else 0.0) <= 1.0 - mostly + 1e-12
    column = e["kwargs"].get("column")
    return Outcome(
        e,
        success,
        {
            "element_count": domain,
            "missing_count": missing,
            "missing_percent": 100.0 * missing / domain if domain else 0.0,
            "unexpected_count": unexpected,
            "unexpected_percent": percent,
            "unexpected_percent_total": 100.0 * unexpected / domain if domain else 0.0,
            "unexpected_percent_nonmissing": percent,
            "partial_unexpected_list": samples,
            "partial_unexpected_index_list": [
                {"source_row": r, **({column: s} if column else {})} for r, s in zip(rows, samples, strict=False)
            ],
            "unexpected_index_column_names": ["source_row"],
        },
    )


def run_other(
    conn: psycopg.Connection, e: dict[str, Any], batch: sql.Composable, row_count: int, table: Table
) -> Outcome:
    t, k = e["type"], e["kwargs"]
    if t == "expect_table_row_count_to_be_between":
        return Outcome(e, in_range(row_count, k), {"observed_value": row_count})
    if t == "expect_table_columns_to_match_set":
        observed = list(table.column_names)
        expected = set(k["column_set"])
        ok = set(observed) == expected if k.get("exact_match", True) else expected <= set(observed)
        return Outcome(e, ok, {"observed_value": observed})
    if t == "expect_compound_columns_to_be_unique":
        cols = sql.SQL(", ").join(map(ident, k["column_list"]))
        # Rows whose key occurs more than once; hashed GROUP BY, not GX's self-join.
        dupes = conn.execute(
            sql.SQL(
                "select coalesce(sum(n), 0), (array_agg(rows_ order by first_row))[1:{s}],"
                " (array_agg(key_ order by first_row))[1:{s}]"
                " from (select count(*) as n, min(source_row) as first_row, array_agg(source_row order by source_row) as rows_,"
                " json_build_array({cols}) as key_ from {batch} as batch group by {cols} having count(*) > 1) as d"
            ).format(s=sql.Literal(SAMPLE), cols=cols, batch=batch)
        ).fetchone()
        assert dupes is not None
        count, row_groups, keys = int(dupes[0]), dupes[1] or [], dupes[2] or []
        rows = [r for group in row_groups for r in group][:SAMPLE]
        return Outcome(
            e,
            count == 0,
            {
                "element_count": row_count,
                "unexpected_count": count,
                "unexpected_percent": 100.0 * count / row_count if row_count else 0.0,
                "partial_unexpected_list": [dict(zip(k["column_list"], key, strict=True)) for key in keys],
                "partial_unexpected_index_list": [{"source_row": r} for r in rows],
                "unexpected_index_column_names": ["source_row"],
            },
        )
    if t == "unexpected_rows_expectation":
        query = sql.SQL(k["unexpected_rows_query"].replace("{batch}", "{batch_relation}")).format(batch_relation=batch)
        with conn.cursor() as cur:
            cur.execute(query)
            names = [d.name for d in cur.description or []]
            found = cur.fetchall()
        return Outcome(
            e,
            not found,
            {
                "observed_value": len(found),
                "details": {
                    "unexpected_rows": [dict(zip(names, map(jsonable, r), strict=True)) for r in found[:SAMPLE]]
                },
            },
        )
    raise UnsupportedExpectation(
        f"{t} in suite for {table.name} is not supported by the SQL validator; "
        "use one of the supported expectation types (see validation.py)"
    )


# --- Great Expectations: results store, Data Docs, and GX's own engine ---------------------------------------


def results_path(result: SuiteResult) -> Path:
    """Where the GX-format result JSON lives: the layout of GX's validation results store."""
    stamp = result.started_at.strftime("%Y%m%dT%H%M%S.%fZ")
    return (
        settings.reports_dir() / "validations" / result.suite_name / result.run_name / stamp / f"{result.batch_id}.json"
    )


def store_result(result: SuiteResult) -> Path:
    path = results_path(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.as_gx(), default=jsonable, indent=1), encoding="utf-8")
    return path


def quiet_gx() -> None:
    for name in ("great_expectations", "great_expectations._docs_decorators"):
        logging.getLogger(name).setLevel(logging.WARNING)


def gx_context() -> Any:
    """The file data context in expectations/, with results and Data Docs kept under the reports folder."""
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    quiet_gx()
    import great_expectations as gx

    return gx.get_context(mode="file", project_root_dir=str(settings.expectations_dir()))


def build_data_docs(result_files: list[Path]) -> Path | None:
    """Render Data Docs pages for these stored results (GX's own renderer). Returns the index page."""
    if not result_files:
        return None
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    context = gx_context()
    keys = []
    for path in result_files:
        data = json.loads(path.read_text(encoding="utf-8"))
        run = data["meta"]["run_id"]
        run_id = RunIdentifier(run_name=run["run_name"], run_time=dt.datetime.fromisoformat(run["run_time"]))
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=data["suite_name"]),
            run_id=run_id,
            batch_identifier=path.stem,
        )
        data["meta"]["run_id"] = run_id
        data["meta"]["validation_time"] = dt.datetime.fromisoformat(data["meta"]["validation_time"])
        gx_result = ExpectationSuiteValidationResult(**{k: v for k, v in data.items() if k != "id"})
        context.validation_results_store.set(key, gx_result)
        keys.append(key)
    context.build_data_docs(resource_identifiers=keys)
    return settings.reports_dir() / "data_docs" / "index.html"


def data_docs_page(result_file: Path) -> Path:
    """The Data Docs page of one stored result (same relative layout as the results store)."""
    relative = result_file.relative_to(settings.reports_dir() / "validations").with_suffix(".html")
    return settings.reports_dir() / "data_docs" / "validations" / relative


def validate_with_gx(frame: Any, table: Table, today: dt.date) -> dict[str, Any]:
    """GX's own pandas engine on a DataFrame of the typed rows: the reference the SQL validator is held to.

    SQL-only expectations (unexpected_rows_expectation) are left out: GX runs them only on SQL data sources.
    """
    import great_expectations as gx

    quiet_gx()
    suite_json, _ = load_suite(table)
    context = gx.get_context(mode="ephemeral")
    suite = gx.ExpectationSuite(
        name=suite_json["name"],
        expectations=[
            {k: v for k, v in e.items() if k != "id"}
            for e in suite_json["expectations"]
            if e["type"] != "unexpected_rows_expectation"
        ],
    )
    suite = context.suites.add(suite)
    batch_definition = (
        context.data_sources.add_pandas(f"check_{uuid.uuid4().hex[:8]}")
        .add_dataframe_asset(table.name)
        .add_batch_definition_whole_dataframe("all_rows")
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"check_{table.name}", data=batch_definition, suite=suite)
    )
    result = definition.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters={"today": today.isoformat()},
        result_format={"result_format": "SUMMARY"},
    )
    return result.to_json_dict()
