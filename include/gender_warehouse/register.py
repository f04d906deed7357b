"""A file's identity (sha256) and its content-addressed archive copy, which is never modified."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from gender_warehouse import settings

CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def archive_path(sha256: str, suffix: str) -> Path:
    return settings.archive_dir() / sha256[:2] / f"{sha256}{suffix.lower()}"


def archive(path: Path, sha256: str) -> Path:
    """Copy the original bytes to the archive (once; an existing copy is left as it is) and make it read-only."""
    target = archive_path(sha256, path.suffix)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Copy to a temporary name and rename: a crash never leaves a half-written file under the final name.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out, path.open("rb") as src:
            shutil.copyfileobj(src, out, CHUNK)
        if sha256_of(Path(tmp)) != sha256:
            raise OSError(f"{path} changed while it was being archived; submit it again once it is complete")
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def archive_reference(archived: Path) -> str:
    """How the audit names an archived file: relative to the data folder when it is inside it."""
    data = settings.data_dir()
    return str(archived.relative_to(data) if archived.is_relative_to(data) else archived)
