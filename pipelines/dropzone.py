"""Classify the entries of a drop zone before reading a byte of them.

Every entry is looked at with ``lstat`` (links are never followed): only regular files and
folders are ever opened. A symbolic link (dangling or not), a device, a FIFO or a socket is
refused as "not a regular file" without being opened or hashed, so a link to ``/dev/zero`` or a
FIFO can never hang a run or a sensor tick. Files are opened with ``O_NOFOLLOW | O_NONBLOCK``
and checked again on the open descriptor, so an entry swapped for a link or a FIFO between the
listing and the read is refused too.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

FILE, FOLDER = "regular file", "folder"


@dataclass(frozen=True)
class Entry:
    path: Path
    #: ``FILE``, ``FOLDER`` or what else it is ("symbolic link", "FIFO", "device", ...)
    kind: str
    size: int = 0
    mtime_ns: int = 0

    @property
    def regular(self) -> bool:
        return self.kind in (FILE, FOLDER)


def kind_of(mode: int) -> str:
    if stat.S_ISREG(mode):
        return FILE
    if stat.S_ISDIR(mode):
        return FOLDER
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def entry(path: Path) -> Entry:
    """The entry at ``path``, never following a link (a vanished entry is a "missing entry")."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return Entry(path, "missing entry")
    return Entry(path, kind_of(st.st_mode), st.st_size, st.st_mtime_ns)


def ignored(name: str) -> bool:
    """Hidden entries (``.DS_Store``, partial uploads) and READMEs are not part of a drop zone."""
    return name.startswith(".") or name.lower().startswith("readme")


def scan(folder: Path) -> list[Entry]:
    """The entries of ``folder`` (sorted by name, hidden files and READMEs left out)."""
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [entry(folder / n) for n in names if not ignored(n)]


def not_regular_reason(e: Entry, where: str = "") -> str:
    return (
        f"{where}{e.path.name} is not a regular file (it is a {e.kind}); it was not opened. "
        "Copy the file itself into the drop zone."
    )


def walk(folder: Path) -> list[Entry]:
    """Every entry below ``folder`` (recursively, links not followed), sorted by path."""
    out: list[Entry] = []
    for e in scan(folder):
        out.append(e)
        if e.kind == FOLDER:
            out.extend(walk(e.path))
    return sorted(out, key=lambda x: x.path.as_posix())


class NotRegularFile(OSError):
    """The path is not (or no longer) a regular file; it was not read."""


def open_regular(path: Path):
    """Open a regular file for reading without following a link and without blocking on a FIFO
    or a device; anything but a regular file raises ``NotRegularFile``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EMLINK):
            raise NotRegularFile(f"{path.name} is not a regular file") from exc
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        kind = kind_of(os.fstat(fd).st_mode)
        os.close(fd)
        raise NotRegularFile(f"{path.name} is not a regular file (it is a {kind})")
    return os.fdopen(fd, "rb")
