"""Validation of a submitted table against its Great Expectations suite, and every call into GX.

The suites in `expectations/gx/expectations/` are GX 1.x suite files. Their row and column rules are evaluated
here with Arrow's vectorised kernels on the typed rows of one submission (hash lookups for code lists, one hash
count for the unique key), and their SQL expectations in PostgreSQL on the same rows, loaded but uncommitted.
A million-row file is checked by every rule in about a second, where GX's own engines take a pass or a query per
metric. The result has GX's ExpectationSuiteValidationResult shape, so GX renders it into Data Docs;
`validate_with_gx` runs GX's own pandas engine on the same rows, and a test holds the two to the same verdicts.

GX itself (about 5 s to import) is imported only where it is needed: Data Docs and `validate_with_gx`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import html
import importlib.metadata
import json
import logging
import os
import re
import shutil
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg import sql

from gender_warehouse import files, settings, suites
from gender_warehouse.canonical import Canonical
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
                "great_expectations_version": importlib.metadata.version("great_expectations"),
                "run_id": {"run_name": self.run_name, "run_time": self.started_at.isoformat()},
                "validation_time": self.finished_at.isoformat(),
                "batch_spec": {"batch_id": self.batch_id, "data_asset_name": self.table.raw_table},
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


# --- compiling expectations to Arrow masks ------------------------------------------------------------------


def condition_mask(rows: pa.Table, cond: dict[str, Any] | None) -> pa.ChunkedArray | pa.Array:
    """A GX 1.x row_condition as a boolean mask (a comparison with null is false, as in SQL and pandas)."""
    if not cond:
        return pa.repeat(pa.scalar(True), rows.num_rows)
    kind = cond.get("type")
    if kind == "comparison":
        values = rows.column(cond["column"]["name"])
        op, param = cond["operator"], cond["parameter"]
        if op in ("IN", "NOT_IN"):
            found = pc.is_in(values, value_set=pa.array(param).cast(values.type))
            mask = found if op == "IN" else pc.and_(pc.invert(found), pc.is_valid(values))
        else:
            functions = {"==": pc.equal, "!=": pc.not_equal, "<": pc.less, "<=": pc.less_equal}
            functions |= {">": pc.greater, ">=": pc.greater_equal}
            mask = functions[op](values, pa.scalar(param).cast(values.type))
        return pc.fill_null(mask, False)
    if kind == "nullity":
        values = rows.column(cond["column"]["name"])
        return pc.is_null(values) if cond["is_null"] else pc.is_valid(values)
    if kind in ("and", "or"):
        combine = pc.and_ if kind == "and" else pc.or_
        masks = [condition_mask(rows, c) for c in cond["conditions"]]
        out = masks[0]
        for m in masks[1:]:
            out = combine(out, m)
        return out
    raise UnsupportedExpectation(f"row_condition of type {kind!r}")


def key_codes(rows: pa.Table, columns: list[str]) -> pa.Array | None:
    """Each row's values of these columns as one integer, from each column's dictionary codes (a null is a value
    of its own, as in keyed_text), when the codes of all of them fit in 62 bits; else None. Counting integers is
    several times faster than joining and hashing a text key per row."""
    codes, size = None, 1
    for name in columns:
        encoded = pc.dictionary_encode(rows.column(name).combine_chunks(), null_encoding="encode")
        width = max(len(encoded.dictionary), 1)
        if size * width >= 1 << 62:
            return None
        indices = pc.cast(encoded.indices, pa.int64())
        codes = indices if codes is None else pc.add(pc.multiply(codes, width), indices)
        size *= width
    return codes


def keyed_text(rows: pa.Table, columns: list[str]) -> pa.ChunkedArray:
    """The columns joined into one text per row (nulls marked), to hash pairs and compound keys."""
    parts = [pc.fill_null(pc.cast(rows.column(c), pa.string()), NULL_MARK) for c in columns]
    return pc.binary_join_element_wise(*parts, SEP)


def ignored_pairs(rows: pa.Table, k: dict[str, Any], default: str) -> pa.ChunkedArray | pa.Array:
    a, b = pc.is_null(rows.column(k["column_A"])), pc.is_null(rows.column(k["column_B"]))
    rule = k.get("ignore_row_if", default)
    if rule == "both_values_are_missing":
        return pc.and_(a, b)
    if rule == "either_value_is_missing":
        return pc.or_(a, b)
    return pa.repeat(pa.scalar(False), rows.num_rows)


def bound(value: Any, like: pa.DataType) -> pa.Scalar:
    if pa.types.is_decimal(like):  # an int64 scalar does not fit decimal(21, 6): go through the exact text
        return pa.scalar(decimal.Decimal(str(value)), like)
    return pa.scalar(value).cast(like)


def out_of_range(values: Any, k: dict[str, Any]) -> Any:
    """True where a value falls outside [min_value, max_value] (strict bounds honoured)."""
    mask = None
    if k.get("min_value") is not None:
        lo = bound(k["min_value"], values.type)
        mask = pc.less_equal(values, lo) if k.get("strict_min") else pc.less(values, lo)
    if k.get("max_value") is not None:
        hi = bound(k["max_value"], values.type)
        high = pc.greater_equal(values, hi) if k.get("strict_max") else pc.greater(values, hi)
        mask = high if mask is None else pc.or_(mask, high)
    return mask if mask is not None else pc.is_in(values, value_set=pa.array([], values.type))  # no bound


@dataclass
class MapCheck:
    """A per-row rule: rows in `domain`; of those, `missing` ones are skipped and `unexpected` ones fail."""

    domain: Any
    missing: Any
    unexpected: Any
    sample: Any  # the values partial_unexpected_list shows


def map_check(rows: pa.Table, e: dict[str, Any]) -> MapCheck | None:
    t, k = e["type"], e["kwargs"]
    domain = condition_mask(rows, k.get("row_condition"))
    none = pa.repeat(pa.scalar(False), rows.num_rows)
    if "column" in k:
        values = rows.column(k["column"])
        if t == "expect_column_values_to_not_be_null":
            return MapCheck(domain, none, pc.is_null(values), pa.nulls(rows.num_rows))
        if t == "expect_column_values_to_be_null":
            return MapCheck(domain, none, pc.is_valid(values), values)
        unexpected = {
            "expect_column_values_to_be_in_set": lambda: pc.invert(
                pc.is_in(values, value_set=pa.array(k["value_set"]).cast(values.type))
            ),
            "expect_column_values_to_not_be_in_set": lambda: pc.is_in(
                values, value_set=pa.array(k["value_set"]).cast(values.type)
            ),
            "expect_column_values_to_be_between": lambda: out_of_range(values, k),
            "expect_column_values_to_match_regex": lambda: pc.invert(pc.match_substring_regex(values, k["regex"])),
            "expect_column_value_lengths_to_be_between": lambda: out_of_range(pc.utf8_length(values), k),
        }.get(t)
        if unexpected is None:
            return None
        return MapCheck(domain, pc.is_null(values), unexpected(), values)
    if t == "expect_column_pair_values_to_be_in_set":
        pairs = pa.array([f"{a}{SEP}{b}" for a, b in k["value_pairs_set"]])
        keyed = keyed_text(rows, [k["column_A"], k["column_B"]])
        # Rows GX ignores (ignore_row_if) count as missing, as GX reports them.
        return MapCheck(
            domain,
            ignored_pairs(rows, k, "both_values_are_missing"),
            pc.invert(pc.is_in(keyed, value_set=pairs)),
            keyed,
        )
    if t == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = rows.column(k["column_A"]), rows.column(k["column_B"])
        ok = pc.greater_equal(a, b) if k.get("or_equal") else pc.greater(a, b)
        return MapCheck(
            domain,
            ignored_pairs(rows, k, "both_values_are_missing"),
            pc.invert(pc.fill_null(ok, False)),
            keyed_text(rows, [k["column_A"], k["column_B"]]),
        )
    return None


AGGREGATES = {
    "expect_column_max_to_be_between": pc.max,
    "expect_column_min_to_be_between": pc.min,
    "expect_column_sum_to_be_between": pc.sum,
    "expect_column_mean_to_be_between": pc.mean,
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
    if isinstance(value, str) and SEP in value:  # a pair or key joined for hashing
        return [None if v == NULL_MARK else v for v in value.split(SEP)]
    if hasattr(value, "__float__") and not isinstance(value, int | float | bool):
        return float(value)
    return value


def in_range(value: Any, k: dict[str, Any]) -> bool:
    """Whether one observed value (a max, a min, a row count) lies within the bounds: out_of_range, for one."""
    return value is not None and not out_of_range(pa.array([value]), k)[0].as_py()


# --- running a suite ----------------------------------------------------------------------------------------


SQL_EXPECTATIONS = ("unexpected_rows_expectation",)  # evaluated in PostgreSQL, on the loaded rows


def expectations_of(table: Table, today: dt.date | None) -> tuple[list[dict[str, Any]], dict[str, Any], str, str]:
    """The suite's expectations with their parameters resolved, the parameters, the suite's name and its sha256."""
    suite, suite_sha = load_suite(table)
    parameters = {"today": (today or dt.date.today()).isoformat()}
    return [resolved(e, parameters) for e in suite["expectations"]], parameters, suite["name"], suite_sha


def timed_evaluate(
    e: dict[str, Any], rows: Canonical, conn: psycopg.Connection | None, batch: sql.Composable | None
) -> Outcome:
    t0 = time.perf_counter()
    outcome = evaluate(e, rows.rows, conn, batch, rows.table)
    log.debug("%s %s: %.3f s", e["type"], e["kwargs"].get("column", ""), time.perf_counter() - t0)
    return outcome


def row_outcomes(rows: Canonical, today: dt.date | None = None) -> dict[int, Outcome]:
    """The outcomes of every rule of the suite but the SQL ones, by their place in the suite: Arrow alone, no
    database, so that they can be evaluated while the same rows are being copied."""
    expectations = expectations_of(rows.table, today)[0]
    return {
        i: timed_evaluate(e, rows, None, None) for i, e in enumerate(expectations) if e["type"] not in SQL_EXPECTATIONS
    }


def validate(
    rows: Canonical,
    conn: psycopg.Connection,
    batch: sql.Composable,
    batch_id: str,
    run_name: str,
    today: dt.date | None = None,
    done: dict[int, Outcome] | None = None,
) -> SuiteResult:
    """Evaluate the table's suite: row rules on the typed Arrow table, SQL expectations on `batch`.

    `batch` is a view of the same rows, already loaded (uncommitted) into raw: GX's `{batch}` in SQL
    expectations, which may compare the submission with what the warehouse already holds. `done` holds the
    outcomes row_outcomes gave already (the rules evaluated while the rows were copied).
    """
    started = dt.datetime.now(dt.UTC)
    table = rows.table
    expectations, parameters, suite_name, suite_sha = expectations_of(table, today)
    done = done or {}
    outcomes = [done[i] if i in done else timed_evaluate(e, rows, conn, batch) for i, e in enumerate(expectations)]
    return SuiteResult(
        table=table,
        suite_name=suite_name,
        suite_sha256=suite_sha,
        outcomes=outcomes,
        row_count=rows.row_count,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        run_name=run_name,
        batch_id=batch_id,
        parameters=parameters,
    )


def evaluate(
    e: dict[str, Any], rows: pa.Table, conn: psycopg.Connection | None, batch: sql.Composable | None, table: Table
) -> Outcome:
    t, k = e["type"], e["kwargs"]
    check = map_check(rows, e)
    if check is not None:
        return map_outcome(e, rows, check)
    if t in AGGREGATES:
        observed = AGGREGATES[t](rows.column(k["column"])).as_py()
        return Outcome(e, in_range(observed, k), {"observed_value": jsonable(observed)})
    if t == "expect_table_row_count_to_be_between":
        return Outcome(e, in_range(rows.num_rows, k), {"observed_value": rows.num_rows})
    if t == "expect_table_columns_to_match_set":
        observed = list(table.column_names)
        expected = set(k["column_set"])
        ok = set(observed) == expected if k.get("exact_match", True) else expected <= set(observed)
        return Outcome(e, ok, {"observed_value": observed})
    if t == "expect_compound_columns_to_be_unique":
        every_row = pa.repeat(pa.scalar(True), rows.num_rows)
        no_row = pa.repeat(pa.scalar(False), rows.num_rows)
        codes = key_codes(rows, k["column_list"])
        if codes is not None and len(pc.unique(codes)) == rows.num_rows:  # every key once: nothing to show
            return map_outcome(e, rows, MapCheck(every_row, no_row, no_row, pa.nulls(rows.num_rows)))
        keys = keyed_text(rows, k["column_list"])
        counts = pc.value_counts(keys)
        repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
        duplicate = pc.is_in(keys, value_set=repeated)
        return map_outcome(e, rows, MapCheck(every_row, no_row, duplicate, keys), key_columns=k["column_list"])
    if t == "unexpected_rows_expectation":
        assert conn is not None and batch is not None, "a SQL expectation needs the loaded batch"
        query = sql.SQL(k["unexpected_rows_query"].replace("{batch}", "{batch_relation}")).format(batch_relation=batch)
        with conn.cursor() as cur:
            # The batch has just landed and has no statistics: the planner guesses a few hundred rows, sorts a
            # million to group them (spilling to disk) and compiles the plan (JIT) for the cost it then sees.
            # Hashing is what grouping a batch needs, and compiling costs more than these queries run.
            # (A query that fails aborts the transaction, and the settings with it.)
            cur.execute("set local enable_sort = off; set local jit = off")
            cur.execute(query)
            names = [d.name for d in cur.description or []]
            found = cur.fetchall()
            cur.execute("set local enable_sort = default; set local jit = default")
        unexpected_rows = [dict(zip(names, map(jsonable, r), strict=True)) for r in found[:SAMPLE]]
        return Outcome(e, not found, {"observed_value": len(found), "details": {"unexpected_rows": unexpected_rows}})
    raise UnsupportedExpectation(
        f"{t} in suite for {table.name} is not supported by the validator; "
        "use one of the supported expectation types (see validation.py)"
    )


def map_outcome(e: dict[str, Any], rows: pa.Table, check: MapCheck, key_columns: list[str] | None = None) -> Outcome:
    domain = check.domain
    missing = pc.and_(domain, check.missing)
    bad = pc.and_(pc.and_(domain, pc.invert(check.missing)), pc.fill_null(check.unexpected, False))
    domain_count = pc.sum(domain).as_py() or 0
    missing_count = pc.sum(missing).as_py() or 0
    unexpected = pc.sum(bad).as_py() or 0
    where = pc.indices_nonzero(bad)[:SAMPLE]
    source_rows = rows.column("source_row").take(where).to_pylist()
    samples = [jsonable(v) for v in pc.take(check.sample, where).to_pylist()]
    if key_columns:  # a compound key is shown as {column: value}, as GX shows it
        samples = [dict(zip(key_columns, v, strict=True)) for v in samples]
    nonmissing = domain_count - missing_count
    percent = 100.0 * unexpected / nonmissing if nonmissing else 0.0
    mostly = e["kwargs"].get("mostly", 1.0)
    success = (unexpected / nonmissing if nonmissing else 0.0) <= 1.0 - mostly + 1e-12
    column = e["kwargs"].get("column")
    return Outcome(
        e,
        success,
        {
            "element_count": domain_count,
            "missing_count": missing_count,
            "missing_percent": 100.0 * missing_count / domain_count if domain_count else 0.0,
            "unexpected_count": unexpected,
            "unexpected_percent": percent,
            "unexpected_percent_total": 100.0 * unexpected / domain_count if domain_count else 0.0,
            "unexpected_percent_nonmissing": percent,
            "partial_unexpected_list": samples,
            "partial_unexpected_index_list": [
                {"source_row": r, **({column: s} if column else {})} for r, s in zip(source_rows, samples, strict=True)
            ],
            "unexpected_index_column_names": ["source_row"],
        },
    )


# --- Great Expectations: results store, Data Docs, and GX's own engine ---------------------------------------


def results_path(result: SuiteResult) -> Path:
    """Where the GX-format result JSON lives: the layout of GX's validation results store."""
    stamp = result.started_at.strftime("%Y%m%dT%H%M%S.%fZ")
    return (
        settings.reports_dir() / "validations" / result.suite_name / result.run_name / stamp / f"{result.batch_id}.json"
    )


