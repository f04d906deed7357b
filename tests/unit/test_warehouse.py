"""What the warehouse module decides without a database: retry or not, the dbt profile of a URL, and each seed's
and model's outcome in a build."""

from __future__ import annotations

from gender_warehouse.db import redact_uri, url_from_parts
from gender_warehouse.warehouse import dbt_env, is_transient_failure, node_outcome, node_outcomes


def test_only_connection_failures_are_worth_a_retry() -> None:
    assert is_transient_failure(
        "dbt invocation completed with errors: fct_x: Database Error\n  could not connect to server: Connection refused"
    )
    assert is_transient_failure("server closed the connection unexpectedly")
    assert not is_transient_failure(
        "dbt invocation completed with errors: not_null_fct_x_entity_code: Got 3 results, configured to fail if != 0"
    )
    assert not is_transient_failure('Database Error in model x: column "y" does not exist')


def test_the_profile_comes_from_the_url_including_socket_hosts() -> None:
    env = dbt_env("postgresql://loader:s3cret@db.example.org:6432/warehouse")
    assert env == {
        "GWH_DBT_HOST": "db.example.org",
        "GWH_DBT_PORT": "6432",
        "GWH_DBT_USER": "loader",
        "GWH_DBT_PASSWORD": "s3cret",
        "GWH_DBT_DBNAME": "warehouse",
        "GWH_DBT_ROLE": "",
    }
    assert dbt_env("postgresql://loader@db/warehouse", "transformer")["GWH_DBT_ROLE"] == "transformer"
    assert (
        dbt_env("postgresql://postgres:@/gwh?host=/srv/gwh/.gwh/postgres")["GWH_DBT_HOST"] == "/srv/gwh/.gwh/postgres"
    )


def test_urls_round_trip_and_never_show_a_password() -> None:
    url = url_from_parts("/run/pg sock", None, "post gres", "p@ss", "gwh", {"sslmode": "require", "junk": "x"})
    assert url == "postgresql://post%20gres:p%40ss@%2Frun%2Fpg%20sock/gwh?sslmode=require"
    assert redact_uri(url) == "postgresql://post%20gres:***@%2Frun%2Fpg%20sock/gwh?sslmode=require"


def test_values_a_rule_found_are_shown_as_the_submitter_wrote_them() -> None:
    """No Python reprs and no re-formatted numbers in a message: -78791 stays -78791, a case names its line."""
    import datetime as dt
    import decimal

    from gender_warehouse.pipeline import as_written

    assert as_written(-78791.0) == "-78791"
    assert as_written(decimal.Decimal("-232867.390000")) == "-232867.39"
    assert as_written(decimal.Decimal("1E+3")) == "1000"
    assert as_written(dt.date(2024, 2, 29)) == "2024-02-29"
    assert as_written(["P-4", "P-3"]) == "P-4 / P-3"
    case = {"source_row": 78, "programme_id": "XM-DAC-41114-1", "amount": decimal.Decimal("5.500000"), "x": None}
    assert as_written(case, "line") == "line 78: programme_id XM-DAC-41114-1, amount 5.5"


def result(unique_id: str, status: str, message: str = "", tested: list[str] | None = None) -> dict:
    kind = unique_id.split(".")[0]
    return {"unique_id": unique_id, "resource_type": kind, "status": status, "message": message, "tested": tested or []}


def test_a_node_s_outcome_folds_in_its_tests_and_says_why() -> None:
    seed, model, mart, lone = "seed.p.ref_x", "model.p.fct_x", "model.p.mart_x", "model.p.dim_y"
    outcomes = node_outcomes(
        [
            result(seed, "success", "INSERT 3"),
            result(model, "success", "SELECT 10"),
            result(mart, "skipped", "SKIP relation marts.mart_x"),
            result(lone, "error", 'column "y" does not exist'),
            result("test.p.not_null_ref_x_code", "pass", tested=[seed]),
            result("test.p.accepted_values_fct_x_sex", "fail", "Got 2 results, configured to fail if != 0", [model]),
            result("unit_test.p.fct_x.counts_women", "pass", tested=[model]),
            result("test.p.warn_fct_x", "warn", "Got 1 result, configured to warn if != 0", [model]),
            # A singular test reading two models counts for both.
            result("test.p.assert_x_matches_y", "fail", "Got 1 result", [model, mart]),
            result("test.p.of_an_unbuilt_node", "pass", tested=["model.p.elsewhere"]),
        ]
    )
    assert set(outcomes) == {seed, model, mart, lone}
    assert outcomes[seed] == {"status": "success", "message": "1 of 1 test(s) passed"}
    assert outcomes[model]["status"] == "failed"
    assert outcomes[model]["message"].startswith("2 of 4 test(s) passed; test accepted_values_fct_x_sex fail: Got 2")
    assert "test warn_fct_x warns: Got 1 result" in outcomes[model]["message"]
    assert "test assert_x_matches_y fail" in outcomes[model]["message"]
    # dbt skipped the mart after the failure upstream: skipped stays skipped, a failing test on it is still told.
    assert outcomes[mart]["status"] == "skipped" and "assert_x_matches_y" in outcomes[mart]["message"]
    assert outcomes[lone] == {"status": "failed", "message": 'error: column "y" does not exist'}


def test_a_node_the_build_never_reached_is_skipped_with_the_reason() -> None:
    assert node_outcome(None, "model.p.x")[0] == "skipped"
    assert "did not run" in node_outcome(None, "model.p.x")[1]
    assert node_outcome({}, "model.p.x") == (
        "skipped",
        "dbt did not reach it: the build stopped before (see the dbt_build task's log)",
    )
    assert node_outcome({"model.p.x": {"status": "failed", "message": "m"}}, "model.p.x") == ("failed", "m")
