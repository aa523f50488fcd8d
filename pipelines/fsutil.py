"""Durable, atomic publication of files and folders.

- ``fsync_path`` / ``fsync_tree`` — flush a file, a folder entry, or a whole tree to disk;
- ``publish_dir(tmp, target)`` — a folder written completely in ``tmp`` (a sibling of
  ``target``) becomes ``target`` by one rename: ``rename(2)`` when ``target`` does not exist yet,
  ``renameat2(RENAME_EXCHANGE)`` (Linux) when it does, so a reader sees the old complete folder
  or the new complete one, never a mix and never nothing. Where the exchange is not supported,
  two renames are the fallback; a crash between them leaves no ``target``, the old folder being
  ``.tmp-<name>-old-<pid>``, which ``pipelines.prune`` renames back. Files are fsynced before
  and the parent folder after.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from pathlib import Path

from pipelines import faults

RENAME_EXCHANGE = 2
AT_FDCWD = -100
#: temporary siblings created by ``temporary_sibling`` start with this prefix
TMP_PREFIX = ".tmp-"


def fsync_path(path: Path) -> None:
    """fsync a file or a folder (a folder's fsync makes a rename inside it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every file and folder under ``root``, folders after their content."""
    for folder, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            fsync_path(Path(folder) / name)
        fsync_path(Path(folder))


def temporary_sibling(target: Path, tag: str) -> Path:
    """``<parent>/.tmp-<name>-<tag>``: where ``target`` is written before it is published."""
    return target.with_name(f"{TMP_PREFIX}{target.name}-{tag}")


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False when not supported here."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    rc = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def publish_dir(tmp: Path, target: Path, kill_point: str | None = None) -> None:
    """Make the complete folder ``tmp`` appear as ``target`` by one rename (see module doc).
    ``kill_point``: the caller's named fault point (``pipelines.faults``), reached just before
    the rename."""
    fsync_tree(tmp)
    if kill_point:
        faults.point(kill_point)
    if not target.exists():
        os.rename(tmp, target)
    elif _exchange(tmp, target):
        shutil.rmtree(tmp)  # tmp now holds the old folder
    else:
        old = target.with_name(f"{TMP_PREFIX}{target.name}-old-{os.getpid()}")
        target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    fsync_path(target.parent)
