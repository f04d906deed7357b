-- Runs once, when the postgres service starts on an empty data volume (the image's /docker-entrypoint-initdb.d).
-- The server's first database, `airflow` (POSTGRES_DB), holds Airflow's metadata; this one holds the warehouse.
-- Its schemas (audit, raw, and dbt's) are created by `gwh db init` in airflow-init and by dbt.
CREATE DATABASE warehouse;
