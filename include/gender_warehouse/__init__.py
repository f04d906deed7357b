"""Gender Equality Warehouse: ingestion, validation and audit of UN gender-equality submissions.

The package holds every step; the Airflow DAGs and the `gwh` command are thin wrappers around it. It imports
no Airflow.
"""

__version__ = "0.1.0"
