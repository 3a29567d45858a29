"""Atomic file writes: a report is either the old file or the complete new one, never half."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from ..errors import InputError


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write via a temp file in the same folder + rename; ``-`` writes to stdout."""
    write_atomic(path, lambda out: out.write(text))


def write_atomic(path: str | os.PathLike, write: Callable[[TextIO], object]) -> None:
    """Let ``write`` fill a temp file in the same folder, then rename it over ``path``: readers
    see the old file or the complete new one, never half. ``-`` writes to stdout; a pipe or a
    device (``/dev/null``) is written directly, as it holds no old report to protect."""
    if str(path) == "-":
        write(sys.stdout)
        sys.stdout.flush()
        return
    target = Path(os.path.realpath(path))  # through a symlink: replace the file it points to, not the link
    if target.is_dir():
        raise InputError(f"cannot write {path}: it is a folder")
    if target.exists() and not target.is_file():  # a pipe or a device (/dev/null): renaming would replace it
        with open(target, "w", encoding="utf-8", newline="") as fh:
            write(fh)
        return
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {target}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        usual_permissions(tmp)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def usual_permissions(path: str | os.PathLike) -> None:
    """mkstemp makes files 0600; a report gets what any new file would (0666 minus the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)
