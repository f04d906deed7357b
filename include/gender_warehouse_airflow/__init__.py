"""The Airflow side of the warehouse: operators and triggers the DAGs use, installed with the project so that
every Airflow component (worker, triggerer) can import them. The logic stays in `gender_warehouse`, which imports
no Airflow."""
