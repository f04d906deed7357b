"""The landing folder: where focal points' files arrive, and which of them the warehouse has not taken yet."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from gender_warehouse import db, files, register, settings
from gender_warehouse.errors import SubmissionError, visible

log = logging.getLogger(__name__)

SUBMISSION_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xml"}


def landing_dir() -> Path:
    """GWH_LANDING_DIR, else landing/ in the project."""
    if env := os.environ.get("GWH_LANDING_DIR"):
        return Path(env).resolve()
    return settings.project_dir() / "landing"


def candidate_files(folder: Path) -> list[Path]:
    """Regular files that look like submissions, oldest first. Hidden files and partial uploads are left alone;
    links, devices and pipes are never taken (and links to folders never followed): each is logged once a run."""
    if not folder.is_dir():
        return []
    found = []
    for parent, dirs, names in os.walk(folder):  # does not follow links to folders
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = Path(parent) / name
            if name.startswith((".", "~$")) or path.suffix.lower() not in SUBMISSION_SUFFIXES:
                continue
            if files.is_regular(path):
                found.append(path)
            else:
                log.warning(
                    "%s is not a regular file (a link, device or pipe): it is not taken",
                    visible(str(path), one_line=True),
                )
    return sorted(found, key=lambda p: (p.lstat().st_mtime, str(p)))


def submitted_at(path: Path) -> dt.datetime:
    """When a file reached the landing folder (its modification time there): the order of its versions."""
    return dt.datetime.fromtimestamp(path.lstat().st_mtime, dt.UTC)


def pending_files(url: str, folder: Path | None = None) -> list[str]:
    """Files in the landing folder whose bytes the warehouse has not finished with (new, or interrupted)."""
    found = candidate_files(folder or landing_dir())
    if not found:
        return []
    hashes = {}
    for path in found:
        try:
            hashes[str(path)] = register.sha256_of(path)
        except SubmissionError as exc:  # replaced by a link, or gone, since the folder was listed
            log.warning("%s is not taken: %s", visible(str(path), one_line=True), visible(str(exc), one_line=True))
    db.ensure_schema(url)
    with db.connect(url, role="loader") as conn:
        done = {
            row[0]
            for row in conn.execute(
                "select sha256 from audit.submissions where sha256 = any(%s) and status <> 'received'",
                (list(hashes.values()),),
            )
        }
        received = {
            (sha, name): landed
            for sha, name, landed in conn.execute(
                "select s.sha256, r.file_name, r.landed_at from audit.file_receipts as r"
                " join audit.submissions as s using (submission_id) where s.sha256 = any(%s)",
                (list(done),),
            )
        }
    # Bytes the warehouse has finished with are taken again when they arrive again (a resent file: a new time in
    # the folder), to be recorded as 'unchanged'; a file that has lain here since it was taken is not.
    return [path for path, sha in hashes.items() if sha not in done or not taken_before(path, sha, received)]


def taken_before(path: str, sha: str, received: dict[tuple[str, str], dt.datetime | None]) -> bool:
    landed = received.get((sha, Path(path).name))
    return landed is not None and abs((landed - submitted_at(Path(path))).total_seconds()) < 0.001
