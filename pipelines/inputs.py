"""What a release was built from, so that a run with nothing changed does nothing (issue 13).

The inputs of a build are every file of the drop zones under ``raw/`` and the code that turns
them into numbers (``pipelines/``, ``schemas/``, the dbt project, the lock file). ``snapshot()``
records, per file, a cheap ``lstat`` key (kind, size, modification time, inode) and the sha256
of its bytes; the sha256 is reused from the previous snapshot when the ``lstat`` key is the same,
so an unchanged tree is checked without reading it. The digest of all the sha256 is the
fingerprint of the inputs.

Before its build, a run writes ``warehouse/.inputs.json`` with the snapshot taken at its start
and the id of the Dagster run that builds, keeping the snapshot of the published release
(``record_pending()``); after a successful run, ``record()`` writes the release just
published. ``check()`` then says, against today's inputs:

- ``UNCHANGED``: the published release was built from the same inputs and its release files and
  site are in place; ``make run`` has nothing to do;
- ``UNFINISHED``: the published release was built from the same inputs by a run that died after
  publishing it (kill -9, power cut), before its release files and site were all in place;
  ``make run`` writes them for that release, without building or publishing again (issue 11);
- ``CHANGED``: anything else (no record, another release published since, e.g. by a sensor
  run, a file touched and changed, the code changed): build.

This module imports nothing heavy: the check runs before Dagster, dbt or polars are imported.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import dropzone, paths

#: code whose change changes the numbers (relative to the repository)
#: ``raw/reference`` of the repository: the dbt source ``reference`` reads it whatever
#: FLOORBOARD_RAW_DIR says (``build.dbt_env``)
CODE = ("pipelines", "schemas", "pyproject.toml", "uv.lock", "raw/reference")
#: the profile too: its DuckDB settings (one thread, for sums in a fixed order) shape the numbers
DBT_PARTS = (
    "models",
    "macros",
    "seeds",
    "tests",
    "snapshots",
    "analyses",
    "dbt_project.yml",
    "profiles.yml",
    "packages.yml",
)


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


def known_sha(snap: dict[str, list[str]] | None, path: Path) -> str | None:
    """The sha256 of the regular file ``path`` under raw/ as ``snap`` recorded it, when its
    ``lstat`` key is still the recorded one (a run that just took the snapshot need not read
    the file again); None otherwise."""
    try:
        name = f"raw/{path.relative_to(paths.raw_dir()).as_posix()}"
    except ValueError:
        return None
    entry = (snap or {}).get(name)
    if not entry or not entry[0].startswith(f"{dropzone.FILE}:") or entry[1] == "not readable":
        return None
    return entry[1] if _stat_key(path) == entry[0] else None


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


def _published_release() -> tuple[str, str] | None:
    """(release id, id of the run that published it) of the published warehouse, read-only
    (None when there is none)."""
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
            "select release_id, run_id from marts.releases "
            "order by published_at desc, release_id desc limit 1"
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return (row[0], row[1]) if row else None


UNCHANGED, UNFINISHED, CHANGED = "unchanged", "unfinished", "changed"


@dataclass(frozen=True)
class Check:
    """What ``make run`` has to do: ``state`` (UNCHANGED, UNFINISHED, CHANGED), the published
    release it is about (UNCHANGED, UNFINISHED) and today's snapshot of the inputs."""

    state: str
    release: str | None = None
    snap: dict[str, list[str]] = field(default_factory=dict)
    #: UNFINISHED: the Dagster run that built and published ``release``
    build_run_id: str | None = None
    #: CHANGED: the inputs that differ from those the published release was built from (added,
    #: removed or changed); None when that is not known (no record of the published release)
    since_published: frozenset[str] | None = None

    def only_ssi_changed(self) -> bool:
        """Did only SSI submissions (``raw/ssi/``) change since the published release was
        built, with the same code and every other drop zone the same?"""
        changed = self.since_published
        return bool(changed) and all(name.startswith("raw/ssi/") for name in changed)


