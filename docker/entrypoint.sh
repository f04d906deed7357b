#!/usr/bin/env bash
# Entry point of the gender-warehouse image (run under tini, which reaps zombies and passes signals on).
# It runs the command it is given: `airflow scheduler`, `airflow celery worker`, `gwh status`, `bash`...
#
# One addition: when AIRFLOW_ADMIN_PASSWORD is set (docker-compose.yml sets it on the api-server only), the
# SimpleAuthManager passwords file is written from it, so the admin logs in with the team's password instead
# of one Airflow generates and prints into the log. The file is rewritten at every start: changing the
# password in .env and restarting the api-server is all it takes.
set -euo pipefail

if [[ -n "${AIRFLOW_ADMIN_PASSWORD:-}" ]]; then
    python - <<'PY'
import json
import os

home = os.environ.get("AIRFLOW_HOME", "/opt/airflow")
path = os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE") or os.path.join(
    home, "simple_auth_manager_passwords.json.generated"
)
user = os.environ.get("AIRFLOW_ADMIN_USER", "admin")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as out:
    json.dump({user: os.environ["AIRFLOW_ADMIN_PASSWORD"]}, out)
    out.write("\n")
print(f"gwh-entrypoint: Airflow user '{user}' gets the password from AIRFLOW_ADMIN_PASSWORD")
PY
    unset AIRFLOW_ADMIN_PASSWORD
fi

exec "$@"
