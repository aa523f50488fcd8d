"""What a release was built from, so that a run with nothing changed does nothing (issue 13).

The inputs of a build are every file of the drop zones under ``raw/`` and the code that turns
them into numbers (``pipelines/``, ``schemas/``, the dbt project, the lock file). ``snapshot()``
records, per file, a cheap ``lstat`` key (kind, size, modification time, inode) and the sha256
of its bytes; the sha256 is reused from the previous snapshot when the ``lstat`` key is the same,
so an unchanged tree is checked without reading it. The digest of all the sha256 is the
fingerprint of the inputs.

After a successful run, ``record()`` writes ``warehouse/.inputs.json``: the release just
published and the snapshot taken at the start of the run. ``unchanged_since()`` says whether the
published release is that release and the inputs are still the same; then ``make run`` has
nothing to do. Anything else (no record, another release published since, e.g. by a sensor run,
a file touched and changed, the code changed) means build. A crash after publishing and before
``record()`` only costs a rebuild. This module imports nothing heavy: the check runs before
Dagster, dbt or polars are imported.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pipelines import dropzone, paths

#: code whose change changes the numbers (relative to the repository)
CODE = ("pipelines", "schemas", "pyproject.toml", "uv.lock")
DBT_PARTS = ("models", "macros", "seeds", "tests", "snapshots", "analyses", "dbt_project.yml")


def record_path() -> Path:
    return paths.warehouse_dir() / ".inputs.json"


def _files() -> list[tuple[str, Path]]:
    """(name in the snapshot, path) of every input file; links and specials by name only."""
    out = []
    raw = paths.raw_dir()
    for e in dropzone.walk(raw):
        if e.kind != dropzone.FOLDER:
            out.append((f"raw/{e.path.relative_to(raw).as_posix()}", e.path))
    for part in CODE:
        top = paths.REPO_ROOT / part
        entries = dropzone.walk(top) if top.is_dir() else [dropzone.entry(top)]
        out += [
            (f"code/{e.path.relative_to(paths.REPO_ROOT).as_posix()}", e.path)
            for e in entries
            if e.kind == dropzone.FILE
            and "__pycache__" not in e.path.parts
            and e.path.suffix != ".pyc"
        ]
    dbt = paths.DBT_PROJECT_DIR
    for part in DBT_PARTS:
        top = dbt / part
        entries = dropzone.walk(top) if top.is_dir() else [dropzone.entry(top)]
        out += [
            (f"dbt/{e.path.relative_to(dbt).as_posix()}", e.path)
            for e in entries
            if e.kind == dropzone.FILE
        ]
    return sorted(out)


def _stat_key(path: Path) -> str:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "missing"
    return f"{dropzone.kind_of(st.st_mode)}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with dropzone.open_regular(path) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except (OSError, dropzone.NotRegularFile):
        return "not readable"  # a link, FIFO, device or vanished file: by name and kind only
    return digest.hexdigest()


def snapshot(previous: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """name -> [lstat key, sha256] of every input (sha256 reused when the lstat key is equal)."""
    previous = previous or {}
    out = {}
    for name, path in _files():
        key = _stat_key(path)
        old = previous.get(name)
        out[name] = [key, old[1] if old and old[0] == key else _sha(path)]
    return out


def fingerprint(snap: dict[str, list[str]]) -> str:
    digest = hashlib.sha256()
    for name, (_, sha) in sorted(snap.items()):
        digest.update(f"{name}\0{sha}\n".encode())
    return digest.hexdigest()


def _read_record() -> dict | None:
    try:
        return json.loads(record_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _published_release() -> str | None:
    """The release id of the published warehouse, read-only (None when there is none)."""
    import duckdb

    path = paths.published_path()
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute(
            "select release_id from marts.releases order by published_at desc, release_id desc "
            "limit 1"
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return row[0] if row else None


def unchanged_since() -> tuple[str | None, dict[str, list[str]]]:
    """(release id, snapshot): the release id when the published release was built from inputs
    identical to today's and its release files are in place, else None."""
    record = _read_record()
    snap = snapshot(record.get("files") if record else None)
    if not record or record.get("fingerprint") != fingerprint(snap):
        return None, snap
    release = _published_release()
    if release is None or release != record.get("release_id"):
        return None, snap
    if not (paths.extracts_dir() / release).is_dir():
        return None, snap  # pruned or never written: build again
    if not (paths.warehouse_dir() / "site" / "index.html").exists():
        return None, snap
    return release, snap


def record(snap: dict[str, list[str]]) -> None:
    """After a successful run: the published release was built from ``snap``."""
    release = _published_release()
    if release is None:
        return
    target = record_path()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    body = {"release_id": release, "fingerprint": fingerprint(snap), "files": snap}
    tmp.write_text(json.dumps(body, sort_keys=True), encoding="utf-8")
    os.replace(tmp, target)
