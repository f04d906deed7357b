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
import importlib.metadata
import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg import sql

from gender_warehouse import settings, suites
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


def validate(
    rows: Canonical,
    conn: psycopg.Connection,
    batch: sql.Composable,
    batch_id: str,
    run_name: str,
    today: dt.date | None = None,
) -> SuiteResult:
    """Evaluate the table's suite: row rules on the typed Arrow table, SQL expectations on `batch`.

    `batch` is a view of the same rows, already loaded (uncommitted) into raw: GX's `{batch}` in SQL
    expectations, which may compare the submission with what the warehouse already holds.
    """
    started = dt.datetime.now(dt.UTC)
    table = rows.table
    suite, suite_sha = load_suite(table)
    parameters = {"today": (today or dt.date.today()).isoformat()}
    outcomes = []
    for e in (resolved(e, parameters) for e in suite["expectations"]):
        t0 = time.perf_counter()
        outcomes.append(evaluate(e, rows.rows, conn, batch, table))
        log.debug("%s %s: %.3f s", e["type"], e["kwargs"].get("column", ""), time.perf_counter() - t0)
    return SuiteResult(
        table=table,
        suite_name=suite["name"],
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
    e: dict[str, Any], rows: pa.Table, conn: psycopg.Connection, batch: sql.Composable, table: Table
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
        keys = keyed_text(rows, k["column_list"])
        counts = pc.value_counts(keys)
        repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
        duplicate = pc.is_in(keys, value_set=repeated)
        every_row = pa.repeat(pa.scalar(True), rows.num_rows)
        no_row = pa.repeat(pa.scalar(False), rows.num_rows)
        return map_outcome(e, rows, MapCheck(every_row, no_row, duplicate, keys), key_columns=k["column_list"])
    if t == "unexpected_rows_expectation":
        query = sql.SQL(k["unexpected_rows_query"].replace("{batch}", "{batch_relation}")).format(batch_relation=batch)
        with conn.cursor() as cur:
            cur.execute(query)
            names = [d.name for d in cur.description or []]
            found = cur.fetchall()
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
    # The suites' own pages too: every validation page links to its suite.
    suites = {k.expectation_suite_identifier.name for k in keys}
    context.build_data_docs(resource_identifiers=[*keys, *(ExpectationSuiteIdentifier(name=n) for n in sorted(suites))])
    folder = settings.reports_dir() / "data_docs"
    written = [data_docs_page(p) for p in result_files]
    offline_pages(folder, [folder / "index.html", *written, *sorted((folder / "expectations").rglob("*.html"))])
    return folder / "index.html"


OFFLINE_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem auto;max-width:1200px;
color:#1d2430;padding:0 1rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #dde2ea;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f5f8}
.card{border:1px solid #dde2ea;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}.text-danger{color:#a3231d}
.text-success{color:#17663a}.badge{padding:0 .3rem;border-radius:3px;background:#eef1f5}nav,.navbar{margin:.5rem 0}
i.fas,i.far,i.fa{font-style:normal;font-weight:600}code{font-size:.9em}ul.nav{list-style:none;padding:0}
"""
ICON_WORDS = {"fa-check": "✔ passed", "fa-times": "✖ failed", "fa-exclamation": "⚠ warning"}


def offline_pages(folder: Path, pages: list[Path]) -> None:
    """GX's pages load Bootstrap, jQuery, Vega and Font Awesome from CDNs and a logo (with a tracking query) from
    GX's servers. Rewritten to need nothing from the network: external scripts, styles and images go, the inline
    scripts that need them go too, and a stylesheet shipped beside the pages lays them out. Every result stays."""
    import lxml.html

    css = folder / "static" / "offline.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text(OFFLINE_STYLE, encoding="utf-8")
    for page in pages:
        if not page.exists():
            continue
        doc = lxml.html.fromstring(page.read_bytes())
        # Every script goes: the external ones are the CDN libraries, the inline ones only drive them.
        for element in doc.xpath("//script | //iframe | //form"):
            element.drop_tree()
        for element in doc.xpath("//link[@href] | //img[@src]"):
            if (element.get("src") or element.get("href") or "").startswith(("http://", "https://", "//")):
                element.drop_tree()
        # Outcomes are Font Awesome icons: words in their place.
        for icon in doc.xpath("//i[contains(@class, 'fa-')]"):
            classes = icon.get("class", "")
            icon.text = next((word for name, word in ICON_WORDS.items() if name in classes), "")
        head = doc.find("head")
        if head is not None:
            link = lxml.html.Element("link", rel="stylesheet", href=os.path.relpath(css, page.parent))
            head.append(link)
        page.write_bytes(lxml.html.tostring(doc, doctype="<!DOCTYPE html>", encoding="utf-8"))


def data_docs_page(result_file: Path) -> Path:
    """The Data Docs page of one stored result (same relative layout as the results store)."""
    relative = result_file.relative_to(settings.reports_dir() / "validations").with_suffix(".html")
    return settings.reports_dir() / "data_docs" / "validations" / relative


def validate_with_gx(
    frame: Any, table: Table, today: dt.date, expectations: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """GX's own pandas engine on a DataFrame of the typed rows: the reference the SQL validator is held to.

    SQL-only expectations (unexpected_rows_expectation) are left out: GX runs them only on SQL data sources.
    `expectations` runs these instead of the table's suite.
    """
    quiet_gx()
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
