"""The landing folder: where focal points' files arrive, and which of them the warehouse has not taken yet."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from gender_warehouse import db, register, settings

SUBMISSION_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xml"}


def landing_dir() -> Path:
    """GWH_LANDING_DIR, else landing/ in the project."""
    if env := os.environ.get("GWH_LANDING_DIR"):
        return Path(env).resolve()
    return settings.project_dir() / "landing"


def candidate_files(folder: Path) -> list[Path]:
    """Files that look like submissions (hidden and partial uploads are left alone), oldest first."""
    if not folder.is_dir():
        return []
    found = [
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in SUBMISSION_SUFFIXES
    ]
    return sorted(found, key=lambda p: (p.stat().st_mtime, str(p)))


def submitted_at(path: Path) -> dt.datetime:
    """When a file reached the landing folder (its modification time there): the order of its versions."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def pending_files(url: str, folder: Path | None = None) -> list[str]:
    """Files in the landing folder whose bytes the warehouse has not finished with (new, or interrupted)."""
    files = candidate_files(folder or landing_dir())
    if not files:
        return []
    hashes = {str(p): register.sha256_of(p) for p in files}
    db.ensure_schema(url)
    with db.connect(url, role="loader") as conn:
        done = {
            row[0]
            for row in conn.execute(
                "select sha256 from audit.submissions where sha256 = any(%s) and status <> 'received'",
                (list(hashes.values()),),
            )
        }
    return [path for path, sha in hashes.items() if sha not in done]
