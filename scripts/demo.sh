#!/usr/bin/env bash
# The demo: the sample submissions land in the landing folder, the real Airflow DAGs run them (`airflow dags
# test`, metadata in SQLite under .gwh/airflow), and the marts' figures are printed beside the published ones.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/.venv/bin"
export PATH="$BIN:$PATH"
started=$SECONDS

if [ -z "${GWH_DATABASE_URL:-}" ]; then
    # No database configured: the embedded PostgreSQL under .gwh/postgres (it has no password).
    GWH_DATABASE_URL="$(gwh db url --uri)"
fi
export GWH_DATABASE_URL
export GWH_LANDING_DIR="${GWH_LANDING_DIR:-$PWD/.gwh/landing}"
# shellcheck source=scripts/airflow_env.sh
source scripts/airflow_env.sh
logs="$AIRFLOW_HOME/demo-logs"
mkdir -p "$logs" "$GWH_LANDING_DIR"

echo "Warehouse: $(gwh db url)"
# Least-privilege roles: the ingestion works as loader, dbt as transformer, the figures as bi_reader.
gwh db roles
airflow db migrate > "$logs/db-migrate.log" 2>&1 || { tail -20 "$logs/db-migrate.log"; exit 1; }

# The originals first (HR files, the programmes as CSV, XLSX and IATI XML, the frameworks' ratings), then the
# correction that supersedes WIPO's 2024 rows, then files with mistakes.
cp include/sample_submissions/hr/* include/sample_submissions/programmes/* include/sample_submissions/accountability/* \
    "$GWH_LANDING_DIR/"
sleep 1
cp include/sample_submissions/corrections/* include/sample_submissions/rejected/* "$GWH_LANDING_DIR/"

run_dag() {
    echo "airflow dags test $1 ... (log: $logs/$1.log)"
    if ! airflow dags test "$1" > "$logs/$1.log" 2>&1; then
        tail -40 "$logs/$1.log"
        echo "the $1 DAG run failed; its log is $logs/$1.log" >&2
        exit 1
    fi
}

run_dag ingest_submissions
echo
gwh status --limit 15
run_dag build_warehouse
echo
echo "Who owes what (the reporting calendar, dbt_project/seeds/ref_reporting_calendar.csv):"
gwh status --due --limit 10
echo
echo "What the seed text says, beside what the marts computed from the submissions:"
gwh figures || true
echo
gwh reports > /dev/null
echo "Done in $((SECONDS - started)) s. Reports (offline; \`.venv/bin/gwh serve\` serves them on http://127.0.0.1:8000/):"
echo "  Reports site: a report per submission, links to the rest: reports/index.html"
echo "  Parity dashboard:                        reports/dashboard/index.html"
echo "  GX Data Docs (one page per validation): reports/data_docs/index.html"
echo "  dbt docs (models, columns, lineage):     reports/dbt_docs/static_index.html"
echo "  Airflow logs of this run:                $logs/"
