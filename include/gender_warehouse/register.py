"""A file's identity (sha256) and its content-addressed archive copy, which is never modified.

A submitted file is opened once (a regular file only: files.open_regular) and copied into the archive while it is
hashed. Everything after that reads the archived copy, never the submitted path again: the bytes that were
hashed, archived and read are the same bytes, whatever happens to the landing folder meanwhile.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gender_warehouse import files, settings
from gender_warehouse.errors import SubmissionError

CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """The sha256 of a regular file (links and devices are refused)."""
    digest = hashlib.sha256()
    with files.open_regular(path) as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def archive_path(sha256: str, suffix: str) -> Path:
    return settings.archive_dir() / sha256[:2] / f"{sha256}{suffix.lower()}"


@dataclass(frozen=True)
class Taken:
    """A submitted file once it is archived: its hash, size and the archived copy."""

    sha256: str
    size: int
    archived: Path


class TooLarge(SubmissionError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the file has {size:,} bytes; the limit is {limit:,}")
        self.size = size


def take(path: Path) -> Taken:
    """Hash and archive a submitted file in one pass (once: an existing copy is left as it is, read-only).

    Refuses what is not a regular file, and a file over the size limit before and while copying (a file that
    grows past the limit as it is read is refused too)."""
    path = Path(path)
    limit = settings.max_file_bytes()
    root = settings.archive_dir()
    root.mkdir(parents=True, exist_ok=True)
    with files.open_regular(path) as src:
        size = os.fstat(src.fileno()).st_size
        if size > limit:
            raise TooLarge(size, limit)
        digest = hashlib.sha256()
        copied = 0
        # A temporary name, renamed once complete: a crash never leaves a half-written file under the final name.
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := src.read(CHUNK):
                    copied += len(chunk)
                    if copied > limit:
                        raise TooLarge(copied, limit)
                    digest.update(chunk)
                    out.write(chunk)
            sha256 = digest.hexdigest()
            target = archive_path(sha256, path.suffix)
            if target.exists():
                Path(tmp).unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp, 0o444)
                os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return Taken(sha256, copied, target)


# A reading folder this old was left by a killed run (no file takes a day to read).
STALE_SECONDS = 24 * 3600


def remove_stale(staging: Path) -> None:
    """Remove the reading folders that killed runs left behind (a copy there, across file systems, takes space)."""
    now = time.time()
    for entry in os.scandir(staging):
        if entry.is_dir(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
            shutil.rmtree(entry.path, ignore_errors=True)


@contextmanager
def readable_copy(taken: Taken, name: str) -> Iterator[Path]:
    """The archived bytes under the submitted file's name (readers take the table from the name), in a private
    folder removed afterwards: a hard link to the archive copy where the file system allows, else a copy."""
    staging = settings.archive_dir() / ".reading"
    staging.mkdir(parents=True, exist_ok=True)
    remove_stale(staging)
    with tempfile.TemporaryDirectory(dir=staging) as folder:
        copy = Path(folder) / Path(name).name
        try:
            os.link(taken.archived, copy)
        except OSError:
            shutil.copyfile(taken.archived, copy)
        yield copy


@contextmanager
def private_copy(path: Path) -> Iterator[tuple[Path, int]]:
    """A regular file copied, under its own name, into a private folder removed afterwards (for a validation
    that records nothing); with its size. The size limit applies."""
    limit = settings.max_file_bytes()
    with files.open_regular(path) as src, tempfile.TemporaryDirectory(prefix="gwh-validate-") as folder:
        size = os.fstat(src.fileno()).st_size
        if size > limit:
            raise TooLarge(size, limit)
        copy = Path(folder) / Path(path).name
        with copy.open("wb") as out:
            copied = 0
            while chunk := src.read(CHUNK):
                copied += len(chunk)
                if copied > limit:
                    raise TooLarge(copied, limit)
                out.write(chunk)
        yield copy, copied


def archive_reference(archived: Path) -> str:
    """How the audit names an archived file: relative to the data folder when it is inside it."""
    data = settings.data_dir()
    return str(archived.relative_to(data) if archived.is_relative_to(data) else archived)
