#!/usr/bin/env bash
# The airflow-init service of docker-compose.yml: runs once, before every other Airflow service, then exits.
# Each step is idempotent, so it runs again at every `docker compose up` and after an upgrade of the image.
set -euo pipefail

echo "airflow-init: Airflow $(airflow version 2>/dev/null | tail -n 1)"

echo "airflow-init: migrating the Airflow metadata database"
airflow db migrate

# The warehouse connection needs no step: Airflow reads it from AIRFLOW_CONN_GWH_WAREHOUSE, and the UI's
# admin user is SimpleAuthManager's (AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS), whose password the api-server
# writes at start (docker/entrypoint.sh).

echo "airflow-init: creating the warehouse schemas (gwh db init)"
gwh db init

# loader, transformer, bi_reader, auditor and their grants; GWH_PASSWORD_<ROLE> in .env gives a role a login.
echo "airflow-init: creating the warehouse roles (gwh db roles)"
gwh db roles

if [[ ! -f "${GWH_PROJECT_DIR}/dbt_project/target/manifest.json" ]]; then
    echo "airflow-init: ${GWH_PROJECT_DIR}/dbt_project/target/manifest.json is missing: rebuild the image" >&2
    exit 1
fi

echo "airflow-init: done"
