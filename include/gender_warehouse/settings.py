"""Where things are: the project folder, the data folder, the archive, the reports. All from the environment."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_dir() -> Path:
    """The project checkout (holding dbt_project/ and expectations/). GWH_PROJECT_DIR overrides it."""
    if env := os.environ.get("GWH_PROJECT_DIR"):
        return Path(env).resolve()
    return _PACKAGE_DIR.parents[1]


def data_dir() -> Path:
    """Local state: the embedded database, the archive of original files. GWH_DATA_DIR overrides it."""
    if env := os.environ.get("GWH_DATA_DIR"):
        return Path(env).resolve()
    return project_dir() / ".gwh"


def archive_dir() -> Path:
    """Content-addressed copies of every submitted file. GWH_ARCHIVE_DIR overrides it."""
    if env := os.environ.get("GWH_ARCHIVE_DIR"):
        return Path(env).resolve()
    return data_dir() / "archive"


def reports_dir() -> Path:
    """Validation results, Data Docs and other published reports (the GX context in expectations/ points here)."""
    return project_dir() / "reports"


def expectations_dir() -> Path:
    return project_dir() / "expectations"


def seeds_dir() -> Path:
    return project_dir() / "dbt_project" / "seeds"


def max_file_bytes() -> int:
    """The largest file accepted (GWH_MAX_FILE_MB, default 1024 MB): a guard against runaway uploads."""
    return int(float(os.environ.get("GWH_MAX_FILE_MB", "1024")) * 1024 * 1024)


def ingest_interval_minutes() -> float:
    """How often the ingest DAG looks in the landing folder (GWH_INGEST_EVERY_MINUTES, default 10)."""
    minutes = float(os.environ.get("GWH_INGEST_EVERY_MINUTES", "10"))
    if minutes <= 0:
        raise ValueError(f"GWH_INGEST_EVERY_MINUTES must be a positive number of minutes, not {minutes}")
    return minutes


def load_lock_timeout() -> str:
    """How long a load waits for another load of the same table (GWH_LOAD_LOCK_TIMEOUT, a PostgreSQL interval,
    default 10min) before it gives up with a message."""
    return os.environ.get("GWH_LOAD_LOCK_TIMEOUT", "10min")