def store_result(result: SuiteResult) -> Path:
    """The result JSON, written whole (a temporary file renamed into place): a parallel reader never sees half."""
    return files.write_atomic(results_path(result), json.dumps(result.as_gx(), default=jsonable, indent=1))


def quiet_gx() -> None:
    """GX logs about 200 INFO lines as it is imported ("Skipping registering function ..."): a user sees only the
    project's own lines, and GX's warnings. Set before any import of GX, which is why it runs on import here."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


quiet_gx()


def private_gx_context(root: Path) -> Any:
    """A GX context of this run alone: the suites it needs, its results and its Data Docs site all under `root`
    (a private temporary folder), so GX never writes where another process reads."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig

    def folder(name: str) -> dict[str, Any]:
        return {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(root / name),
            "suppress_store_backend_id": True,
        }

    in_memory = {"class_name": "InMemoryStoreBackend"}
    config = DataContextConfig(
        stores={
            "expectations_store": {"class_name": "ExpectationsStore", "store_backend": folder("expectations")},
            "validation_results_store": {
                "class_name": "ValidationResultsStore",
                "store_backend": folder("validations"),
            },
            "checkpoint_store": {"class_name": "CheckpointStore", "store_backend": in_memory},
            "validation_definition_store": {"class_name": "ValidationDefinitionStore", "store_backend": in_memory},
        },
        expectations_store_name="expectations_store",
        validation_results_store_name="validation_results_store",
        checkpoint_store_name="checkpoint_store",
        data_docs_sites={
            "local_site": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": folder("site"),
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        analytics_enabled=False,
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def as_text(value: Any) -> Any:
    """Every string in a result, HTML-escaped: GX puts result values into its pages as markup, unescaped, so a
    submitted `<img onerror=…>` would be an element; escaped, it shows as the submitter typed it."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, dict):
        return {as_text(k): as_text(v) for k, v in value.items()}
    return value


def for_rendering(data: dict[str, Any]) -> dict[str, Any]:
    """A stored result as GX renders it: every value that came from a submission (the values and rows found, the
    batch names, which hold a file's name in a validate-only run) escaped; the suite's own rules as they are."""
    meta = dict(data.get("meta") or {})
    for key in ("batch_spec", "batch_parameters", "active_batch_definition"):
        if key in meta:
            meta[key] = as_text(meta[key])
    return {
        **data,
        "results": [{**r, "result": as_text(r.get("result") or {})} for r in data.get("results", [])],
        "suite_parameters": as_text(data.get("suite_parameters") or {}),
        "meta": meta,
    }


def data_docs_folder() -> Path:
    return settings.reports_dir() / "data_docs"


def build_data_docs(result_files: list[Path]) -> Path | None:
    """Render the Data Docs pages of these stored results (GX's own renderer) and publish them. Returns the index.

    GX renders into a temporary folder of this run alone; each page is then made offline and sanitized
    (`safe_page`) and written into reports/data_docs whole (a temporary file renamed into place), so neither a
    reader nor a parallel run ever meets half a page."""
    if not result_files:
        return None
    folder = data_docs_folder()
    private = Path(tempfile.mkdtemp(prefix="gwh-data-docs-"))
    try:
        site = render_data_docs(result_files, private)
        files.write_atomic(folder / "static" / "offline.css", OFFLINE_STYLE)
        for page in sorted(site.rglob("*.html")):
            relative = page.relative_to(site)
            if relative.parts[0] in ("validations", "expectations"):
                files.write_atomic(folder / relative, safe_page(page.read_bytes(), depth=len(relative.parts) - 1))
    finally:
        shutil.rmtree(private, ignore_errors=True)
    return write_index(folder)


def render_data_docs(result_files: list[Path], private: Path) -> Path:
    """GX's pages for these results and their suites, rendered into `private`/site. Returns that folder."""
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    names = set()
    loaded = []
    for path in result_files:
        data = json.loads(path.read_bytes())
        name = data["suite_name"]
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise ValueError(f"{path}: unexpected suite name {name!r}")
        names.add(name)
        loaded.append((path, data))
    (private / "expectations").mkdir(parents=True)
    for name in sorted(names):  # the suites' own pages too: every validation page links to its suite
        shutil.copyfile(suites.suites_dir() / f"{name}.json", private / "expectations" / f"{name}.json")
    context = private_gx_context(private)
    keys = []
    for path, stored in loaded:
        data = for_rendering(stored)
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
    suite_keys = [ExpectationSuiteIdentifier(name=n) for n in sorted(names)]
    context.build_data_docs(resource_identifiers=[*keys, *suite_keys], build_index=False)
    return private / "site"


OFFLINE_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5rem auto;max-width:1200px;
color:#1d2430;padding:0 1rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #dde2ea;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f5f8}
.card{border:1px solid #dde2ea;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}.text-danger{color:#a3231d}
.text-success{color:#17663a}.badge{padding:0 .3rem;border-radius:3px;background:#eef1f5}nav,.navbar{margin:.5rem 0}
i.fas,i.far,i.fa{font-style:normal;font-weight:600}code{font-size:.9em}ul.nav{list-style:none;padding:0}
ul{padding-inline-start:20px}.show-scrollbars{overflow:auto}td .show-scrollbars{max-height:80vh}
.ge-navigation-sidebar-container{max-height:65vh;overflow:auto}.cooltip{display:inline-block;position:relative}
.cooltip .top{display:none;position:absolute;z-index:10;min-width:200px;left:0;bottom:100%;padding:.5rem 1rem;
color:#fff;background:#222;border-radius:6px;font-size:13px;font-weight:normal}.cooltip:hover .top{display:block}
.muted{color:#677285}
"""
ICON_WORDS = {"fa-check": "✔ passed", "fa-times": "✖ failed", "fa-exclamation": "⚠ warning"}

# What a Data Docs page may hold once sanitized (nh3, an allow-list): GX's layout (sections, tables, lists,
# headings, text styles) with its classes and ids (the anchors of its navigation), links to the pages beside it
# or to https; nothing that runs or loads (no script, style, image, svg, iframe, object, form or control, no event
# handler, no javascript: or data: URL).
SAFE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "div", "dl", "dt", "em",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "li", "main", "nav", "ol", "p", "pre",
    "section", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u",
    "ul",
}  # fmt: skip
SAFE_ATTRIBUTES = {
    "*": {"class", "id", "title", "hidden"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
DROPPED_WITH_CONTENT = {
    "script", "style", "svg", "math", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
    "noembed", "noframes", "template", "textarea", "select", "button", "title", "head",
}  # fmt: skip


def plain_link(tag: str, attribute: str, value: str) -> str | None:
    """A link stays only when it is https or plainly relative: anything with a colon before its first /, ? or #
    (a scheme, however disguised: `jav%09ascript:`) goes, on top of nh3's own scheme check."""
    if attribute == "href" and not value.startswith("https://") and ":" in re.split(r"[/?#]", value, maxsplit=1)[0]:
        return None
    return value


def sanitize(fragment: str) -> str:
    """An HTML fragment reduced to the allow-list above (nh3: html5ever parses it as a browser would)."""
    import nh3

    return nh3.clean(
        fragment,
        tags=SAFE_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=SAFE_ATTRIBUTES,
        attribute_filter=plain_link,
        url_schemes={"https"},
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


def page_head(title: str, depth: int) -> str:
    from gender_warehouse.site import DEFAULT_POLICY, policy_meta

    css = "../" * depth + "static/offline.css"
    return (
        f'<head><meta charset="utf-8">{policy_meta(DEFAULT_POLICY)}<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)}</title><link rel="stylesheet" href="{css}"></head>'
    )


def safe_page(raw: bytes, depth: int) -> str:
    """One GX page, offline and safe: GX's pages load Bootstrap, jQuery, Vega and Font Awesome from CDNs and a logo
    (with a tracking query) from GX's servers, and drive their filters with inline scripts. Here the scripts,
    styles, controls and everything fetched go, the outcome icons become words, the body is sanitized against an
    allow-list, and the page gets a new head: its title, a Content-Security-Policy that runs no script, and the
    stylesheet shipped beside the pages (`depth` folders up). Every result stays."""
    import lxml.html

    doc = lxml.html.document_fromstring(raw)
    title = next((t.text_content().strip() for t in doc.iter("title") if t.text_content().strip()), "Data Docs")
    # GX's controls (the validation filter's card, buttons) do nothing without its scripts: they go, with their
    # labels.
    card = "contains(concat(' ', normalize-space(@class), ' '), ' card ')"
    controls = f"//*[@data-toggle='buttons']/ancestor::div[{card}][1] | //button | //input | //label[@onclick]"
    for element in doc.xpath(controls):
        if element.getparent() is not None:
            element.drop_tree()
    # Outcomes are Font Awesome icons: words in their place.
    for icon in doc.xpath("//i[contains(@class, 'fa-')]"):
        classes = icon.get("class", "")
        icon.text = next((word for name, word in ICON_WORDS.items() if name in classes), "")
    body = doc.find("body")
    content = sanitize(lxml.html.tostring(body, encoding="unicode")) if body is not None else ""
    return f'<!DOCTYPE html>\n<html lang="en">{page_head(title, depth)}<body>{content}</body></html>\n'


def write_index(folder: Path) -> Path:
    """reports/data_docs/index.html: every validation result that has a page, newest first, and every suite.

    Written under a lock, from what is on disk then: of parallel runs, the last to write it has seen every page
    written before (GX's own index fills its tables with a script, which the offline pages do not run)."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".index.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return files.write_atomic(folder / "index.html", index_page(folder))


def index_page(folder: Path) -> str:
    results = settings.reports_dir() / "validations"
    rows = []
    for result_file in results.rglob("*.json"):
        if any(part.startswith(".") for part in result_file.relative_to(results).parts):
            continue  # a result file still being written
        page = data_docs_page(result_file)
        if not page.exists():
            continue
        try:
            data = json.loads(result_file.read_bytes())
            meta = data.get("meta") or {}
            run = meta.get("run_id") or {}
            stats = data.get("statistics") or {}
            asset = (meta.get("active_batch_definition") or {}).get("data_asset_name") or ""
            rows.append((str(run.get("run_time", "")), data, run, stats, asset, page, result_file.stem))
        except (OSError, ValueError, AttributeError):
            continue
    rows.sort(key=lambda row: row[0], reverse=True)

    def link(target: Path, text: str) -> str:
        href = urllib.parse.quote(Path(os.path.relpath(target, folder)).as_posix())
        return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'

    cells = []
    for run_time, data, run, stats, asset, page, batch in rows:
        suite = str(data.get("suite_name", ""))
        suite_page = folder / "expectations" / f"{suite}.html"
        outcome = "✔ passed" if data.get("success") else "✖ failed"
        cells.append(
            f"<tr><td>{link(page, run_time[:19].replace('T', ' '))}</td>"
            f"<td>{link(suite_page, suite) if suite_page.exists() else html.escape(suite)}</td>"
            f"<td>{html.escape(str(asset))}</td><td>{html.escape(batch)}</td>"
            f"<td>{html.escape(str(run.get('run_name', '')))}</td>"
            f'<td class="{"text-success" if data.get("success") else "text-danger"}">{outcome}</td>'
            f"<td>{html.escape(str(stats.get('successful_expectations', '')))} of "
            f"{html.escape(str(stats.get('evaluated_expectations', '')))}</td></tr>"
        )
    suites_found = sorted((folder / "expectations").glob("*.html"))
    return (
        f'<!DOCTYPE html>\n<html lang="en">{page_head("Data Docs: validation results", 0)}<body>'
        '<p><a href="../index.html">All reports</a></p><h1>Great Expectations Data Docs</h1>'
        '<p class="muted">Every validation of a submission against its suite (pages rendered by Great Expectations, '
        "newest first), and the suites themselves.</p><h2>Validation results</h2>"
        "<table><tr><th>run time (UTC)</th><th>suite</th><th>table</th><th>batch</th><th>run</th><th>result</th>"
        f"<th>rules passed</th></tr>{''.join(cells) or '<tr><td colspan=7>No validation results yet.</td></tr>'}"
        "</table><h2>Expectation suites</h2><ul>"
        + "".join(f"<li>{link(p, p.stem)}</li>" for p in suites_found)
        + "</ul></body></html>\n"
    )


def data_docs_page(result_file: Path) -> Path:
    """The Data Docs page of one stored result (same relative layout as the results store)."""
    relative = result_file.relative_to(settings.reports_dir() / "validations").with_suffix(".html")
    return data_docs_folder() / "validations" / relative


def validate_with_gx(
    frame: Any, table: Table, today: dt.date, expectations: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """GX's own pandas engine on a DataFrame of the typed rows: the reference the SQL validator is held to.

    SQL-only expectations (unexpected_rows_expectation) are left out: GX runs them only on SQL data sources.
    `expectations` runs these instead of the table's suite.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    suite_json, _ = load_suite(table)
    chosen = suite_json["expectations"] if expectations is None else expectations
    kept = [e for e in chosen if e["type"] != "unexpected_rows_expectation"]
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    suite = context.suites.add(gx.ExpectationSuite(name=suite_json["name"], expectations=kept))
    # GX gives expectations new ids when a suite is added; map them back to the committed ones.
    committed_id = {str(added.id): e["id"] for added, e in zip(suite.expectations, kept, strict=True)}
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
    ).to_json_dict()
    for r in result["results"]:
        r["expectation_config"]["id"] = committed_id[r["expectation_config"]["id"]]
    return result
