# Airflow for this project, on SQLite under .gwh/airflow: `source scripts/airflow_env.sh`, then for example
#   airflow db migrate && airflow dags test ingest_submissions
# Paths are relative to this file, so the checkout can live anywhere. Values already set are kept only where
# noted (the warehouse connection); everything else is this project's setting.

_gwh_project="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"

export AIRFLOW_HOME="$_gwh_project/.gwh/airflow"
export AIRFLOW__CORE__DAGS_FOLDER="$_gwh_project/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$_gwh_project/.gwh/airflow/airflow.db"
export AIRFLOW__CORE__PARALLELISM=4
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG=4
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
# Nothing phones home: Cosmos and dbt telemetry.
export AIRFLOW__COSMOS__ENABLE_TELEMETRY=False
export DBT_SEND_ANONYMOUS_USAGE_STATS=False
export DO_NOT_TRACK=1
# Cosmos caches rendered dbt profiles here (not in the shared system temp folder).
export AIRFLOW__COSMOS__CACHE_DIR="$_gwh_project/.gwh/cosmos"
# Lineage: every task's OpenLineage events appended to a file (kept unless already set: point it at Marquez with
# {"type": "http", "url": "..."}). `airflow dags` warns that graphviz (only for --imgcat/--save-dagrun) is missing.
export AIRFLOW__OPENLINEAGE__NAMESPACE=gender_warehouse
export AIRFLOW__OPENLINEAGE__TRANSPORT="${AIRFLOW__OPENLINEAGE__TRANSPORT:-{\"type\": \"file\", \"log_file_path\": \"$_gwh_project/.gwh/airflow/lineage.jsonl\", \"append\": true\}}"
export PYTHONWARNINGS="${PYTHONWARNINGS:+$PYTHONWARNINGS,}ignore:Could not import graphviz:UserWarning"

# The warehouse: the Airflow connection gwh_warehouse. Kept if already set; else taken from GWH_DATABASE_URL.
if [ -z "${AIRFLOW_CONN_GWH_WAREHOUSE:-}" ] && [ -n "${GWH_DATABASE_URL:-}" ]; then
    export AIRFLOW_CONN_GWH_WAREHOUSE="$GWH_DATABASE_URL"
fi
if [ -z "${AIRFLOW_CONN_GWH_WAREHOUSE:-}" ]; then
    echo "airflow_env.sh: set AIRFLOW_CONN_GWH_WAREHOUSE (or GWH_DATABASE_URL) to the warehouse's postgresql:// URL" >&2
fi

mkdir -p "$AIRFLOW_HOME" "$AIRFLOW__COSMOS__CACHE_DIR"
unset _gwh_project
