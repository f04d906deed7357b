"""Files the warehouse reads from submitters and writes for readers: only regular files in, whole files out.

A submitted path is opened once, without following a link, and refused unless it is a regular file: a symlink to
/etc/passwd or a device such as /dev/zero never reaches a reader. Pages and results are written to a temporary
name beside their final one and renamed into place, so a reader (or a parallel run) never sees half a page.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from gender_warehouse.errors import SubmissionError

KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFDIR: "a folder",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
}


def kind_of(mode: int) -> str:
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def is_regular(path: Path) -> bool:
    """Whether the path itself (not what a link points to) is a regular file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def not_regular_error(path: Path, mode: int) -> SubmissionError:
    return SubmissionError(
        f"{path.name} is {kind_of(mode)}, not a regular file: only files themselves are taken (copy the file "
        "into place instead of linking to it)"
    )


def open_regular(path: Path) -> BinaryIO:
    """Open a submitted file for reading, refusing links, devices, pipes and sockets before any byte is read.

    O_NOFOLLOW refuses a link in the last part of the path; O_NONBLOCK keeps a FIFO from blocking the open; the
    fstat of the opened descriptor closes the gap between looking at the path and opening it."""
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        raise SubmissionError(f"cannot read {path}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise not_regular_error(path, mode)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SubmissionError(f"cannot read {path}: {exc.strerror}") from None
    opened = os.fstat(fd).st_mode
    if not stat.S_ISREG(opened):
        os.close(fd)
        raise not_regular_error(path, opened)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write the whole file or nothing: a temporary file in the same folder, flushed, then renamed over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