def _outputs_in_place(release: str) -> bool:
    """Are the release folder (renamed into place only when complete) and the site there?"""
    return (paths.extracts_dir() / release).is_dir() and (
        paths.warehouse_dir() / "site" / "index.html"
    ).exists()


def check() -> Check:
    """Compare today's inputs with the record of the last run (see the module doc)."""
    record = _read_record()
    snap = snapshot(record.get("files") if record else None)
    if not record:
        return Check(CHANGED, None, snap)
    published = _published_release()
    if record.get("fingerprint") == fingerprint(snap) and published is not None:
        release, run_id = published
        if record.get("release_id") == release:  # the run that built it finished
            if not _outputs_in_place(release):
                return Check(CHANGED, None, snap)  # pruned or removed since: build again
            return Check(UNCHANGED, release, snap)
        if record.get("build_run_id") and record.get("build_run_id") == run_id:
            # published by the run that recorded these inputs, which then died: its release
            # files or site may be missing or half-written (renamed into place only when
            # complete, so they are absent or of the previous release); write them again
            return Check(UNFINISHED, release, snap, run_id)
    return Check(CHANGED, None, snap, since_published=_since_published(record, published, snap))


def _since_published(
    record: dict, published: tuple[str, str] | None, snap: dict[str, list[str]]
) -> frozenset[str] | None:
    """What differs from the inputs of the published release, when the record knows them: the
    record is that release's, or a run that started since and never published (it died, or
    failed) kept them (``record_pending``). None otherwise (another run published since, e.g.
    from a sensor; no record of it)."""
    if published is None:
        return None
    before = None
    if record.get("release_id") == published[0]:
        before = record.get("files")
    elif isinstance(record.get("published"), dict):
        kept = record["published"]
        before = kept.get("files") if kept.get("release_id") == published[0] else None
    if not isinstance(before, dict):  # an old or hand-edited record
        return None
    return _differences(before, snap)


def _differences(before: dict[str, list[str]], after: dict[str, list[str]]) -> frozenset[str]:
    """Names added, removed, or whose bytes changed (sha256) between two snapshots."""
    names = set(before) | set(after)
    return frozenset(
        n for n in names if (before.get(n) or [None, None])[1] != (after.get(n) or [None, None])[1]
    )


def _write(body: dict) -> None:
    target = record_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(body, sort_keys=True), encoding="utf-8")
    os.replace(tmp, target)


def record_pending(snap: dict[str, list[str]], build_run_id: str) -> None:
    """Before the build: the Dagster run ``build_run_id`` builds from ``snap``. If it publishes
    and then dies, ``check()`` finds its release UNFINISHED instead of building it again. The
    inputs of the published release (from the record being replaced) are kept: if this run
    dies or fails before publishing, the next one still knows what changed since that release
    and rebuilds only what depends on changed SSI submissions (issue 13)."""
    previous = _read_record() or {}
    kept = None
    if previous.get("release_id"):  # a finished run's record: the release it published
        kept = {"release_id": previous["release_id"], "files": previous.get("files")}
    elif isinstance(previous.get("published"), dict):  # an earlier run that never published
        kept = previous["published"]
    _write(
        {
            "release_id": None,
            "build_run_id": build_run_id,
            "fingerprint": fingerprint(snap),
            "files": snap,
            "published": kept,
        }
    )


def record(snap: dict[str, list[str]], release: str | None) -> None:
    """After a successful run: ``release`` was built from ``snap``, and its release files and
    site are in place. Nothing is recorded unless ``release`` is the published one (another run
    may have published since: the next ``check()`` then builds)."""
    published = _published_release()
    if published is None or release is None or published[0] != release:
        return
    _write(
        {
            "release_id": published[0],
            "build_run_id": published[1],
            "fingerprint": fingerprint(snap),
            "files": snap,
        }
    )
