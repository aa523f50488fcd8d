"""Durable, atomic publication of files and folders.

- ``fsync_path`` / ``fsync_tree`` / ``sync_all`` — flush a file, a folder entry, a whole tree, or
  many files at once to disk;
- ``publish_dir(tmp, target)`` — a folder written completely in ``tmp`` (a sibling of
  ``target``) becomes ``target`` by one rename: ``rename(2)`` when ``target`` does not exist yet,
  ``renameat2(RENAME_EXCHANGE)`` (Linux) when it does, so a reader sees the old complete folder
  or the new complete one, never a mix and never nothing. Where the exchange is not supported,
  two renames are the fallback; a crash between them leaves no ``target``, the old folder being
  ``.tmp-<name>-old-<pid>``, which ``pipelines.prune`` renames back. Files are fsynced before
  and the parent folder after.
- ``read_cache`` / ``write_cache`` — a cache file (``paths.cache_dir()``) is read only when it is
  a regular file, and written whole (temporary file, fsync, rename); a cache that cannot be read
  or written (a read-only warehouse) is only a slower run.
- ``read_inside(root, rel)`` — a published file to reuse, read without following any link.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
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


@functools.cache
def _libc_function(name: str):
    """A function of the C library (None where there is no such library or function), looked
    up once per process: ``find_library`` runs a compiler or ldconfig, and ``syncfs`` is called
    at every landing swap."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    return getattr(ctypes.CDLL(libc_name, use_errno=True), name, None)


def _syncfs(anchor: Path) -> bool:
    """``syncfs(2)`` on the filesystem holding ``anchor``: everything written to it so far is on
    disk when it returns (Linux). False where it is not available."""
    syncfs = _libc_function("syncfs")
    if syncfs is None:
        return False
    fd = os.open(anchor, os.O_RDONLY)
    try:
        return syncfs(fd) == 0
    finally:
        os.close(fd)


def sync_all(files: Iterable[Path], anchor: Path) -> None:
    """Make ``files`` (files or folders, all on the filesystem of ``anchor``) durable.

    One ``syncfs`` instead of an fsync per file: each fsync of a new file waits for its own
    journal commit, and a landing of 722 submissions made about 25,000 of them, most of a cold
    run (issue 13). Where syncfs is missing or fails, every file is fsynced."""
    if _syncfs(anchor):
        return
    for path in files:
        fsync_path(path)


def _tree(root: Path) -> Iterator[Path]:
    for folder, _dirs, names in os.walk(root, topdown=False):
        for name in names:
            yield Path(folder) / name
        yield Path(folder)


def fsync_tree(root: Path) -> None:
    """Flush every file and folder under ``root`` to disk (``sync_all``)."""
    sync_all(list(_tree(root)), root)


def temporary_sibling(target: Path, tag: str) -> Path:
    """``<parent>/.tmp-<name>-<tag>``: where ``target`` is written before it is published."""
    return target.with_name(f"{TMP_PREFIX}{target.name}-{tag}")


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False when not supported here."""
    renameat2 = _libc_function("renameat2")
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


def remove(path: Path) -> None:
    """Remove a file, a link (never what it points to) or a whole folder; missing is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def read_cache(path: Path) -> bytes | None:
    """The bytes of a cache file, or None (missing, not a regular file, unreadable)."""
    try:
        if path.is_file() and not path.is_symlink() and not path.parent.is_symlink():
            return path.read_bytes()
    except OSError:
        pass
    return None


def read_inside(root: Path, rel: str) -> bytes | None:
    """The bytes of the regular file ``rel`` (a relative POSIX path) under ``root``, never
    through a link, of the file or of a folder on its way; None when it cannot be read that way
    or ``rel`` would leave ``root`` (absolute, ``..``, empty parts)."""
    parts = rel.split("/")
    if not rel or any(part in ("", ".", "..") or "\0" in part for part in parts):
        return None
    fd = None
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        for part in parts[:-1]:
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = nxt
        # O_NONBLOCK: a FIFO put there is not waited on; fstat then refuses anything irregular
        leaf = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
        with os.fdopen(leaf, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read()
    except (OSError, ValueError):  # ValueError: a NUL or a lone surrogate in a name
        return None
    finally:
        if fd is not None:
            os.close(fd)


def write_cache(path: Path, data: bytes) -> bool:
    """Write a cache file whole (temporary sibling, fsync, rename); never fails: says whether
    the file was written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide it from a daemon of another user
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError:
        return False
    return True
